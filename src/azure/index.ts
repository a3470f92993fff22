// ARM plumbing for the operator: credentials, clients, error classification, rate limits,
// long-running operations, ids, and one small facade per resource. Imports nothing from kube/.
import type { ArmClients } from "./clients.js";
import type { ArmError } from "./errors.js";
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
   * Whether a `method` write of the resource `id` would be held back by the operator's own rate
   * budget now, asked before anything is sent: undefined (send it), or the Throttled error the
   * write would fail with, its turn taken. A caller skips the work it would do for a write that
   * cannot leave (the driver's intent).
   */
  heldBack(method: "PUT" | "DELETE", id: string): ArmError | undefined;
  /**
   * The same facades for a resync: a read may come from the parent's list made within the last
   * `listMaxAgeMs` (list-snapshot.ts); writes are the same. Reads made for a change use this
   * object itself, never this view. Without `listMaxAgeMs` the view reads as this one does.
   */
  resync(): ArmApi;
  /**
   * The same facades (this view's reads) with every request carrying `signal`: once it aborts, a
   * request on the wire is cut, one waiting (rate limit, retry backoff) never leaves, and none
   * starts. The driver hands each reconcile this view on its own signal, which a lost lease aborts.
   */
  abortingOn(signal: AbortSignal): ArmApi;
}

export interface ArmApiOptions {
  /** How long a parent's list answers resync reads (the resync period); unset or 0: never. */
  listMaxAgeMs?: number;
}

/** Example: `createArmApi(factory.clientsFor(credential)).galleries.get(ref)`. */
export function createArmApi(clients: ArmClients, options: ArmApiOptions = {}): ArmApi {
  const snapshots = options.listMaxAgeMs ? new ListSnapshots({ maxAgeMs: options.listMaxAgeMs }) : undefined;
  const facades = (reads: ChildReads, signal: AbortSignal | undefined) => ({
    galleries: new GalleryApi(clients, reads, signal),
    images: new ImageDefinitionApi(clients, reads, signal),
    versions: new ImageVersionApi(clients, reads, signal),
    roleAssignments: new RoleAssignmentApi(clients, signal),
  });
  // Views share the snapshots: a signal changes how requests end, not what reads answer.
  const views = (signal: AbortSignal | undefined): ArmApi => {
    const api: ArmApi = {
      ...facades({ snapshots, listed: false }, signal),
      heldBack: clients.heldBack,
      resync: () => resyncView,
      abortingOn: (next) => views(next),
    };
    const resyncView: ArmApi = snapshots
      ? {
          ...facades({ snapshots, listed: true }, signal),
          heldBack: clients.heldBack,
          resync: () => resyncView,
          abortingOn: (next) => views(next).resync(),
        }
      : api;
    return api;
  };
  return views(undefined);
}
