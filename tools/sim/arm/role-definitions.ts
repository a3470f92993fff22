// Built-in role definitions the operator deals with. The ids are Azure's real, global ids for
// these roles (the same in every tenant), as published in "Azure built-in roles".
import { authorizationError } from "../errors.js";
import { compactResponse } from "../http/response.js";
import { type ArmHandler, param, queryValue } from "./context.js";
import { listPage } from "./paging.js";

interface BuiltInRole {
  id: string;
  roleName: string;
  description: string;
  actions: string[];
}

export const READER_ROLE_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

export const BUILT_IN_ROLES: BuiltInRole[] = [
  {
    id: READER_ROLE_ID,
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    actions: ["*/read"],
  },
  {
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    actions: ["*"],
  },
  {
    id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description:
      "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    actions: ["*"],
  },
  {
    id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    actions: ["*/read", "Microsoft.Authorization/*"],
  },
  {
    id: "1ef6a3be-d0ac-425d-8c01-acb62866290b",
    roleName: "Compute Gallery Sharing Admin",
    description:
      "This role allows user to share gallery to another subscription/tenant or share it to the public (community gallery).",
    actions: ["Microsoft.Compute/galleries/share/action", "Microsoft.Compute/galleries/read"],
  },
];

export function findRole(roleDefinitionId: string): BuiltInRole | undefined {
  const guid = roleDefinitionId.split("/").pop()?.toLowerCase();
  return BUILT_IN_ROLES.find((role) => role.id === guid);
}

/** The full id ARM uses for a role definition seen from a scope. */
export function roleDefinitionResourceId(scope: string, roleId: string): string {
  const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? "";
  return `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

function roleDefinitionBody(scope: string, role: BuiltInRole): Record<string, unknown> {
  return {
    properties: {
      roleName: role.roleName,
      type: "BuiltInRole",
      description: role.description,
      assignableScopes: ["/"],
      permissions: [{ actions: role.actions, notActions: [], dataActions: [], notDataActions: [] }],
      createdOn: "2015-02-02T21:55:09.8806423Z",
      updatedOn: "2021-11-11T20:13:47.8628684Z",
      createdBy: null,
      updatedBy: null,
    },
    id: roleDefinitionResourceId(scope, role.id),
    type: "Microsoft.Authorization/roleDefinitions",
    name: role.id,
  };
}

export const getRoleDefinition: ArmHandler = (ctx) => {
  const role = findRole(param(ctx, "name"));
  if (!role) {
    throw authorizationError(
      404,
      "RoleDefinitionDoesNotExist",
      `The specified role definition with ID '${param(ctx, "name")}' does not exist.`,
    );
  }
  return compactResponse(200, roleDefinitionBody(param(ctx, "scope"), role));
};

/** Lists built-in roles; `$filter=roleName eq 'Reader'` narrows to one. */
export const listRoleDefinitions: ArmHandler = (ctx) => {
  const wanted = /roleName\s+eq\s+'([^']*)'/i.exec(queryValue(ctx, "$filter") ?? "")?.[1]?.toLowerCase();
  const roles = BUILT_IN_ROLES.filter(
    (role) => wanted === undefined || role.roleName.toLowerCase() === wanted,
  );
  return compactResponse(
    200,
    listPage(
      ctx,
      roles.map((role) => roleDefinitionBody(param(ctx, "scope"), role)),
    ),
  );
};
