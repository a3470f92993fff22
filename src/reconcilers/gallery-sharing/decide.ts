// What a GallerySharing writes next. Each reconcile reads Azure and runs the first step not done
// (plan.ts): removals before additions, one write at a time; a step ARM refuses is parked with a
// backoff in status.pending while the others go on.

import { blocked } from "../driver/arm-kind.js";
import { USER_RETRY_MS } from "../driver/failures.js";
import { PARENT_RETRY_MS } from "../driver/refs.js";
import { actualSharing, ownedSharing, planUnshare } from "./diff.js";
import { nextStep, pendingSummary, sharingSteps } from "./plan.js";
import { planRoles } from "./roles.js";
import { heldNow, NEXT_STEP_MS, stepsOf } from "./status.js";
import type { SharingKind } from "./target.js";
import { stepWrite } from "./writes.js";

export const planSharing: SharingKind["plan"] = (obj, target, actual, ctx) => {
  if (!actual) {
    const message = `gallery ${target.ref.gallery} does not exist in Azure; waiting for Gallery ${obj.spec.galleryRef.name} to create it`;
    return blocked("GalleryNotFound", message, PARENT_RETRY_MS);
  }
  const { next, pending } = stepsOf(obj, target, actual, ctx);
  return next?.work ? stepWrite(obj, target, actual, ctx, { ...next, work: next.work }, pending) : undefined;
};

/**
 * The removals of what this object made, as independent steps: a role deletion ARM refuses does
 * not keep the shares in place, nor the other way round. The finalizer stays until every step is
 * done.
 */
export const cleanupSharing: SharingKind["cleanup"] = (obj, target, actual, ctx) => {
  if (!actual) return undefined;
  const removal = planUnshare(ownedSharing(obj.spec, obj.status), actualSharing(actual.gallery));
  const steps = sharingSteps(
    removal ? { removal } : {},
    planRoles(target.scope, target.ref.subscriptionId, [], actual.assignments),
    [],
  );
  const { next, pending, retryInMs } = nextStep(steps, obj.status?.pending ?? [], ctx.now());
  if (next?.work) return stepWrite(obj, target, actual, ctx, { ...next, work: next.work }, pending);
  if (pending.length === 0) return undefined;
  const { reason, message } = pendingSummary(pending);
  return {
    ...blocked(reason, message, (retryInMs ?? USER_RETRY_MS) + NEXT_STEP_MS),
    status: { ...heldNow(obj, target, actual), pending },
  };
};
