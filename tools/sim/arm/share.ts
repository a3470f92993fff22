// POST .../galleries/{g}/share: Add, Remove, Reset, EnableCommunity. Answered 202 with an empty
// body; the change is visible once the operation completes (about 45 s for a Groups gallery,
// well under a second for community changes; docs/arm-behaviour.md#durations).
import type { Durations } from "../options.js";
import type { GalleryRecord, ShareChange } from "../state/model.js";
import type { Store } from "../state/store.js";
import type { ArmHandler } from "./context.js";
import { asyncAccepted, startOperation } from "./long-running.js";
import { requireGallery } from "./lookups.js";
import { checkShareAllowed, parseShareRequest } from "./sharing.js";

export function holdsEncryptedVersions(store: Store, gallery: GalleryRecord): boolean {
  return store.images
    .childrenOf(gallery.id)
    .some((image) =>
      store.versions
        .childrenOf(image.id)
        .some((version) => version.publishing.targetRegions.some((r) => r.encryption)),
    );
}

function shareDuration(gallery: GalleryRecord, change: ShareChange, durations: Durations): number {
  const permissions = gallery.sharing?.permissions ?? "Private";
  switch (change.operationType) {
    case "EnableCommunity":
      return durations.enableCommunity;
    case "Reset":
      return permissions === "Community"
        ? durations.resetCommunity
        : permissions === "Groups"
          ? durations.shareGroups
          : durations.resetPrivate;
    default:
      return durations.shareGroups;
  }
}

export const shareGallery: ArmHandler = (ctx) => {
  const gallery = requireGallery(ctx);
  const body = ctx.body();
  ctx.enterCompute("PostShareGallery");
  const change = parseShareRequest(body);
  checkShareAllowed(gallery, change, holdsEncryptedVersions(ctx.core.store, gallery));
  const operation = startOperation(ctx, {
    kind: "share",
    resource: "gallery",
    target: gallery.id,
    location: gallery.location,
    subscriptionId: gallery.subscriptionId,
    dueAt: ctx.now + shareDuration(gallery, change, ctx.core.options.durations),
    share: change,
  });
  return asyncAccepted(ctx, operation);
};
