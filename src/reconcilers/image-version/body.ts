// ImageVersion spec → the ARM body to PUT, and the comparison that decides whether a PUT is
// needed. Pure functions: the reconciler's decisions are unit-tested here without Kubernetes or ARM.
import type {
  TargetRegion as ArmTargetRegion,
  EncryptionImages,
  GalleryImageVersion,
  GalleryImageVersionStorageProfile,
} from "@azure/arm-compute";
import type {
  ImageVersionSource,
  ImageVersionSpec,
  TargetRegion,
  TargetRegionEncryption,
} from "../../api/index.js";
import { sameArmId } from "../../azure/index.js";
import { regionKey, sameInstant } from "../driver/image-compare.js";
import { type Tags, tagsToPut } from "../driver/tags.js";

/** The ARM id of whatever the version is made from (the CRD guarantees exactly one is set). */
export function sourceIdOf(source: ImageVersionSource): string {
  return source.managedImageId ?? source.virtualMachineId ?? source.snapshotId ?? source.diskId ?? "";
}

/**
 * The full body a PUT sends, for a create and for every update alike (docs/arm-behaviour.md#image-version).
 *
 * Guarantees: every region carries its replica count explicitly (its own, or `replicaCount`), so
 * what ARM stores is exactly what `versionDifferences` compares; `replicationMode` and
 * `endOfLifeDate` only when set. The source goes where ARM takes it: a managed image under
 * `storageProfile.source.id`, a VM under `storageProfile.source.virtualMachineId`, a snapshot or
 * disk under `storageProfile.osDiskImage.source.id`.
 */
export function desiredVersionBody(
  spec: ImageVersionSpec,
  location: string,
  actualTags?: Tags,
): GalleryImageVersion {
  return {
    location,
    // The spec names no tags: an update keeps those Azure has (added outside the operator).
    tags: { ...tagsToPut(undefined, actualTags, []) },
    publishingProfile: {
      targetRegions: spec.targetRegions.map((r) => targetRegionBody(r, spec.replicaCount)),
      replicaCount: spec.replicaCount,
      excludeFromLatest: spec.excludeFromLatest,
      ...(spec.endOfLifeDate !== undefined ? { endOfLifeDate: new Date(spec.endOfLifeDate) } : {}),
      ...(spec.replicationMode !== undefined ? { replicationMode: spec.replicationMode } : {}),
    },
    storageProfile: storageProfileOf(spec.source),
  };
}

/**
 * What differs between the spec and Azure, as short phrases for events; empty when in sync.
 * Regions are matched by programmatic name (ARM answers with display names).
 */
export function versionDifferences(spec: ImageVersionSpec, actual: GalleryImageVersion): string[] {
  const profile = actual.publishingProfile ?? {};
  const diffs: string[] = [];
  const have = new Map((profile.targetRegions ?? []).map((r) => [regionKey(r.name), r]));
  for (const want of spec.targetRegions) {
    const region = have.get(regionKey(want.name));
    if (!region) {
      diffs.push(`add region ${want.name}`);
      continue;
    }
    const replicas = want.regionalReplicaCount ?? spec.replicaCount;
    const actualReplicas = region.regionalReplicaCount ?? profile.replicaCount ?? 1;
    if (replicas !== actualReplicas) diffs.push(`${want.name} replicas ${actualReplicas} → ${replicas}`);
    const storage = region.storageAccountType ?? profile.storageAccountType ?? "Standard_LRS";
    if (want.storageAccountType !== storage)
      diffs.push(`${want.name} storage ${storage} → ${want.storageAccountType}`);
    if (!sameEncryption(want.encryption, region.encryption)) diffs.push(`${want.name} encryption`);
  }
  const wanted = new Set(spec.targetRegions.map((r) => regionKey(r.name)));
  for (const key of have.keys()) if (!wanted.has(key)) diffs.push(`remove region ${key}`);
  if (spec.replicaCount !== (profile.replicaCount ?? 1))
    diffs.push(`replicaCount ${profile.replicaCount ?? 1} → ${spec.replicaCount}`);
  if (spec.excludeFromLatest !== (profile.excludeFromLatest ?? false))
    diffs.push(`excludeFromLatest → ${spec.excludeFromLatest}`);
  if (!sameInstant(spec.endOfLifeDate, profile.endOfLifeDate)) diffs.push("endOfLifeDate");
  // Absent in Azure means Full (ARM echoes the mode only when it was sent, §8.2).
  if (spec.replicationMode !== undefined && spec.replicationMode !== (profile.replicationMode ?? "Full")) {
    diffs.push(`replicationMode → ${spec.replicationMode}`);
  }
  return diffs;
}

function targetRegionBody(region: TargetRegion, replicaCount: number): ArmTargetRegion {
  return {
    name: region.name,
    regionalReplicaCount: region.regionalReplicaCount ?? replicaCount,
    storageAccountType: region.storageAccountType,
    ...(region.encryption ? { encryption: structuredClone(region.encryption) } : {}),
  };
}

function storageProfileOf(source: ImageVersionSource): GalleryImageVersionStorageProfile {
  if (source.managedImageId) return { source: { id: source.managedImageId } };
  if (source.virtualMachineId) return { source: { virtualMachineId: source.virtualMachineId } };
  return { osDiskImage: { source: { id: source.snapshotId ?? source.diskId } } };
}

// Disk encryption sets per disk: the OS disk's, and each data disk's by LUN.
function sameEncryption(
  want: TargetRegionEncryption | undefined,
  have: EncryptionImages | undefined,
): boolean {
  const keys = (e: TargetRegionEncryption | EncryptionImages | undefined) => {
    const sets = new Map<string, string>();
    if (e?.osDiskImage?.diskEncryptionSetId) sets.set("os", e.osDiskImage.diskEncryptionSetId);
    for (const d of e?.dataDiskImages ?? [])
      if (d.diskEncryptionSetId) sets.set(`lun${d.lun}`, d.diskEncryptionSetId);
    return sets;
  };
  const a = keys(want);
  const b = keys(have);
  return a.size === b.size && [...a].every(([disk, id]) => b.has(disk) && sameArmId(id, b.get(disk) ?? ""));
}
