// The image version resource as the Compute RP renders it (docs/arm-behaviour.md#image-version): display-name regions,
// defaults filled in, disk images only once the version has succeeded, `replicationMode` only
// when it was sent, `replicationStatus` only with `$expand=ReplicationStatus`.
import { formatArmTime } from "../clock.js";
import { replicationStatus } from "../engine/replication.js";
import { defined } from "../json.js";
import { regionDisplayName } from "../regions.js";
import type { TargetRegionRecord, VersionRecord } from "../state/model.js";

function encryptionBody(encryption: Record<string, unknown>): Record<string, unknown> {
  const osDisk = encryption.osDiskImage;
  if (typeof osDisk !== "object" || osDisk === null || Array.isArray(osDisk)) return { ...encryption };
  // The RP adds an empty securityProfile to the OS disk encryption (E2E #82).
  return { ...encryption, osDiskImage: { securityProfile: {}, ...osDisk } };
}

function targetRegionBody(target: TargetRegionRecord): Record<string, unknown> {
  return defined({
    name: regionDisplayName(target.name),
    regionalReplicaCount: target.regionalReplicaCount,
    storageAccountType: target.storageAccountType,
    encryption: target.encryption ? encryptionBody(target.encryption) : undefined,
    excludeFromLatest: target.excludeFromLatest,
  });
}

function storageProfileBody(version: VersionRecord): Record<string, unknown> {
  const { source, disks, materialized } = version;
  const dataDiskImages = disks.dataDisks.map((d) => ({
    lun: d.lun,
    sizeInGB: d.sizeGB,
    hostCaching: d.hostCaching,
  }));
  if (source.field === "osDiskImage.source.id") {
    return defined({
      osDiskImage: materialized
        ? { sizeInGB: disks.osDiskSizeGB, hostCaching: disks.osDiskHostCaching, source: { id: source.id } }
        : { hostCaching: disks.osDiskHostCaching, source: { id: source.id } },
      dataDiskImages: materialized && dataDiskImages.length > 0 ? dataDiskImages : undefined,
    });
  }
  const sourceBody =
    source.field === "source.virtualMachineId" ? { virtualMachineId: source.id } : { id: source.id };
  return defined({
    source: sourceBody,
    osDiskImage: materialized
      ? { sizeInGB: disks.osDiskSizeGB, hostCaching: disks.osDiskHostCaching, source: {} }
      : undefined,
    dataDiskImages: materialized && dataDiskImages.length > 0 ? dataDiskImages : undefined,
  });
}

export function versionBody(
  version: VersionRecord,
  now: number,
  withReplicationStatus: boolean,
): Record<string, unknown> {
  const p = version.publishing;
  return defined({
    name: version.name,
    id: version.id,
    type: "Microsoft.Compute/galleries/images/versions",
    location: version.location,
    tags: version.tags,
    properties: defined({
      publishingProfile: defined({
        targetRegions: p.targetRegions.map(targetRegionBody),
        replicaCount: p.replicaCount,
        excludeFromLatest: p.excludeFromLatest,
        publishedDate: formatArmTime(p.publishedDate),
        endOfLifeDate: p.endOfLifeDate,
        storageAccountType: p.storageAccountType,
        replicationMode: p.replicationMode,
      }),
      storageProfile: storageProfileBody(version),
      safetyProfile: {
        reportedForPolicyViolation: false,
        allowDeletionOfReplicatedLocations: version.safety.allowDeletionOfReplicatedLocations,
      },
      provisioningState: version.provisioningState,
      replicationStatus: withReplicationStatus ? replicationStatus(version, now) : undefined,
    }),
  });
}
