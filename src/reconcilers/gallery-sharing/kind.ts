// GallerySharing ↔ a gallery's sharing profile and the role assignments on it. The user's story:
// "I list who may use my gallery — subscriptions and tenants (direct sharing), everyone
// (community), or users, groups and service principals (RBAC); the operator shares with exactly
// them, tells me who the gallery is shared with now, and stops sharing what it shared when I
// delete the object (or leaves it, with deletionPolicy: Orphan)."
//
// Each reconcile reads Azure and runs the first step not done (plan.ts): removals before
// additions, one write at a time; a step ARM refuses is parked with a backoff in status.pending
// while the others go on. The gallery's sharing mode (Private, Groups, Community) belongs to the
// Gallery; a GallerySharing only says who (docs/api.md, "Who owns what").
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { type Gallery, type GallerySharing, type GallerySharingStatus, REASONS } from "../../api/index.js";
import {
  ArmError,
  type GalleryRef,
  galleryId,
  type LroProgress,
  parseGalleryId,
  type RoleAssignment,
} from "../../azure/index.js";
import type { ResourceClient } from "../../kube/index.js";
import {
  type ArmKind,
  type ArmWrite,
  type Blocked,
  blocked,
  isBlocked,
  type Observation,
  settledForSpec,
} from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { failureOutcome, USER_RETRY_MS } from "../driver/failures.js";
import { SHARE_SHOWS_WITHIN_MS } from "../driver/intent.js";
import { PARENT_RETRY_MS, readyParent } from "../driver/refs.js";
import { sharingOwner } from "./claim.js";
import {
  actualSharing,
  describe,
  desiredSharing,
  ownedSharing,
  planShare,
  planUnshare,
  type ShareAction,
} from "./diff.js";
import {
  markRunning,
  nextStep,
  pendingSummary,
  recordFailure,
  type SharingStep,
  type StepFailure,
  type StepIdentity,
  sharingSteps,
} from "./plan.js";
import { planRoles, type RoleStep, rolesInPlace, wantedRoles } from "./roles.js";

/** Where a GallerySharing acts: the gallery, and its id as the scope of role assignments. */
export interface SharingTarget {
  ref: GalleryRef;
  scope: string;
}

/** What ARM holds: the gallery with its sharing groups, and the role assignments made at it. */
export interface SharingActual {
  gallery: ArmGallery;
  assignments: RoleAssignment[];
}

/** After a step is parked or done at once, the next one goes right away (the status write lands first). */
const NEXT_STEP_MS = 1;

/** The event once Azure finished a share action. */
const SHARE_DONE: Record<string, string> = {
  Add: "GalleryShared",
  Remove: "GalleryUnshared",
  Reset: "GallerySharingReset",
  EnableCommunity: "GalleryShared",
};

export function gallerySharingKind(
  client: ResourceClient<GallerySharing>,
): ArmKind<GallerySharing, SharingTarget, SharingActual> {
  const arm = (obj: GallerySharing, ctx: ReconcilerContext) => ctx.arm(obj.metadata.namespace ?? "");
  const namespaceOf = (obj: GallerySharing) => obj.metadata.namespace ?? "";
  const owns = (obj: GallerySharing, ctx: ReconcilerContext) =>
    sharingOwner(ctx.caches.gallerySharings, obj).metadata.name === obj.metadata.name;

  const shareWrite = (
    obj: GallerySharing,
    target: SharingTarget,
    ctx: ReconcilerContext,
    action: ShareAction,
  ): ArmWrite => ({
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
      return arm(obj, ctx).galleries.share(target.ref, action.update);
    },
    showsWithinMs: SHARE_SHOWS_WITHIN_MS,
  });

  // Role assignments are synchronous ARM calls: the write is done when start() returns, and the
  // driver reads Azure again at once.
  const roleWrite = (
    obj: GallerySharing,
    target: SharingTarget,
    ctx: ReconcilerContext,
    step: RoleStep,
  ): ArmWrite => {
    const api = arm(obj, ctx).roleAssignments;
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
  };

  /** Every step the spec still needs, in order, and how each stands now. */
  const stepsOf = (
    obj: GallerySharing,
    target: SharingTarget,
    actual: SharingActual,
    ctx: ReconcilerContext,
  ) => {
    const roles = wantedRoles(obj.spec);
    const steps = sharingSteps(
      planShare(desiredSharing(obj.spec), actualSharing(actual.gallery)),
      planRoles(target.scope, target.ref.subscriptionId, roles.wanted, actual.assignments),
      roles.unknown,
    );
    return nextStep(steps, obj.status?.pending ?? [], ctx.now());
  };

  /** The write of `step`, which records in status how the steps stand and parks the step if ARM refuses it. */
  const stepWrite = (
    obj: GallerySharing,
    target: SharingTarget,
    actual: SharingActual,
    ctx: ReconcilerContext,
    step: SharingStep & { work: NonNullable<SharingStep["work"]> },
    pending: GallerySharingStatus["pending"] & {},
  ): ArmWrite => {
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
  };

  return {
    kind: "GallerySharing",
    client,

    target(obj, ctx) {
      const owner = sharingOwner(ctx.caches.gallerySharings, obj);
      const gallery = obj.spec.galleryRef.name;
      if (owner.metadata.name !== obj.metadata.name) {
        return blocked(
          REASONS.Conflict,
          `GallerySharing ${owner.metadata.name} already manages the sharing of Gallery ${gallery} (one GallerySharing per gallery): move this spec into ${owner.metadata.name} and delete this object`,
          USER_RETRY_MS,
        );
      }
      const parent = settledGallery(obj, ctx);
      return isBlocked(parent) ? parent : targetOf(parent.status?.id as string);
    },

    // A GallerySharing that never owned its gallery's sharing never touched Azure; the owner
    // finds the gallery from its status, or from the Gallery while that still exists.
    cleanupTarget(obj, ctx) {
      if (!owns(obj, ctx)) return undefined;
      const id =
        obj.status?.id ??
        ctx.caches.galleries.get(`${namespaceOf(obj)}/${obj.spec.galleryRef.name}`)?.status?.id;
      return id ? targetOf(id) : undefined;
    },

    async read(obj, target, ctx) {
      const api = arm(obj, ctx);
      const gallery = await api.galleries.get(target.ref, { withPermissions: true });
      if (!gallery) return undefined;
      const assignments = needsRoleRead(obj) ? await api.roleAssignments.listAtScope(target.scope) : [];
      return { gallery, assignments };
    },

    resume: (obj, target, token, ctx) => arm(obj, ctx).galleries.resume(target.ref, token),

    // A share operation that failed in Azure parks its step like a refused write (the other
    // steps go on); ARM changed nothing, so what status says Azure holds stays true.
    async observeOperation(obj, _target, poll, ctx) {
      if (poll.state !== "failed" || !poll.error) return undefined;
      const pending = obj.status?.pending ?? [];
      const step: StepIdentity = pending.find((p) => p.action === poll.action) ?? {
        action: poll.action as StepIdentity["action"],
      };
      return {
        status: { pending: recordFailure(pending, step, failureOf(poll.error), ctx.now()) },
        requeueAfterMs: NEXT_STEP_MS,
      };
    },

    plan(obj, target, actual, ctx) {
      if (!actual) {
        const message = `gallery ${target.ref.gallery} does not exist in Azure; waiting for Gallery ${obj.spec.galleryRef.name} to create it`;
        return blocked("GalleryNotFound", message, PARENT_RETRY_MS);
      }
      const { next, pending } = stepsOf(obj, target, actual, ctx);
      return next?.work
        ? stepWrite(obj, target, actual, ctx, { ...next, work: next.work }, pending)
        : undefined;
    },

    // No step can run now: Azure matches the spec, or what is left waits (parked after a
    // failure, or for the user); status says which and why.
    observe(obj, target, actual, ctx): Observation<GallerySharingStatus> {
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
    },

    // The removals of what this object made, as independent steps: a role deletion ARM refuses
    // does not keep the shares in place, nor the other way round. The finalizer stays until
    // every step is done.
    cleanup(obj, target, actual, ctx) {
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
    },
  };
}

/**
 * The object's Gallery when it is Ready for its current spec, or why the sharing must wait: a
 * Gallery Ready for an older spec may be changing its sharing mode in Azure (a Reset or a PUT of
 * its own, the one share operation the gallery may run then).
 */
function settledGallery(obj: GallerySharing, ctx: ReconcilerContext): Gallery | Blocked {
  const name = obj.spec.galleryRef.name;
  const parent = readyParent(ctx.caches.galleries, "Gallery", obj.metadata.namespace ?? "", name);
  if (isBlocked(parent) || settledForSpec(parent)) return parent;
  const message = `Gallery ${name} is being updated; waiting for it to be Ready for its current spec`;
  return blocked("GalleryNotReady", message, PARENT_RETRY_MS);
}

/** What Azure holds now, as status shows it: who the gallery is shared with, and the wanted roles in place. */
function heldNow(obj: GallerySharing, target: SharingTarget, actual: SharingActual) {
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

function failureOf(error: ArmError): StepFailure {
  const outcome = failureOutcome(error);
  return {
    reason: outcome.reason,
    message: outcome.message,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

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

function targetOf(id: string): SharingTarget {
  const ref = parseGalleryId(id);
  return { ref, scope: galleryId(ref) };
}

function completed<T>(result: T): LroProgress<T> {
  return { done: true, status: "succeeded", result };
}
