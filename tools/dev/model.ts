// What dev mode shows, independent of how it is drawn: one row per object of our kinds, the share
// operations Azure ran, and ARM call counts. Built by observe.ts, drawn by view/.
import type { KindName, ReplicationStatus } from "../../src/api/index.js";

export interface ObjectKey {
  kind: KindName;
  namespace: string;
  name: string;
}

export interface ReadyState {
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  /** The condition describes the object's current generation (not an older spec). */
  current: boolean;
}

export interface SharingSummary {
  subscriptions: number;
  tenants: number;
  community: boolean;
  roleAssignments: number;
}

export interface ObjectRow extends ObjectKey {
  /** False for an applied object not (or no longer) in the cluster. */
  found: boolean;
  /** Absent until the operator wrote a Ready condition. */
  ready?: ReadyState;
  deleting: boolean;
  /** ImageVersion only. */
  replication?: ReplicationStatus;
  /** GallerySharing only: what Azure reports shared. */
  sharing?: SharingSummary;
  /** PUT/POST/DELETE calls the simulator saw for this object's Azure resource. */
  armWrites: number;
}

/** One share action on a gallery (`POST …/share`) or a role assignment on one, as Azure saw it. */
export interface ShareActivity {
  /** When Azure accepted it, in ms since dev mode started. */
  at: number;
  /** `namespace/name` of the Gallery object, or the gallery's Azure name when no object manages it. */
  gallery: string;
  /** e.g. "Add subscriptions 11111111…, 22222222…" or "Reader → Group 55555555…". */
  what: string;
  state: "InProgress" | "Succeeded" | "Failed" | "Canceled";
  /** 0..100 by the operation's expected duration. */
  progress: number;
}

export interface ArmTotals {
  reads: number;
  writes: number;
  deletes: number;
  throttled: number;
}

export interface Snapshot {
  /** Real ms since dev mode started. */
  elapsedMs: number;
  rows: ObjectRow[];
  shares: ShareActivity[];
  arm: ArmTotals;
}

/** Ready=True for the current generation: what `--exit-when-ready` waits for. */
export function isReady(row: ObjectRow): boolean {
  return row.found && !row.deleting && row.ready?.status === "True" && row.ready.current;
}

export function keyString(key: ObjectKey): string {
  return `${key.namespace}/${key.kind}/${key.name}`;
}
