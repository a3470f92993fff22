// Image definition routes: PUT, GET, list in a gallery, DELETE (docs/arm-behaviour.md#image-definition).
import { ArmError, cannotDeleteResource, computeConflict, invalidParameter } from "../errors.js";
import { computeResponse, emptyResponse, type SimResponse } from "../http/response.js";
import { defined, isObject, type JsonObject } from "../json.js";
import type { ImageProperties, ImageRecord } from "../state/model.js";
import { type ArmContext, type ArmHandler, param } from "./context.js";
import { imageId } from "./ids.js";
import { asyncAccepted, putAccepted, startOperation } from "./long-running.js";
import { findImage, requireImage, requireParentGallery } from "./lookups.js";
import { checkImageName } from "./names.js";
import { listPage } from "./paging.js";
import { optionalString, readProperties, readTags, requireLocation } from "./request-body.js";

const PREFIX = "galleryImage.properties";

function missing(path: string): ArmError {
  return invalidParameter(`Required parameter '${PREFIX}.${path}' is missing (null).`, `${PREFIX}.${path}`);
}

/** An enum value in its canonical spelling (ARM enums are case-insensitive). */
function enumValue(value: unknown, allowed: readonly string[], path: string, fallback?: string): string {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw missing(path);
  }
  const match = allowed.find((candidate) => candidate.toLowerCase() === String(value).toLowerCase());
  if (!match) {
    throw invalidParameter(
      `The value '${String(value)}' of parameter '${PREFIX}.${path}' is invalid. Allowed values are '${allowed.join("', '")}'.`,
      `${PREFIX}.${path}`,
    );
  }
  return match;
}

function nonEmptyObject(value: unknown): Record<string, unknown> | undefined {
  return isObject(value) && Object.keys(value).length > 0 ? { ...value } : undefined;
}

function readImageProperties(properties: JsonObject): ImageProperties {
  const identifier = properties.identifier;
  if (!isObject(identifier)) throw missing("identifier");
  for (const field of ["publisher", "offer", "sku"] as const) {
    if (typeof identifier[field] !== "string" || identifier[field] === "")
      throw missing(`identifier.${field}`);
  }
  const features = Array.isArray(properties.features)
    ? properties.features.filter(isObject).map((f) => ({ name: String(f.name), value: String(f.value) }))
    : undefined;
  return {
    description: optionalString(properties.description),
    eula: optionalString(properties.eula),
    privacyStatementUri: optionalString(properties.privacyStatementUri),
    releaseNoteUri: optionalString(properties.releaseNoteUri),
    hyperVGeneration: enumValue(properties.hyperVGeneration, ["V1", "V2"], "hyperVGeneration", "V1"),
    architecture: enumValue(properties.architecture, ["x64", "Arm64"], "architecture", "x64"),
    osType: enumValue(properties.osType, ["Windows", "Linux"], "osType"),
    osState: enumValue(properties.osState, ["Generalized", "Specialized"], "osState"),
    endOfLifeDate: optionalString(properties.endOfLifeDate),
    identifier: {
      publisher: String(identifier.publisher),
      offer: String(identifier.offer),
      sku: String(identifier.sku),
    },
    recommended: nonEmptyObject(properties.recommended),
    // An empty `disallowed: {}` is not echoed (docs/arm-behaviour.md#image-definition).
    disallowed: nonEmptyObject(properties.disallowed),
    purchasePlan: nonEmptyObject(properties.purchasePlan),
    features: features && features.length > 0 ? features : undefined,
  };
}

/** Properties a definition keeps for life; changing one is `PropertyChangeNotAllowed`. */
function checkImmutable(before: ImageProperties, after: ImageProperties): void {
  const immutable: [string, unknown, unknown][] = [
    [
      "identifier",
      JSON.stringify(before.identifier).toLowerCase(),
      JSON.stringify(after.identifier).toLowerCase(),
    ],
    ["osType", before.osType, after.osType],
    ["osState", before.osState, after.osState],
    ["hyperVGeneration", before.hyperVGeneration, after.hyperVGeneration],
    ["architecture", before.architecture, after.architecture],
  ];
  for (const [path, was, now] of immutable) {
    if (was !== now) {
      throw new ArmError(
        409,
        "PropertyChangeNotAllowed",
        `Changing property '${PREFIX}.${path}' is not allowed.`,
        {
          origin: "compute",
          target: `${PREFIX}.${path}`,
        },
      );
    }
  }
}

/**
 * Publisher, offer and SKU name one definition per gallery; a second definition with the same
 * three is refused (409, Microsoft's message; compared case-insensitively, unverified).
 */
function checkIdentifierUnique(siblings: ImageRecord[], identifier: ImageProperties["identifier"]): void {
  const key = (i: ImageProperties["identifier"]) => [i.publisher, i.offer, i.sku].join("\n").toLowerCase();
  const taken = siblings.find((image) => key(image.properties.identifier) === key(identifier));
  if (!taken) return;
  throw computeConflict(
    `Gallery image: ${taken.name} identified by (publisher:${identifier.publisher}, offer:${identifier.offer}, sku:${identifier.sku}) already exists. Choose a different publisher, offer, sku combination.`,
  );
}

export function imageBody(image: ImageRecord): Record<string, unknown> {
  const p = image.properties;
  return defined({
    name: image.name,
    id: image.id,
    type: "Microsoft.Compute/galleries/images",
    location: image.location,
    tags: image.tags,
    properties: defined({
      description: p.description,
      eula: p.eula,
      privacyStatementUri: p.privacyStatementUri,
      releaseNoteUri: p.releaseNoteUri,
      hyperVGeneration: p.hyperVGeneration,
      architecture: p.architecture,
      osType: p.osType,
      osState: p.osState,
      endOfLifeDate: p.endOfLifeDate,
      identifier: { ...p.identifier },
      recommended: p.recommended,
      disallowed: p.disallowed,
      purchasePlan: p.purchasePlan,
      features: p.features?.map((f) => ({ ...f })),
      provisioningState: image.provisioningState,
    }),
  });
}

/**
 * PUT an image definition: 404 `ParentResourceNotFound` without its gallery; RP bucket
 * CreateUpdateGalleryImage; name rule; osType, osState and identifier required; `x64` and `V1`
 * defaulted; identity properties immutable. 201 `Creating` / 200 `Updating`.
 */
export function writeImage(ctx: ArmContext, body: JsonObject): SimResponse {
  const gallery = requireParentGallery(ctx);
  const location = requireLocation(body, "Microsoft.Compute/galleries/images");
  ctx.enterCompute("CreateUpdateGalleryImage");
  const name = param(ctx, "image");
  checkImageName(name);
  const existing = findImage(ctx);
  const properties = readImageProperties(readProperties(body));
  if (existing) checkImmutable(existing.properties, properties);
  else checkIdentifierUnique(ctx.core.store.images.childrenOf(gallery.id), properties.identifier);
  const id = existing?.id ?? imageId(gallery.subscriptionId, gallery.resourceGroup, gallery.name, name);
  const image: ImageRecord = {
    id,
    subscriptionId: gallery.subscriptionId,
    resourceGroup: gallery.resourceGroup,
    gallery: gallery.name,
    name: existing?.name ?? name,
    location,
    tags: readTags(body),
    properties,
    provisioningState: existing ? "Updating" : "Creating",
  };
  const durations = ctx.core.options.durations;
  const operation = startOperation(ctx, {
    kind: "put",
    resource: "image",
    target: id,
    location,
    subscriptionId: gallery.subscriptionId,
    dueAt: ctx.now + (existing ? durations.imageUpdate : durations.imageCreate),
  });
  image.operationId = operation.id;
  ctx.core.store.images.put(image);
  return putAccepted(ctx, existing ? 200 : 201, imageBody(image), operation);
}

export const putImage: ArmHandler = (ctx) => writeImage(ctx, ctx.body());

export const getImage: ArmHandler = (ctx) => {
  const image = requireImage(ctx);
  ctx.enterCompute("GetGalleryImage");
  return computeResponse(200, imageBody(image));
};

export const listImages: ArmHandler = (ctx) => {
  const gallery = requireParentGallery(ctx);
  ctx.enterCompute("ListGalleryImagesInGallery");
  return computeResponse(200, listPage(ctx, ctx.core.store.images.childrenOf(gallery.id).map(imageBody)));
};

/** DELETE an image definition: 204 if absent, 409 `CannotDeleteResource` while it has versions. */
export const deleteImage: ArmHandler = (ctx) => {
  const image = findImage(ctx);
  if (!image) return emptyResponse(204);
  const versions = ctx.core.store.versions.childrenOf(image.id);
  if (versions.length > 0) {
    throw cannotDeleteResource(
      versions.map(
        (v) => `Microsoft.Compute/galleries/${image.gallery}/images/${image.name}/versions/${v.name}`,
      ),
    );
  }
  ctx.enterCompute("DeleteGalleryImage");
  const operation = startOperation(ctx, {
    kind: "delete",
    resource: "image",
    target: image.id,
    location: image.location,
    subscriptionId: image.subscriptionId,
    dueAt: ctx.now + ctx.core.options.durations.imageDelete,
  });
  image.provisioningState = "Deleting";
  image.operationId = operation.id;
  return asyncAccepted(ctx, operation);
};
