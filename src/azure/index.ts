// ARM plumbing for the operator: credentials, clients, error classification, rate limits,
// long-running operations, ids, and one small facade per resource. Imports nothing from kube/.
import type { ArmClients } from "./clients.js";
import { GalleryApi } from "./galleries.js";
import { ImageDefinitionApi } from "./images.js";
import { type ChildReads, ListSnapshots } from "./list-snapshot.js";
import { RoleAssignmentApi } from "./role-assignments.js";
import { ImageVersionApi } from "./versions.js";

export * from "./budget.js";
export * from "./call.js";
export * from "./clients.js";
export * from "./credentials.js";
export * from "./errors.js";
export * from "./galleries.js";
export * from "./ids.js";
export * from "./images.js";
export * from "./list-snapshot.js";
export * from "./lro.js";
export * from "./ratelimit.js";
export * from "./ratelimit-headers.js";
export * from "./retry-after.js";
export * from "./role-assignments.js";
export * from "./secret.js";
export * from "./tls.js";
export * from "./versions.js";

/** The four resource facades over one identity's clients. */
export interface ArmApi {
  galleries: GalleryApi;
  images: ImageDefinitionApi;
  versions: ImageVersionApi;
  roleAssignments: RoleAssignmentApi;
  /**
   * The same facades for a resync: a read may come from the parent's list made within the last
   * `listMaxAgeMs` (list-snapshot.ts); writes are the same. Reads made for a change use this
   * object itself, never this view. Without `listMaxAgeMs` the view reads as this one does.
   */
  resync(): ArmApi;
}

export interface ArmApiOptions {
  /** How long a parent's list answers resync reads (the resync period); unset or 0: never. */
  listMaxAgeMs?: number;
}

/** Example: `createArmApi(factory.clientsFor(credential)).galleries.get(ref)`. */
export function createArmApi(clients: ArmClients, options: ArmApiOptions = {}): ArmApi {
  const snapshots = options.listMaxAgeMs ? new ListSnapshots({ maxAgeMs: options.listMaxAgeMs }) : undefined;
  const facades = (reads: ChildReads) => ({
    galleries: new GalleryApi(clients, reads),
    images: new ImageDefinitionApi(clients, reads),
    versions: new ImageVersionApi(clients, reads),
    roleAssignments: new RoleAssignmentApi(clients),
  });
  const api: ArmApi = { ...facades({ snapshots, listed: false }), resync: () => resyncView };
  const resyncView: ArmApi = snapshots
    ? { ...facades({ snapshots, listed: true }), resync: () => resyncView }
    : api;
  return api;
}
