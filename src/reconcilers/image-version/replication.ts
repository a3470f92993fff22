// What `$expand=ReplicationStatus` says about an image version, turned into what the user sees:
// `status.replication` (per region and one weighted percentage), the `Replicated` condition and
// the words for Ready. Pure: unit-tested without ARM.
import type { GalleryImageVersion } from "@azure/arm-compute";
import { REASONS, type RegionReplication, type ReplicationStatus } from "../../api/index.js";
import type { ConditionSpec } from "../driver/arm-kind.js";
import { regionKey } from "../driver/image-compare.js";

/** Where replication stands as a whole: still copying, done everywhere, or failed somewhere. */
export type ReplicationPhase = "Replicating" | "Completed" | "Failed" | "Unknown";

export interface ReplicationSummary {
  phase: ReplicationPhase;
  status: ReplicationStatus;
  /** Regions whose replication failed, with Azure's details. */
  failed: RegionReplication[];
  /** One line for condition messages, e.g. "45% (West US 100%, East US 20%)". */
  describe: string;
}

/**
 * Summarises a version read with `$expand=ReplicationStatus`.
 *
 * Guarantees: `progress` is weighted by each region's replica count (a region with 10 replicas
 * weighs ten times one with 1), whole percent, 0 to 100; a region that failed makes the phase
 * `Failed` even while others still copy (the user can act on it at once). Without a
 * replication status (a read without the expand) the phase follows provisioningState.
 */
export function summarizeReplication(actual: GalleryImageVersion): ReplicationSummary {
  // ARM answers with display names ("North Europe"); status speaks programmatic names, as specs do.
  const regions: RegionReplication[] = (actual.replicationStatus?.summary ?? []).map((r) => ({
    region: regionKey(r.region ?? ""),
    ...(r.state ? { state: r.state } : {}),
    progress: clampPercent(r.progress ?? (r.state === "Completed" ? 100 : 0)),
    ...(r.details ? { details: r.details } : {}),
  }));
  const failed = regions.filter((r) => r.state === "Failed");
  const provisioning = actual.provisioningState;
  const aggregated = actual.replicationStatus?.aggregatedState;
  const phase: ReplicationPhase =
    failed.length > 0 || aggregated === "Failed" || provisioning === "Failed"
      ? "Failed"
      : aggregated === "Completed" || (aggregated === undefined && provisioning === "Succeeded")
        ? "Completed"
        : aggregated === "InProgress" || provisioning === "Creating" || provisioning === "Updating"
          ? "Replicating"
          : "Unknown";
  const progress = regions.length > 0 ? weightedProgress(actual, regions) : phase === "Completed" ? 100 : 0;
  const status: ReplicationStatus = {
    aggregatedState: aggregated ?? (phase === "Replicating" ? "InProgress" : phase),
    progress,
    ...(regions.length > 0 ? { regions } : {}),
  };
  const perRegion = regions.map((r) => `${r.region} ${r.progress ?? 0}%`).join(", ");
  return { phase, status, failed, describe: perRegion ? `${progress}% (${perRegion})` : `${progress}%` };
}

/** The `Replicated` condition for a summary. */
export function replicatedCondition(summary: ReplicationSummary, version: string): ConditionSpec {
  switch (summary.phase) {
    case "Completed":
      return {
        status: "True",
        reason: REASONS.Succeeded,
        message: `Version ${version} is replicated to every target region`,
      };
    case "Failed":
      return {
        status: "False",
        reason: REASONS.ReplicationFailed,
        message: failureMessage(summary, version),
      };
    case "Replicating":
      return {
        status: "False",
        reason: REASONS.Replicating,
        message: `Replicating version ${version}: ${summary.describe}`,
      };
    default:
      return {
        status: "Unknown",
        reason: REASONS.Provisioning,
        message: `Azure reports no replication state yet`,
      };
  }
}

/** Which regions failed and why, and how to retry. */
function failureMessage(summary: ReplicationSummary, version: string): string {
  const where =
    summary.failed.length > 0
      ? summary.failed.map((r) => `${r.region}${r.details ? ` (${r.details})` : ""}`).join("; ")
      : "Azure reports the version Failed";
  return `Replication of version ${version} failed: ${where}; change the spec (for example drop the region) to retry`;
}

// Each region counts with its replica count: copying 10 replicas is more of the work than 1.
function weightedProgress(actual: GalleryImageVersion, regions: readonly RegionReplication[]): number {
  const profile = actual.publishingProfile;
  const replicas = new Map(
    (profile?.targetRegions ?? []).map((t) => [
      regionKey(t.name),
      t.regionalReplicaCount ?? profile?.replicaCount ?? 1,
    ]),
  );
  let done = 0;
  let total = 0;
  for (const r of regions) {
    const weight = Math.max(1, replicas.get(regionKey(r.region)) ?? 1);
    done += (r.progress ?? 0) * weight;
    total += weight;
  }
  return clampPercent(Math.floor(done / total));
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)));
}
