// The writes a Gallery sends to ARM: the PUT of its spec, the Reset of its sharing, the DELETE,
// and the PUT that takes the ownership tag off (deletionPolicy Orphan).
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import type { Gallery } from "../../api/index.js";
import { type GalleryRef, galleryId } from "../../azure/index.js";
import { type ArmWrite, describeDifference, type FieldDifference } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { SHARE_SHOWS_WITHIN_MS } from "../driver/intent.js";
import { ownedTags, untagWrite } from "../driver/ownership.js";
import { deleteWrite } from "../driver/spec-writes.js";
import { managedTagKeys } from "../driver/tags.js";
import { desiredGalleryBody } from "./body.js";

// How long Azure takes to create, update and delete a gallery (docs/arm-behaviour.md#durations:
// 0.1-1.7 s, 0.05-3.2 s, 0.1 s): the first poll of each comes then (driver/poll-schedule.ts).
const GALLERY_CREATE_MS = 1_000;
const GALLERY_UPDATE_MS = 500;
const GALLERY_DELETE_MS = 100;

/** The galleries API for the object's namespace (under the identity chosen for it). */
function galleriesApi(obj: Gallery, ctx: ReconcilerContext) {
  return ctx.arm(obj.metadata.namespace ?? "").galleries;
}

/** The tag keys the operator set on the gallery, as status remembers them. */
export function managedKeysOf(obj: Gallery): string[] {
  return obj.status?.managedTagKeys ?? [];
}

function describeFields(fields: FieldDifference[]): string {
  return fields.map(describeDifference).join("; ") || "resync";
}

/**
 * The PUT of the spec: a create (`actual` undefined) sets every field the spec names; an update
 * the ones that differ. Either way status remembers the tag keys it sets, so that dropping one
 * from the spec removes it from Azure.
 */
export function putGallery(
  obj: Gallery,
  ref: GalleryRef,
  ctx: ReconcilerContext,
  actual: ArmGallery | undefined,
  fields: FieldDifference[],
): ArmWrite {
  const what = describeFields(fields);
  return {
    action: "CreateOrUpdate",
    eventReason: actual ? "GalleryUpdating" : "GalleryCreating",
    note: actual
      ? `updating gallery ${ref.gallery}: ${what}`
      : `creating gallery ${ref.gallery} in ${obj.spec.location}`,
    onSuccess: actual
      ? { reason: "GalleryUpdated", note: `gallery ${ref.gallery} updated: ${what}` }
      : { reason: "GalleryCreated", note: `gallery ${ref.gallery} created in ${obj.spec.location}` },
    // After its GallerySharing's Reset (the only way to end community sharing) the gallery is
    // Private; putting the spec's mode back is the operator's own doing, not drift.
    followsOwnChange: actual !== undefined && ctx.ownResets.has(galleryId(ref)),
    expectedMs: actual ? GALLERY_UPDATE_MS : GALLERY_CREATE_MS,
    fields,
    status: { managedTagKeys: managedTagKeys(obj.spec.tags, managedKeysOf(obj)) },
    sends: { method: "PUT", id: galleryId(ref) },
    start: () => {
      ctx.ownResets.forget(galleryId(ref));
      const body = desiredGalleryBody(obj.spec, actual, managedKeysOf(obj));
      return galleriesApi(obj, ctx).put(ref, { ...body, tags: ownedTags(body.tags, obj, "Gallery", ctx) });
    },
  };
}

/** The Reset of the gallery's sharing to Private, `why` said in the note. */
export function resetGallerySharing(
  obj: Gallery,
  ref: GalleryRef,
  ctx: ReconcilerContext,
  why: string,
): ArmWrite {
  return {
    action: "Share",
    eventReason: "GallerySharingReset",
    note: `resetting sharing of gallery ${ref.gallery} to Private: ${why}`,
    start: () => galleriesApi(obj, ctx).share(ref, { operationType: "Reset" }),
    showsWithinMs: SHARE_SHOWS_WITHIN_MS,
  };
}

export function deleteGallery(obj: Gallery, ref: GalleryRef, ctx: ReconcilerContext): ArmWrite {
  const write = deleteWrite(
    "Gallery",
    galleryId(ref),
    `deleting gallery ${ref.gallery}`,
    `gallery ${ref.gallery} deleted in Azure`,
    () => {
      ctx.ownResets.forget(galleryId(ref));
      return galleriesApi(obj, ctx).delete(ref);
    },
  );
  return { ...write, expectedMs: GALLERY_DELETE_MS };
}

/** The PUT that takes the ownership tag off and leaves the gallery in Azure (deletionPolicy Orphan). */
export function untagGallery(
  obj: Gallery,
  ref: GalleryRef,
  actual: ArmGallery,
  ctx: ReconcilerContext,
): ArmWrite {
  return untagWrite(`gallery ${ref.gallery}`, actual.tags, (tags) =>
    galleriesApi(obj, ctx).put(ref, { ...desiredGalleryBody(obj.spec), tags }),
  );
}

export function readGallery(obj: Gallery, ref: GalleryRef, ctx: ReconcilerContext) {
  return galleriesApi(obj, ctx).get(ref);
}

export function resumeGallery(obj: Gallery, ref: GalleryRef, token: string, ctx: ReconcilerContext) {
  return galleriesApi(obj, ctx).resume(ref, token);
}
