// The GallerySharing CRD: the schema of GallerySharingSpec/Status (types.ts) with its rules.
import type { KindDefinition } from "../crd/definition.js";
import { printerColumns } from "../crd/printer-columns.js";
import { KINDS } from "../group.js";
import {
  arraySchema,
  booleanSchema,
  defaulted,
  enumSchema,
  integerSchema,
  objectSchema,
  required,
  stringSchema,
} from "../schema/builders.js";
import {
  commonStatusProperties,
  deletionPolicySchema,
  guidSchema,
  parentReferenceSchema,
} from "../schema/fragments.js";
import type { Schema } from "../schema/json-schema.js";
import { matches } from "../schema/rules.js";
import { SHARING_LIMITS } from "./limits.js";
import type {
  CommunitySharing,
  CommunitySharingStatus,
  GalleryRoleAssignment,
  GallerySharingSpec,
  GallerySharingStatus,
  PendingSharingStep,
  PrincipalType,
  RoleAssignmentStatus,
  SharedWith,
  SharingStepAction,
} from "./types.js";

const kind = KINDS.GallerySharing.kind;

const MAX_SUBSCRIPTIONS = SHARING_LIMITS.subscriptions;
const MAX_TENANTS = SHARING_LIMITS.tenants;
const MAX_ROLE_ASSIGNMENTS = SHARING_LIMITS.roleAssignments;

/** Role names as Azure spells built-in roles ("Compute Gallery Sharing Admin"); a GUID also fits. */
const ROLE_PATTERN = "^[A-Za-z0-9][-A-Za-z0-9 ._()]{0,127}$";

function guidSet(what: string, max: number, note: string): Schema<string[]> {
  return arraySchema({
    description: `${what} the gallery is shared with directly, as lower-case GUIDs, each at most once; at most ${max}. ${note}`,
    items: guidSchema(`A ${what.toLowerCase().replace(/s$/, "")} id.`),
    maxItems: max,
    listType: "set",
  });
}

const community = objectSchema<CommunitySharing>({
  description:
    "Community sharing: the gallery (whose spec.sharing.permissions must be Community) becomes visible to every Azure user. Needs the Owner or Compute Gallery Sharing Admin role.",
  properties: {
    enabled: required(
      booleanSchema({ description: "Share the community gallery publicly (EnableCommunity)." }),
    ),
  },
});

const roleAssignment = objectSchema<GalleryRoleAssignment>({
  description: "An Azure RBAC role assignment at the gallery's scope.",
  properties: {
    principalId: required(
      guidSchema("The object id of the user, group or service principal (lower-case GUID)."),
    ),
    principalType: required(
      enumSchema<PrincipalType>({
        description:
          "User, Group or ServicePrincipal (for an app registration, e.g. one used across tenants, give its service principal's object id).",
        values: ["User", "Group", "ServicePrincipal"],
      }),
    ),
    role: defaulted(
      stringSchema({
        description: "A built-in role name (e.g. Reader, the default) or a role definition GUID.",
        minLength: 1,
        maxLength: 128,
        rules: [
          matches(
            ROLE_PATTERN,
            "a role name (letters, digits, spaces, dots, dashes, underscores, parentheses) or a role definition GUID",
          ),
        ],
      }),
      "Reader",
    ),
  },
});

const spec = objectSchema<GallerySharingSpec>({
  description:
    "Who the gallery should be shared with. The operator adds what is missing and removes what is no longer listed; an empty spec shares with no one. One GallerySharing per gallery.",
  properties: {
    galleryRef: required(parentReferenceSchema("Gallery", kind)),
    subscriptions: guidSet(
      "Subscriptions",
      MAX_SUBSCRIPTIONS,
      "Needs spec.sharing.permissions Groups on the Gallery.",
    ),
    tenants: guidSet("Tenants", MAX_TENANTS, "Needs spec.sharing.permissions Groups on the Gallery."),
    community,
    roleAssignments: arraySchema({
      description: `Azure RBAC role assignments on the gallery, each (principalId, role) at most once; at most ${MAX_ROLE_ASSIGNMENTS}.`,
      items: roleAssignment,
      maxItems: MAX_ROLE_ASSIGNMENTS,
      listType: "map",
      keys: ["principalId", "role"],
    }),
    deletionPolicy: deletionPolicySchema(
      "stop sharing with the listed subscriptions and tenants (Reset) and remove the listed role assignments",
    ),
  },
  rules: [
    {
      rule: "!has(self.community) || !self.community.enabled || ((!has(self.subscriptions) || size(self.subscriptions) == 0) && (!has(self.tenants) || size(self.tenants) == 0))",
      message:
        "community sharing cannot be combined with subscriptions or tenants: a gallery's permissions are either Groups or Community",
      fieldPath: ".community",
      reason: "FieldValueForbidden",
    },
  ],
});

function idList(description: string, max: number): Schema<string[]> {
  return arraySchema({
    description,
    items: stringSchema({ description: "An id.", maxLength: 36 }),
    maxItems: max,
    listType: "atomic",
  });
}

const sharedWith = objectSchema<SharedWith>({
  description: "Who Azure says the gallery is directly shared with now.",
  properties: {
    subscriptions: idList("Subscriptions.", 2 * MAX_SUBSCRIPTIONS),
    tenants: idList("Tenants.", 2 * MAX_TENANTS),
    subscriptionCount: integerSchema({ description: "How many subscriptions.", minimum: 0 }),
    tenantCount: integerSchema({ description: "How many tenants.", minimum: 0 }),
  },
});

const communityStatus = objectSchema<CommunitySharingStatus>({
  description: "Community sharing as Azure reports it.",
  properties: {
    enabled: booleanSchema({ description: "Whether the gallery is public to the community." }),
    publicNames: arraySchema({
      description: "The gallery's public names.",
      items: stringSchema({ description: "A public name.", maxLength: 256 }),
      maxItems: 16,
      listType: "atomic",
    }),
  },
});

const roleAssignmentStatus = objectSchema<RoleAssignmentStatus>({
  description: "A role assignment the operator made.",
  properties: {
    principalId: required(stringSchema({ description: "The principal's object id.", maxLength: 36 })),
    role: required(stringSchema({ description: "The role as written in the spec.", maxLength: 128 })),
    roleDefinitionId: stringSchema({ description: "The ARM id of the role definition.", maxLength: 1024 }),
    id: stringSchema({ description: "The ARM id of the role assignment.", maxLength: 1024 }),
  },
});

const pendingStep = objectSchema<PendingSharingStep>({
  description: "A change not made in Azure yet, and why. Each step waits or fails on its own.",
  properties: {
    action: required(
      enumSchema<SharingStepAction>({
        description:
          "The change. Removals (RemoveRoleAssignment, ShareRemove, ShareReset) go before additions (ShareAdd, ShareEnableCommunity, CreateRoleAssignment).",
        values: [
          "RemoveRoleAssignment",
          "ShareRemove",
          "ShareReset",
          "ShareAdd",
          "ShareEnableCommunity",
          "CreateRoleAssignment",
        ],
      }),
    ),
    subscriptions: idList("The subscriptions a share step carries.", 2 * MAX_SUBSCRIPTIONS),
    tenants: idList("The tenants a share step carries.", 2 * MAX_TENANTS),
    principalId: stringSchema({ description: "A role step's principal.", maxLength: 36 }),
    role: stringSchema({
      description: "A role step's role (as the spec wrote it; the role definition GUID for a removal).",
      maxLength: 128,
    }),
    reason: required(
      stringSchema({
        description:
          "Why it is not done: Running (under way in Azure), Queued (next in line), ARM's error code, or what it waits for (ShareInProgress, WaitingForRemoval, GalleryNotGroups, UnknownRole...).",
        maxLength: 128,
      }),
    ),
    message: required(stringSchema({ description: "What to know or do about it.", maxLength: 32768 })),
    failures: integerSchema({ description: "Attempts that failed in a row.", minimum: 0 }),
    retryAfter: stringSchema({
      description: "After a failure: not tried again before this time (RFC 3339).",
      maxLength: 64,
      format: "date-time",
    }),
  },
});

const status = objectSchema<GallerySharingStatus>({
  description: "The gallery's sharing as last observed in Azure.",
  properties: {
    ...commonStatusProperties("the shared gallery"),
    sharedWith,
    community: communityStatus,
    roleAssignments: arraySchema({
      description: "The wanted role assignments Azure holds now.",
      items: roleAssignmentStatus,
      maxItems: 2 * MAX_ROLE_ASSIGNMENTS,
      listType: "atomic",
    }),
    roleAssignmentCount: integerSchema({
      description: "How many role assignments are in place.",
      minimum: 0,
    }),
    pending: arraySchema({
      description: "What is not done in Azure yet, per step, and why; absent when Azure matches the spec.",
      items: pendingStep,
      maxItems: 2 * MAX_ROLE_ASSIGNMENTS + 4,
      listType: "atomic",
    }),
  },
});

export const gallerySharingDefinition: KindDefinition = {
  names: KINDS.GallerySharing,
  description:
    "Who an Azure Compute Gallery is shared with: subscriptions and tenants (direct sharing), everyone (community), and Azure RBAC role assignments on the gallery.",
  spec,
  status,
  printerColumns: printerColumns(
    {
      name: "Gallery",
      type: "string",
      jsonPath: ".spec.galleryRef.name",
      description: "The Gallery object.",
    },
    {
      name: "Subscriptions",
      type: "integer",
      jsonPath: ".status.sharedWith.subscriptionCount",
      description: "Subscriptions the gallery is shared with.",
    },
    {
      name: "Tenants",
      type: "integer",
      jsonPath: ".status.sharedWith.tenantCount",
      description: "Tenants the gallery is shared with.",
    },
    {
      name: "Community",
      type: "boolean",
      jsonPath: ".status.community.enabled",
      description: "Whether the gallery is public.",
    },
    {
      name: "Roles",
      type: "integer",
      jsonPath: ".status.roleAssignmentCount",
      description: "Role assignments in place.",
    },
  ),
};
