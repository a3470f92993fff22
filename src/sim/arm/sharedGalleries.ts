// GET .../locations/{l}/sharedGalleries[/{uniqueName}[/images[/{image}[/versions[/{version}]]]]]:
// galleries shared directly with the caller's subscription (or, with `sharedTo=tenant`, tenant).
import { computeNotFound } from "../errors.js";
import { computeResponse } from "../http/response.js";
import type { GalleryRecord, ImageRecord } from "../state/model.js";
import {
  consumerImageProperties,
  consumerItem,
  consumerVersionProperties,
  servesRegion,
  visibleVersions,
} from "./consumerViews.js";
import { type ArmContext, type ArmHandler, param, queryValue } from "./context.js";
import { isSharedWith, uniqueNameOf } from "./sharing.js";

function visibleTo(ctx: ArmContext, gallery: GalleryRecord, byTenant: boolean): boolean {
  return isSharedWith(gallery, param(ctx, "sub"), ctx.caller.tenantId, byTenant);
}

function requireSharedGallery(ctx: ArmContext): GalleryRecord {
  const uniqueName = param(ctx, "unique").toLowerCase();
  const store = ctx.core.store;
  for (const subscription of store.subscriptions.values()) {
    if (!uniqueName.startsWith(`${subscription.id.toLowerCase()}-`)) continue;
    const gallery = store
      .galleriesInSubscription(subscription.id)
      .find((g) => uniqueNameOf(g).toLowerCase() === uniqueName);
    if (
      gallery &&
      (visibleTo(ctx, gallery, false) || visibleTo(ctx, gallery, true)) &&
      servesRegion(store, gallery, param(ctx, "location"))
    ) {
      return gallery;
    }
  }
  throw computeNotFound();
}

function requireSharedImage(ctx: ArmContext, gallery: GalleryRecord): ImageRecord {
  const image = ctx.core.store.images
    .childrenOf(gallery.id)
    .find((i) => i.name.toLowerCase() === param(ctx, "image").toLowerCase());
  if (!image) throw computeNotFound();
  return image;
}

function galleryUniqueId(gallery: GalleryRecord): string {
  return `/SharedGalleries/${uniqueNameOf(gallery)}`;
}

export const listSharedGalleries: ArmHandler = (ctx) => {
  ctx.enterCompute("ListGallery", "consumer");
  const byTenant = queryValue(ctx, "sharedTo")?.toLowerCase() === "tenant";
  const location = param(ctx, "location");
  const store = ctx.core.store;
  const value = store.galleries
    .all()
    .filter((g) => visibleTo(ctx, g, byTenant) && servesRegion(store, g, location))
    .map((g) => consumerItem(undefined, location, uniqueNameOf(g), galleryUniqueId(g)));
  return computeResponse(200, { value });
};

export const getSharedGallery: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGallery", "consumer");
  const gallery = requireSharedGallery(ctx);
  return computeResponse(
    200,
    consumerItem({}, param(ctx, "location"), uniqueNameOf(gallery), galleryUniqueId(gallery)),
  );
};

export const listSharedImages: ArmHandler = (ctx) => {
  ctx.enterCompute("ListGalleryArtifact", "consumer");
  const gallery = requireSharedGallery(ctx);
  const value = ctx.core.store.images
    .childrenOf(gallery.id)
    .map((image) =>
      consumerItem(
        consumerImageProperties(image, false),
        param(ctx, "location"),
        image.name,
        `${galleryUniqueId(gallery)}/Images/${image.name}`,
      ),
    );
  return computeResponse(200, { value });
};

export const getSharedImage: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGalleryArtifact", "consumer");
  const gallery = requireSharedGallery(ctx);
  const image = requireSharedImage(ctx, gallery);
  return computeResponse(
    200,
    consumerItem(
      consumerImageProperties(image, false),
      param(ctx, "location"),
      image.name,
      `${galleryUniqueId(gallery)}/Images/${image.name}`,
    ),
  );
};

export const listSharedVersions: ArmHandler = (ctx) => {
  ctx.enterCompute("ListGalleryArtifactVersion", "consumer");
  const gallery = requireSharedGallery(ctx);
  const image = requireSharedImage(ctx, gallery);
  const location = param(ctx, "location");
  const value = visibleVersions(ctx.core.store, image, location).map((version) =>
    consumerItem(
      consumerVersionProperties(version, false),
      location,
      version.name,
      `${galleryUniqueId(gallery)}/Images/${image.name}/Versions/${version.name}`,
    ),
  );
  return computeResponse(200, { value });
};

export const getSharedVersion: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGalleryArtifactVersion", "consumer");
  const gallery = requireSharedGallery(ctx);
  const image = requireSharedImage(ctx, gallery);
  const location = param(ctx, "location");
  const version = visibleVersions(ctx.core.store, image, location).find(
    (v) => v.name === param(ctx, "version"),
  );
  if (!version) throw computeNotFound();
  return computeResponse(
    200,
    consumerItem(
      consumerVersionProperties(version, false),
      location,
      version.name,
      `${galleryUniqueId(gallery)}/Images/${image.name}/Versions/${version.name}`,
    ),
  );
};
