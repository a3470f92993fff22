// The GalleryPolicy CRD: the schema of GalleryPolicySpec and the status the operator writes
// (types.ts). Cluster scoped.
import type { KindDefinition } from "../crd/definition.js";
import { ageColumn } from "../crd/printer-columns.js";
import type { PrincipalType } from "../gallery-sharing/types.js";
import { ADMIN_CATEGORY, CLUSTER_KINDS } from "../group.js";
import {
  arraySchema,
  booleanSchema,
  defaulted,
  enumSchema,
  integerSchema,
  mapSchema,
  objectSchema,
  required,
  stringSchema,
} from "../schema/builders.js";
import { guidSchema, locationSchema, resourceGroupSchema } from "../schema/fragments.js";
import type { Schema } from "../schema/json-schema.js";
import { exactlyOneOf } from "../schema/rules.js";
import type {
  ClientSecretRef,
  Enforcement,
  GalleryPolicySpec,
  GalleryPolicyStatus,
  GalleryRules,
  LabelSelector,
  LabelSelectorOperator,
  LabelSelectorRequirement,
  PolicyIdentity,
  PolicyViolationEntry,
  RegionRules,
  SharingRules,
  VersionRules,
  WorkloadIdentityRef,
} from "./types.js";

/** Bounds that keep the admission policies' CEL cost small; far above what a team needs. */
const MAX_LIST = 64;
const MAX_LABELS = 32;

/** Kubernetes label keys (optional DNS prefix) and values. */
const LABEL_KEY_MAX = 317;
const LABEL_VALUE_MAX = 63;

const ALLOWS_ALL = "Absent: no limit from this policy. Empty: nothing is allowed.";

const requirement = objectSchema<LabelSelectorRequirement>({
  description: "A label requirement, as in any Kubernetes label selector.",
  properties: {
    key: required(stringSchema({ description: "The label key.", minLength: 1, maxLength: LABEL_KEY_MAX })),
    operator: required(
      enumSchema<LabelSelectorOperator>({
        description: "In, NotIn, Exists or DoesNotExist.",
        values: ["In", "NotIn", "Exists", "DoesNotExist"],
      }),
    ),
    values: arraySchema({
      description: "The values for In and NotIn (at least one); none for Exists and DoesNotExist.",
      items: stringSchema({ description: "A label value.", maxLength: LABEL_VALUE_MAX }),
      maxItems: MAX_LIST,
      listType: "set",
    }),
  },
  rules: [
    {
      rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
      message: "In and NotIn need at least one value; Exists and DoesNotExist take none",
    },
  ],
});

const namespaceSelector = objectSchema<LabelSelector>({
  description:
    "Which namespaces this policy covers, by their labels. Required; {} covers every namespace. Several policies may cover a namespace: each of them must allow an object (the most restrictive wins).",
  properties: {
    matchLabels: mapSchema({
      description: "Labels the namespace must have, with these values.",
      values: stringSchema({ description: "The label value.", maxLength: LABEL_VALUE_MAX }),
      maxProperties: MAX_LABELS,
    }),
    matchExpressions: arraySchema({
      description: "Requirements the namespace's labels must all meet.",
      items: requirement,
      maxItems: MAX_LABELS,
      listType: "atomic",
    }),
  },
});

function keySchema(what: string, defaultKey: string) {
  return defaulted(
    stringSchema({
      description: `The key in the Secret's data holding ${what}; default ${defaultKey}.`,
      minLength: 1,
      maxLength: 253,
    }),
    defaultKey,
  );
}

const identity = objectSchema<PolicyIdentity>({
  description:
    "The Azure identity the operator acts as for objects in the covered namespaces; set exactly one. Absent: the operator's own identity. App teams never name credentials: only this policy does.",
  properties: {
    workloadIdentity: objectSchema<WorkloadIdentityRef>({
      description:
        "A user-assigned managed identity or app registration with a federated credential for the operator's ServiceAccount.",
      properties: {
        clientId: required(guidSchema("The identity's client (application) id.")),
        tenantId: guidSchema("Its tenant; absent: the tenant of the operator's own identity."),
      },
    }),
    clientSecret: objectSchema<ClientSecretRef>({
      description:
        "A service principal whose tenant id, client id and secret are in a Secret in the operator's namespace (the operator only reads it by name).",
      properties: {
        secretName: required(
          stringSchema({ description: "The Secret's name.", minLength: 1, maxLength: 253 }),
        ),
        tenantIdKey: keySchema("the tenant id", "AZURE_TENANT_ID"),
        clientIdKey: keySchema("the client id", "AZURE_CLIENT_ID"),
        clientSecretKey: keySchema("the client secret", "AZURE_CLIENT_SECRET"),
      },
    }),
  },
  rules: [exactlyOneOf(["workloadIdentity", "clientSecret"])],
});

function allowList(description: string, item: Schema<string>): Schema<string[]> {
  return arraySchema({
    description: `${description} ${ALLOWS_ALL}`,
    items: item,
    maxItems: MAX_LIST,
    listType: "set",
  });
}

function countSchema(description: string): Schema<number> {
  return integerSchema({ description, minimum: 0, maximum: 10_000 });
}

const galleries = objectSchema<GalleryRules>({
  description: "Where app teams may make galleries.",
  properties: {
    allowedSubscriptions: allowList(
      "Subscriptions galleries may live in.",
      guidSchema("A subscription id (lower-case GUID)."),
    ),
    allowedResourceGroups: allowList(
      "Resource groups galleries may live in (compared case-insensitively, as Azure does).",
      resourceGroupSchema("A resource group name."),
    ),
    maxPerNamespace: countSchema(
      "Most galleries in one namespace. Checked by the operator, not at apply time (admission cannot count objects): the newest galleries beyond the limit get PolicyViolation.",
    ),
  },
});

const regions = objectSchema<RegionRules>({
  description: "Where galleries and image version replicas may be (cost control).",
  properties: {
    allowed: allowList(
      "Regions for gallery locations and image version target regions, by programmatic name.",
      locationSchema("A region, e.g. westeurope."),
    ),
    maxReplicasPerRegion: integerSchema({
      description:
        "Most replicas of an image version in any one region (its regionalReplicaCount, else the version's replicaCount).",
      minimum: 1,
      maximum: 100,
    }),
  },
});

const versions = objectSchema<VersionRules>({
  description: "Limits on image versions.",
  properties: {
    maxPerDefinition: countSchema(
      "Most image versions of one image definition. Checked by the operator, not at apply time: the newest versions beyond the limit get PolicyViolation.",
    ),
  },
});

const sharing = objectSchema<SharingRules>({
  description: "Who app teams may share galleries with.",
  properties: {
    allowedSubscriptions: allowList(
      "Subscriptions a GallerySharing may share with.",
      guidSchema("A subscription id (lower-case GUID)."),
    ),
    allowedTenants: allowList("Tenants a GallerySharing may share with.", guidSchema("A tenant id.")),
    allowCommunity: booleanSchema({
      description:
        "false: no community galleries (neither a Gallery with permissions Community nor a GallerySharing with community enabled). Absent or true: no limit from this policy.",
    }),
    allowedRoles: allowList(
      "Azure roles a GallerySharing may assign on a gallery (names or role definition GUIDs, compared case-insensitively).",
      stringSchema({ description: "A role name or role definition GUID.", minLength: 1, maxLength: 128 }),
    ),
    allowedPrincipalTypes: arraySchema({
      description: `Principal types a GallerySharing may assign roles to. ${ALLOWS_ALL}`,
      items: enumSchema<PrincipalType>({
        description: "User, Group or ServicePrincipal.",
        values: ["User", "Group", "ServicePrincipal"],
      }),
      maxItems: 3,
      listType: "set",
    }),
  },
});

const spec = objectSchema<GalleryPolicySpec>({
  description:
    "What app teams in the covered namespaces may do, and which Azure identity the operator uses for them.",
  properties: {
    namespaceSelector: required(namespaceSelector),
    identity,
    enforcement: defaulted(
      enumSchema<Enforcement>({
        description:
          "What the operator does about existing objects that this policy now forbids. Audit (the default): report PolicyViolation and make no Azure changes for them. Remediate: the same, and also remove shares that became forbidden (subscriptions, tenants, community, role assignments). Apply-time checks reject new violations either way.",
        values: ["Audit", "Remediate"],
      }),
      "Audit",
    ),
    galleries,
    regions,
    versions,
    sharing,
  },
});

/** Bounds on status lists: enough to see what is going on; the counts tell the rest. */
export const MAX_STATUS_NAMESPACES = 100;
export const MAX_STATUS_VIOLATIONS = 20;

const status = objectSchema<GalleryPolicyStatus>({
  description:
    "What the operator sees of this policy's reach, updated as policies, namespaces and objects change. Requests the API server refused at apply time never became objects, so they are not here: kubectl showed those errors to whoever applied them.",
  properties: {
    observedGeneration: integerSchema({
      description: "The metadata.generation this status describes.",
      minimum: 0,
      format: "int64",
    }),
    coveredNamespaces: arraySchema({
      description: `The namespaces the namespaceSelector matches now, sorted (the first ${MAX_STATUS_NAMESPACES}).`,
      items: stringSchema({ description: "A namespace name.", maxLength: 63 }),
      maxItems: MAX_STATUS_NAMESPACES,
      listType: "atomic",
    }),
    coveredNamespaceCount: integerSchema({
      description: "How many namespaces the policy covers.",
      minimum: 0,
    }),
    violations: arraySchema({
      description: `Objects that exist and break this policy, as the operator last judged them (the first ${MAX_STATUS_VIOLATIONS}, by namespace, kind and name). Each is Ready=False with reason PolicyViolation.`,
      items: objectSchema<PolicyViolationEntry>({
        description: "An object that breaks the policy.",
        properties: {
          namespace: required(stringSchema({ description: "Its namespace.", maxLength: 63 })),
          kind: required(stringSchema({ description: "Its kind.", maxLength: 64 })),
          name: required(stringSchema({ description: "Its name.", maxLength: 253 })),
          rule: required(
            stringSchema({ description: "The rule it breaks, e.g. regions.allowed.", maxLength: 64 }),
          ),
          message: required(stringSchema({ description: "What is wrong.", maxLength: 1024 })),
        },
      }),
      maxItems: MAX_STATUS_VIOLATIONS,
      listType: "atomic",
    }),
    violationCount: integerSchema({ description: "How many objects break the policy.", minimum: 0 }),
  },
});

export const galleryPolicyDefinition: KindDefinition = {
  names: CLUSTER_KINDS.GalleryPolicy,
  description:
    "A platform admin's rules for app teams, per set of namespaces: the Azure identity the operator uses for them, where galleries may be, regions and replica caps, who may be shared with. Enforced when objects are applied (ValidatingAdmissionPolicy) and again by the operator. Cluster scoped; admin only.",
  scope: "Cluster",
  spec,
  status,
  // Not the namespaced kinds' azure-gallery category: app teams may not list policies, and one
  // forbidden kind fails their `kubectl get azure-gallery`.
  categories: [ADMIN_CATEGORY],
  printerColumns: [
    {
      name: "Enforcement",
      type: "string",
      jsonPath: ".spec.enforcement",
      description: "Audit or Remediate.",
    },
    {
      name: "Workload Identity",
      type: "string",
      jsonPath: ".spec.identity.workloadIdentity.clientId",
      description: "The workload identity's client id, when the policy names one.",
    },
    {
      name: "Secret",
      type: "string",
      jsonPath: ".spec.identity.clientSecret.secretName",
      description: "The credential Secret, when the policy names one.",
    },
    {
      name: "Namespaces",
      type: "integer",
      jsonPath: ".status.coveredNamespaceCount",
      description: "How many namespaces the policy covers.",
    },
    {
      name: "Violations",
      type: "integer",
      jsonPath: ".status.violationCount",
      description: "How many objects break the policy.",
    },
    ageColumn,
  ],
};
