import type { Gallery, GalleryStatus } from "../../api/index.js";
import { galleryId } from "../../azure/index.js";
import { provisioningReady } from "../driver/provisioning.js";
import { managedTagKeys } from "../driver/tags.js";
import type { GalleryKind } from "./target.js";

export const observeGallery: GalleryKind["observe"] = (obj, ref, actual, ctx) => {
  const info = actual.sharingProfile?.communityGalleryInfo;
  const state = actual.provisioningState ?? "Succeeded";
  const status = {
    azureName: ref.gallery,
    id: actual.id ?? galleryId(ref),
    uniqueName: actual.identifier?.uniqueName,
    publicNames: info?.publicNames,
    communityEnabled: info ? Boolean(info.communityGalleryEnabled) : undefined,
    provisioningState: state,
    // Azure matches the spec: every key the operator set and the spec dropped is gone.
    managedTagKeys: managedTagKeys(obj.spec.tags),
  };
  return { status, ...provisioningReady(state, `gallery ${ref.gallery}`, ctx.pollIntervalMs) };
};

export function galleryExports(_obj: Gallery, status: GalleryStatus): Record<string, string | undefined> {
  return { id: status.id, uniqueName: status.uniqueName, publicNames: status.publicNames?.join(",") };
}
