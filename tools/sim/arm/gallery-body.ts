// The gallery resource as the Compute RP renders it (docs/arm-behaviour.md#gallery-body): keys in the recorded order,
// `sharingProfile` only once one was set, `groups` only when the caller asked for them with
// `$select=Permissions` or `$expand=sharingProfile/Groups`.
import { defined } from "../json.js";
import type { GalleryRecord, SharingState } from "../state/model.js";
import { withUpperCaseResourceGroup } from "./ids.js";
import { uniqueNameOf } from "./sharing.js";

export interface GalleryView {
  withGroups: boolean;
  /** List responses spell the resource group upper-case in `id` (docs/arm-behaviour.md#gallery-body). */
  listItem: boolean;
}

function sharingProfileBody(sharing: SharingState, withGroups: boolean): Record<string, unknown> {
  const community = sharing.community;
  return defined({
    permissions: sharing.permissions,
    groups:
      withGroups && sharing.groups.length > 0
        ? sharing.groups.map((g) => ({ type: g.type, ids: [...g.ids] }))
        : undefined,
    communityGalleryInfo: community
      ? defined({
          communityGalleryEnabled: community.enabled,
          publisherUri: community.publisherUri,
          publisherContact: community.publisherContact,
          eula: community.eula,
          publicNamePrefix: community.publicNamePrefix,
          publicNames: [...community.publicNames],
        })
      : undefined,
  });
}

export function galleryBody(gallery: GalleryRecord, view: GalleryView): Record<string, unknown> {
  return defined({
    name: gallery.name,
    id: view.listItem ? withUpperCaseResourceGroup(gallery.id) : gallery.id,
    type: "Microsoft.Compute/galleries",
    location: gallery.location,
    tags: gallery.tags,
    properties: defined({
      description: gallery.description,
      identifier: { uniqueName: uniqueNameOf(gallery) },
      sharingProfile: gallery.sharing ? sharingProfileBody(gallery.sharing, view.withGroups) : undefined,
      softDeletePolicy: gallery.softDelete ? { ...gallery.softDelete } : undefined,
      provisioningState: gallery.provisioningState,
    }),
  });
}
