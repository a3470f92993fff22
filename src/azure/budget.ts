// What is left of each ARM rate-limit bucket, per subscription, and how long the next request
// should wait so the operator slows down before ARM answers 429.
//
// Model: every bucket is re-anchored on each response's `x-ms-ratelimit-remaining-*` value and
// debited locally for each request sent since. ARM's own subscription buckets are token buckets
// that refill at limit/window: below the reserve, requests queue one refill interval apart. The
// Compute RP's windows slide instead (a slot frees only when a call leaves the window,
// docs/arm-behaviour.md §10): a token model is optimistic after a burst (10 shares at once, then
// one every 18 s, would meet 429s on a 10-per-3-minute bucket) and pessimistic once the burst
// leaves the window (it frees slots as fast as the burst took them, not at limit/window). For
// those buckets the tracker remembers when it sent, and counts a slot free when one of its own
// calls leaves the window; the other clients' calls ARM counted (their times unknown) free theirs
// one refill interval apart from ARM's answer on. A 429's Retry-After blocks the bucket whatever
// the model says.
//
// A request held back (its wait is longer than the caller will sleep) is given a turn: the time
// the next slot frees after every turn already given, which it keeps until it comes back. Without
// turns every held-back caller is told the same moment, all come back at once, one gets the slot
// and the rest read Azure and are held back again: a herd that spends reads and workers.
import { type RemainingBudget, subscriptionBucketsFor } from "./ratelimit-headers.js";

/**
 * The share of a bucket kept back for other clients of the subscription by default: one
 * twentieth, so that the operator converges within a few percent of what ARM allows
 * (docs/benchmarks.md) and a pipeline sharing the subscription still finds room.
 */
export const DEFAULT_RESERVE_FRACTION = 0.05;

export interface ReserveOptions {
  /** Share of a bucket's limit kept back for other clients of the subscription. Default 0.05. */
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
  /** A Compute RP bucket: its window slides (else one of ARM's token buckets). */
  sliding: boolean;
  remaining: number;
  maxSeen: number;
  windowMs: number;
  observedAt: number;
  spent: number;
  blockedUntil: number;
  /** When this process sent through a sliding-window bucket, oldest first, within its window. */
  sent: number[];
  /** The turns given to held-back requests (when each should come back), oldest first. */
  turns: number[];
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
    this.fraction = reserve.fraction ?? DEFAULT_RESERVE_FRACTION;
    this.minReserve = reserve.min ?? 1;
  }

  /** The tracker's clock (what `observe` takes a request's send time in). */
  time(): number {
    return this.now();
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
   * counting a 429 block. Turns given to held-back requests do not count: a request that finds
   * room goes (its holder, when it comes back, is given a later turn if it finds none).
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
      if (state.sliding) state.sent.push(now);
      // A turn that has come is taken by whoever sends first: turns order the comebacks, they
      // do not reserve a slot against a request that finds room.
      dropTurns(state, now);
      if ((state.turns[0] ?? Number.POSITIVE_INFINITY) <= now) state.turns.shift();
    }
  }

  /**
   * Gives a request that is not sent now (its `peek` wait was too long to sleep) its turn: how
   * long until it should come back, after every turn given before, and remembers that turn.
   *
   * Guarantees: successive calls for the same buckets answer ever later times, spaced by how
   * fast the buckets free (a sliding window: as its oldest calls leave; a token bucket: at its
   * refill rate), never sooner than `peek`; a turn not taken within a twentieth of its bucket's
   * window is forgotten.
   */
  holdBack(subscriptionId: string, buckets: readonly string[]): number {
    const states = this.subscriptions.get(key(subscriptionId));
    const now = this.now();
    let delayMs = 0;
    const held: BucketState[] = [];
    for (const bucket of buckets) {
      const state = states?.get(bucket);
      if (!state) continue;
      dropTurns(state, now);
      held.push(state);
      delayMs = Math.max(delayMs, this.waitFor(state, now, state.turns.length), state.blockedUntil - now);
    }
    const turn = now + Math.ceil(delayMs);
    for (const state of held) insertSorted(state.turns, turn);
    return Math.ceil(delayMs);
  }

  /**
   * Records what one response said is left; the newest report replaces the estimate. `request`:
   * when the answered request was sent and the buckets it was paced by; a sliding bucket it was
   * not paced by (its class's buckets were not known yet) remembers the send all the same, so
   * that the slot it holds frees when it really leaves the window.
   */
  observe(
    subscriptionId: string,
    budgets: readonly RemainingBudget[],
    request?: { sentAt: number; paced: readonly string[] },
  ): void {
    if (budgets.length === 0) return;
    const states = this.statesOf(subscriptionId);
    const now = this.now();
    for (const b of budgets) {
      const previous = states.get(b.bucket);
      const sliding = !isArmBucket(b.bucket);
      const sent = previous?.sent ?? [];
      if (request && sliding && !request.paced.includes(b.bucket)) insertSorted(sent, request.sentAt);
      states.set(b.bucket, {
        observed: true,
        sliding,
        remaining: b.remaining,
        maxSeen: Math.max(previous?.maxSeen ?? 0, b.remaining),
        windowMs: b.windowMs,
        observedAt: now,
        spent: 0,
        blockedUntil: previous?.blockedUntil ?? 0,
        sent,
        turns: previous?.turns ?? [],
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
        sliding: !isArmBucket(bucket),
        remaining: 0,
        maxSeen: 0,
        windowMs: 1,
        observedAt: now,
        spent: 0,
        blockedUntil: 0,
        sent: [],
        turns: [],
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

  // Wait until one unit can be spent with the reserve still intact, after `ahead` turns given to
  // held-back requests (each will spend one unit first).
  private waitFor(s: BucketState, now: number, ahead = 0): number {
    if (!s.observed) return 0;
    const limit = limitOf(s);
    const reserve = this.reserveOf(limit);
    // ARM's last word, less what was sent since: room left without counting on any refill.
    const short = reserve + 1 + ahead - (s.remaining - s.spent);
    if (short <= 0) return 0;
    if (s.sliding) return this.slideWait(s, limit, short, now);
    const needed = reserve + 1 + ahead - this.available(s, now);
    return needed <= 0 ? 0 : (needed * s.windowMs) / limit;
  }

  // When `short` more slots of a sliding window will have freed: each of our calls frees one as
  // it leaves the window; the other clients' calls ARM counted (their times unknown) free theirs
  // one refill interval (window/limit) apart from ARM's answer on, as a token bucket would.
  private slideWait(s: BucketState, limit: number, short: number, now: number): number {
    // Calls that had left when ARM answered are out of its count already.
    while (s.sent.length > 0 && (s.sent[0] ?? 0) <= s.observedAt - s.windowMs) s.sent.shift();
    const ours = s.sent.filter((t) => t <= s.observedAt).length;
    let others = Math.max(0, limit - s.remaining - ours);
    const interval = s.windowMs / limit;
    let nextOther = s.observedAt + interval;
    let freed = 0;
    let at = s.observedAt;
    for (const sentAt of s.sent) {
      const leaves = sentAt + s.windowMs;
      while (others > 0 && nextOther <= leaves && freed < short) {
        at = nextOther;
        freed += 1;
        others -= 1;
        nextOther += interval;
      }
      if (freed >= short) break;
      at = leaves;
      freed += 1;
      if (freed >= short) break;
    }
    // Beyond our calls, only the others' (and, past them, slots a window's refill would give).
    if (freed < short) at = Math.max(at, nextOther - interval) + (short - freed) * interval;
    return Math.max(0, at - now);
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

/** Forgets turns their requests did not take within a twentieth of the bucket's window. */
function dropTurns(s: BucketState, now: number): void {
  const grace = s.windowMs / 20;
  while (s.turns.length > 0 && (s.turns[0] ?? 0) < now - grace) s.turns.shift();
}

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] ?? 0) > value) i--;
  list.splice(i, 0, value);
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
