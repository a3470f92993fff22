// Finding the resources a request names, failing the way ARM's gateway fails: a missing resource
// group is `ResourceGroupNotFound`, a missing parent of a nested resource `ParentResourceNotFound`,
// a missing resource itself `ResourceNotFound` (all 404, compact JSON).
import { parentResourceNotFound, resourceGroupNotFound, resourceNotFound } from "../errors.js";
import type { GalleryRecord, ImageRecord, ResourceGroupRecord, VersionRecord } from "../state/model.js";
import { type ArmContext, param } from "./context.js";
import { galleryId, imageId, resourceGroupId, versionId } from "./ids.js";

export function requireResourceGroup(ctx: ArmContext): ResourceGroupRecord {
  const rg = ctx.core.store.resourceGroups.get(resourceGroupId(param(ctx, "sub"), param(ctx, "rg")));
  if (!rg) throw resourceGroupNotFound(param(ctx, "rg"));
  return rg;
}

export function findGallery(ctx: ArmContext): GalleryRecord | undefined {
  requireResourceGroup(ctx);
  return ctx.core.store.galleries.get(galleryId(param(ctx, "sub"), param(ctx, "rg"), param(ctx, "gallery")));
}

export function requireGallery(ctx: ArmContext): GalleryRecord {
  const gallery = findGallery(ctx);
  if (!gallery)
    throw resourceNotFound(`Microsoft.Compute/galleries/${param(ctx, "gallery")}`, param(ctx, "rg"));
  return gallery;
}

/** The gallery as the parent of an image definition (a missing one is `ParentResourceNotFound`). */
export function requireParentGallery(ctx: ArmContext): GalleryRecord {
  const gallery = findGallery(ctx);
  if (!gallery) throw parentResourceNotFound(param(ctx, "gallery"));
  return gallery;
}

export function findImage(ctx: ArmContext): ImageRecord | undefined {
  requireParentGallery(ctx);
  return ctx.core.store.images.get(
    imageId(param(ctx, "sub"), param(ctx, "rg"), param(ctx, "gallery"), param(ctx, "image")),
  );
}

export function requireImage(ctx: ArmContext): ImageRecord {
  const image = findImage(ctx);
  if (!image) {
    throw resourceNotFound(
      `Microsoft.Compute/galleries/${param(ctx, "gallery")}/images/${param(ctx, "image")}`,
      param(ctx, "rg"),
    );
  }
  return image;
}

export function requireParentImage(ctx: ArmContext): ImageRecord {
  const image = findImage(ctx);
  if (!image) throw parentResourceNotFound(`${param(ctx, "gallery")}/${param(ctx, "image")}`);
  return image;
}

export function findVersion(ctx: ArmContext): VersionRecord | undefined {
  requireParentImage(ctx);
  return ctx.core.store.versions.get(
    versionId(
      param(ctx, "sub"),
      param(ctx, "rg"),
      param(ctx, "gallery"),
      param(ctx, "image"),
      param(ctx, "version"),
    ),
  );
}

export function requireVersion(ctx: ArmContext): VersionRecord {
  const version = findVersion(ctx);
  if (!version) {
    throw resourceNotFound(
      `Microsoft.Compute/galleries/${param(ctx, "gallery")}/images/${param(ctx, "image")}/versions/${param(ctx, "version")}`,
      param(ctx, "rg"),
    );
  }
  return version;
}
