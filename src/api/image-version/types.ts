// ImageVersion: one version of an image (Microsoft.Compute/galleries/images/versions).
import type {
  CommonStatus,
  ConfigMapDestination,
  CustomResource,
  DeletionPolicy,
  LocalObjectReference,
  OperatorSpec,
} from "../resource.js";

export type StorageAccountType = "Standard_LRS" | "Standard_ZRS" | "Premium_LRS";
export type ReplicationMode = "Full" | "Shallow";

/** Where the image comes from: exactly one of the ids is set. */
export interface ImageVersionSource {
  managedImageId?: string;
  virtualMachineId?: string;
  /** A snapshot of an OS disk. */
  snapshotId?: string;
  /** A managed OS disk. */
  diskId?: string;
}

export interface OsDiskEncryption {
  diskEncryptionSetId: string;
}

export interface DataDiskEncryption {
  lun: number;
  diskEncryptionSetId: string;
}

export interface TargetRegionEncryption {
  osDiskImage?: OsDiskEncryption;
  dataDiskImages?: DataDiskEncryption[];
}

export interface TargetRegion {
  /** Programmatic region name, e.g. westcentralus. */
  name: string;
  /** Absent: spec.replicaCount. */
  regionalReplicaCount?: number;
  /** Defaulted to Standard_LRS by the API server. */
  storageAccountType: StorageAccountType;
  encryption?: TargetRegionEncryption;
}

/** What an ImageVersion can export to ConfigMaps. */
export interface ImageVersionExports {
  id?: ConfigMapDestination;
}

export interface ImageVersionSpec {
  imageDefinitionRef: LocalObjectReference;
  /** `Major.Minor.Patch`: the version's name in Azure. Use `parseVersion()` for its parts. */
  version: string;
  source: ImageVersionSource;
  targetRegions: TargetRegion[];
  /** Defaulted to 1. */
  replicaCount: number;
  /** Defaulted to false. */
  excludeFromLatest: boolean;
  endOfLifeDate?: string;
  /** Absent: Azure's default (Full); sent to Azure only when set. */
  replicationMode?: ReplicationMode;
  deletionPolicy: DeletionPolicy;
  operatorSpec?: OperatorSpec<ImageVersionExports>;
}

/** Replication in one region, as `$expand=ReplicationStatus` reports it. */
export interface RegionReplication {
  /** The region as Azure names it in the status (display name, e.g. "West Central US"). */
  region: string;
  /** Unknown, Replicating, Completed or Failed. */
  state?: string;
  /** Percent, 0 to 100. */
  progress?: number;
  details?: string;
}

export interface ReplicationStatus {
  /** Unknown, InProgress, Completed or Failed. */
  aggregatedState?: string;
  /** Percent over all regions, 0 to 100. */
  progress?: number;
  regions?: RegionReplication[];
}

export interface ImageVersionStatus extends CommonStatus {
  replication?: ReplicationStatus;
  /** RFC 3339: when Azure published the version. */
  publishedDate?: string;
}

export type ImageVersion = CustomResource<"ImageVersion", ImageVersionSpec, ImageVersionStatus>;
