// Several subscriptions at once: the same workload spread over five subscriptions (about 450
// objects each), applied in a namespace of its own while the operator keeps the main workload.
// Each subscription has buckets of its own, so the bound is the slowest subscription's own
// bound; an operator whose pacing serialized subscriptions would take about five times that, and
// its subscriptions' writes would follow one another instead of running side by side (the spread
// of each subscription's writes shows which).
// The objects are deleted afterwards (deletionPolicy Orphan: no ARM call), so later phases see
// the main workload alone.
import { isNotFound, type KubeObject, ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import type { ArmCall } from "../arm-log.js";
import { SUBSCRIPTION_WRITES_BUCKET } from "../bound.js";
import { pollUntil } from "../clock.js";
import type { RunContext } from "../context.js";
import { percentile, round } from "../stats.js";
import { ReadyTracker } from "../tracker.js";
import { buildWorkload } from "../workload.js";
import { type ConvergenceResult, runConvergence } from "./convergence.js";

export const SUBSCRIPTIONS = 5;
const KINDS = ["Gallery", "ImageDefinition", "ImageVersion", "GallerySharing"] as const;
const CLEANUP_TIMEOUT_MS = 300_000;

export interface SubscriptionsResult extends ConvergenceResult {
  subscriptions: number;
  /** Per subscription: objects, the bound of its own buckets (scaled seconds), and its binding bucket's writes. */
  perSubscription: {
    subscriptionId: string;
    objects: number;
    boundSeconds: number;
    /**
     * The bucket that binds its bound, and when its accepted writes went (seconds from the first
     * create). Absent in reports written before 2026-12-08.
     */
    bucket?: string;
    writeSeconds?: { first?: number; median?: number; last?: number };
  }[];
  /** Seconds until the phase's objects were gone again (the operator released them). */
  cleanupSeconds: number;
}

export async function runSubscriptions(run: RunContext, namespace: string): Promise<SubscriptionsResult> {
  // At least a gallery per subscription (the quick shape has two).
  const galleries = Math.max(run.options.shape.galleries, SUBSCRIPTIONS);
  const shape = { ...run.options.shape, galleries, subscriptions: SUBSCRIPTIONS };
  const workload = buildWorkload(shape, namespace, {
    tenantId: run.workload.tenantId,
    deletionPolicy: "Orphan",
  });
  run.stack.sim.seed(workload.fixtures);
  // A fresh start, so its log and figures hold this phase only.
  await run.startOperator("subscriptions");
  const tracker = new ReadyTracker(run.stack.transport, namespace, KINDS);
  await tracker.start();
  try {
    run.say(`subscriptions: ${workload.items.length} objects over ${SUBSCRIPTIONS} subscriptions`);
    const converged = await runConvergence(run, workload, tracker);
    const calls = run.armLog.between(converged.startedAt, converged.endedAt);
    const perSubscription = workload.subscriptions.map((subscriptionId) => {
      const items = workload.items.filter((i) => i.subscriptionId === subscriptionId);
      const own = converged.bound.buckets.filter((b) => b.subscriptionId === subscriptionId);
      const binding = own.reduce((a, b) => (b.readyMs > a.readyMs ? b : a), { bucket: "none", readyMs: 0 });
      return {
        subscriptionId,
        objects: items.length,
        boundSeconds: round((binding.readyMs * run.options.timeScale) / 1000, 1) ?? 0,
        bucket: binding.bucket,
        writeSeconds: writeSpread(calls, subscriptionId, binding.bucket, converged.startedAt),
      };
    });
    const cleanupStarted = Date.now();
    await deleteAll(run, namespace);
    const gone = await pollUntil(() => (tracker.states.size === 0 ? true : undefined), CLEANUP_TIMEOUT_MS);
    if (!gone) run.say(`subscriptions: ${tracker.states.size} objects still there after cleanup`);
    return {
      ...converged,
      subscriptions: SUBSCRIPTIONS,
      perSubscription,
      cleanupSeconds: round((Date.now() - cleanupStarted) / 1000, 1) ?? 0,
    };
  } finally {
    await tracker.stop();
  }
}

/** When a subscription's accepted writes of one bucket went: the first, the median and the last. */
function writeSpread(
  calls: readonly ArmCall[],
  subscriptionId: string,
  bucket: string,
  startedAt: number,
): SubscriptionsResult["perSubscription"][number]["writeSeconds"] {
  const prefix = `/subscriptions/${subscriptionId.toLowerCase()}/`;
  const seconds = calls
    // ARM's subscription token bucket is spent by every write, not by one Compute RP bucket.
    .filter((c) => (bucket === SUBSCRIPTION_WRITES_BUCKET ? c.method !== "GET" : c.bucket === bucket))
    .filter((c) => c.status < 400 && c.path.startsWith(prefix))
    .map((c) => (c.at - startedAt) / 1000)
    .sort((a, b) => a - b);
  return {
    first: round(seconds[0], 1),
    median: round(percentile(seconds, 50), 1),
    last: round(seconds.at(-1), 1),
  };
}

/** Deletes every object of the phase, children first (the operator's finalizers release them). */
async function deleteAll(run: RunContext, namespace: string): Promise<void> {
  for (const kind of ["GallerySharing", "ImageVersion", "ImageDefinition", "Gallery"] as const) {
    const client = new ResourceClient<KubeObject>(run.stack.transport, descriptorOf(kind));
    const { items } = await client.list({ namespace });
    for (const obj of items) {
      try {
        await client.delete({ namespace, name: obj.metadata.name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
