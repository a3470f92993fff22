// Gallery ↔ Microsoft.Compute/galleries. The user's story: "I declare a gallery; the operator makes
// it exist in Azure as declared, tells me its unique and public names, and deletes it (or leaves
// it, with deletionPolicy: Orphan) when I delete the object — never while image definitions or
// GallerySharings in the cluster still name it."
//
// This file assembles the kind from its parts: target.ts (where it lives), writes.ts (what is
// sent to ARM), plan.ts (which write comes next), observe.ts (what status shows).
import type { Gallery } from "../../api/index.js";
import type { ResourceClient } from "../../kube/index.js";
import { galleryExports, observeGallery } from "./observe.js";
import { cleanupGallery, planGallery, rewriteGallery } from "./plan.js";
import { type GalleryKind, galleryRefOf, galleryRivals } from "./target.js";
import { readGallery, resumeGallery, untagGallery } from "./writes.js";

export { SHARE_IN_PROGRESS } from "./plan.js";

export function galleryKind(client: ResourceClient<Gallery>): GalleryKind {
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
