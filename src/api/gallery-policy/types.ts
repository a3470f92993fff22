// GalleryPolicy: what a platform admin allows app teams to do, per set of namespaces. Cluster
// scoped and admin-only: app teams can neither read nor change it (docs/policy.md).
import type { PrincipalType } from "../gallery-sharing/types.js";
import type { CustomResource } from "../resource.js";

/** What the operator does about objects that a policy forbids after they were made. */
export type Enforcement = "Audit" | "Remediate";

export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  /** In, NotIn: at least one value; Exists, DoesNotExist: none. */
  values?: string[];
}

/** metav1.LabelSelector: both parts must match; an empty selector matches every namespace. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** An Azure workload identity (user-assigned managed identity or app registration). */
export interface WorkloadIdentityRef {
  clientId: string;
  /** Absent: the tenant the operator's own identity lives in. */
  tenantId?: string;
}

/** A service principal whose credentials are in a Secret in the operator's namespace. */
export interface ClientSecretRef {
  secretName: string;
  /** Keys in the Secret's data; defaulted to AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET. */
  tenantIdKey: string;
  clientIdKey: string;
  clientSecretKey: string;
}

/** Exactly one of the two; a policy without `identity` leaves the operator's own identity. */
export interface PolicyIdentity {
  workloadIdentity?: WorkloadIdentityRef;
  clientSecret?: ClientSecretRef;
}

/** Absent lists allow everything; a present list allows only what it names (empty: nothing). */
export interface GalleryRules {
  allowedSubscriptions?: string[];
  allowedResourceGroups?: string[];
  /** Galleries per namespace; checked by the operator (admission cannot count objects). */
  maxPerNamespace?: number;
}

export interface RegionRules {
  /** Gallery locations and image version target regions. */
  allowed?: string[];
  /** Replicas in any one target region (regionalReplicaCount, else replicaCount). */
  maxReplicasPerRegion?: number;
}

export interface VersionRules {
  /** Image versions per image definition; checked by the operator. */
  maxPerDefinition?: number;
}

export interface SharingRules {
  allowedSubscriptions?: string[];
  allowedTenants?: string[];
  /** false: no community galleries (Gallery permissions Community, GallerySharing community). */
  allowCommunity?: boolean;
  allowedRoles?: string[];
  allowedPrincipalTypes?: PrincipalType[];
}

export interface GalleryPolicySpec {
  namespaceSelector: LabelSelector;
  identity?: PolicyIdentity;
  /** Defaulted to Audit. */
  enforcement: Enforcement;
  galleries?: GalleryRules;
  regions?: RegionRules;
  versions?: VersionRules;
  sharing?: SharingRules;
}

/** An object in a covered namespace that breaks this policy, as the operator last judged it. */
export interface PolicyViolationEntry {
  namespace: string;
  kind: string;
  name: string;
  /** The policy field stating the rule, e.g. `regions.allowed`. */
  rule: string;
  message: string;
}

/** What the operator sees of the policy's reach; written by the operator only. */
export interface GalleryPolicyStatus {
  observedGeneration?: number;
  /** Names of the namespaces the namespaceSelector matches now (the first ones, sorted). */
  coveredNamespaces?: string[];
  coveredNamespaceCount?: number;
  /** Objects that exist and break this policy (the first ones, by namespace, kind and name). */
  violations?: PolicyViolationEntry[];
  violationCount?: number;
}

export type GalleryPolicy = CustomResource<"GalleryPolicy", GalleryPolicySpec, GalleryPolicyStatus>;
