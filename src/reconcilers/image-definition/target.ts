// Where an ImageDefinition lives in Azure: under its Gallery (read from the cache), or where
// status recorded it; and the other definitions in the cluster naming the same Azure resource.

import type { GalleryImage } from "@azure/arm-compute";
import { azureNameOf, type ImageDefinition, LABELS } from "../../api/index.js";
import { type ImageRef, parseGalleryId, parseImageId } from "../../azure/index.js";
import { type ArmKind, type Blocked, isBlocked } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { rivalsIn } from "../driver/ownership.js";
import { readyParent } from "../driver/refs.js";

/** The kind's ArmKind, whose method types its modules' functions take. */
export type DefinitionKind = ArmKind<ImageDefinition, DefinitionTarget, GalleryImage>;

export interface DefinitionTarget {
  ref: ImageRef;
  /** The gallery's region, where a create goes; unknown (and not needed) during cleanup. */
  location?: string;
}

function galleryOf(obj: ImageDefinition, ctx: ReconcilerContext) {
  return ctx.caches.galleries.get(`${obj.metadata.namespace ?? ""}/${obj.spec.galleryRef.name}`);
}

/** The Azure id the definition names: as status recorded it, else under its gallery's. */
function armIdOf(obj: ImageDefinition, ctx: ReconcilerContext): string | undefined {
  const gallery = galleryOf(obj, ctx)?.status?.id;
  return obj.status?.id ?? (gallery ? `${gallery}/images/${azureNameOf(obj)}` : undefined);
}

export function definitionRivals(obj: ImageDefinition, ctx: ReconcilerContext): ImageDefinition[] {
  return rivalsIn([ctx.caches.imageDefinitions], obj, (d) => armIdOf(d, ctx));
}

/** Users (and the examples) need not set it; added once so `kubectl get -l` finds a gallery's contents. */
export function definitionLabels(obj: ImageDefinition): Record<string, string> {
  return { [LABELS.gallery]: obj.spec.galleryRef.name };
}

/** Under the gallery, once the Gallery is Ready (Blocked before). */
export function definitionTarget(obj: ImageDefinition, ctx: ReconcilerContext): DefinitionTarget | Blocked {
  const namespace = obj.metadata.namespace ?? "";
  const gallery = readyParent(
    ctx.caches.galleries,
    "Gallery",
    namespace,
    obj.spec.galleryRef.name,
    ctx.now(),
  );
  if (isBlocked(gallery)) return gallery;
  const ref = { ...parseGalleryId(gallery.status?.id ?? ""), image: azureNameOf(obj) };
  return { ref, location: gallery.spec.location };
}

/**
 * What status recorded first, so a gallery deleted meanwhile does not strand the definition;
 * before that (a create not yet observed) the gallery in the cache says where it would be.
 */
export function definitionCleanupTarget(
  obj: ImageDefinition,
  ctx: ReconcilerContext,
): DefinitionTarget | undefined {
  if (obj.status?.id) return { ref: parseImageId(obj.status.id) };
  const galleryId = galleryOf(obj, ctx)?.status?.id;
  return galleryId ? { ref: { ...parseGalleryId(galleryId), image: azureNameOf(obj) } } : undefined;
}
