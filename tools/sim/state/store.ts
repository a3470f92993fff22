// Everything the simulated Azure holds. Handlers read and write it directly; nothing here knows
// about HTTP. `snapshot()`/`restore()` turn it into plain JSON for persistence and `GET state`.
import { galleryId, idKey, imageId, resourceGroupId } from "../arm/ids.js";
import type {
  DirectoryRecord,
  GalleryRecord,
  ImageRecord,
  OperationRecord,
  ResourceGroupRecord,
  RoleAssignmentRecord,
  SourceRecord,
  SubscriptionRecord,
  VersionRecord,
} from "./model.js";
import { ResourceTable } from "./resource-table.js";

export interface StateSnapshot {
  format: 1;
  /** The virtual clock when the snapshot was taken (a manual clock resumes from it). */
  now: number;
  subscriptions: SubscriptionRecord[];
  /** Absent in snapshots written before directories existed. */
  directories?: DirectoryRecord[];
  resourceGroups: ResourceGroupRecord[];
  galleries: GalleryRecord[];
  images: ImageRecord[];
  versions: VersionRecord[];
  sources: SourceRecord[];
  roleAssignments: RoleAssignmentRecord[];
  operations: OperationRecord[];
}

export class Store {
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly directories = new Map<string, DirectoryRecord>();
  readonly resourceGroups = new ResourceTable<ResourceGroupRecord>(
    (rg) => `/subscriptions/${rg.subscriptionId}`,
  );
  readonly galleries = new ResourceTable<GalleryRecord>((g) =>
    resourceGroupId(g.subscriptionId, g.resourceGroup),
  );
  readonly images = new ResourceTable<ImageRecord>((i) =>
    galleryId(i.subscriptionId, i.resourceGroup, i.gallery),
  );
  readonly versions = new ResourceTable<VersionRecord>((v) =>
    imageId(v.subscriptionId, v.resourceGroup, v.gallery, v.image),
  );
  readonly sources = new Map<string, SourceRecord>();
  readonly roleAssignments = new Map<string, RoleAssignmentRecord>();
  readonly operations = new Map<string, OperationRecord>();

  subscription(id: string): SubscriptionRecord | undefined {
    return this.subscriptions.get(idKey(id));
  }

  putSubscription(record: SubscriptionRecord): void {
    this.subscriptions.set(idKey(record.id), record);
  }

  directory(tenantId: string): DirectoryRecord | undefined {
    return this.directories.get(idKey(tenantId));
  }

  /** Adds principals to a tenant's directory, creating the directory when it has none. */
  addPrincipals(tenantId: string, principals: readonly string[]): void {
    const directory = this.directory(tenantId) ?? { tenantId, principals: [] };
    const known = new Set(directory.principals.map(idKey));
    for (const principal of principals) {
      if (!known.has(idKey(principal))) directory.principals.push(principal);
      known.add(idKey(principal));
    }
    this.directories.set(idKey(tenantId), directory);
  }

  source(id: string): SourceRecord | undefined {
    return this.sources.get(idKey(id));
  }

  putSource(record: SourceRecord): void {
    this.sources.set(idKey(record.id), record);
  }

  /** All galleries of a subscription (gallery names are unique per subscription). */
  galleriesInSubscription(subscriptionId: string): GalleryRecord[] {
    return this.resourceGroups
      .childrenOf(`/subscriptions/${subscriptionId}`)
      .flatMap((rg) => this.galleries.childrenOf(rg.id));
  }

  clear(): void {
    this.subscriptions.clear();
    this.directories.clear();
    this.resourceGroups.clear();
    this.galleries.clear();
    this.images.clear();
    this.versions.clear();
    this.sources.clear();
    this.roleAssignments.clear();
    this.operations.clear();
  }

  snapshot(now: number): StateSnapshot {
    return {
      format: 1,
      now,
      subscriptions: [...this.subscriptions.values()],
      directories: [...this.directories.values()],
      resourceGroups: this.resourceGroups.all(),
      galleries: this.galleries.all(),
      images: this.images.all(),
      versions: this.versions.all(),
      sources: [...this.sources.values()],
      roleAssignments: [...this.roleAssignments.values()],
      operations: [...this.operations.values()],
    };
  }

  /** Replaces the whole state with a snapshot (records are taken over, not copied). */
  restore(snapshot: StateSnapshot): void {
    this.clear();
    for (const record of snapshot.subscriptions) this.putSubscription(record);
    for (const record of snapshot.directories ?? []) this.directories.set(idKey(record.tenantId), record);
    for (const record of snapshot.resourceGroups) this.resourceGroups.put(record);
    for (const record of snapshot.galleries) this.galleries.put(record);
    for (const record of snapshot.images) this.images.put(record);
    for (const record of snapshot.versions) this.versions.put(record);
    for (const record of snapshot.sources) this.putSource(record);
    for (const record of snapshot.roleAssignments) this.roleAssignments.set(idKey(record.id), record);
    for (const record of snapshot.operations) this.operations.set(record.id, record);
  }
}
