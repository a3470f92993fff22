// Policies and objects for the policy tests, and the guardrail cases both the operator's engine
// (unit tests) and the API server's admission policies (conformance test) must judge alike.
import type { GalleryPolicy, GalleryPolicySpec, LabelSelector } from "../../src/api/index.js";
import type { PolicySubject } from "../../src/policy/subject.js";
import {
  gallery,
  gallerySharing,
  imageVersion,
  type Manifest,
  withChanges,
} from "../api/support/fixtures.js";

export const SUB_A = "aaaa0000-0000-0000-0000-000000000001";
export const SUB_B = "aaaa0000-0000-0000-0000-000000000002";
export const TENANT_A = "cccc0000-0000-0000-0000-000000000001";
export const TENANT_B = "cccc0000-0000-0000-0000-000000000002";
export const PRINCIPAL = "dddd0000-0000-0000-0000-000000000001";

/** A GalleryPolicy named `name`; the selector defaults to every namespace. */
export function policy(name: string, spec: Partial<GalleryPolicySpec> = {}): GalleryPolicy {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GalleryPolicy",
    metadata: { name },
    spec: { namespaceSelector: {}, enforcement: "Audit", ...spec },
  };
}

/** A manifest as the API server would hold it (defaults applied), in `namespace`. */
export function subject(manifest: Manifest, namespace = "team-a"): PolicySubject & Manifest {
  const withDefaults = structuredClone(manifest) as Manifest & { metadata: { namespace?: string } };
  withDefaults.metadata.namespace = namespace;
  const spec = withDefaults.spec as Record<string, unknown>;
  if (manifest.kind === "Gallery") spec.sharing ??= { permissions: "Private" };
  if (manifest.kind === "ImageVersion") spec.replicaCount ??= 1;
  return withDefaults as PolicySubject & Manifest;
}

export interface GuardrailCase {
  name: string;
  /** The one policy judging the object (it covers the namespace). */
  policy: Partial<GalleryPolicySpec>;
  object: Manifest;
  /** Each broken rule with the words both sides must use; empty when allowed. */
  denied: { rule: string; message: string }[];
}

const galleryIn = (subscriptionId: string, extra: Record<string, unknown> = {}) =>
  withChanges(gallery(), { "spec.subscriptionId": subscriptionId, ...extra });

const community = {
  permissions: "Community",
  community: {
    publisherUri: "https://www.contoso.com",
    publisherContact: "support@contoso.com",
    eula: "https://www.contoso.com/eula",
    publicNamePrefix: "ContosoImages",
  },
};

const sharingWith = (changes: Record<string, unknown>) =>
  withChanges(gallerySharing(), {
    "spec.subscriptions": undefined,
    "spec.tenants": undefined,
    "spec.roleAssignments": undefined,
    ...changes,
  });

export const GUARDRAIL_CASES: GuardrailCase[] = [
  {
    name: "a gallery in an allowed subscription",
    policy: { galleries: { allowedSubscriptions: [SUB_A, SUB_B] } },
    object: galleryIn(SUB_A),
    denied: [],
  },
  {
    name: "a gallery in a forbidden subscription",
    policy: { galleries: { allowedSubscriptions: [SUB_B] } },
    object: galleryIn(SUB_A),
    denied: [
      {
        rule: "galleries.allowedSubscriptions",
        message: `subscription not allowed: ${SUB_A} (allowed: ${SUB_B})`,
      },
    ],
  },
  {
    name: "a gallery where the policy allows no subscription",
    policy: { galleries: { allowedSubscriptions: [] } },
    object: galleryIn(SUB_A),
    denied: [
      {
        rule: "galleries.allowedSubscriptions",
        message: `subscription not allowed: ${SUB_A} (allowed: none)`,
      },
    ],
  },
  {
    name: "a resource group spelled in another case",
    policy: { galleries: { allowedResourceGroups: ["MYGALLERYRG"] } },
    object: galleryIn(SUB_A),
    denied: [],
  },
  {
    name: "a gallery in a forbidden resource group",
    policy: { galleries: { allowedResourceGroups: ["rg-images"] } },
    object: galleryIn(SUB_A),
    denied: [
      {
        rule: "galleries.allowedResourceGroups",
        message: "resource group not allowed: myGalleryRG (allowed: rg-images)",
      },
    ],
  },
  {
    name: "a gallery in a forbidden region",
    policy: { regions: { allowed: ["westeurope", "northeurope"] } },
    object: galleryIn(SUB_A),
    denied: [
      {
        rule: "regions.allowed",
        message: "location not allowed: westcentralus (allowed: westeurope, northeurope)",
      },
    ],
  },
  {
    name: "a community gallery where community is forbidden",
    policy: { sharing: { allowCommunity: false } },
    object: galleryIn(SUB_A, { "spec.sharing": community }),
    denied: [{ rule: "sharing.allowCommunity", message: "community galleries are not allowed" }],
  },
  {
    name: "a community gallery where community is allowed",
    policy: { sharing: { allowCommunity: true } },
    object: galleryIn(SUB_A, { "spec.sharing": community }),
    denied: [],
  },
  {
    name: "a private gallery where community is forbidden",
    policy: { sharing: { allowCommunity: false } },
    object: galleryIn(SUB_A),
    denied: [],
  },
  {
    name: "a version to a forbidden region",
    policy: { regions: { allowed: ["westcentralus"] } },
    object: imageVersion(),
    denied: [
      { rule: "regions.allowed", message: "target region not allowed: eastus (allowed: westcentralus)" },
    ],
  },
  {
    name: "a version above the replica cap in one region",
    policy: { regions: { maxReplicasPerRegion: 1 } },
    object: imageVersion(),
    denied: [
      { rule: "regions.maxReplicasPerRegion", message: "more than 1 replicas in a region: eastus (2)" },
    ],
  },
  {
    name: "a version whose replicaCount is above the cap where no regional count is set",
    policy: { regions: { maxReplicasPerRegion: 2 } },
    object: withChanges(imageVersion(), { "spec.replicaCount": 3 }),
    denied: [
      {
        rule: "regions.maxReplicasPerRegion",
        message: "more than 2 replicas in a region: westcentralus (3)",
      },
    ],
  },
  {
    name: "a version within the regions and the cap",
    policy: { regions: { allowed: ["westcentralus", "eastus"], maxReplicasPerRegion: 2 } },
    object: imageVersion(),
    denied: [],
  },
  {
    name: "a share to an unapproved subscription",
    policy: { sharing: { allowedSubscriptions: [SUB_A] } },
    object: sharingWith({ "spec.subscriptions": [SUB_A, SUB_B] }),
    denied: [
      {
        rule: "sharing.allowedSubscriptions",
        message: `sharing with subscription not allowed: ${SUB_B} (allowed: ${SUB_A})`,
      },
    ],
  },
  {
    name: "a share to an unapproved tenant",
    policy: { sharing: { allowedTenants: [TENANT_A] } },
    object: sharingWith({ "spec.tenants": [TENANT_B] }),
    denied: [
      {
        rule: "sharing.allowedTenants",
        message: `sharing with tenant not allowed: ${TENANT_B} (allowed: ${TENANT_A})`,
      },
    ],
  },
  {
    name: "a share to an approved tenant",
    policy: { sharing: { allowedTenants: [TENANT_A, TENANT_B] } },
    object: sharingWith({ "spec.tenants": [TENANT_B] }),
    denied: [],
  },
  {
    name: "community sharing where community is forbidden",
    policy: { sharing: { allowCommunity: false } },
    object: sharingWith({ "spec.community": { enabled: true } }),
    denied: [{ rule: "sharing.allowCommunity", message: "community sharing is not allowed" }],
  },
  {
    name: "a role that is not allowed (names compare case-insensitively)",
    policy: { sharing: { allowedRoles: ["reader"] } },
    object: sharingWith({
      "spec.roleAssignments": [
        { principalId: PRINCIPAL, principalType: "Group", role: "Reader" },
        { principalId: PRINCIPAL, principalType: "Group", role: "Owner" },
      ],
    }),
    denied: [
      { rule: "sharing.allowedRoles", message: `role not allowed: Owner for ${PRINCIPAL} (allowed: reader)` },
    ],
  },
  {
    name: "a principal type that is not allowed",
    policy: { sharing: { allowedPrincipalTypes: ["Group", "ServicePrincipal"] } },
    object: sharingWith({
      "spec.roleAssignments": [{ principalId: PRINCIPAL, principalType: "User", role: "Reader" }],
    }),
    denied: [
      {
        rule: "sharing.allowedPrincipalTypes",
        message: `principal type not allowed: User ${PRINCIPAL} (allowed: Group, ServicePrincipal)`,
      },
    ],
  },
];

/** Namespace labels the selector cases run against. */
export const SELECTOR_CASES: [string, LabelSelector, boolean][] = [
  ["the empty selector", {}, true],
  ["matchLabels that match", { matchLabels: { team: "a", env: "prod" } }, true],
  ["matchLabels with another value", { matchLabels: { team: "b" } }, false],
  ["matchLabels with a missing key", { matchLabels: { owner: "x" } }, false],
  ["In", { matchExpressions: [{ key: "team", operator: "In", values: ["a", "b"] }] }, true],
  ["In, not among the values", { matchExpressions: [{ key: "team", operator: "In", values: ["b"] }] }, false],
  [
    "NotIn, among the values",
    { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] },
    false,
  ],
  [
    "NotIn on a missing key",
    { matchExpressions: [{ key: "owner", operator: "NotIn", values: ["x"] }] },
    true,
  ],
  ["Exists", { matchExpressions: [{ key: "env", operator: "Exists" }] }, true],
  ["DoesNotExist", { matchExpressions: [{ key: "env", operator: "DoesNotExist" }] }, false],
  [
    "labels and expressions together, one failing",
    { matchLabels: { team: "a" }, matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] },
    false,
  ],
];

export const NAMESPACE_LABELS = { team: "a", env: "prod" };
