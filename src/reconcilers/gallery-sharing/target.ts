// Where a GallerySharing acts: its Gallery in Azure and that gallery's id as the scope of role
// assignments; only the one GallerySharing that owns the gallery's sharing (claim.ts) acts at all.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { type Gallery, type GallerySharing, REASONS } from "../../api/index.js";
import { type GalleryRef, galleryId, parseGalleryId, type RoleAssignment } from "../../azure/index.js";
import { type ArmKind, type Blocked, blocked, isBlocked, settledForSpec } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { USER_RETRY_MS } from "../driver/failures.js";
import { PARENT_RETRY_MS, readyParent } from "../driver/refs.js";
import { sharingOwner } from "./claim.js";

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

/** The kind's ArmKind, whose method types its modules' functions take. */
export type SharingKind = ArmKind<GallerySharing, SharingTarget, SharingActual>;

export function sharingTarget(obj: GallerySharing, ctx: ReconcilerContext): SharingTarget | Blocked {
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
}

/**
 * A GallerySharing that never owned its gallery's sharing never touched Azure; the owner finds
 * the gallery from its status, or from the Gallery while that still exists.
 */
export function sharingCleanupTarget(obj: GallerySharing, ctx: ReconcilerContext): SharingTarget | undefined {
  if (sharingOwner(ctx.caches.gallerySharings, obj).metadata.name !== obj.metadata.name) return undefined;
  const id =
    obj.status?.id ??
    ctx.caches.galleries.get(`${obj.metadata.namespace ?? ""}/${obj.spec.galleryRef.name}`)?.status?.id;
  return id ? targetOf(id) : undefined;
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

function targetOf(id: string): SharingTarget {
  const ref = parseGalleryId(id);
  return { ref, scope: galleryId(ref) };
}
