// Role assignments under any scope: PUT, GET, DELETE, and list with `$filter=atScope()` or
// `principalId eq '...'`. Answered by the Authorization RP in compact JSON.
import { authorizationError, principalNotFound } from "../errors.js";
import { compactResponse, emptyResponse } from "../http/response.js";
import { isObject } from "../json.js";
import type { RoleAssignmentRecord } from "../state/model.js";
import { type ArmContext, type ArmHandler, param, queryValue } from "./context.js";
import { idKey, isGuid, subscriptionOf } from "./ids.js";
import { listPage } from "./paging.js";
import { findRole, roleDefinitionResourceId } from "./role-definitions.js";

function scopeOf(ctx: ArmContext): string {
  const scope = param(ctx, "scope").replace(/\/+$/, "");
  return scope === "" ? "/" : scope;
}

function assignmentId(scope: string, name: string): string {
  return `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/** Whether `outer` is `inner` or one of its ancestors (ARM scopes nest by path). */
function covers(outer: string, inner: string): boolean {
  const a = outer.toLowerCase();
  const b = inner.toLowerCase();
  return a === "/" || a === b || b.startsWith(`${a}/`);
}

function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function roleAssignmentBody(assignment: RoleAssignmentRecord): Record<string, unknown> {
  return {
    properties: {
      roleDefinitionId: assignment.roleDefinitionId,
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      scope: assignment.scope,
      condition: assignment.condition ?? null,
      conditionVersion: assignment.conditionVersion ?? null,
      createdOn: toIso(assignment.createdOn),
      updatedOn: toIso(assignment.updatedOn),
      createdBy: assignment.createdBy,
      updatedBy: assignment.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: assignment.description ?? null,
    },
    id: assignment.id,
    type: "Microsoft.Authorization/roleAssignments",
    name: assignment.name,
  };
}

function sameGrant(
  a: RoleAssignmentRecord,
  b: { principalId: string; roleDefinitionId: string; scope: string },
): boolean {
  return (
    a.principalId.toLowerCase() === b.principalId.toLowerCase() &&
    findRole(a.roleDefinitionId)?.id === findRole(b.roleDefinitionId)?.id &&
    a.scope.toLowerCase() === b.scope.toLowerCase()
  );
}

/**
 * Refuses a principal the directory of the scope's tenant does not hold, or one a
 * `principalNotFound` fault hides for now (replication delay). A tenant without a directory (no
 * fixture gave it principals) accepts anyone, like the simulator's other lenient defaults.
 */
function requireKnownPrincipal(ctx: ArmContext, scope: string, principalId: string): void {
  const subscriptionId = subscriptionOf(scope);
  const tenantId = subscriptionId ? ctx.core.store.subscription(subscriptionId)?.tenantId : undefined;
  if (!tenantId) return;
  const directory = ctx.core.store.directory(tenantId);
  const listed = directory?.principals.some((known) => idKey(known) === idKey(principalId)) ?? true;
  if (!listed || ctx.core.faults.takePrincipal(principalId, ctx.now)) {
    throw principalNotFound(principalId, tenantId);
  }
}

/**
 * PUT a role assignment.
 *
 * Errors (Authorization RP, compact): 400 `InvalidRoleAssignmentId` for a name that is not a
 * GUID; 400 `RoleDefinitionDoesNotExist`; 400 `InvalidPrincipalId`; 400 `PrincipalNotFound` for a
 * principal the scope's tenant does not know (see `requireKnownPrincipal`); 400
 * `RoleAssignmentUpdateNotPermitted` when the name exists with other content; 409
 * `RoleAssignmentExists` when the same principal already holds the same role at the same scope
 * under another name. Re-sending an identical assignment answers 201 again.
 */
export const putRoleAssignment: ArmHandler = (ctx) => {
  const name = param(ctx, "name");
  if (!isGuid(name)) {
    throw authorizationError(
      400,
      "InvalidRoleAssignmentId",
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  }
  const properties = isObject(ctx.body().properties)
    ? (ctx.body().properties as Record<string, unknown>)
    : {};
  const roleDefinitionId = typeof properties.roleDefinitionId === "string" ? properties.roleDefinitionId : "";
  const role = findRole(roleDefinitionId);
  if (!role) {
    throw authorizationError(
      400,
      "RoleDefinitionDoesNotExist",
      `The specified role definition with ID '${roleDefinitionId.split("/").pop() ?? ""}' does not exist.`,
    );
  }
  const principalId = typeof properties.principalId === "string" ? properties.principalId : "";
  if (!isGuid(principalId)) {
    throw authorizationError(
      400,
      "InvalidPrincipalId",
      "A valid principal ID must be provided for role assignment.",
    );
  }
  const scope = scopeOf(ctx);
  requireKnownPrincipal(ctx, scope, principalId);
  const id = assignmentId(scope, name);
  const store = ctx.core.store.roleAssignments;
  const grant = { principalId, roleDefinitionId: roleDefinitionResourceId(scope, role.id), scope };
  const existing = store.get(idKey(id));
  if (existing) {
    if (!sameGrant(existing, grant)) {
      throw authorizationError(
        400,
        "RoleAssignmentUpdateNotPermitted",
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
      );
    }
    return compactResponse(201, roleAssignmentBody(existing));
  }
  const duplicate = [...store.values()].find((assignment) => sameGrant(assignment, grant));
  if (duplicate) {
    throw authorizationError(
      409,
      "RoleAssignmentExists",
      `The role assignment already exists. The ID of the existing role assignment is ${duplicate.name.replace(/-/g, "")}.`,
    );
  }
  const caller = ctx.caller.objectId ?? ctx.caller.appId ?? null;
  const assignment: RoleAssignmentRecord = {
    id,
    name,
    ...grant,
    principalType: typeof properties.principalType === "string" ? properties.principalType : "User",
    description: typeof properties.description === "string" ? properties.description : undefined,
    condition: typeof properties.condition === "string" ? properties.condition : undefined,
    conditionVersion:
      typeof properties.conditionVersion === "string" ? properties.conditionVersion : undefined,
    createdOn: ctx.now,
    updatedOn: ctx.now,
    createdBy: caller,
    updatedBy: caller,
  };
  store.set(idKey(id), assignment);
  ctx.core.changed();
  return compactResponse(201, roleAssignmentBody(assignment));
};

export const getRoleAssignment: ArmHandler = (ctx) => {
  const assignment = ctx.core.store.roleAssignments.get(
    idKey(assignmentId(scopeOf(ctx), param(ctx, "name"))),
  );
  if (!assignment) {
    throw authorizationError(
      404,
      "RoleAssignmentNotFound",
      `The role assignment '${param(ctx, "name")}' is not found.`,
    );
  }
  return compactResponse(200, roleAssignmentBody(assignment));
};

/** DELETE: 200 with the deleted assignment, 204 when there was none. */
export const deleteRoleAssignment: ArmHandler = (ctx) => {
  const key = idKey(assignmentId(scopeOf(ctx), param(ctx, "name")));
  const assignment = ctx.core.store.roleAssignments.get(key);
  if (!assignment) return emptyResponse(204);
  ctx.core.store.roleAssignments.delete(key);
  ctx.core.changed();
  return compactResponse(200, roleAssignmentBody(assignment));
};

/**
 * Lists assignments relative to a scope. `atScope()` keeps those at the scope or above it;
 * `principalId eq '{id}'` and `assignedTo('{id}')` keep one principal's; no filter lists those
 * at, above and below the scope.
 */
export const listRoleAssignments: ArmHandler = (ctx) => {
  const filter = queryValue(ctx, "$filter") ?? "";
  const atScope = /atScope\(\)/i.test(filter);
  const principal = (/principalId\s+eq\s+'([^']*)'/i.exec(filter) ??
    /assignedTo\('([^']*)'\)/i.exec(filter))?.[1];
  const scope = scopeOf(ctx);
  const value = [...ctx.core.store.roleAssignments.values()]
    .filter((a) => (atScope ? covers(a.scope, scope) : covers(a.scope, scope) || covers(scope, a.scope)))
    .filter((a) => principal === undefined || a.principalId.toLowerCase() === principal.toLowerCase())
    .map(roleAssignmentBody);
  return compactResponse(200, listPage(ctx, value));
};
