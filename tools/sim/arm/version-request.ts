// Reading and checking the body of an image version PUT (docs/arm-behaviour.md#image-version, #version-sources).
import { ArmError, invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../json.js";
import { isKnownRegion, normalizeRegion, regionDisplayName } from "../regions.js";
import type { SourceField, TargetRegionRecord } from "../state/model.js";
import { optionalString, readProperties } from "./request-body.js";

const PREFIX = "galleryImageVersion.properties";

export interface RequestedSource {
  id: string;
  field: SourceField;
}

export interface VersionRequest {
  /** Undefined when the body names no target regions (the version's region is then used). */
  targetRegions?: TargetRegionRecord[];
  replicaCount: number;
  excludeFromLatest: boolean;
  endOfLifeDate?: string;
  storageAccountType: string;
  replicationMode?: string;
  /** Undefined when the body's storageProfile names no source (allowed on update only). */
  source?: RequestedSource;
  allowDeletionOfReplicatedLocations: boolean;
}

/** The exact error of DIFF #40 (`"storageProfile": {}`), also used for a body without one. */
export function sourceRequired(): ArmError {
  return invalidParameter(
    "The gallery artifact version source can only be specified either directly under storageProfile or within individual OS or data disks. One and only one source type (user image, snapshot, disk, virtual machine) can be provided.",
    "galleryImageVersion.properties.storageProfile.source.id",
  );
}

function sourceCandidates(storageProfile: JsonObject): RequestedSource[] {
  const found: RequestedSource[] = [];
  const source = isObject(storageProfile.source) ? storageProfile.source : {};
  if (typeof source.id === "string" && source.id) found.push({ id: source.id, field: "source.id" });
  if (typeof source.virtualMachineId === "string" && source.virtualMachineId) {
    found.push({ id: source.virtualMachineId, field: "source.virtualMachineId" });
  }
  const osDisk = isObject(storageProfile.osDiskImage) ? storageProfile.osDiskImage : {};
  const osSource = isObject(osDisk.source) ? osDisk.source : {};
  if (typeof osSource.id === "string" && osSource.id)
    found.push({ id: osSource.id, field: "osDiskImage.source.id" });
  return found;
}

/** The source a body names, without judging it (the gateway's linked-access check needs it
 * before the RP validates anything). */
export function requestedSourceId(body: JsonObject): string | undefined {
  const storageProfile = readProperties(body).storageProfile;
  return isObject(storageProfile) ? sourceCandidates(storageProfile)[0]?.id : undefined;
}

/**
 * The one source the storageProfile names, or undefined when it names none. An update may name
 * none (`az sig image-version update` sends only host caching and luns; ARM keeps the stored
 * source); a create without one is refused by the caller. Two sources are always refused.
 */
function readSource(properties: JsonObject): RequestedSource | undefined {
  const storageProfile = properties.storageProfile;
  const candidates = isObject(storageProfile) ? sourceCandidates(storageProfile) : [];
  if (candidates.length > 1) throw sourceRequired();
  return candidates[0];
}

function positiveInteger(value: unknown, fallback: number, path: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw invalidParameter(
      `The value of parameter '${PREFIX}.${path}' must be a positive integer.`,
      `${PREFIX}.${path}`,
    );
  }
  return value;
}

function readTargetRegions(
  raw: unknown,
  replicaCount: number,
  storageAccountType: string,
): TargetRegionRecord[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const path = `${PREFIX}.publishingProfile.targetRegions`;
  if (!Array.isArray(raw) || raw.length === 0)
    throw invalidParameter(`'${path}' must list at least one region.`, path);
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    const name = isObject(entry) && typeof entry.name === "string" ? entry.name : "";
    if (!isKnownRegion(name)) {
      throw invalidParameter(
        `The region '${name}' of '${path}[${index}]' is not a valid Azure region.`,
        `${path}[${index}].name`,
      );
    }
    const region = normalizeRegion(name);
    if (seen.has(region)) {
      throw invalidParameter("Duplicate regions are not allowed in target publishing regions.", path);
    }
    seen.add(region);
    const target = entry as JsonObject;
    const record: TargetRegionRecord = {
      name: region,
      regionalReplicaCount: positiveInteger(
        target.regionalReplicaCount,
        replicaCount,
        `publishingProfile.targetRegions[${index}].regionalReplicaCount`,
      ),
      storageAccountType: optionalString(target.storageAccountType) ?? storageAccountType,
    };
    if (isObject(target.encryption)) record.encryption = { ...target.encryption };
    if (typeof target.excludeFromLatest === "boolean") record.excludeFromLatest = target.excludeFromLatest;
    return record;
  });
}

/** Parses the PUT body; throws 400 `InvalidParameter` for malformed parts. */
export function readVersionRequest(body: JsonObject): VersionRequest {
  const properties = readProperties(body);
  const publishing = isObject(properties.publishingProfile) ? properties.publishingProfile : {};
  const safety = isObject(properties.safetyProfile) ? properties.safetyProfile : {};
  const replicaCount = positiveInteger(publishing.replicaCount, 1, "publishingProfile.replicaCount");
  const storageAccountType = optionalString(publishing.storageAccountType) ?? "Standard_LRS";
  const replicationMode = optionalString(publishing.replicationMode);
  if (replicationMode !== undefined && !["Full", "Shallow"].includes(replicationMode)) {
    throw invalidParameter(
      `The value '${replicationMode}' of parameter '${PREFIX}.publishingProfile.replicationMode' is invalid. Allowed values are 'Full', 'Shallow'.`,
      `${PREFIX}.publishingProfile.replicationMode`,
    );
  }
  return {
    targetRegions: readTargetRegions(publishing.targetRegions, replicaCount, storageAccountType),
    replicaCount,
    excludeFromLatest: publishing.excludeFromLatest === true,
    endOfLifeDate: optionalString(publishing.endOfLifeDate),
    storageAccountType,
    replicationMode,
    source: readSource(properties),
    allowDeletionOfReplicatedLocations: safety.allowDeletionOfReplicatedLocations === true,
  };
}

/** The source region must be one of the target regions (docs/arm-behaviour.md#version-sources). */
export function checkSourceRegionTargeted(sourceRegion: string, targets: TargetRegionRecord[]): void {
  if (targets.some((target) => target.name === normalizeRegion(sourceRegion))) return;
  throw invalidParameter(
    `Gallery image version publishing profile regions '${targets.map((t) => regionDisplayName(t.name)).join(", ")}' must contain the location of the image version source '${regionDisplayName(sourceRegion)}'.`,
    `${PREFIX}.publishingProfile.targetRegions`,
  );
}

export function sourceChangeNotAllowed(): ArmError {
  return new ArmError(
    409,
    "PropertyChangeNotAllowed",
    `Changing property '${PREFIX}.storageProfile.source.id' is not allowed.`,
    {
      origin: "compute",
      target: `${PREFIX}.storageProfile.source.id`,
    },
  );
}
