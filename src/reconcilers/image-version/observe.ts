// What an ImageVersion's status shows: per-region replication while Azure copies it (read once per
// poll of its operation) and once it matches the spec; and how soon to read again. The pacer
// (polling.ts) is the kind's one piece of memory: how fast each version's progress moved.
import type { GalleryImageVersion } from "@azure/arm-compute";
import { CONDITION_TYPES, type ImageVersion, type ImageVersionStatus, REASONS } from "../../api/index.js";
import { versionId } from "../../azure/index.js";
import { identityOf } from "../../kube/index.js";
import type { Observation, OperationPoll, OperationView } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { BY_REPLICATING_SUBSCRIPTION, UNKNOWN_SUBSCRIPTION } from "../driver/indexes.js";
import {
  budgetFloorMs,
  MAX_SLOWDOWN,
  type ProgressPacer,
  reportedBudgetFloorMs,
  VERSION_READ_BUCKET,
} from "./polling.js";
import { replicatedCondition, summarizeReplication } from "./replication.js";
import type { VersionTarget } from "./target.js";
import { versionsApi } from "./writes.js";

/** Azure's version as the user sees it: status, Ready, Replicated, and when to look again. */
export function observeVersion(
  pacer: ProgressPacer,
  obj: ImageVersion,
  target: VersionTarget,
  actual: GalleryImageVersion,
  ctx: ReconcilerContext,
): Observation<ImageVersionStatus> {
  const summary = summarizeReplication(actual);
  const version = target.ref.version;
  const state = actual.provisioningState ?? "Succeeded";
  const published = actual.publishingProfile?.publishedDate;
  ctx.metrics?.setReplicationProgress?.(
    obj.metadata.namespace ?? "",
    obj.metadata.name,
    summary.status.progress,
  );
  const status: Partial<ImageVersionStatus> = {
    id: actual.id ?? versionId(target.ref),
    provisioningState: state,
    replication: actual.replicationStatus ? summary.status : (obj.status?.replication ?? summary.status),
    ...(published ? { publishedDate: new Date(published).toISOString() } : {}),
  };
  const replicated = replicatedCondition(summary, version);
  const conditions = [{ type: CONDITION_TYPES.Replicated, ...replicated }];
  // Not Ready while copying or after a region failed, for the same reason it is not Replicated.
  if (summary.phase === "Failed") {
    pacer.forget(identityOf(obj));
    return { status, conditions, ready: replicated };
  }
  if (summary.phase === "Replicating") {
    const requeueAfterMs = paceReads(pacer, obj, target, summary.status.progress, ctx);
    return { status, conditions, ready: replicated, requeueAfterMs };
  }
  if (summary.phase === "Completed" && state === "Succeeded") {
    pacer.forget(identityOf(obj));
    const regions = obj.spec.targetRegions.length;
    const message = `Version ${version} matches the spec and is replicated to ${regions} region(s)`;
    return { status, conditions, ready: { status: "True", reason: REASONS.Succeeded, message } };
  }
  const message = `Azure reports provisioningState ${state} for version ${version}`;
  return {
    status,
    conditions,
    ready: { status: "False", reason: REASONS.Provisioning, message },
    requeueAfterMs: ctx.pollIntervalMs * MAX_SLOWDOWN,
  };
}

/**
 * The PUT's operation ends only when every region has replicated; meanwhile one read with
 * `$expand=ReplicationStatus` per poll shows how far it got.
 */
export async function observeVersionOperation(
  pacer: ProgressPacer,
  obj: ImageVersion,
  target: VersionTarget,
  poll: OperationPoll,
  ctx: ReconcilerContext,
): Promise<OperationView<ImageVersionStatus> | undefined> {
  if (poll.phase !== "apply" || poll.action !== "CreateOrUpdate") return undefined;
  const actual = await versionsApi(obj, ctx).get(target.ref);
  if (!actual) return undefined;
  const seen = observeVersion(pacer, obj, target, actual, ctx);
  const ownsReady =
    seen.ready.reason === REASONS.ReplicationFailed ||
    (poll.state === "running" && seen.ready.reason === REASONS.Replicating);
  return {
    status: seen.status,
    conditions: seen.conditions,
    ...(ownsReady ? { ready: seen.ready } : {}),
    ...(poll.state === "running" ? { requeueAfterMs: seen.requeueAfterMs ?? ctx.pollIntervalMs } : {}),
  };
}

/** The version is gone from Azure: no progress to pace or to report. */
export function forgetVersionProgress(pacer: ProgressPacer, obj: ImageVersion, ctx: ReconcilerContext): void {
  pacer.forget(identityOf(obj));
  ctx.metrics?.setReplicationProgress?.(obj.metadata.namespace ?? "", obj.metadata.name, undefined);
}

/** How soon to read progress again: see ProgressPacer; the budget is shared by the subscription's versions. */
function paceReads(
  pacer: ProgressPacer,
  obj: ImageVersion,
  target: VersionTarget,
  progress: number | undefined,
  ctx: ReconcilerContext,
): number {
  const moved = progress !== obj.status?.replication?.progress;
  const subscription = target.ref.subscriptionId.toLowerCase();
  // A version whose subscription status does not know yet counts too: better slow than throttled.
  const versions = ctx.caches.imageVersions;
  const replicating =
    versions.countByIndex(BY_REPLICATING_SUBSCRIPTION, subscription) +
    versions.countByIndex(BY_REPLICATING_SUBSCRIPTION, UNKNOWN_SUBSCRIPTION);
  // Versions gone from the cache by any path (Orphan, a removed finalizer) leave no pacer behind.
  pacer.retain(() => new Set(versions.list().map(identityOf)));
  const floor = Math.max(
    budgetFloorMs(replicating, ctx.armTimeScale),
    reportedBudgetFloorMs(replicating, ctx.armBudget?.(subscription, VERSION_READ_BUCKET)),
  );
  return pacer.next(identityOf(obj), moved, ctx.pollIntervalMs, floor);
}
