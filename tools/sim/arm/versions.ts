// Image version routes: PUT (create, update, add regions), GET (with `$expand=ReplicationStatus`),
// list in a definition, DELETE.
import type { SimulatorCore } from "../core.js";
import { isReplicating, replicationDueAt } from "../engine/replication.js";
import { ArmError, operationNotAllowed } from "../errors.js";
import { computeResponse, emptyResponse, type SimResponse } from "../http/response.js";
import type { JsonObject } from "../json.js";
import { normalizeRegion } from "../regions.js";
import type {
  GalleryRecord,
  RegionReplication,
  SourceRecord,
  TargetRegionRecord,
  VersionRecord,
} from "../state/model.js";
import { type ArmContext, type ArmHandler, param, queryValue } from "./context.js";
import { idKey, subscriptionOf, versionId } from "./ids.js";
import { asyncAccepted, putAccepted, startOperation } from "./long-running.js";
import { findVersion, requireParentGallery, requireParentImage, requireVersion } from "./lookups.js";
import { checkVersionName } from "./names.js";
import { listPage } from "./paging.js";
import { readTags, requireLocation } from "./request-body.js";
import { requireLinkedAccess } from "./tenancy.js";
import { versionBody } from "./version-body.js";
import {
  checkSourceRegionTargeted,
  type RequestedSource,
  readVersionRequest,
  requestedSourceId,
  sourceChangeNotAllowed,
  sourceRequired,
  type VersionRequest,
} from "./version-request.js";

const WRITE_ACTION = "Microsoft.Compute/galleries/images/versions/write";

/** Starts replication to one region, failing part-way if a replication fault is armed for it. */
export function startRegion(
  core: SimulatorCore,
  id: string,
  region: string,
  now: number,
  durationMs: number,
): RegionReplication {
  const replication: RegionReplication = { region, startAt: now, durationMs };
  const fault = core.faults.takeReplication(id, region);
  if (fault) {
    replication.failAt = now + (durationMs * fault.atProgress) / 100;
    replication.failCode = fault.code;
    replication.failDetails = fault.details;
  }
  return replication;
}

/**
 * Another gallery image version named as a source, seen as a source record: its region is the
 * version's own and its disks are the ones it was made with (docs/arm-behaviour.md#version-sources).
 */
function galleryVersionSource(ctx: ArmContext, id: string): SourceRecord | undefined {
  const version = ctx.core.store.versions.get(id);
  if (!version || version.provisioningState === "Deleting") return undefined;
  return {
    id: version.id,
    kind: "galleryImageVersions",
    subscriptionId: version.subscriptionId,
    resourceGroup: version.resourceGroup,
    location: version.location,
    ...version.disks,
  };
}

function requireSource(ctx: ArmContext, requested: RequestedSource): SourceRecord {
  const source = ctx.core.store.source(requested.id) ?? galleryVersionSource(ctx, requested.id);
  const kindFits =
    source &&
    (requested.field === "source.virtualMachineId"
      ? source.kind === "virtualMachines"
      : requested.field === "osDiskImage.source.id"
        ? source.kind === "snapshots" || source.kind === "disks"
        : true);
  if (!source || !kindFits) {
    throw new ArmError(
      404,
      "NotFound",
      `The source '${requested.id}' of the gallery image version was not found.`,
      {
        origin: "compute",
        target: `galleryImageVersion.properties.storageProfile.${requested.field}`,
      },
    );
  }
  return source;
}

function checkEncryptionAllowed(gallery: GalleryRecord, targets: TargetRegionRecord[]): void {
  if (gallery.sharing?.permissions === "Groups" && targets.some((target) => target.encryption)) {
    throw operationNotAllowed(
      `Gallery '${gallery.name}' is shared directly with subscriptions or tenants and cannot hold image versions encrypted with customer-managed keys.`,
    );
  }
}

/** A managed image can feed only one version at a time until that one has replicated (§12). */
function checkManagedImageFree(ctx: ArmContext, source: SourceRecord, id: string): void {
  if (source.kind !== "images") return;
  for (const operation of ctx.core.engine.running()) {
    if (operation.resource !== "version" || operation.kind !== "put" || idKey(operation.target) === idKey(id))
      continue;
    const other = ctx.core.store.versions.get(operation.target);
    if (other && idKey(other.source.id) === idKey(source.id) && isReplicating(other, ctx.now)) {
      throw operationNotAllowed(
        `Managed image '${source.id}' is the source of gallery image version '${other.id}', which is still replicating. A managed image can feed another image version only after that replication has completed.`,
      );
    }
  }
}

function createVersion(
  ctx: ArmContext,
  gallery: GalleryRecord,
  request: VersionRequest,
  location: string,
): VersionRecord {
  // Same answer as an empty storageProfile.
  if (!request.source) throw sourceRequired();
  const source = requireSource(ctx, request.source);
  const targets = request.targetRegions ?? [
    {
      name: normalizeRegion(location),
      regionalReplicaCount: request.replicaCount,
      storageAccountType: request.storageAccountType,
    },
  ];
  checkSourceRegionTargeted(source.location, targets);
  checkEncryptionAllowed(gallery, targets);
  const id = versionId(
    gallery.subscriptionId,
    gallery.resourceGroup,
    gallery.name,
    param(ctx, "image"),
    param(ctx, "version"),
  );
  checkManagedImageFree(ctx, source, id);
  const durations = ctx.core.options.durations;
  const duration =
    request.replicationMode === "Shallow"
      ? durations.versionShallowReplication
      : durations.versionFullReplication;
  return {
    id,
    subscriptionId: gallery.subscriptionId,
    resourceGroup: gallery.resourceGroup,
    gallery: gallery.name,
    image: param(ctx, "image"),
    name: param(ctx, "version"),
    location,
    publishing: {
      targetRegions: targets,
      replicaCount: request.replicaCount,
      excludeFromLatest: request.excludeFromLatest,
      publishedDate: ctx.now,
      endOfLifeDate: request.endOfLifeDate,
      storageAccountType: request.storageAccountType,
      replicationMode: request.replicationMode,
    },
    source: { id: request.source.id, kind: source.kind, field: request.source.field },
    sourceRegion: source.location,
    disks: {
      osDiskSizeGB: source.osDiskSizeGB,
      osDiskHostCaching: source.osDiskHostCaching,
      dataDisks: source.dataDisks,
    },
    safety: { allowDeletionOfReplicatedLocations: request.allowDeletionOfReplicatedLocations },
    provisioningState: "Creating",
    materialized: false,
    replication: targets.map((target) => startRegion(ctx.core, id, target.name, ctx.now, duration)),
  };
}

function updateVersion(
  ctx: ArmContext,
  gallery: GalleryRecord,
  existing: VersionRecord,
  request: VersionRequest,
  location: string,
): VersionRecord {
  if (request.source && idKey(request.source.id) !== idKey(existing.source.id))
    throw sourceChangeNotAllowed();
  const targets = request.targetRegions ?? existing.publishing.targetRegions;
  checkSourceRegionTargeted(existing.sourceRegion, targets);
  checkEncryptionAllowed(gallery, targets);
  const addRegion = ctx.core.options.durations.versionAddRegion;
  // Regions already replicated (or replicating) keep going; new and failed ones start over.
  const replication = targets.map((target) => {
    const current = existing.replication.find((r) => r.region === target.name);
    const failed = current?.failAt !== undefined && ctx.now >= current.failAt;
    return current && !failed ? current : startRegion(ctx.core, existing.id, target.name, ctx.now, addRegion);
  });
  return {
    ...existing,
    location,
    publishing: {
      ...existing.publishing,
      targetRegions: targets,
      replicaCount: request.replicaCount,
      excludeFromLatest: request.excludeFromLatest,
      endOfLifeDate: request.endOfLifeDate,
      storageAccountType: request.storageAccountType,
      replicationMode: request.replicationMode ?? existing.publishing.replicationMode,
    },
    safety: { allowDeletionOfReplicatedLocations: request.allowDeletionOfReplicatedLocations },
    provisioningState: "Updating",
    replication,
  };
}

/**
 * PUT an image version.
 *
 * Flow: 1. gateway: resource group, gallery and definition exist (`ParentResourceNotFound`),
 * `location` known, and a source in another tenant's subscription is covered by an auxiliary
 * token (`LinkedAuthorizationFailed`); 2. RP (bucket CreateUpdateGalleryImageVersion): version
 * name rule, exactly one source that exists, source region among the target regions, no
 * encryption in a directly shared gallery, a managed image not already feeding a replicating
 * version; 3. create (201 `Creating`, every region replicating) or update (200 `Updating`, only
 * new regions replicate); the operation ends when the last region finishes.
 */
export function writeVersion(ctx: ArmContext, body: JsonObject): SimResponse {
  const gallery = requireParentGallery(ctx);
  const image = requireParentImage(ctx);
  const location = requireLocation(body, "Microsoft.Compute/galleries/images/versions");
  const linked = requestedSourceId(body);
  const linkedSubscription = linked ? subscriptionOf(linked) : undefined;
  const id = versionId(
    gallery.subscriptionId,
    gallery.resourceGroup,
    gallery.name,
    image.name,
    param(ctx, "version"),
  );
  if (linkedSubscription) {
    requireLinkedAccess(ctx.core.store, ctx.caller, ctx.auxiliary, linkedSubscription, WRITE_ACTION, id);
  }
  ctx.enterCompute("CreateUpdateGalleryImageVersion");
  checkVersionName(param(ctx, "version"));
  const request = readVersionRequest(body);
  const existing = findVersion(ctx);
  const version = existing
    ? updateVersion(ctx, gallery, existing, request, location)
    : createVersion(ctx, gallery, request, location);
  version.tags = readTags(body);
  const minimum = ctx.now + (existing ? ctx.core.options.durations.versionUpdate : 0);
  const operation = startOperation(ctx, {
    kind: "put",
    resource: "version",
    target: version.id,
    location,
    subscriptionId: version.subscriptionId,
    dueAt: replicationDueAt(version, minimum),
  });
  version.operationId = operation.id;
  ctx.core.store.versions.put(version);
  return putAccepted(ctx, existing ? 200 : 201, versionBody(version, ctx.now, false), operation);
}

export const putVersion: ArmHandler = (ctx) => writeVersion(ctx, ctx.body());

export const getVersion: ArmHandler = (ctx) => {
  const version = requireVersion(ctx);
  ctx.enterCompute("GetGalleryImageVersion");
  const expand = queryValue(ctx, "$expand")?.toLowerCase();
  return computeResponse(200, versionBody(version, ctx.now, expand === "replicationstatus"));
};

export const listVersions: ArmHandler = (ctx) => {
  const image = requireParentImage(ctx);
  ctx.enterCompute("ListGalleryImageVersionsInGalleryImage");
  const value = ctx.core.store.versions
    .childrenOf(image.id)
    .map((version) => versionBody(version, ctx.now, false));
  return computeResponse(200, listPage(ctx, value));
};

/** DELETE an image version: 204 if absent; otherwise 202 and `Deleting` until it is gone. */
export const deleteVersion: ArmHandler = (ctx) => {
  const version = findVersion(ctx);
  if (!version) return emptyResponse(204);
  ctx.enterCompute("DeleteGalleryImageVersion");
  const operation = startOperation(ctx, {
    kind: "delete",
    resource: "version",
    target: version.id,
    location: version.location,
    subscriptionId: version.subscriptionId,
    dueAt: ctx.now + ctx.core.options.durations.versionDelete,
  });
  version.provisioningState = "Deleting";
  version.operationId = operation.id;
  return asyncAccepted(ctx, operation);
};
