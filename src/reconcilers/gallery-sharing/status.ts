// What a GallerySharing's status shows: who the gallery is shared with now, the wanted role
// assignments in place, and the steps left (parked after a failure, or waiting for the user).
import { type GallerySharing, type GallerySharingStatus, REASONS } from "../../api/index.js";
import type { ArmError } from "../../azure/index.js";
import type { Observation } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { failureOutcome, USER_RETRY_MS } from "../driver/failures.js";
import { actualSharing, describe, desiredSharing, planShare } from "./diff.js";
import {
  nextStep,
  pendingSummary,
  recordFailure,
  type StepFailure,
  type StepIdentity,
  sharingSteps,
} from "./plan.js";
import { planRoles, rolesInPlace, wantedRoles } from "./roles.js";
import type { SharingActual, SharingKind, SharingTarget } from "./target.js";

/** After a step is parked or done at once, the next one goes right away (the status write lands first). */
export const NEXT_STEP_MS = 1;

/** What Azure holds now, as status shows it: who the gallery is shared with, and the wanted roles in place. */
export function heldNow(obj: GallerySharing, target: SharingTarget, actual: SharingActual) {
  const shared = actualSharing(actual.gallery);
  const roles = rolesInPlace(wantedRoles(obj.spec).wanted, actual.assignments);
  return {
    id: target.scope,
    sharedWith: {
      ...(shared.subscriptions.length > 0 ? { subscriptions: shared.subscriptions } : {}),
      ...(shared.tenants.length > 0 ? { tenants: shared.tenants } : {}),
      subscriptionCount: shared.subscriptions.length,
      tenantCount: shared.tenants.length,
    },
    community: {
      enabled: shared.community,
      ...(shared.publicNames.length > 0 ? { publicNames: shared.publicNames } : {}),
    },
    roleAssignments: roles.length > 0 ? roles : undefined,
    roleAssignmentCount: roles.length,
  };
}

/** Every step the spec still needs, in order, and how each stands now. */
export function stepsOf(
  obj: GallerySharing,
  target: SharingTarget,
  actual: SharingActual,
  ctx: ReconcilerContext,
) {
  const roles = wantedRoles(obj.spec);
  const steps = sharingSteps(
    planShare(desiredSharing(obj.spec), actualSharing(actual.gallery)),
    planRoles(target.scope, target.ref.subscriptionId, roles.wanted, actual.assignments),
    roles.unknown,
  );
  return nextStep(steps, obj.status?.pending ?? [], ctx.now());
}

/**
 * No step can run now: Azure matches the spec, or what is left waits (parked after a failure, or
 * for the user); status says which and why.
 */
export const observeSharing: SharingKind["observe"] = (
  obj,
  target,
  actual,
  ctx,
): Observation<GallerySharingStatus> => {
  const { pending, retryInMs } = stepsOf(obj, target, actual, ctx);
  const status = { ...heldNow(obj, target, actual), pending: pending.length > 0 ? pending : undefined };
  if (pending.length > 0) {
    return {
      status,
      ready: { status: "False", ...pendingSummary(pending) },
      requeueAfterMs: retryInMs === undefined ? USER_RETRY_MS : retryInMs + NEXT_STEP_MS,
    };
  }
  const shared = actualSharing(actual.gallery);
  const rolesText = `${status.roleAssignmentCount} role assignment${status.roleAssignmentCount === 1 ? "" : "s"}`;
  return {
    status,
    ready: {
      status: "True",
      reason: REASONS.Succeeded,
      message: `gallery ${target.ref.gallery} is shared with ${describe(shared)}; ${rolesText} in place`,
    },
  };
};

/**
 * A share operation that failed in Azure parks its step like a refused write (the other steps go
 * on); ARM changed nothing, so what status says Azure holds stays true.
 */
export const observeSharingOperation: NonNullable<SharingKind["observeOperation"]> = async (
  obj,
  _target,
  poll,
  ctx,
) => {
  if (poll.state !== "failed" || !poll.error) return undefined;
  const pending = obj.status?.pending ?? [];
  const step: StepIdentity = pending.find((p) => p.action === poll.action) ?? {
    action: poll.action as StepIdentity["action"],
  };
  return {
    status: { pending: recordFailure(pending, step, failureOf(poll.error), ctx.now()) },
    requeueAfterMs: NEXT_STEP_MS,
  };
};

/** How a refused or failed step is parked: the driver's reading of ARM's error, and ARM's Retry-After. */
export function failureOf(error: ArmError): StepFailure {
  const outcome = failureOutcome(error);
  return {
    reason: outcome.reason,
    message: outcome.message,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}
