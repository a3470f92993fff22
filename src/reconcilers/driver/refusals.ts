// Failure memory (docs/runtime.md, "Failures"): a write ARM refused for a user error (a 4xx that
// is not throttling, auth or not-found) would be refused again, so it is not sent again until the
// spec or what it references changes, or REFUSED_RETRY_MS passes (the input may be fixed in Azure:
// a source image made, a quota raised). Meanwhile the object is still read at resync pace.

/** The long backoff after which a refused write is tried again though nothing changed. */
export const REFUSED_RETRY_MS = 60 * 60_000;

/**
 * Which write: the spec generation, the target its parents resolved, the action and what it
 * writes (its note), so one refused step of a kind with independent steps holds back only itself.
 */
export function refusalKey(generation: number, target: unknown, action: string, note: string): string {
  return JSON.stringify([generation, target, action, note]);
}

export interface Refusal {
  reason: string;
  message: string;
  /** When the write may be tried again (ms since the epoch). */
  retryAt: number;
}

/**
 * The last refused write per object.
 * Guarantees: one entry per object; an entry for another key (the spec or a parent changed) or
 * past its time is dropped when asked about; `forget` on deletion.
 */
export class RefusalMemory {
  private readonly refused = new Map<string, Refusal & { key: string }>();
  /** The write whose operation runs now, per object: a later failure of it is a refusal of it. */
  private readonly running = new Map<string, string>();

  constructor(private readonly retryMs = REFUSED_RETRY_MS) {}

  /** A write ARM accepted and runs as an operation. */
  started(uid: string, key: string): void {
    this.running.set(uid, key);
  }

  /**
   * Remembers a refused write: `key`, or the write `started` last (its operation failed).
   * Nothing when neither is known (an operation started before this process).
   */
  remember(
    uid: string,
    key: string | undefined,
    why: { reason: string; message: string },
    now: number,
  ): void {
    const refused = key ?? this.running.get(uid);
    this.running.delete(uid);
    if (refused !== undefined) this.refused.set(uid, { key: refused, ...why, retryAt: now + this.retryMs });
  }

  /** The refusal that still holds for this write, if any. */
  recall(uid: string, key: string, now: number): Refusal | undefined {
    const refusal = this.refused.get(uid);
    if (!refusal) return undefined;
    if (refusal.key === key && refusal.retryAt > now) return refusal;
    this.refused.delete(uid);
    return undefined;
  }

  forget(uid: string): void {
    this.refused.delete(uid);
    this.running.delete(uid);
  }

  get size(): number {
    return this.refused.size;
  }
}
