// PATCH of galleries, image definitions and image versions: ARM serves it as a long-running update
// like PUT, with the REST spec's `…Update` body (tags and properties, no location)
// (docs/arm-behaviour.md#patch). The simulator turns the resource back into the PUT body that
// would have made it, merges the patch into that, and runs the PUT path, so every rule of PUT
// applies and the answer is PUT's 200 `Updating`.
import type { SimResponse } from "../http/response.js";
import { isObject, type Json, type JsonObject } from "../json.js";
import type { GalleryRecord, ImageRecord, VersionRecord } from "../state/model.js";
import type { ArmContext, ArmHandler } from "./context.js";
import { writeGallery } from "./galleries.js";
import { imageBody, writeImage } from "./images.js";
import { requireGallery, requireImage, requireVersion } from "./lookups.js";
import { writeVersion } from "./versions.js";

/** JSON merge patch (RFC 7386): objects merge key by key, `null` removes, anything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const merged: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = mergePatch(merged[key], value);
  }
  return merged;
}

/** Plain JSON of a record part (drops undefined fields). */
function json(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

function galleryRequest(gallery: GalleryRecord): JsonObject {
  // No sharingProfile: a PUT without one keeps the sharing (and a Community gallery's public name).
  return {
    location: gallery.location,
    ...(gallery.tags ? { tags: json(gallery.tags) } : {}),
    properties: json({
      description: gallery.description,
      softDeletePolicy: gallery.softDelete,
    }) as JsonObject,
  };
}

function imageRequest(image: ImageRecord): JsonObject {
  const { provisioningState: _, ...properties } = imageBody(image).properties as Record<string, unknown>;
  return {
    location: image.location,
    ...(image.tags ? { tags: json(image.tags) } : {}),
    properties: json(properties),
  };
}

function versionRequest(version: VersionRecord): JsonObject {
  const p = version.publishing;
  // No storageProfile: an update that names no source keeps the stored one.
  return {
    location: version.location,
    ...(version.tags ? { tags: json(version.tags) } : {}),
    properties: json({
      publishingProfile: {
        targetRegions: p.targetRegions,
        replicaCount: p.replicaCount,
        excludeFromLatest: p.excludeFromLatest,
        endOfLifeDate: p.endOfLifeDate,
        storageAccountType: p.storageAccountType,
        replicationMode: p.replicationMode,
      },
      safetyProfile: {
        allowDeletionOfReplicatedLocations: version.safety.allowDeletionOfReplicatedLocations,
      },
    }) as JsonObject,
  };
}

function patchOf<T>(
  find: (ctx: ArmContext) => T,
  requestOf: (record: T) => JsonObject,
  write: (ctx: ArmContext, body: JsonObject) => SimResponse,
): ArmHandler {
  return (ctx) => {
    const record = find(ctx);
    const { location: _ignored, ...patch } = ctx.body();
    return write(ctx, mergePatch(requestOf(record), patch) as JsonObject);
  };
}

export const patchGallery = patchOf(requireGallery, galleryRequest, writeGallery);
export const patchImage = patchOf(requireImage, imageRequest, writeImage);
export const patchVersion = patchOf(requireVersion, versionRequest, writeVersion);
