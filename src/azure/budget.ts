// What is left of each ARM rate-limit bucket, per subscription, and how long the next request
// should wait so the operator slows down before ARM answers 429.
//
// Model: each bucket is treated as a token bucket that refills at limit/window, re-anchored on
// every response's `x-ms-ratelimit-remaining-*` value and debited locally for each request sent
// since. Below the reserve, requests queue one refill interval apart, which spreads what is left
// over the window instead of spending it in a burst. The Compute RP's windows slide (a slot frees
// only when a call leaves the window, docs/arm-behaviour.md §10), so after a burst the token
// model is optimistic (10 shares at once, then one every 18 s, would meet 429s on a 10-per-3-minute
// bucket); for those buckets the tracker also remembers when it sent and, once ARM's last answer
// (less what was sent since) leaves no room above the reserve, admits a call only when its own
// calls in the window leave room for it. A 429's Retry-After blocks the bucket whatever the model
// says.
import { type RemainingBudget, subscriptionBucketsFor } from "./ratelimit-headers.js";

export interface ReserveOptions {
  /** Share of a bucket's limit kept back for other clients of the subscription. Default 0.1. */
  fraction?: number;
  /** Never keep back fewer than this many requests. Default 1. */
  min?: number;
}

export interface BucketSnapshot {
  subscriptionId: string;
  bucket: string;
  /** The remaining count ARM last reported. */
  remaining: number;
  /** The estimate now: refilled since the report, minus what was sent since. */
  estimated: number;
  /** The limit as far as observed (largest remaining seen + 1). */
  limit: number;
  windowMs: number;
  observedAt: number;
  /** Set while a 429's Retry-After holds the bucket. */
  blockedUntil?: number;
}

export interface Admission {
  /** How long to wait before sending; 0 = at once. */
  delayMs: number;
  /** The bucket that forced the wait, if any. */
  bucket?: string;
}

interface BucketState {
  /** False for a bucket known only from a 429: it is blocked, never paced. */
  observed: boolean;
  remaining: number;
  maxSeen: number;
  windowMs: number;
  observedAt: number;
  spent: number;
  blockedUntil: number;
  /** When this process sent through a sliding-window bucket, oldest first, within its window. */
  sent: number[];
}

export class BudgetTracker {
  private readonly subscriptions = new Map<string, Map<string, BucketState>>();
  // The Compute RP names a request's buckets only in its response; remember them per request class.
  private readonly classBuckets = new Map<string, readonly string[]>();
  private readonly fraction: number;
  private readonly minReserve: number;

  constructor(
    reserve: ReserveOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.fraction = reserve.fraction ?? 0.1;
    this.minReserve = reserve.min ?? 1;
  }

  /**
   * The buckets a request will spend: ARM's subscription buckets for its method, plus the
   * resource-provider buckets earlier responses to the same request class named.
   */
  bucketsOf(method: string, requestClass: string): string[] {
    return [...subscriptionBucketsFor(method), ...(this.classBuckets.get(requestClass) ?? [])];
  }

  /** Remembers the resource-provider buckets a response to `requestClass` reported. */
  learn(requestClass: string, budgets: readonly RemainingBudget[]): void {
    const resource = budgets.filter((b) => !isArmBucket(b.bucket)).map((b) => b.bucket);
    if (resource.length > 0) this.classBuckets.set(requestClass, resource);
  }

  /**
   * How long a request that spends `buckets` should wait, without reserving anything.
   *
   * Guarantees: 0 for buckets never observed; otherwise the longest wait among the buckets,
   * counting a 429 block.
   */
  peek(subscriptionId: string, buckets: readonly string[]): Admission {
    const states = this.subscriptions.get(key(subscriptionId));
    const now = this.now();
    let admission: Admission = { delayMs: 0 };
    for (const bucket of buckets) {
      const state = states?.get(bucket);
      if (!state) continue;
      const delayMs = Math.max(this.waitFor(state, now), state.blockedUntil - now, 0);
      if (delayMs > admission.delayMs) admission = { delayMs: Math.ceil(delayMs), bucket };
    }
    return admission;
  }

  /**
   * Takes one unit from each of `buckets` for a request about to be sent.
   * Flow: call `peek` first; if its delay is acceptable, `spend` and then wait that long.
   * Guarantees: later `peek`s see the unit gone, so concurrent requests queue behind it.
   */
  spend(subscriptionId: string, buckets: readonly string[]): void {
    const states = this.subscriptions.get(key(subscriptionId));
    const now = this.now();
    for (const bucket of buckets) {
      const state = states?.get(bucket);
      if (!state) continue;
      state.spent += 1;
      if (!isArmBucket(bucket)) state.sent.push(now);
    }
  }

  /** Records what one response said is left; the newest report replaces the estimate. */
  observe(subscriptionId: string, budgets: readonly RemainingBudget[]): void {
    if (budgets.length === 0) return;
    const states = this.statesOf(subscriptionId);
    const now = this.now();
    for (const b of budgets) {
      const previous = states.get(b.bucket);
      states.set(b.bucket, {
        observed: true,
        remaining: b.remaining,
        maxSeen: Math.max(previous?.maxSeen ?? 0, b.remaining),
        windowMs: b.windowMs,
        observedAt: now,
        spent: 0,
        blockedUntil: previous?.blockedUntil ?? 0,
        sent: previous?.sent ?? [],
      });
    }
  }

  /** Holds `buckets` until `retryAfterMs` from now (a 429 said so). Unknown buckets are created. */
  block(subscriptionId: string, buckets: readonly string[], retryAfterMs: number): void {
    const states = this.statesOf(subscriptionId);
    const now = this.now();
    for (const bucket of buckets) {
      const state = states.get(bucket) ?? {
        observed: false,
        remaining: 0,
        maxSeen: 0,
        windowMs: 1,
        observedAt: now,
        spent: 0,
        blockedUntil: 0,
        sent: [],
      };
      state.blockedUntil = Math.max(state.blockedUntil, now + retryAfterMs);
      states.set(bucket, state);
    }
  }

  /**
   * What ARM last said is left in `bucket` for `subscriptionId`, counting every client of the
   * subscription (other operators, pipelines), refilled since and less what this process sent
   * since; undefined until a response reported on it.
   */
  remaining(subscriptionId: string, bucket: string): { remaining: number; windowMs: number } | undefined {
    const state = this.subscriptions.get(key(subscriptionId))?.get(bucket);
    if (!state?.observed) return undefined;
    return { remaining: Math.floor(this.available(state, this.now())), windowMs: state.windowMs };
  }

  /** Every bucket a response reported on, for metrics (buckets known only from a 429 are left out). */
  snapshot(): BucketSnapshot[] {
    const now = this.now();
    const out: BucketSnapshot[] = [];
    for (const [subscriptionId, states] of this.subscriptions) {
      for (const [bucket, s] of states) {
        if (!s.observed) continue;
        out.push({
          subscriptionId,
          bucket,
          remaining: s.remaining,
          estimated: Math.floor(this.available(s, now)),
          limit: limitOf(s),
          windowMs: s.windowMs,
          observedAt: s.observedAt,
          ...(s.blockedUntil > now ? { blockedUntil: s.blockedUntil } : {}),
        });
      }
    }
    return out;
  }

  /** Requests kept back for other clients of the subscription: a share of the limit, at least `min`. */
  reserveOf(limit: number): number {
    return Math.max(this.minReserve, Math.ceil(limit * this.fraction));
  }

  private available(s: BucketState, now: number): number {
    const limit = limitOf(s);
    const refilled = ((now - s.observedAt) * limit) / s.windowMs;
    return Math.min(limit, s.remaining + refilled) - s.spent;
  }

  // Wait until one unit can be spent with the reserve still intact.
  private waitFor(s: BucketState, now: number): number {
    if (!s.observed) return 0;
    const limit = limitOf(s);
    const reserve = this.reserveOf(limit);
    // ARM's last word, less what was sent since: room left without counting on any refill.
    if (s.remaining - s.spent > reserve) return 0;
    const needed = reserve + 1 - this.available(s, now);
    const refill = needed <= 0 ? 0 : (needed * s.windowMs) / limit;
    return Math.max(refill, this.slideWait(s, limit, now));
  }

  // A sliding window holds at most `limit − reserve` of our calls: the next waits for the call
  // that many back to leave it. (Empty for ARM's own token buckets, which do refill steadily.)
  private slideWait(s: BucketState, limit: number, now: number): number {
    while (s.sent.length > 0 && (s.sent[0] ?? 0) <= now - s.windowMs) s.sent.shift();
    const room = limit - this.reserveOf(limit);
    const blocking = s.sent[s.sent.length - room];
    return room <= 0 || blocking === undefined ? 0 : blocking + s.windowMs - now;
  }

  private statesOf(subscriptionId: string): Map<string, BucketState> {
    const k = key(subscriptionId);
    let states = this.subscriptions.get(k);
    if (!states) {
      states = new Map();
      this.subscriptions.set(k, states);
    }
    return states;
  }
}

function isArmBucket(bucket: string): boolean {
  return bucket.startsWith("subscription-") || bucket.startsWith("tenant-");
}

function limitOf(s: BucketState): number {
  return Math.max(s.maxSeen, s.remaining) + 1;
}

// Subscription ids come from URLs in whatever case the caller wrote them.
function key(subscriptionId: string): string {
  return subscriptionId.toLowerCase();
}
