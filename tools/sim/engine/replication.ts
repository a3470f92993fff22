// Replication of an image version, computed from the clock rather than driven by timers: a
// region's progress is the share of its duration that has passed, frozen where an injected
// failure stopped it. Any request, at any time, sees the state as of its arrival.
import { regionDisplayName } from "../regions.js";
import type { RegionReplication, VersionRecord } from "../state/model.js";

export type RegionState = "Replicating" | "Completed" | "Failed";
export type AggregatedState = "InProgress" | "Completed" | "Failed";

export interface RegionStatus {
  region: string;
  state: RegionState;
  details: string;
  progress: number;
}

export interface ReplicationStatus {
  aggregatedState: AggregatedState;
  summary: RegionStatus[];
}

/** When this region stops replicating, by success or by failure. */
export function regionEndAt(region: RegionReplication): number {
  const doneAt = region.startAt + region.durationMs;
  return region.failAt !== undefined ? Math.min(region.failAt, doneAt) : doneAt;
}

function failed(region: RegionReplication, now: number): boolean {
  return region.failAt !== undefined && now >= region.failAt;
}

export function regionStatus(region: RegionReplication, now: number): RegionStatus {
  const at = Math.min(now, regionEndAt(region));
  const fraction = region.durationMs > 0 ? Math.max(0, (at - region.startAt) / region.durationMs) : 1;
  const progress = Math.min(100, Math.floor(fraction * 100));
  const display = regionDisplayName(region.region);
  if (failed(region, now)) {
    return {
      region: display,
      state: "Failed",
      details: region.failDetails ?? "Replication failed.",
      progress,
    };
  }
  if (now >= region.startAt + region.durationMs)
    return { region: display, state: "Completed", details: "", progress: 100 };
  return { region: display, state: "Replicating", details: "", progress };
}

/**
 * The `replicationStatus` block of `$expand=ReplicationStatus`: `InProgress` while any region
 * replicates, else `Failed` if any region failed, else `Completed`.
 */
export function replicationStatus(version: VersionRecord, now: number): ReplicationStatus {
  const summary = version.replication.map((region) => regionStatus(region, now));
  const aggregatedState: AggregatedState = summary.some((s) => s.state === "Replicating")
    ? "InProgress"
    : summary.some((s) => s.state === "Failed")
      ? "Failed"
      : "Completed";
  return { aggregatedState, summary };
}

/** When the whole version is done replicating (the moment its operation ends). */
export function replicationDueAt(version: VersionRecord, fallback: number): number {
  return version.replication.reduce((latest, region) => Math.max(latest, regionEndAt(region)), fallback);
}

/** Regions that had failed by `at`. */
export function failedRegions(version: VersionRecord, at: number): RegionReplication[] {
  return version.replication.filter((region) => failed(region, at));
}

/** Whether any region is still replicating at `now`. */
export function isReplicating(version: VersionRecord, now: number): boolean {
  return version.replication.some((region) => now < regionEndAt(region));
}
