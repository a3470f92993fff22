// Applies both layers of rate limiting to a request and produces the headers that report them.
import { formatArmTime } from "../clock.js";
import { ArmError } from "../errors.js";
import {
  type ComputeBucket,
  GLOBAL_FACTOR,
  type ResolvedLimits,
  type SubscriptionBucket,
  WINDOW_3_MIN_MS,
  WINDOW_30_MIN_MS,
} from "./limits.js";
import { SlidingWindowCounter } from "./sliding-window.js";
import { TokenBucket } from "./token-bucket.js";

/** Whose counter a Compute request uses: the SG recording shows consumer-view GetGallery calls
 * counted apart from the owner's gallery GETs in the same subscription (docs/arm-behaviour.md#rate-limits). */
export type Audience = "owner" | "consumer";

const SUBSCRIPTION_HEADERS: Record<SubscriptionBucket, [string | undefined, string]> = {
  // 2024+ traffic carries only the global read header on GETs (docs/arm-behaviour.md#subscription-limits).
  reads: [undefined, "x-ms-ratelimit-remaining-subscription-global-reads"],
  writes: [
    "x-ms-ratelimit-remaining-subscription-writes",
    "x-ms-ratelimit-remaining-subscription-global-writes",
  ],
  deletes: [
    "x-ms-ratelimit-remaining-subscription-deletes",
    "x-ms-ratelimit-remaining-subscription-global-deletes",
  ],
};

function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

export class Throttler {
  private readonly windows = new Map<string, SlidingWindowCounter>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limits: ResolvedLimits) {}

  /**
   * Counts one request against a Compute RP bucket of a subscription.
   *
   * Returns the `x-ms-ratelimit-remaining-resource` value. When a window is full (and limits are
   * enabled) it throws a 429 `OperationNotAllowed` error whose detail names the full window
   * (`{Bucket}3Min` or `{Bucket}30Min`), with `retry-after` in whole seconds until the oldest
   * counted request leaves that window. Refused requests are not counted.
   */
  chargeCompute(subscriptionId: string, bucket: ComputeBucket, audience: Audience, now: number): string {
    const { per3Min, per30Min } = this.limits.compute(bucket);
    const key = `${subscriptionId.toLowerCase()}|${audience}|${bucket}`;
    let counter = this.windows.get(key);
    if (!counter) {
      const scale = this.limits.windowScale;
      counter = new SlidingWindowCounter(WINDOW_3_MIN_MS * scale, WINDOW_30_MIN_MS * scale);
      this.windows.set(key, counter);
    }
    const check = counter.take(now, per3Min, per30Min);
    const header = `Microsoft.Compute/${bucket}3Min;${check.remaining3Min},Microsoft.Compute/${bucket}30Min;${check.remaining30Min}`;
    if (check.allowed || !check.exhausted || !this.limits.enabled) return header;
    const { window, retryAfterMs, measured } = check.exhausted;
    const operationGroup = `${bucket}${window}`;
    const windowMs = (window === "3Min" ? WINDOW_3_MIN_MS : WINDOW_30_MIN_MS) * this.limits.windowScale;
    const detail = JSON.stringify({
      operationGroup,
      startTime: formatArmTime(now - windowMs),
      endTime: formatArmTime(now),
      allowedRequestCount: window === "3Min" ? per3Min : per30Min,
      measuredRequestCount: measured,
    });
    throw new ArmError(
      429,
      "OperationNotAllowed",
      "The server rejected the request because too many requests have been received for this subscription.",
      {
        origin: "compute",
        details: [{ code: "TooManyRequests", target: operationGroup, message: detail }],
        headers: [
          ["retry-after", retryAfterSeconds(retryAfterMs)],
          ["x-ms-ratelimit-remaining-resource", header],
        ],
      },
    );
  }

  /**
   * Takes one token from ARM's regional and global buckets of a subscription and returns the
   * `x-ms-ratelimit-remaining-subscription-*` headers to send. Throws 429
   * `SubscriptionRequestsThrottled` (compact, from the gateway) when either bucket is empty.
   */
  chargeSubscription(subscriptionId: string, kind: SubscriptionBucket, now: number): [string, string][] {
    const regional = this.bucket(`${subscriptionId.toLowerCase()}|${kind}`, kind, 1, now).take(now);
    const global = this.bucket(
      `${subscriptionId.toLowerCase()}|${kind}|global`,
      kind,
      GLOBAL_FACTOR,
      now,
    ).take(now);
    const refused = !regional.allowed ? regional : !global.allowed ? global : undefined;
    if (refused && !refused.allowed && this.limits.enabled) {
      const seconds = retryAfterSeconds(refused.retryAfterMs);
      throw new ArmError(
        429,
        "SubscriptionRequestsThrottled",
        `Number of '${kind === "reads" ? "read" : kind === "writes" ? "write" : "delete"}' requests for subscription '${subscriptionId}' exceeded. Please try again after '${seconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
        { origin: "gateway", headers: [["retry-after", seconds]] },
      );
    }
    const [regionalName, globalName] = SUBSCRIPTION_HEADERS[kind];
    const headers: [string, string][] = [];
    if (regionalName) headers.push([regionalName, String(regional.allowed ? regional.remaining : 0)]);
    headers.push([globalName, String(global.allowed ? global.remaining : 0)]);
    return headers;
  }

  reset(): void {
    this.windows.clear();
    this.buckets.clear();
  }

  private bucket(key: string, kind: SubscriptionBucket, factor: number, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { capacity, refillPerSecond } = this.limits.subscription(kind);
      bucket = new TokenBucket(capacity * factor, (refillPerSecond * factor) / 1000, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
