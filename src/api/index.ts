// The API of azure-gallery-operator: our kinds' TypeScript shapes, their names in the Kubernetes
// API, the condition vocabulary and Azure's naming rules. The CRDs in crds/ are generated from
// the definitions here (`npm run crds`); nothing in this package imports kube/, azure/ or sim/.
export {
  CONDITION_TYPES,
  type Condition,
  type ConditionType,
  REASONS,
  type Reason,
} from "./conditions.js";
export type { KindDefinition, PrinterColumn } from "./crd/definition.js";
export { customResourceDefinition } from "./crd/definition.js";
export { type CrdFile, renderCrd, renderCrds } from "./crd/render.js";
export type * from "./gallery/types.js";
export { MAX_STATUS_NAMESPACES, MAX_STATUS_VIOLATIONS } from "./gallery-policy/schema.js";
export type * from "./gallery-policy/types.js";
export { SHARING_LIMITS } from "./gallery-sharing/limits.js";
export type * from "./gallery-sharing/types.js";
export {
  ADMIN_CATEGORY,
  API_VERSION,
  CATEGORY,
  CLUSTER_KINDS,
  FINALIZER,
  GROUP,
  KINDS,
  type KindName,
  type KindNames,
  LABELS,
  RECONCILE_POLICIES,
  RECONCILE_POLICY_ANNOTATION,
  type ReconcilePolicy,
  VERSION,
} from "./group.js";
export type * from "./image-definition/types.js";
export type * from "./image-version/types.js";
export { KIND_DEFINITIONS } from "./kinds.js";
export {
  azureNameOf,
  compareVersions,
  type ImageVersionNumber,
  isGuid,
  isValidGalleryName,
  isValidImageDefinitionName,
  parseVersion,
} from "./names.js";
export type {
  CommonStatus,
  ConfigMapDestination,
  CustomResource,
  DeletionPolicy,
  IdentityStatus,
  LocalObjectReference,
  ObjectMeta,
  OperationEvent,
  OperatorSpec,
  PendingOperation,
} from "./resource.js";
