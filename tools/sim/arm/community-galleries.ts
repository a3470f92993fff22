// GET .../locations/{l}/communityGalleries/{publicName}[/images[/{image}[/versions[/{version}]]]]:
// visible to every caller once the gallery's community sharing is enabled.
import { computeNotFound } from "../errors.js";
import { computeResponse } from "../http/response.js";
import { regionRpSpelling } from "../regions.js";
import type { CommunityInfo } from "../state/model.js";
import {
  COMMUNITY_DISCLAIMER,
  type ConsumerGallery,
  consumerArtifactHandlers,
  servesRegion,
} from "./consumer-views.js";
import { type ArmContext, type ArmHandler, param } from "./context.js";

interface CommunityGallery extends ConsumerGallery {
  info: CommunityInfo;
  publicName: string;
}

function resolveCommunityGallery(ctx: ArmContext): CommunityGallery {
  const wanted = param(ctx, "publicName").toLowerCase();
  const store = ctx.core.store;
  for (const gallery of store.galleries.all()) {
    const info = gallery.sharing?.permissions === "Community" ? gallery.sharing.community : undefined;
    const publicName = info?.publicNames.find((name) => name.toLowerCase() === wanted);
    if (info?.enabled && publicName && servesRegion(store, gallery, param(ctx, "location"))) {
      return { gallery, info, publicName, uniqueId: `/CommunityGalleries/${publicName}`, community: true };
    }
  }
  throw computeNotFound();
}

/** COMM #54: `communityMetadata` both inside `properties` and at the top level. */
export const getCommunityGallery: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGallery", "consumer");
  const { info, publicName, uniqueId } = resolveCommunityGallery(ctx);
  const metadata = () => ({
    publisherUri: info.publisherUri,
    publisherContact: info.publisherContact,
    eula: info.eula,
    publicNames: [...info.publicNames],
  });
  return computeResponse(200, {
    properties: { communityMetadata: metadata(), disclaimer: COMMUNITY_DISCLAIMER },
    communityMetadata: metadata(),
    location: regionRpSpelling(param(ctx, "location")),
    name: publicName,
    identifier: { uniqueId },
  });
};

export const communityArtifacts = consumerArtifactHandlers(resolveCommunityGallery);
