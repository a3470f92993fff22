// The periodic resync of a controller: every cached key once per period, spread evenly over the
// period instead of queued all at one tick. Why: a tick that queues thousands of keys at once
// makes a burst of reads, and everything behind it waits (2,000 image versions resynced at once
// are ARM's whole GetGalleryImageVersion budget for 3 minutes, and a user's change then waits for
// the budget to refill); spread out, the same reads are a steady trickle that never queues up.
import { jittered } from "./backoff.js";

/** Deliveries never come closer together than this; more keys than fit go in one delivery. */
const MIN_STEP_MS = 100;

export interface ResyncOptions {
  periodMs: number;
  /** The keys to resync, read at the start of each round (insertion order: stable between rounds). */
  keys(): string[];
  /** Whether a key still exists when its turn comes (a key deleted meanwhile is skipped). */
  has(key: string): boolean;
  /** Queues one key for a resync. */
  add(key: string): void;
}

/**
 * Resyncs in rounds.
 *
 * Expected flow: `start()` begins the first round one (jittered) period later; a round takes the
 * keys there are then and hands them to `add` in slices, one slice every `period / keys` (at least
 * 100 ms), so the last goes about one period after the first; the next round begins one jittered
 * period (up to +10%) after this one began.
 * Guarantees: each key that stays is added once per round, at about the same offset in every
 * round, so the time between two resyncs of a key is about one period. Nothing after `stop()`.
 */
export class Resync {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ResyncOptions) {}

  start(): void {
    this.later(() => this.round(), jittered(this.options.periodMs, 0.1));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private round(): void {
    const { periodMs } = this.options;
    const nextRound = Date.now() + jittered(periodMs, 0.1);
    const keys = this.options.keys();
    const stepMs = Math.max(MIN_STEP_MS, keys.length > 0 ? periodMs / keys.length : periodMs);
    const perStep = Math.max(1, Math.ceil((keys.length * stepMs) / periodMs));
    const deliver = (from: number) => {
      for (const key of keys.slice(from, from + perStep)) if (this.options.has(key)) this.options.add(key);
      const next = from + perStep;
      if (next < keys.length) this.later(() => deliver(next), stepMs);
      else this.later(() => this.round(), Math.max(0, nextRound - Date.now()));
    };
    deliver(0);
  }

  private later(fn: () => void, ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(fn, ms);
    // The watches keep the process alive; a resync alone must not.
    this.timer.unref();
  }
}
