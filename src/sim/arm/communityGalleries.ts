// GET .../locations/{l}/communityGalleries/{publicName}[/images[/{image}[/versions[/{version}]]]]:
// visible to every caller once the gallery's community sharing is enabled.
import { computeNotFound } from "../errors.js";
import { computeResponse } from "../http/response.js";
import type { CommunityInfo, GalleryRecord, ImageRecord } from "../state/model.js";
import {
  COMMUNITY_DISCLAIMER,
  consumerImageProperties,
  consumerItem,
  consumerVersionProperties,
  servesRegion,
  visibleVersions,
} from "./consumerViews.js";
import { type ArmContext, type ArmHandler, param } from "./context.js";

interface CommunityGallery {
  gallery: GalleryRecord;
  community: CommunityInfo;
  publicName: string;
}

function requireCommunityGallery(ctx: ArmContext): CommunityGallery {
  const wanted = param(ctx, "publicName").toLowerCase();
  const store = ctx.core.store;
  for (const gallery of store.galleries.all()) {
    const community = gallery.sharing?.permissions === "Community" ? gallery.sharing.community : undefined;
    const publicName = community?.publicNames.find((name) => name.toLowerCase() === wanted);
    if (community?.enabled && publicName && servesRegion(store, gallery, param(ctx, "location"))) {
      return { gallery, community, publicName };
    }
  }
  throw computeNotFound();
}

function requireCommunityImage(ctx: ArmContext, gallery: GalleryRecord): ImageRecord {
  const image = ctx.core.store.images
    .childrenOf(gallery.id)
    .find((i) => i.name.toLowerCase() === param(ctx, "image").toLowerCase());
  if (!image) throw computeNotFound();
  return image;
}

function metadata(community: CommunityInfo): Record<string, unknown> {
  return {
    publisherUri: community.publisherUri,
    publisherContact: community.publisherContact,
    eula: community.eula,
    publicNames: [...community.publicNames],
  };
}

/** COMM #54: `communityMetadata` both inside `properties` and at the top level. */
export const getCommunityGallery: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGallery", "consumer");
  const { community, publicName } = requireCommunityGallery(ctx);
  const item = consumerItem(
    { communityMetadata: metadata(community), disclaimer: COMMUNITY_DISCLAIMER },
    param(ctx, "location"),
    publicName,
    `/CommunityGalleries/${publicName}`,
  );
  const { properties, ...rest } = item;
  return computeResponse(200, { properties, communityMetadata: metadata(community), ...rest });
};

export const listCommunityImages: ArmHandler = (ctx) => {
  ctx.enterCompute("ListGalleryArtifact", "consumer");
  const { gallery, publicName } = requireCommunityGallery(ctx);
  const value = ctx.core.store.images
    .childrenOf(gallery.id)
    .map((image) =>
      consumerItem(
        consumerImageProperties(image, true),
        param(ctx, "location"),
        image.name,
        `/CommunityGalleries/${publicName}/Images/${image.name}`,
      ),
    );
  return computeResponse(200, { value });
};

export const getCommunityImage: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGalleryArtifact", "consumer");
  const { gallery, publicName } = requireCommunityGallery(ctx);
  const image = requireCommunityImage(ctx, gallery);
  return computeResponse(
    200,
    consumerItem(
      consumerImageProperties(image, true),
      param(ctx, "location"),
      image.name,
      `/CommunityGalleries/${publicName}/Images/${image.name}`,
    ),
  );
};

export const listCommunityVersions: ArmHandler = (ctx) => {
  ctx.enterCompute("ListGalleryArtifactVersion", "consumer");
  const { gallery, publicName } = requireCommunityGallery(ctx);
  const image = requireCommunityImage(ctx, gallery);
  const location = param(ctx, "location");
  const value = visibleVersions(ctx.core.store, image, location).map((version) =>
    consumerItem(
      consumerVersionProperties(version, true),
      location,
      version.name,
      `/CommunityGalleries/${publicName}/Images/${image.name}/Versions/${version.name}`,
    ),
  );
  return computeResponse(200, { value });
};

export const getCommunityVersion: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGalleryArtifactVersion", "consumer");
  const { gallery, publicName } = requireCommunityGallery(ctx);
  const image = requireCommunityImage(ctx, gallery);
  const location = param(ctx, "location");
  const version = visibleVersions(ctx.core.store, image, location).find(
    (v) => v.name === param(ctx, "version"),
  );
  if (!version) throw computeNotFound();
  return computeResponse(
    200,
    consumerItem(
      consumerVersionProperties(version, true),
      location,
      version.name,
      `/CommunityGalleries/${publicName}/Images/${image.name}/Versions/${version.name}`,
    ),
  );
};
