// What consumers see of shared galleries (docs/arm-behaviour.md#consumer-views): `sharedGalleries` for subscriptions and
// tenants a gallery is shared with directly, `communityGalleries` for community galleries once
// EnableCommunity has run. Bodies differ from the owner's view (for example `diskSizeGB` instead
// of `sizeInGB`, empty identifier strings in the community image view).
import { formatArmTime } from "../clock.js";
import { computeNotFound } from "../errors.js";
import { computeResponse } from "../http/response.js";
import { defined } from "../json.js";
import { normalizeRegion, regionRpSpelling } from "../regions.js";
import type { GalleryRecord, ImageRecord, VersionRecord } from "../state/model.js";
import type { Store } from "../state/store.js";
import { type ArmContext, type ArmHandler, param } from "./context.js";
import { listPage } from "./paging.js";

export const COMMUNITY_DISCLAIMER = "https://aka.ms/community-gallery-disclaimer";

/** Regions where consumers find a gallery: its own and every target region of its versions. */
export function servesRegion(store: Store, gallery: GalleryRecord, location: string): boolean {
  const wanted = normalizeRegion(location);
  if (normalizeRegion(gallery.location) === wanted) return true;
  return store.images
    .childrenOf(gallery.id)
    .some((image) =>
      store.versions
        .childrenOf(image.id)
        .some((v) => v.publishing.targetRegions.some((t) => t.name === wanted)),
    );
}

/** Versions a consumer can use in `location`: succeeded and replicated there. */
export function visibleVersions(store: Store, image: ImageRecord, location: string): VersionRecord[] {
  const wanted = normalizeRegion(location);
  return store.versions
    .childrenOf(image.id)
    .filter(
      (v) =>
        v.materialized &&
        v.provisioningState !== "Deleting" &&
        v.publishing.targetRegions.some((t) => t.name === wanted),
    );
}

export function consumerImageProperties(image: ImageRecord, community: boolean): Record<string, unknown> {
  const p = image.properties;
  return defined({
    osType: p.osType,
    osState: p.osState,
    endOfLifeDate: p.endOfLifeDate,
    recommended: p.recommended ? { ...p.recommended } : {},
    hyperVGeneration: p.hyperVGeneration,
    architecture: p.architecture,
    // The community view blanks the identifier (COMM #56).
    identifier: community ? { publisher: "", offer: "", sku: "" } : { ...p.identifier },
    features: p.features?.map((f) => ({ ...f })),
    purchasePlan: p.purchasePlan,
    disclaimer: community ? COMMUNITY_DISCLAIMER : undefined,
  });
}

export function consumerVersionProperties(
  version: VersionRecord,
  community: boolean,
): Record<string, unknown> {
  const disks = version.disks;
  const dataDiskImages = disks.dataDisks.map((d) => ({
    lun: d.lun,
    diskSizeGB: d.sizeGB,
    hostCaching: d.hostCaching,
  }));
  return defined({
    disclaimer: community ? COMMUNITY_DISCLAIMER : undefined,
    publishedDate: formatArmTime(version.publishing.publishedDate),
    endOfLifeDate: version.publishing.endOfLifeDate,
    excludeFromLatest: version.publishing.excludeFromLatest,
    storageProfile: defined({
      osDiskImage: { diskSizeGB: disks.osDiskSizeGB, hostCaching: disks.osDiskHostCaching },
      dataDiskImages: dataDiskImages.length > 0 ? dataDiskImages : undefined,
    }),
  });
}

/** `{properties?, location, name, identifier: {uniqueId}}`, the shape of every consumer item. */
export function consumerItem(
  properties: Record<string, unknown> | undefined,
  location: string,
  name: string,
  uniqueId: string,
): Record<string, unknown> {
  return defined({ properties, location: regionRpSpelling(location), name, identifier: { uniqueId } });
}

/** A gallery as one consumer view sees it: the record, the view's root uniqueId
 * (`/SharedGalleries/{uniqueName}` or `/CommunityGalleries/{publicName}`) and its dialect. */
export interface ConsumerGallery {
  gallery: GalleryRecord;
  uniqueId: string;
  community: boolean;
}

export interface ConsumerArtifactHandlers {
  listImages: ArmHandler;
  getImage: ArmHandler;
  listVersions: ArmHandler;
  getVersion: ArmHandler;
}

/**
 * The image and version routes shared by both consumer views. `resolve` finds the gallery the
 * caller may see (or throws the RP's 404); everything below it is the same for both views.
 */
export function consumerArtifactHandlers(
  resolve: (ctx: ArmContext) => ConsumerGallery,
): ConsumerArtifactHandlers {
  function requireImage(ctx: ArmContext, view: ConsumerGallery): ImageRecord {
    const wanted = param(ctx, "image").toLowerCase();
    const image = ctx.core.store.images
      .childrenOf(view.gallery.id)
      .find((i) => i.name.toLowerCase() === wanted);
    if (!image) throw computeNotFound();
    return image;
  }
  function imageItem(ctx: ArmContext, view: ConsumerGallery, image: ImageRecord): Record<string, unknown> {
    return consumerItem(
      consumerImageProperties(image, view.community),
      param(ctx, "location"),
      image.name,
      `${view.uniqueId}/Images/${image.name}`,
    );
  }
  function versionItem(
    ctx: ArmContext,
    view: ConsumerGallery,
    image: ImageRecord,
    version: VersionRecord,
  ): Record<string, unknown> {
    return consumerItem(
      consumerVersionProperties(version, view.community),
      param(ctx, "location"),
      version.name,
      `${view.uniqueId}/Images/${image.name}/Versions/${version.name}`,
    );
  }
  return {
    listImages: (ctx) => {
      ctx.enterCompute("ListGalleryArtifact", "consumer");
      const view = resolve(ctx);
      const value = ctx.core.store.images
        .childrenOf(view.gallery.id)
        .map((image) => imageItem(ctx, view, image));
      return computeResponse(200, listPage(ctx, value));
    },
    getImage: (ctx) => {
      ctx.enterCompute("GetGalleryArtifact", "consumer");
      const view = resolve(ctx);
      return computeResponse(200, imageItem(ctx, view, requireImage(ctx, view)));
    },
    listVersions: (ctx) => {
      ctx.enterCompute("ListGalleryArtifactVersion", "consumer");
      const view = resolve(ctx);
      const image = requireImage(ctx, view);
      const value = visibleVersions(ctx.core.store, image, param(ctx, "location")).map((v) =>
        versionItem(ctx, view, image, v),
      );
      return computeResponse(200, listPage(ctx, value));
    },
    getVersion: (ctx) => {
      ctx.enterCompute("GetGalleryArtifactVersion", "consumer");
      const view = resolve(ctx);
      const image = requireImage(ctx, view);
      const version = visibleVersions(ctx.core.store, image, param(ctx, "location")).find(
        (v) => v.name === param(ctx, "version"),
      );
      if (!version) throw computeNotFound();
      return computeResponse(200, versionItem(ctx, view, image, version));
    },
  };
}
