// GallerySharing ↔ a gallery's sharing profile and the role assignments on it. The user's story:
// "I list who may use my gallery — subscriptions and tenants (direct sharing), everyone
// (community), or users, groups and service principals (RBAC); the operator shares with exactly
// them, tells me who the gallery is shared with now, and stops sharing what it shared when I
// delete the object (or leaves it, with deletionPolicy: Orphan)."
//
// Role-assignment writes come first (they are cheap, synchronous, and do not depend on the
// gallery's permissions); share actions follow, one long-running operation at a time.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { type GallerySharing, REASONS } from "../api/index.js";
import {
  ArmError,
  type GalleryRef,
  galleryId,
  type LroProgress,
  parseGalleryId,
  type RoleAssignment,
} from "../azure/index.js";
import type { ResourceClient } from "../kube/index.js";
import { type ArmKind, type ArmWrite, blocked, isBlocked, settledForSpec } from "./arm-kind.js";
import type { ReconcilerContext } from "./context.js";
import { PARENT_RETRY_MS, readyParent } from "./refs.js";
import { sharingOwner } from "./sharing-claim.js";
import {
  actualSharing,
  describe,
  desiredSharing,
  isRefusal,
  ownedSharing,
  planShare,
  planUnshare,
  reapplyShare,
  type ShareAction,
} from "./sharing-diff.js";
import {
  isUnknownRole,
  planRoleCleanup,
  planRoles,
  type RoleStep,
  rolesInPlace,
  UNKNOWN_ROLE_REASON,
  wantedRoles,
} from "./sharing-roles.js";

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

/** A spec that needs the user (or another object) to change waits this long; its watches wake it first. */
const USER_RETRY_MS = 5 * 60_000;

const SHARE_EVENT: Record<string, string> = {
  Add: "ShareAdd",
  Remove: "ShareRemove",
  Reset: "ShareReset",
  EnableCommunity: "ShareEnableCommunity",
};

export function gallerySharingKind(
  client: ResourceClient<GallerySharing>,
): ArmKind<GallerySharing, SharingTarget, SharingActual> {
  const arm = (obj: GallerySharing, ctx: ReconcilerContext) => ctx.arm(obj.metadata.namespace ?? "");
  const namespaceOf = (obj: GallerySharing) => obj.metadata.namespace ?? "";
  const owns = (obj: GallerySharing, ctx: ReconcilerContext) =>
    sharingOwner(ctx.caches.gallerySharings, obj).metadata.name === obj.metadata.name;

  const share = (
    obj: GallerySharing,
    target: SharingTarget,
    ctx: ReconcilerContext,
    action: ShareAction,
  ): ArmWrite => ({
    action: "Share",
    eventReason: SHARE_EVENT[action.update.operationType] ?? "Share",
    note: `gallery ${target.ref.gallery}: ${action.note}`,
    start: () => arm(obj, ctx).galleries.share(target.ref, action.update),
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
        action: "RoleAssignment",
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
      action: "RoleAssignment",
      eventReason: "RoleAssignmentDeleted",
      note: step.note,
      start: async () => {
        await api.delete(target.scope, step.remove.name);
        return completed(undefined);
      },
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
      const parent = readyParent(ctx.caches.galleries, "Gallery", namespaceOf(obj), gallery);
      if (isBlocked(parent)) return parent;
      return targetOf(parent.status?.id as string);
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

    plan(obj, target, actual, ctx) {
      if (!actual) {
        const message = `gallery ${target.ref.gallery} does not exist in Azure; waiting for Gallery ${obj.spec.galleryRef.name} to create it`;
        return blocked("GalleryNotFound", message, PARENT_RETRY_MS);
      }
      const wanted = wantedRoles(obj.spec);
      if (isUnknownRole(wanted)) return blocked(UNKNOWN_ROLE_REASON, wanted.message, USER_RETRY_MS);
      const roleStep = planRoles(target.scope, target.ref.subscriptionId, wanted, actual.assignments);
      if (roleStep) return roleWrite(obj, target, ctx, roleStep);
      const action = planShare(desiredSharing(obj.spec), actualSharing(actual.gallery));
      if (isRefusal(action)) {
        return blocked(
          action.reason,
          `Gallery ${obj.spec.galleryRef.name}: ${action.message}`,
          USER_RETRY_MS,
        );
      }
      return action ? share(obj, target, ctx, action) : undefined;
    },

    // One write per object and period, as for the other kinds: the share, which a PUT-everything
    // policy repeats; role assignments (objects of their own in Azure Service Operator) are not.
    rewrite(obj, target, _actual, ctx) {
      const action = reapplyShare(desiredSharing(obj.spec));
      return action ? share(obj, target, ctx, action) : undefined;
    },

    observe(obj, target, actual) {
      const shared = actualSharing(actual.gallery);
      const wanted = wantedRoles(obj.spec);
      const roles = isUnknownRole(wanted) ? [] : rolesInPlace(wanted, actual.assignments);
      const status = {
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
      const rolesText = `${roles.length} role assignment${roles.length === 1 ? "" : "s"}`;
      return {
        status,
        ready: {
          status: "True",
          reason: REASONS.Succeeded,
          message: `gallery ${target.ref.gallery} is shared with ${describe(shared)}; ${rolesText} in place`,
        },
      };
    },

    cleanup(obj, target, actual, ctx) {
      if (!actual) return undefined;
      const roleStep = planRoleCleanup(target.scope, target.ref.subscriptionId, actual.assignments);
      if (roleStep) return roleWrite(obj, target, ctx, roleStep);
      const action = planUnshare(ownedSharing(obj.spec, obj.status), actualSharing(actual.gallery));
      return action ? share(obj, target, ctx, action) : undefined;
    },
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
