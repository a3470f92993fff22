import type { Gallery } from "../../api/index.js";
import { type Blocked, blocked } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { BY_GALLERY, refKey } from "../driver/indexes.js";
import { deletingInAzure } from "../driver/provisioning.js";
import { blockedByChildren, namesList, PARENT_RETRY_MS } from "../driver/refs.js";
import { galleryDifferences, needsReset, permissionsOf } from "./body.js";
import type { GalleryKind } from "./target.js";
import { deleteGallery, managedKeysOf, putGallery, resetGallerySharing } from "./writes.js";

/** A Gallery's Reset waits for a share operation its GallerySharing runs (ARM runs one at a time). */
export const SHARE_IN_PROGRESS = "ShareInProgress";

export const planGallery: GalleryKind["plan"] = (obj, ref, actual, ctx) => {
  if (!actual) {
    const fields = galleryDifferences(obj.spec, { location: obj.spec.location }, managedKeysOf(obj));
    return putGallery(obj, ref, ctx, undefined, fields);
  }
  if (needsReset(obj.spec, actual)) {
    const why = `sharing.permissions is ${obj.spec.sharing.permissions}, Azure has ${permissionsOf(actual)}`;
    return sharingInFlight(obj, ctx) ?? resetGallerySharing(obj, ref, ctx, why);
  }
  const diffs = galleryDifferences(obj.spec, actual, managedKeysOf(obj));
  return diffs.length > 0 ? putGallery(obj, ref, ctx, actual, diffs) : undefined;
};

export const rewriteGallery: NonNullable<GalleryKind["rewrite"]> = (obj, ref, actual, ctx) => {
  return putGallery(obj, ref, ctx, actual, []);
};

export const cleanupGallery: GalleryKind["cleanup"] = (obj, ref, actual, ctx) => {
  // Its GallerySharings go first: each undoes its own shares (or leaves them, Orphan) while
  // the gallery exists, and no Reset of ours runs beside theirs.
  const waiting =
    blockedByChildren(ctx.caches.imageDefinitions, BY_GALLERY, obj, "ImageDefinition") ??
    blockedByChildren(ctx.caches.gallerySharings, BY_GALLERY, obj, "GallerySharing");
  if (waiting) return waiting;
  if (!actual) return undefined;
  const deleting = deletingInAzure(actual.provisioningState, `gallery ${ref.gallery}`, ctx.pollIntervalMs);
  if (deleting) return deleting;
  // A shared gallery is reset before deletion (ARM: reset a community gallery before deleting it).
  if (permissionsOf(actual) !== "Private")
    return resetGallerySharing(obj, ref, ctx, "the gallery is being deleted");
  return deleteGallery(obj, ref, ctx);
};

/**
 * Why the Gallery's Reset must wait: a GallerySharing of this gallery has a share operation
 * running (saved in its status), and ARM runs one per gallery at a time. Undefined when none does.
 */
function sharingInFlight(obj: Gallery, ctx: ReconcilerContext): Blocked | undefined {
  const running = ctx.caches.gallerySharings
    .byIndex(BY_GALLERY, refKey(obj.metadata.namespace, obj.metadata.name))
    .filter((s) => s.status?.operation)
    .map((s) => s.metadata.name)
    .sort();
  if (running.length === 0) return undefined;
  const message = `GallerySharing ${namesList(running)} is changing the gallery's sharing in Azure; the sharing mode changes once that is done`;
  return blocked(SHARE_IN_PROGRESS, message, PARENT_RETRY_MS);
}
