// The condition types and reasons our kinds report. Reasons are part of the API: users filter
// `kubectl get` on them and alert on them, so they are constants here rather than strings inline.

/** A status condition as the Kubernetes API conventions define it (metav1.Condition). */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  /** RFC 3339: when `status` last changed. */
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export const CONDITION_TYPES = {
  /** Every kind: Azure matches the spec of `observedGeneration`. */
  Ready: "Ready",
  /** ImageVersion: every target region holds the version. */
  Replicated: "Replicated",
  /**
   * Every kind, present only while True (kstatus's "abnormal-true" polarity): the operator is
   * still working towards the spec and expects to get there without the user (docs/gitops.md).
   */
  Reconciling: "Reconciling",
  /**
   * Every kind, present only while True: the operator cannot go on until the user (or the cluster
   * administrator) changes something; the message says what (docs/gitops.md).
   */
  Stalled: "Stalled",
} as const;

export type ConditionType = (typeof CONDITION_TYPES)[keyof typeof CONDITION_TYPES];

/**
 * Why a condition has its status. One set for all kinds, so that a reason means the same thing on a
 * Gallery and on an ImageVersion.
 */
export const REASONS = {
  // Ready=True
  /** Azure matches the spec. */
  Succeeded: "Succeeded",

  // Ready=False or Unknown while the operator works; no user action needed.
  /** A create or update is running in Azure (a long-running operation). */
  Provisioning: "Provisioning",
  /** The image version is being copied to its target regions. */
  Replicating: "Replicating",
  /** The object is being deleted and Azure is removing the resource. */
  Deleting: "Deleting",
  /** The parent (gallery or image definition) does not exist yet or is not Ready. */
  WaitingForParent: "WaitingForParent",
  /** Azure asked the operator to slow down (HTTP 429); it retries after the delay Azure gave. */
  Throttled: "Throttled",
  /** Azure failed in a way that may pass (5xx, timeouts); the operator retries with backoff. */
  AzureError: "AzureError",
  /**
   * `gallery.azure.dev/reconcile-policy: skip`: the operator makes no Azure calls for the object.
   * Ready keeps True only when Azure matched this very spec before the pause.
   */
  Paused: "Paused",

  // Ready=False until the user changes something.
  /** Azure rejected the spec (HTTP 400); the message says which field and why. */
  InvalidSpec: "InvalidSpec",
  /** The operator's identity may not do this in Azure (HTTP 401/403, LinkedAuthorizationFailed). */
  AuthorizationFailed: "AuthorizationFailed",
  /** Something else claims the same Azure resource (another object, or a second GallerySharing). */
  Conflict: "Conflict",
  /** A GalleryPolicy of the cluster administrator forbids this spec. */
  PolicyViolation: "PolicyViolation",
  /** Replication to at least one region failed; `status.replication.regions` says which. */
  ReplicationFailed: "ReplicationFailed",
} as const;

export type Reason = (typeof REASONS)[keyof typeof REASONS];
