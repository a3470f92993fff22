// One GallerySharing per gallery: a gallery's sharing profile is one set, so two objects editing
// it would undo each other's Add and Remove forever. The first one (by creation time, then name)
// owns the gallery's sharing; any other reports a conflict and never calls ARM.
import type { GallerySharing } from "../../api/index.js";
import type { ReadonlyStore } from "../../kube/index.js";
import { BY_GALLERY, refKey } from "../driver/indexes.js";

/**
 * The GallerySharing that owns the sharing of `obj`'s gallery: the earliest created of those in
 * `obj`'s namespace naming the same Gallery (`store` indexed BY_GALLERY), ties broken by name.
 * Guarantees: the same answer for every object of the gallery; an object being deleted keeps its
 * claim until it is gone (its cleanup is still undoing its shares); a later object can never
 * take the claim from an earlier one, so an object that does not own it now never did.
 */
export function sharingOwner(store: ReadonlyStore<GallerySharing>, obj: GallerySharing): GallerySharing {
  const claimants = store.byIndex(BY_GALLERY, refKey(obj.metadata.namespace, obj.spec.galleryRef.name));
  if (!claimants.some((s) => s.metadata.name === obj.metadata.name)) claimants.push(obj);
  return claimants.reduce((first, s) => (precedes(s, first) ? s : first));
}

function precedes(a: GallerySharing, b: GallerySharing): boolean {
  const ta = createdAt(a);
  const tb = createdAt(b);
  if (ta !== tb) return ta < tb;
  return a.metadata.name < b.metadata.name;
}

// The API server sets creationTimestamp (RFC 3339, whole seconds) on every object; api/ObjectMeta
// does not declare it because nothing else in the API reads it.
function createdAt(obj: GallerySharing): number {
  const stamp = (obj.metadata as { creationTimestamp?: string }).creationTimestamp;
  const ms = stamp ? Date.parse(stamp) : Number.NaN;
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}
