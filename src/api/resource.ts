// Shapes every kind shares: the object envelope, references to parents, deletion policy and the
// status fields each reconciler writes the same way.

import type { Condition } from "./conditions.js";
import type { API_VERSION } from "./group.js";

/**
 * The metadata fields this package reads. Objects carry more; src/kube's ObjectMeta is a superset,
 * so an object from the informer cache fits wherever these types are asked for.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  /** RFC 3339, set by the API server. Policies count objects oldest first. */
  creationTimestamp?: string;
  finalizers?: string[];
  deletionTimestamp?: string;
}

/** One of our custom resources: envelope, desired state (`spec`) and observed state (`status`). */
export interface CustomResource<Kind extends string, Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** Names another object of this API in the same namespace. */
export interface LocalObjectReference {
  name: string;
}

/**
 * Where one exported value goes: a key of a ConfigMap in the object's namespace (Azure Service
 * Operator's `operatorSpec.configMaps` shape). The operator creates the ConfigMap, owned by the
 * object, and keeps the key current.
 */
export interface ConfigMapDestination {
  name: string;
  key: string;
}

/** Settings about how the operator treats the object, not about Azure (as in Azure Service Operator). */
export interface OperatorSpec<ConfigMaps> {
  /** Values to write to ConfigMaps, by value name. */
  configMaps?: ConfigMaps;
}

/**
 * What deleting the Kubernetes object does in Azure: `Delete` removes the Azure resource (or resets
 * what a GallerySharing shared); `Orphan` leaves Azure as it is and only forgets it.
 */
export type DeletionPolicy = "Delete" | "Orphan";

/**
 * An ARM write the operator decided to send and has not seen finish. Saved before the write is
 * sent (the intent), completed with ARM's answer (the resume token) once sent, so that an operator
 * restarted mid-write decides from Azure whether it was sent, and one restarted mid-operation
 * resumes polling it instead of starting it again.
 */
export interface PendingOperation {
  /** What is sent, e.g. `CreateOrUpdate`, `Delete`, `Share`, `RoleAssignment`. */
  action: string;
  /** Names this one write attempt (a UUID). */
  intentId?: string;
  /** What is sent, for humans and for telling one write from another (the event's note). */
  request?: string;
  /**
   * RFC 3339: when ARM accepted the write; written with the operation's first poll. ARM's answer
   * itself is saved at once in two annotations: `gallery.azure.dev/operation-accepted` (this
   * intent's id and the time) and `gallery.azure.dev/operation-token` (the serialized poller state).
   */
  acceptedAt?: string;
  /** Where operators before the annotation kept the resume token; read only to resume such an operation. */
  resumeToken?: string;
  /** RFC 3339: when the operator decided to send the write (just before sending it). */
  startedAt: string;
  /** The spec generation the operation applies. */
  generation: number;
  /** The event recorded when the operation succeeds, e.g. `GalleryCreated`. */
  onSuccess?: OperationEvent;
}

/** A Normal event the operator records about an object. */
export interface OperationEvent {
  /** CamelCase, e.g. `GalleryCreated`. */
  reason: string;
  note: string;
}

/**
 * The Azure identity the operator acts as for an object (chosen by the GalleryPolicies covering
 * its namespace). Ids only: never a secret.
 */
export interface IdentityStatus {
  /** workloadIdentity, clientSecret, or the operator's own credential mode (default, static...). */
  mode: string;
  clientId?: string;
  tenantId?: string;
}

/** Status fields every kind has. */
export interface CommonStatus {
  /** The `metadata.generation` this status describes. */
  observedGeneration?: number;
  conditions?: Condition[];
  /** The ARM resource id the object manages. */
  id?: string;
  /** ARM's provisioningState as last read: Creating, Updating, Succeeded, Failed, Deleting. */
  provisioningState?: string;
  operation?: PendingOperation;
  identity?: IdentityStatus;
}
