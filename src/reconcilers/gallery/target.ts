// Where a Gallery lives in Azure, and the other Gallery objects naming the same Azure gallery.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { azureNameOf, type Gallery } from "../../api/index.js";
import { type GalleryRef, galleryId } from "../../azure/index.js";
import type { ArmKind } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { rivalsIn } from "../driver/ownership.js";

/** The kind's ArmKind, whose method types its modules' functions take. */
export type GalleryKind = ArmKind<Gallery, GalleryRef, ArmGallery>;

/**
 * Where the gallery lives in Azure. The spec alone names it, so cleanup always knows where to
 * look (even when the operator stopped between ARM accepting the create and status recording it).
 */
export function galleryRefOf(obj: Gallery): GalleryRef {
  return {
    subscriptionId: obj.spec.subscriptionId,
    resourceGroup: obj.spec.resourceGroup,
    gallery: azureNameOf(obj),
  };
}

/** Galleries of every watched namespace naming the same Azure gallery: one Azure gallery, one Gallery object. */
export function galleryRivals(obj: Gallery, ctx: ReconcilerContext): Gallery[] {
  const stores = (ctx.everywhere ?? [ctx.caches]).map((c) => c.galleries);
  return rivalsIn(stores, obj, (g) => galleryId(galleryRefOf(g)));
}
