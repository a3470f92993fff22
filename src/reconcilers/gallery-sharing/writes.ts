// The writes a GallerySharing sends to ARM (a share action on the gallery, a role assignment
// made or removed at it) and its reads.
import type { GallerySharing, GallerySharingStatus } from "../../api/index.js";
import { ArmError, type LroProgress } from "../../azure/index.js";
import { type ArmWrite, settledForSpec } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { SHARE_SHOWS_WITHIN_MS } from "../driver/intent.js";
import type { ShareAction } from "./diff.js";
import { markRunning, recordFailure, type SharingStep } from "./plan.js";
import type { RoleStep } from "./roles.js";
import { failureOf, heldNow, NEXT_STEP_MS } from "./status.js";
import type { SharingActual, SharingKind, SharingTarget } from "./target.js";

/** The event once Azure finished a share action. */
const SHARE_DONE: Record<string, string> = {
  Add: "GalleryShared",
  Remove: "GalleryUnshared",
  Reset: "GallerySharingReset",
  EnableCommunity: "GalleryShared",
};

function armOf(obj: GallerySharing, ctx: ReconcilerContext) {
  return ctx.arm(obj.metadata.namespace ?? "");
}

function shareWrite(
  obj: GallerySharing,
  target: SharingTarget,
  ctx: ReconcilerContext,
  action: ShareAction,
): ArmWrite {
  return {
    action: action.action,
    eventReason: action.action,
    note: `gallery ${target.ref.gallery}: ${action.note}`,
    onSuccess: {
      reason: SHARE_DONE[action.update.operationType] ?? "GallerySharingUpdated",
      note: `gallery ${target.ref.gallery}: done: ${action.note}`,
    },
    start: () => {
      // A Reset leaves the gallery Private; the Gallery's PUT of its mode that follows is ours too.
      if (action.action === "ShareReset") ctx.ownResets.record(target.scope);
      return armOf(obj, ctx).galleries.share(target.ref, action.update);
    },
    showsWithinMs: SHARE_SHOWS_WITHIN_MS,
  };
}

/**
 * Role assignments are synchronous ARM calls: the write is done when start() returns, and the
 * driver reads Azure again at once.
 */
function roleWrite(
  obj: GallerySharing,
  target: SharingTarget,
  ctx: ReconcilerContext,
  step: RoleStep,
): ArmWrite {
  const api = armOf(obj, ctx).roleAssignments;
  if ("create" in step) {
    const { principalId, principalType, roleGuid } = step.create;
    return {
      action: "CreateRoleAssignment",
      eventReason: "RoleAssignmentCreated",
      note: step.note,
      start: async () => {
        try {
          return completed(await api.create(target.scope, { principalId, principalType, role: roleGuid }));
        } catch (err) {
          // The same grant under another name appeared since the read: what the spec wants is there.
          if (err instanceof ArmError && err.code.toLowerCase() === "roleassignmentexists")
            return completed(undefined);
          throw err;
        }
      },
    };
  }
  return {
    action: "RemoveRoleAssignment",
    eventReason: "RoleAssignmentDeleted",
    note: step.note,
    start: async () => {
      await api.delete(target.scope, step.remove.name);
      return completed(undefined);
    },
  };
}

/** The write of `step`, which records in status how the steps stand and parks the step if ARM refuses it. */
export function stepWrite(
  obj: GallerySharing,
  target: SharingTarget,
  actual: SharingActual,
  ctx: ReconcilerContext,
  step: SharingStep & { work: NonNullable<SharingStep["work"]> },
  pending: GallerySharingStatus["pending"] & {},
): ArmWrite {
  const write =
    "share" in step.work
      ? shareWrite(obj, target, ctx, step.work.share)
      : roleWrite(obj, target, ctx, step.work.role);
  return {
    ...write,
    status: { ...heldNow(obj, target, actual), pending: markRunning(pending, step.what, write.note) },
    // ARM refused the step, so Azure holds what was just read.
    failed: (error) => ({
      status: {
        ...heldNow(obj, target, actual),
        pending: recordFailure(pending, step.what, failureOf(error), ctx.now()),
      },
      requeueAfterMs: NEXT_STEP_MS,
    }),
  };
}

export const readSharing: SharingKind["read"] = async (obj, target, ctx) => {
  const api = armOf(obj, ctx);
  const gallery = await api.galleries.get(target.ref, { withPermissions: true });
  if (!gallery) return undefined;
  const assignments = needsRoleRead(obj) ? await api.roleAssignments.listAtScope(target.scope) : [];
  return { gallery, assignments };
};

export const resumeSharing: SharingKind["resume"] = (obj, target, token, ctx) =>
  armOf(obj, ctx).galleries.resume(target.ref, token);

/**
 * Whether the role assignments at the gallery must be read. Not when the spec asks for none and
 * the object is Ready for this very spec: that Ready came from a read that found none of ours left
 * to remove, and only assignments of ours would matter (foreign ones are never touched). A resync
 * of a sharing without roles then costs one ARM read, like every other kind. Always when deleting.
 */
function needsRoleRead(obj: GallerySharing): boolean {
  if ((obj.spec.roleAssignments ?? []).length > 0 || obj.metadata.deletionTimestamp) return true;
  return !settledForSpec(obj);
}

function completed<T>(result: T): LroProgress<T> {
  return { done: true, status: "succeeded", result };
}
