// Gallery ↔ Microsoft.Compute/galleries. The user's story: "I declare a gallery; the operator makes
// it exist in Azure as declared, tells me its unique and public names, and deletes it (or leaves
// it, with deletionPolicy: Orphan) when I delete the object — never while image definitions or
// GallerySharings in the cluster still name it."
//
// This file assembles the kind from its parts: writes.ts (what is sent to ARM), plan.ts (which
// write comes next), observe.ts (what status shows).
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { azureNameOf, type Gallery } from "../../api/index.js";
import { type GalleryRef, galleryId } from "../../azure/index.js";
import type { ResourceClient } from "../../kube/index.js";
import type { ArmKind } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { namingSame } from "../driver/ownership.js";
import { galleryExports, observeGallery } from "./observe.js";
import { cleanupGallery, planGallery, rewriteGallery } from "./plan.js";
import { readGallery, resumeGallery, untagGallery } from "./writes.js";

export { SHARE_IN_PROGRESS } from "./plan.js";

/**
 * Where the gallery lives in Azure. The spec alone names it, so cleanup always knows where to
 * look (even when the operator stopped between ARM accepting the create and status recording it).
 */
function galleryRefOf(obj: Gallery): GalleryRef {
  return {
    subscriptionId: obj.spec.subscriptionId,
    resourceGroup: obj.spec.resourceGroup,
    gallery: azureNameOf(obj),
  };
}

/** Galleries of every watched namespace naming the same Azure gallery: one Azure gallery, one Gallery object. */
function galleryRivals(obj: Gallery, ctx: ReconcilerContext): Gallery[] {
  const all = (ctx.everywhere ?? [ctx.caches]).flatMap((c) => c.galleries.list());
  return namingSame(all, obj, (g) => galleryId(galleryRefOf(g)));
}

export function galleryKind(client: ResourceClient<Gallery>): ArmKind<Gallery, GalleryRef, ArmGallery> {
  return {
    kind: "Gallery",
    client,
    tagsOf: (actual) => actual.tags,
    rivalsOf: galleryRivals,
    untag: untagGallery,
    target: galleryRefOf,
    cleanupTarget: galleryRefOf,
    read: readGallery,
    resume: resumeGallery,
    plan: planGallery,
    rewrite: rewriteGallery,
    exports: galleryExports,
    observe: observeGallery,
    cleanup: cleanupGallery,
  };
}
