// The lower bound ARM's rate limits put on converging a workload: however clever the operator, the
// n-th write of a bucket cannot be sent before the bucket lets it through, and the object it
// creates is not Ready before its operation ends.
//
// Compute RP buckets are two sliding windows (3 and 30 minutes, docs/arm-behaviour.md#rate-limits): the k-th write of a
// bucket (0-based) may go at max(t[k-1], t[k-L3] + W3, t[k-L30] + W30). Sending each write as
// early as that allows is optimal, so the last write's time is the bucket's bound. ARM's
// subscription write bucket is a token bucket (capacity C, refill r/s, docs/arm-behaviour.md#subscription-limits): the k-th write
// may go at (k + 1 - C) / r. Each bound is then extended by what must follow the write (the
// operation's duration) and precede it (the parents' creation), and the largest one is the
// workload's bound. Reads are left out: none of their buckets binds for this workload.
import { COMPUTE_BUCKETS, type ComputeBucket, RECORDED_DURATIONS } from "../tools/sim/index.js";
import type { WorkloadItem } from "./workload.js";

/** The bound's name for ARM's subscription write token bucket, which every write spends. */
export const SUBSCRIPTION_WRITES_BUCKET = "subscription-writes";

const WINDOW_3_MIN_MS = 3 * 60_000;
const WINDOW_30_MIN_MS = 30 * 60_000;
/** ARM's regional write bucket per subscription (docs/arm-behaviour.md#subscription-limits, tools/sim/throttle/limits.ts). */
const SUBSCRIPTION_WRITES = { capacity: 200, refillPerSecond: 10 };

export interface BucketBound {
  subscriptionId: string;
  bucket: string;
  writes: number;
  /** Earliest time (ms from the start, unscaled) the bucket lets the last write through. */
  lastWriteMs: number;
  /** lastWriteMs plus the parents' creation before and the operation after. */
  readyMs: number;
}

export interface Bound {
  /** Unscaled ms: when the slowest bucket's last object can be Ready. */
  readyMs: number;
  /** Unscaled ms: the slowest bucket's last write alone. */
  lastWriteMs: number;
  /** The bucket that sets `readyMs`. */
  binding: BucketBound | undefined;
  buckets: BucketBound[];
}

interface KindCost {
  bucket: ComputeBucket;
  /** The write's own operation, then Ready. */
  afterMs: number;
  /** The parents that must be Ready before the write. */
  beforeMs: number;
}

const d = RECORDED_DURATIONS;
const COSTS: Record<WorkloadItem["kind"], KindCost> = {
  Gallery: { bucket: "CreateUpdateGallery", afterMs: d.galleryCreate, beforeMs: 0 },
  ImageDefinition: { bucket: "CreateUpdateGalleryImage", afterMs: d.imageCreate, beforeMs: d.galleryCreate },
  ImageVersion: {
    bucket: "CreateUpdateGalleryImageVersion",
    afterMs: d.versionFullReplication,
    beforeMs: d.galleryCreate + d.imageCreate,
  },
  GallerySharing: { bucket: "PostShareGallery", afterMs: d.shareGroups, beforeMs: d.galleryCreate },
};

/** The earliest time of the last of `n` writes through sliding windows `[limit, windowMs][]`. */
export function slidingWindowLastWrite(n: number, windows: readonly (readonly [number, number])[]): number {
  const t = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let at = k > 0 ? (t[k - 1] ?? 0) : 0;
    for (const [limit, windowMs] of windows) {
      if (k >= limit) at = Math.max(at, (t[k - limit] ?? 0) + windowMs);
    }
    t[k] = at;
  }
  return n > 0 ? (t[n - 1] ?? 0) : 0;
}

/** The earliest time of the last of `n` writes through a token bucket. */
export function tokenBucketLastWrite(n: number, capacity: number, refillPerSecond: number): number {
  return n <= capacity ? 0 : ((n - capacity) / refillPerSecond) * 1000;
}

/** The bound for creating every item once (one write each, the fewest convergence can take). */
export function convergenceBound(items: readonly WorkloadItem[]): Bound {
  const buckets: BucketBound[] = [];
  const bySubscription = Map.groupBy(items, (item) => item.subscriptionId);
  for (const [subscriptionId, own] of bySubscription) {
    for (const [kind, ofKind] of Map.groupBy(own, (item) => item.kind)) {
      const cost = COSTS[kind];
      const [per3, per30] = COMPUTE_BUCKETS[cost.bucket];
      const lastWriteMs = slidingWindowLastWrite(ofKind.length, [
        [per3, WINDOW_3_MIN_MS],
        [per30, WINDOW_30_MIN_MS],
      ]);
      buckets.push({
        subscriptionId,
        bucket: cost.bucket,
        writes: ofKind.length,
        lastWriteMs,
        readyMs: cost.beforeMs + lastWriteMs + cost.afterMs,
      });
    }
    const { capacity, refillPerSecond } = SUBSCRIPTION_WRITES;
    const lastWriteMs = tokenBucketLastWrite(own.length, capacity, refillPerSecond);
    // Whatever the last write is, it is at least a definition: its parent before, its create after.
    buckets.push({
      subscriptionId,
      bucket: SUBSCRIPTION_WRITES_BUCKET,
      writes: own.length,
      lastWriteMs,
      readyMs: d.galleryCreate + lastWriteMs + d.imageCreate,
    });
  }
  const binding = buckets.reduce<BucketBound | undefined>(
    (worst, b) => (worst === undefined || b.readyMs > worst.readyMs ? b : worst),
    undefined,
  );
  return {
    readyMs: binding?.readyMs ?? 0,
    lastWriteMs: Math.max(0, ...buckets.map((b) => b.lastWriteMs)),
    binding,
    buckets,
  };
}
