// Gallery routes: PUT (create/update), GET (with `$select=Permissions` and
// `$expand=sharingProfile/Groups`), list by resource group and subscription, DELETE.
import {
  cannotDeleteResource,
  computeConflict,
  invalidParameter,
  invalidResourceLocation,
  operationNotAllowed,
} from "../errors.js";
import { computeResponse, emptyResponse, type SimResponse } from "../http/response.js";
import { isObject, type JsonObject } from "../json.js";
import { normalizeRegion } from "../regions.js";
import type { CommunityInfo, GalleryRecord, Permissions, SharingState } from "../state/model.js";
import { type ArmContext, type ArmHandler, param, queryValue } from "./context.js";
import { galleryBody } from "./gallery-body.js";
import { galleryId } from "./ids.js";
import { asyncAccepted, putAccepted, startOperation } from "./long-running.js";
import { findGallery, requireGallery, requireResourceGroup } from "./lookups.js";
import { checkGalleryName } from "./names.js";
import { listPage } from "./paging.js";
import { optionalString, readProperties, readTags, requireLocation } from "./request-body.js";
import { holdsEncryptedVersions } from "./share.js";
import { newPublicName } from "./sharing.js";

const PERMISSIONS: Permissions[] = ["Private", "Groups", "Community"];
const COMMUNITY_FIELDS = ["publisherUri", "publisherContact", "eula", "publicNamePrefix"] as const;

function readCommunityInfo(profile: JsonObject, previous: CommunityInfo | undefined): CommunityInfo {
  const info = isObject(profile.communityGalleryInfo) ? profile.communityGalleryInfo : {};
  for (const field of COMMUNITY_FIELDS) {
    if (typeof info[field] !== "string" || info[field] === "") {
      throw invalidParameter(
        `Required parameter 'gallery.properties.sharingProfile.communityGalleryInfo.${field}' is missing (null).`,
        `gallery.properties.sharingProfile.communityGalleryInfo.${field}`,
      );
    }
  }
  const prefix = String(info.publicNamePrefix);
  return {
    enabled: previous?.enabled ?? false,
    publisherUri: optionalString(info.publisherUri),
    publisherContact: optionalString(info.publisherContact),
    eula: optionalString(info.eula),
    publicNamePrefix: prefix,
    // A new public name on every Community PUT (docs/arm-behaviour.md#community, PERM23 #1/#9).
    publicNames: [newPublicName(prefix)],
  };
}

/** The sharing state a PUT asks for; without a sharingProfile the current one is kept. */
function readSharing(properties: JsonObject, existing: GalleryRecord | undefined): SharingState | undefined {
  const profile = properties.sharingProfile;
  if (!isObject(profile)) return existing?.sharing;
  const requested = typeof profile.permissions === "string" ? profile.permissions : "Private";
  const permissions = PERMISSIONS.find((p) => p.toLowerCase() === requested.toLowerCase());
  if (!permissions) {
    throw invalidParameter(
      `The value '${requested}' of parameter 'gallery.properties.sharingProfile.permissions' is invalid. Allowed values are 'Private', 'Groups', 'Community'.`,
      "gallery.properties.sharingProfile.permissions",
    );
  }
  const current = existing?.sharing;
  const unchanged = current?.permissions === permissions;
  return {
    permissions,
    groups: unchanged && current ? current.groups : [],
    ...(permissions === "Community"
      ? { community: readCommunityInfo(profile, unchanged ? current?.community : undefined) }
      : {}),
  };
}

function readSoftDelete(
  properties: JsonObject,
  existing: GalleryRecord | undefined,
): GalleryRecord["softDelete"] {
  const policy = properties.softDeletePolicy;
  if (!isObject(policy)) return existing?.softDelete;
  return { isSoftDeleteEnabled: policy.isSoftDeleteEnabled === true };
}

/** Whether `next` differs from `current` in its sharing permissions and nothing else. */
function changesOnlyPermissions(current: GalleryRecord, next: GalleryRecord): boolean {
  const permissions = (g: GalleryRecord) => g.sharing?.permissions ?? "Private";
  const rest = (g: GalleryRecord) => JSON.stringify([g.tags ?? {}, g.description, g.softDelete]);
  return permissions(current) !== permissions(next) && rest(current) === rest(next);
}

/**
 * PUT a gallery.
 *
 * Flow: 1. gateway: resource group exists, body is JSON, `location` is a known region and matches
 * an existing gallery's; 2. RP (bucket CreateUpdateGallery): name rule, name unique in the
 * subscription, sharing profile valid; 3. store the gallery as `Creating` (201) or `Updating`
 * (200) and start an operation that ends in `Succeeded`.
 */
export function writeGallery(ctx: ArmContext, body: JsonObject): SimResponse {
  const rg = requireResourceGroup(ctx);
  const location = requireLocation(body, "Microsoft.Compute/galleries");
  const subscriptionId = param(ctx, "sub");
  const name = param(ctx, "gallery");
  const existing = findGallery(ctx);
  const id = existing?.id ?? galleryId(subscriptionId, rg.name, name);
  if (existing && normalizeRegion(existing.location) !== normalizeRegion(location)) {
    throw invalidResourceLocation(id, existing.location, location);
  }
  ctx.enterCompute("CreateUpdateGallery");
  checkGalleryName(name);
  if (!existing) {
    const clash = ctx.core.store
      .galleriesInSubscription(subscriptionId)
      .find((gallery) => gallery.name.toLowerCase() === name.toLowerCase());
    if (clash) {
      throw computeConflict(
        `A gallery named '${clash.name}' already exists in subscription '${subscriptionId}' (resource group '${clash.resourceGroup}'). Gallery names are unique per subscription.`,
      );
    }
  }
  const properties = readProperties(body);
  const sharing = readSharing(properties, existing);
  if (existing && sharing?.permissions === "Groups" && holdsEncryptedVersions(ctx.core.store, existing)) {
    throw operationNotAllowed(
      `Gallery '${existing.name}' holds image versions encrypted with customer-managed keys, so it cannot be shared directly with subscriptions or tenants.`,
    );
  }
  const gallery: GalleryRecord = {
    id,
    subscriptionId,
    resourceGroup: existing?.resourceGroup ?? rg.name,
    name: existing?.name ?? name,
    location,
    tags: readTags(body),
    description: optionalString(properties.description),
    sharing,
    softDelete: readSoftDelete(properties, existing),
    provisioningState: existing ? "Updating" : "Creating",
  };
  const durations = ctx.core.options.durations;
  const sharingOnly = existing !== undefined && changesOnlyPermissions(existing, gallery);
  // A change of permissions alone is answered `Succeeded` at once; its operation still runs
  // about 3 s (PERM23 #9, docs/arm-behaviour.md#gallery-updates).
  if (sharingOnly) gallery.provisioningState = "Succeeded";
  const operation = startOperation(ctx, {
    kind: "put",
    resource: "gallery",
    target: id,
    location,
    subscriptionId,
    dueAt:
      ctx.now +
      (sharingOnly
        ? durations.gallerySharingUpdate
        : existing
          ? durations.galleryUpdate
          : durations.galleryCreate),
  });
  gallery.operationId = operation.id;
  ctx.core.store.galleries.put(gallery);
  return putAccepted(
    ctx,
    existing ? 200 : 201,
    galleryBody(gallery, { withGroups: false, listItem: false }),
    operation,
  );
}

export const putGallery: ArmHandler = (ctx) => writeGallery(ctx, ctx.body());

export const getGallery: ArmHandler = (ctx) => {
  const gallery = requireGallery(ctx);
  ctx.enterCompute("GetGallery");
  const select = queryValue(ctx, "$select")?.toLowerCase();
  const expand = queryValue(ctx, "$expand")?.toLowerCase();
  const withGroups = select === "permissions" || expand === "sharingprofile/groups";
  return computeResponse(200, galleryBody(gallery, { withGroups, listItem: false }));
};

export const listGalleriesInResourceGroup: ArmHandler = (ctx) => {
  const rg = requireResourceGroup(ctx);
  ctx.enterCompute("ListGalleryInResourceGroup");
  const value = ctx.core.store.galleries
    .childrenOf(rg.id)
    .map((gallery) => galleryBody(gallery, { withGroups: false, listItem: true }));
  return computeResponse(200, listPage(ctx, value));
};

export const listGalleriesInSubscription: ArmHandler = (ctx) => {
  ctx.enterCompute("ListGalleryInSubscription");
  const value = ctx.core.store
    .galleriesInSubscription(param(ctx, "sub"))
    .map((gallery) => galleryBody(gallery, { withGroups: false, listItem: true }));
  return computeResponse(200, listPage(ctx, value));
};

/**
 * DELETE a gallery: 204 when it does not exist; 409 `CannotDeleteResource` while it holds image
 * definitions; 409 `OperationNotAllowed` for a Community gallery not yet Reset; otherwise 202,
 * `Deleting` until the operation removes it.
 */
export const deleteGallery: ArmHandler = (ctx) => {
  const gallery = findGallery(ctx);
  if (!gallery) return emptyResponse(204);
  const images = ctx.core.store.images.childrenOf(gallery.id);
  if (images.length > 0)
    throw cannotDeleteResource(
      images.map((image) => `Microsoft.Compute/galleries/${gallery.name}/images/${image.name}`),
    );
  ctx.enterCompute("DeleteGallery");
  if (gallery.sharing?.permissions === "Community") {
    throw operationNotAllowed(
      `Gallery '${gallery.name}' is shared with the community. Reset its sharing profile (POST share with operationType 'Reset') before deleting it.`,
    );
  }
  const operation = startOperation(ctx, {
    kind: "delete",
    resource: "gallery",
    target: gallery.id,
    location: gallery.location,
    subscriptionId: gallery.subscriptionId,
    dueAt: ctx.now + ctx.core.options.durations.galleryDelete,
  });
  gallery.provisioningState = "Deleting";
  gallery.operationId = operation.id;
  return asyncAccepted(ctx, operation);
};
