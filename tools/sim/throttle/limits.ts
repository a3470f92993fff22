// Rate limits. The Compute RP counts requests per subscription in named buckets over a 3-minute
// and a 30-minute window (docs/arm-behaviour.md#rate-limits); ARM's front end keeps token buckets per subscription
// for reads, writes and deletes (docs/arm-behaviour.md#subscription-limits, "Understand how ARM throttles requests").
import type { LimitOptions } from "../options.js";

/** Compute RP buckets with [3-minute, 30-minute] limits (recorded maximum remaining + 1). */
export const COMPUTE_BUCKETS = {
  CreateUpdateGallery: [50, 300],
  CreateUpdateGalleryImage: [150, 750],
  CreateUpdateGalleryImageVersion: [375, 1200],
  DeleteGallery: [50, 300],
  DeleteGalleryImage: [50, 300],
  DeleteGalleryImageVersion: [150, 1000],
  GetGallery: [350, 2500],
  GetGalleryImage: [600, 3000],
  GetGalleryImageVersion: [2000, 10000],
  ListGalleryInResourceGroup: [100, 1000],
  // Not in the recordings; assumed to match the resource-group list.
  ListGalleryInSubscription: [100, 1000],
  ListGalleryImagesInGallery: [1500, 10000],
  ListGalleryImageVersionsInGalleryImage: [1500, 10000],
  PostShareGallery: [10, 60],
  GetOperationStatus: [5000, 15000],
  ListGallery: [150, 1000],
  GetGalleryArtifact: [600, 3000],
  ListGalleryArtifact: [200, 200],
  GetGalleryArtifactVersion: [2000, 10000],
  ListGalleryArtifactVersion: [800, 4000],
} as const satisfies Record<string, readonly [number, number]>;

export type ComputeBucket = keyof typeof COMPUTE_BUCKETS;

export type SubscriptionBucket = "reads" | "writes" | "deletes";

/** ARM's regional token bucket per subscription; the global bucket is 15 times larger. */
export const SUBSCRIPTION_BUCKETS: Record<SubscriptionBucket, { capacity: number; refillPerSecond: number }> =
  {
    reads: { capacity: 250, refillPerSecond: 25 },
    writes: { capacity: 200, refillPerSecond: 10 },
    deletes: { capacity: 200, refillPerSecond: 10 },
  };
export const GLOBAL_FACTOR = 15;

export const WINDOW_3_MIN_MS = 3 * 60_000;
export const WINDOW_30_MIN_MS = 30 * 60_000;

export interface ResolvedLimits {
  enabled: boolean;
  windowScale: number;
  compute(bucket: ComputeBucket): { per3Min: number; per30Min: number };
  subscription(bucket: SubscriptionBucket): { capacity: number; refillPerSecond: number };
}

export function resolveLimits(options: LimitOptions): ResolvedLimits {
  const scale = options.scale ?? 1;
  const windowScale = options.windowScale ?? 1;
  const scaled = (count: number) => Math.max(1, Math.round(count * scale));
  return {
    enabled: options.enabled ?? true,
    windowScale,
    compute(bucket) {
      const [per3Min, per30Min] = COMPUTE_BUCKETS[bucket];
      const override = options.buckets?.[bucket];
      return {
        per3Min: scaled(override?.per3Min ?? per3Min),
        per30Min: scaled(override?.per30Min ?? per30Min),
      };
    },
    subscription(bucket) {
      const base = SUBSCRIPTION_BUCKETS[bucket];
      const override = options.subscription?.[bucket];
      const capacity = scaled(override?.capacity ?? base.capacity);
      // A window scaled by 0.01 refills a hundred times faster.
      const refillPerSecond = ((override?.refillPerSecond ?? base.refillPerSecond) * scale) / windowScale;
      return { capacity, refillPerSecond };
    },
  };
}
