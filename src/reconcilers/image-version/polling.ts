// How often to read an image version's replication progress while Azure copies it: quickly while
// the percentage moves, more slowly while it does not, and never faster than the subscription's
// read budget allows when many versions replicate at once.

/** ARM's GetGalleryImageVersion bucket: 2000 reads per 3 minutes per subscription (docs/arm-behaviour.md#rate-limits). */
export const VERSION_READ_BUDGET = { requests: 2000, windowMs: 3 * 60_000 } as const;

/** Progress polls take at most this share of the budget; resyncs, creates and other clients need the rest. */
const PROGRESS_SHARE = 0.5;

/** While nothing moves, polls slow down to at most this many base intervals. */
export const MAX_SLOWDOWN = 6;

/**
 * The shortest interval that keeps `replicating` versions of one subscription, each polling at
 * that interval, within their share of the read budget (`replicating` counts at least 1).
 * `timeScale` shrinks the budget's window (an ARM simulator on a faster clock; 1 against Azure).
 */
export function budgetFloorMs(replicating: number, timeScale = 1): number {
  const perWindow = VERSION_READ_BUDGET.requests * PROGRESS_SHARE;
  return Math.ceil((Math.max(1, replicating) * VERSION_READ_BUDGET.windowMs * timeScale) / perWindow);
}

/** The Compute bucket ARM reports version reads against (`x-ms-ratelimit-remaining-resource`). */
export const VERSION_READ_BUCKET = "Microsoft.Compute/GetGalleryImageVersion3Min";

/**
 * The shortest interval that keeps `replicating` versions within their share of what ARM says is
 * left in the subscription's read bucket (`reported`, from its rate-limit headers): ARM counts
 * every client of the subscription (other operators watching other namespaces, pipelines), this
 * process only itself. 0 when ARM has not reported yet.
 */
export function reportedBudgetFloorMs(
  replicating: number,
  reported: { remaining: number; windowMs: number } | undefined,
): number {
  if (!reported) return 0;
  const perWindow = Math.max(1, reported.remaining * PROGRESS_SHARE);
  return Math.ceil((Math.max(1, replicating) * reported.windowMs) / perWindow);
}

/**
 * The next poll interval: the base interval when progress moved since the last poll, otherwise
 * twice the previous one up to `MAX_SLOWDOWN` × base; never below `floorMs` (the budget wins
 * over speed).
 */
export function nextPollInterval(
  previousMs: number | undefined,
  moved: boolean,
  baseMs: number,
  floorMs = 0,
): number {
  const paced = moved || previousMs === undefined ? baseMs : Math.min(previousMs * 2, baseMs * MAX_SLOWDOWN);
  return Math.max(paced, floorMs);
}

/** A lone replicating version sweeps every this many polls, not on each (a pass over the cache). */
const MIN_POLLS_PER_SWEEP = 64;

/**
 * Remembers each version's last interval between reconciles. In memory only: after a restart
 * polling starts at the base interval again, which costs a few reads at most.
 */
export class ProgressPacer {
  private readonly intervals = new Map<string, number>();
  private sinceSweep = 0;
  private pollsPerSweep = MIN_POLLS_PER_SWEEP;

  /** The interval to wait before polling `key` again; see `nextPollInterval`. */
  next(key: string, moved: boolean, baseMs: number, floorMs: number): number {
    const interval = nextPollInterval(this.intervals.get(key), moved, baseMs, floorMs);
    this.intervals.set(key, interval);
    return interval;
  }

  /** Forgets `key` once its version stopped replicating. */
  forget(key: string): void {
    this.intervals.delete(key);
  }

  /**
   * Forgets every key not in `live()` (objects deleted by any path: Orphan, force, a lost
   * finalizer). Called on every poll, it sweeps only every so many polls: as many as the pacer
   * held at the last sweep, at least MIN_POLLS_PER_SWEEP. A sweep is one pass over the cache
   * (`live()`), so each poll costs about cache size / max(versions replicating,
   * MIN_POLLS_PER_SWEEP), where a sweep per poll made 2,000 replicating versions quadratic; keys
   * of deleted versions stay at most until the next sweep.
   */
  retain(live: () => ReadonlySet<string>): void {
    if (++this.sinceSweep < this.pollsPerSweep) return;
    this.sinceSweep = 0;
    const keys = live();
    for (const key of this.intervals.keys()) if (!keys.has(key)) this.intervals.delete(key);
    this.pollsPerSweep = Math.max(this.intervals.size, MIN_POLLS_PER_SWEEP);
  }

  /** Keys remembered (for tests of the memory bound). */
  get size(): number {
    return this.intervals.size;
  }
}
