// The records the simulator keeps. They are plain JSON-friendly objects (no Maps, no class
// instances) so the whole state can be persisted and returned by `GET /_sim/state` as is.
// Times are virtual-clock milliseconds since the epoch.

export type ProvisioningState = "Creating" | "Updating" | "Succeeded" | "Failed" | "Deleting";
export type Permissions = "Private" | "Groups" | "Community";
export type GroupType = "Subscriptions" | "AADTenants";

export interface SubscriptionRecord {
  id: string;
  tenantId: string;
  /** true when fixtures named its tenant; false when it was adopted by its first caller. */
  declared: boolean;
}

/**
 * A tenant's directory (Entra ID) as far as role assignments need it: the object ids of its
 * users, groups and service principals. Only tenants that fixtures gave principals have one.
 */
export interface DirectoryRecord {
  tenantId: string;
  principals: string[];
}

export interface ResourceGroupRecord {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

export interface SharingGroup {
  type: GroupType;
  ids: string[];
}

export interface CommunityInfo {
  enabled: boolean;
  publisherUri?: string;
  publisherContact?: string;
  eula?: string;
  publicNamePrefix?: string;
  publicNames: string[];
}

export interface SharingState {
  permissions: Permissions;
  groups: SharingGroup[];
  community?: CommunityInfo;
}

export interface GalleryRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** Absent when the PUT carried no `tags` (then none are echoed, as in the 2025 recording). */
  tags?: Record<string, string>;
  description?: string;
  /** Absent until a PUT sends a sharingProfile; no `sharingProfile` key is rendered then. */
  sharing?: SharingState;
  softDelete?: { isSoftDeleteEnabled: boolean };
  provisioningState: ProvisioningState;
  /** The latest operation started on it; only that one may settle its provisioningState. */
  operationId?: string;
}

/** Image definition properties, already defaulted; rendered in the RP's field order. */
export interface ImageProperties {
  description?: string;
  eula?: string;
  privacyStatementUri?: string;
  releaseNoteUri?: string;
  hyperVGeneration: string;
  architecture: string;
  osType: string;
  osState: string;
  endOfLifeDate?: string;
  identifier: { publisher: string; offer: string; sku: string };
  recommended?: Record<string, unknown>;
  disallowed?: Record<string, unknown>;
  purchasePlan?: Record<string, unknown>;
  features?: { name: string; value: string }[];
}

export interface ImageRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  gallery: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  properties: ImageProperties;
  provisioningState: ProvisioningState;
  operationId?: string;
}

export interface TargetRegionRecord {
  /** Normalized short name ("eastus2"); rendered as the display name. */
  name: string;
  regionalReplicaCount: number;
  storageAccountType: string;
  encryption?: Record<string, unknown>;
  excludeFromLatest?: boolean;
}

export interface RegionReplication {
  region: string;
  startAt: number;
  durationMs: number;
  /** When an injected failure stops this region (progress freezes there). */
  failAt?: number;
  failCode?: string;
  failDetails?: string;
}

/** Seeded sources (managed images, VMs, snapshots, disks), or another gallery image version. */
export type SourceKind = "images" | "virtualMachines" | "snapshots" | "disks" | "galleryImageVersions";

/** Where the version's request named its source, which decides how the response spells it. */
export type SourceField = "source.id" | "source.virtualMachineId" | "osDiskImage.source.id";

export interface VersionRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  gallery: string;
  image: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  publishing: {
    targetRegions: TargetRegionRecord[];
    replicaCount: number;
    excludeFromLatest: boolean;
    publishedDate: number;
    endOfLifeDate?: string;
    storageAccountType: string;
    replicationMode?: string;
  };
  source: { id: string; kind: SourceKind; field: SourceField };
  /** Region of the source when the version was created (it must stay a target region). */
  sourceRegion: string;
  /** Disk layout copied from the source, reported once the version has succeeded. */
  disks: SourceDisks;
  safety: { allowDeletionOfReplicatedLocations: boolean };
  provisioningState: ProvisioningState;
  /** Disk images appear in the body only once the version has succeeded (docs/arm-behaviour.md#image-version). */
  materialized: boolean;
  replication: RegionReplication[];
  operationId?: string;
}

export interface SourceDisks {
  osDiskSizeGB: number;
  osDiskHostCaching: string;
  dataDisks: { lun: number; sizeGB: number; hostCaching: string }[];
}

/** A managed image, VM, snapshot or disk that tests seed as a version source. */
export interface SourceRecord extends SourceDisks {
  id: string;
  kind: SourceKind;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
}

export interface RoleAssignmentRecord {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  description?: string;
  condition?: string;
  conditionVersion?: string;
  createdOn: number;
  updatedOn: number;
  createdBy: string | null;
  updatedBy: string | null;
}

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";
export type OperationKind = "put" | "delete" | "share";
export type ResourceKind = "gallery" | "image" | "version";

export interface ShareChange {
  operationType: "Add" | "Remove" | "Reset" | "EnableCommunity";
  groups: SharingGroup[];
}

export interface OperationRecord {
  /** The GUID in the capsOperations URL and the `name` of its status body. */
  id: string;
  subscriptionId: string;
  /** The RP's spelling ("westus", "CentralUSEUAP"). */
  location: string;
  apiVersion: string;
  kind: OperationKind;
  resource: ResourceKind;
  /** ARM id of the resource the operation works on. */
  target: string;
  startAt: number;
  dueAt: number;
  endAt?: number;
  status: OperationStatus;
  error?: { code: string; message: string };
  share?: ShareChange;
}
