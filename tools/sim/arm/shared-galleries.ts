// GET .../locations/{l}/sharedGalleries[/{uniqueName}[/images[/{image}[/versions[/{version}]]]]]:
// galleries shared directly with the caller's subscription (or, with `sharedTo=tenant`, tenant).
import { computeNotFound } from "../errors.js";
import { computeResponse } from "../http/response.js";
import type { GalleryRecord } from "../state/model.js";
import {
  type ConsumerGallery,
  consumerArtifactHandlers,
  consumerItem,
  servesRegion,
} from "./consumer-views.js";
import { type ArmContext, type ArmHandler, param, queryValue } from "./context.js";
import { listPage } from "./paging.js";
import { isSharedWith, uniqueNameOf } from "./sharing.js";

function visibleTo(ctx: ArmContext, gallery: GalleryRecord, byTenant: boolean): boolean {
  return isSharedWith(gallery, param(ctx, "sub"), ctx.caller.tenantId, byTenant);
}

function uniqueIdOf(gallery: GalleryRecord): string {
  return `/SharedGalleries/${uniqueNameOf(gallery)}`;
}

/** The gallery named by `{uniqueName}` (`{subscription}-{NAME}`), if shared with the caller. */
function resolveSharedGallery(ctx: ArmContext): ConsumerGallery {
  const uniqueName = param(ctx, "unique").toLowerCase();
  const store = ctx.core.store;
  for (const subscription of store.subscriptions.values()) {
    if (!uniqueName.startsWith(`${subscription.id.toLowerCase()}-`)) continue;
    const gallery = store
      .galleriesInSubscription(subscription.id)
      .find((g) => uniqueNameOf(g).toLowerCase() === uniqueName);
    const shared = gallery && (visibleTo(ctx, gallery, false) || visibleTo(ctx, gallery, true));
    if (gallery && shared && servesRegion(store, gallery, param(ctx, "location"))) {
      return { gallery, uniqueId: uniqueIdOf(gallery), community: false };
    }
  }
  throw computeNotFound();
}

export const listSharedGalleries: ArmHandler = (ctx) => {
  ctx.enterCompute("ListGallery", "consumer");
  const byTenant = queryValue(ctx, "sharedTo")?.toLowerCase() === "tenant";
  const location = param(ctx, "location");
  const store = ctx.core.store;
  const value = store.galleries
    .all()
    .filter((g) => visibleTo(ctx, g, byTenant) && servesRegion(store, g, location))
    .map((g) => consumerItem(undefined, location, uniqueNameOf(g), uniqueIdOf(g)));
  return computeResponse(200, listPage(ctx, value));
};

/** SG #72: the list item plus an empty `properties`. */
export const getSharedGallery: ArmHandler = (ctx) => {
  ctx.enterCompute("GetGallery", "consumer");
  const { gallery, uniqueId } = resolveSharedGallery(ctx);
  return computeResponse(200, consumerItem({}, param(ctx, "location"), uniqueNameOf(gallery), uniqueId));
};

export const sharedArtifacts = consumerArtifactHandlers(resolveSharedGallery);
