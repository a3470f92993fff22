// What `gallery.azure.dev/reconcile-policy` asks of the driver (docs/api.md): pause all Azure
// calls (`skip`), or leave Azure alone when the object is deleted (`skip`, `detach-on-delete`).
// A value the operator does not know stops Azure writes and deletes instead of guessing.
import {
  REASONS,
  RECONCILE_POLICIES,
  RECONCILE_POLICY_ANNOTATION,
  type ReconcilePolicy,
} from "../../api/index.js";
import { READY } from "../../kube/index.js";
import { type ArmObject, type Blocked, blocked, type ConditionSpec, settledForSpec } from "./arm-kind.js";

/** A paused or misspelt object is looked at again this often; an annotation edit wakes it first. */
const POLICY_RETRY_MS = 5 * 60_000;

export const INVALID_RECONCILE_POLICY = "InvalidReconcilePolicy";

/** The object's reconcile policy, or why it cannot be read (an unknown value). */
export function reconcilePolicyOf(obj: ArmObject): ReconcilePolicy | Blocked {
  const value = obj.metadata.annotations?.[RECONCILE_POLICY_ANNOTATION];
  if (value === undefined) return "manage";
  if ((RECONCILE_POLICIES as readonly string[]).includes(value)) return value as ReconcilePolicy;
  return blocked(
    INVALID_RECONCILE_POLICY,
    `annotation ${RECONCILE_POLICY_ANNOTATION} is "${value}"; use one of ${RECONCILE_POLICIES.join(", ")}. No Azure calls are made (and deleting the object is held) until it is fixed`,
    POLICY_RETRY_MS,
  );
}

/**
 * Ready of a paused object: True only when Azure matched this very spec before the pause (its
 * children go on using it), False otherwise; reason Paused either way.
 */
export function pausedReady(obj: ArmObject): ConditionSpec {
  const how = `${RECONCILE_POLICY_ANNOTATION} is skip: the operator makes no Azure calls for this object; set it to manage to resume`;
  return settledForSpec(obj)
    ? { status: "True", reason: REASONS.Paused, message: `${how} (Azure matched this spec when paused)` }
    : { status: "False", reason: REASONS.Paused, message: how };
}

/** Whether the object's Ready already says Paused (so the pause event is recorded once). */
export function wasPaused(obj: ArmObject): boolean {
  return obj.status?.conditions?.find((c) => c.type === READY)?.reason === REASONS.Paused;
}

/**
 * Why deleting the object leaves its Azure resource as it is, or undefined when cleanup deletes it.
 * Blocked for an unknown reconcile policy: nothing is deleted on a guess.
 */
export function keptInAzure(obj: ArmObject): string | Blocked | undefined {
  if (obj.spec.deletionPolicy === "Orphan") return "deletionPolicy is Orphan";
  const policy = reconcilePolicyOf(obj);
  if (typeof policy !== "string") return policy;
  return policy === "manage" ? undefined : `${RECONCILE_POLICY_ANNOTATION} is ${policy}`;
}
