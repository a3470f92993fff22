// Reconciling and Stalled: the two conditions kstatus (sigs.k8s.io/cli-utils, what Flux, kpt and
// `kubectl apply --prune` tooling read) and our Argo CD health check use to tell "still working"
// from "failed, a person must act" (docs/gitops.md). Both follow kstatus's abnormal-true polarity:
// present with status True while abnormal, absent otherwise. They are derived from Ready's reason
// alone, so every kind and every code path that sets Ready gets them the same way.
import { CONDITION_TYPES, REASONS } from "../../api/index.js";
import { SHARE_IN_PROGRESS } from "../gallery/kind.js";
import { STEP_REASONS } from "../gallery-sharing/plan.js";
import { SOURCE_BUSY } from "../image-version/rules.js";
import type { ConditionSpec } from "./arm-kind.js";

/**
 * Ready reasons that mean "the operator is on it and needs nobody": an operation running in Azure,
 * a wait for a parent, the managed image or children being deleted, or a failure it retries by
 * itself (throttling, 5xx, Kubernetes errors). Every other reason of a Ready that is not True waits
 * for the user: a rejected spec, a missing parent or resource group, a conflict, a policy, a
 * failed replication.
 */
const PROGRESSING = new Set<string>([
  REASONS.Provisioning,
  REASONS.Replicating,
  REASONS.Deleting,
  REASONS.WaitingForParent,
  REASONS.Throttled,
  REASONS.AzureError,
  "ReconcileError",
  "DeletionBlocked",
  SOURCE_BUSY,
  SHARE_IN_PROGRESS,
  // A GallerySharing's steps under way or in line, and the principal Azure AD has not replicated
  // yet (normal for minutes after it is created; the step is retried with backoff).
  ...Object.values(STEP_REASONS),
  "PrincipalNotFound",
]);

/** `GalleryNotReady`, `ImageDefinitionNotReady`: the parent exists and is on its way. */
const PARENT_NOT_READY = /NotReady$/;

export interface ProgressConditions {
  /** Conditions to set (with status True). */
  set: (ConditionSpec & { type: string })[];
  /** Condition types to remove. */
  drop: string[];
}

/**
 * Reconciling and Stalled for an object whose Ready is `ready`.
 *
 * Guarantees: at most one of the two is set; neither when Ready is True or the object is paused
 * (reason `Paused`: nothing is in progress and nothing failed); Ready `Unknown` counts as in
 * progress. The set condition carries Ready's reason and message, so `kubectl wait
 * --for=condition=Stalled` shows the cause.
 */
export function progressConditions(ready: ConditionSpec): ProgressConditions {
  const { Reconciling, Stalled } = CONDITION_TYPES;
  if (ready.status === "True" || ready.reason === REASONS.Paused)
    return { set: [], drop: [Reconciling, Stalled] };
  const same = { status: "True" as const, reason: ready.reason, message: ready.message };
  if (isStalled(ready)) return { set: [{ type: Stalled, ...same }], drop: [Reconciling] };
  return { set: [{ type: Reconciling, ...same }], drop: [Stalled] };
}

/** Whether Ready says the object waits for the user (Stalled), not for the operator or Azure. */
export function isStalled(ready: ConditionSpec): boolean {
  if (ready.status !== "False" || ready.reason === REASONS.Paused) return false;
  return !PROGRESSING.has(ready.reason) && !PARENT_NOT_READY.test(ready.reason);
}
