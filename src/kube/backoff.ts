// Exponential backoff with a cap and jitter: the one retry-delay rule for the queue, the watcher and
// the leader elector, so every retry in the runtime spreads out the same way.

export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** No delay exceeds this, however many failures came before. */
  capMs: number;
  /**
   * Fraction of the delay that is random, in [0, 1]: with 0.2 the delay is drawn uniformly from
   * [0.8 × d, d]. Why: replicas and keys that failed together must not retry in lock-step.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 5 * 60_000, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (0 for the retry after the first failure).
 *
 * Guarantees: the un-jittered delay is `min(capMs, baseMs × 2^attempt)`; the result lies in
 * `[(1 − jitter) × that, that]`, so jitter never pushes a delay past the cap. Pure given `random`.
 *
 * Caveats: `attempt` is clamped at 0 below; large attempts do not overflow (the cap applies first).
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt));
  // 2^exponent overflows to Infinity long after it passed any sane cap; min() handles both.
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(full * (1 - jitter * random()));
}

/**
 * A delay spread around `periodMs`: uniformly in `[periodMs, periodMs × (1 + factor)]`, like client-go's
 * `wait.Jitter`. Why: periodic work (resyncs, lease retries) started together must not stay together.
 */
export function jittered(periodMs: number, factor: number, random: () => number = Math.random): number {
  return Math.round(periodMs * (1 + Math.max(0, factor) * random()));
}

/**
 * Counts consecutive failures of one thing and turns them into delays.
 *
 * Guarantees: `next()` returns `backoffDelay(n)` for the n-th call since the last `reset()`.
 */
export class Backoff {
  private attempts = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const delay = backoffDelay(this.attempts, this.policy, this.random);
    this.attempts += 1;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
  }

  get failures(): number {
    return this.attempts;
  }
}
