// What a Gallery's status shows once Azure matches its spec, and what it exports to ConfigMaps.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import type { Gallery, GalleryStatus } from "../../api/index.js";
import { type GalleryRef, galleryId } from "../../azure/index.js";
import type { Observation } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { provisioningReady } from "../driver/provisioning.js";
import { managedTagKeys } from "../driver/tags.js";

export function observeGallery(
  obj: Gallery,
  ref: GalleryRef,
  actual: ArmGallery,
  ctx: ReconcilerContext,
): Observation<GalleryStatus> {
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
}

export function galleryExports(_obj: Gallery, status: GalleryStatus): Record<string, string | undefined> {
  return { id: status.id, uniqueName: status.uniqueName, publicNames: status.publicNames?.join(",") };
}
