// When to look at a running ARM operation again. ARM's asynchronous-operation contract lets the
// service name the wait with `Retry-After`; the Compute RP never sends it for gallery operations
// (docs/arm-behaviour.md#lro-headers), so the client chooses. One fixed poll interval (10 s) made
// an operation Azure ends in half a second cost ten: the object, and every child waiting for it,
// sat Ready=False that long (docs/benchmarks.md, "Operation polling").

/** Never poll one operation more often than this (Azure's time; ARM's GetOperationStatus bucket is shared). */
export const MIN_POLL_MS = 100;

/**
 * The wait before the first poll of an operation ARM just accepted: how long such an operation
 * usually takes (`expectedMs`, Azure's time, from the recorded durations: ArmWrite.expectedMs),
 * scaled by `timeScale` (a simulated Azure on a faster clock; 1 against Azure), kept between
 * MIN_POLL_MS and the poll interval. Without a hint: the poll interval.
 */
export function firstPollMs(expectedMs: number | undefined, pollIntervalMs: number, timeScale = 1): number {
  if (expectedMs === undefined) return pollIntervalMs;
  return clamp(expectedMs * timeScale, MIN_POLL_MS * timeScale, pollIntervalMs);
}

/**
 * The wait before the next poll of an operation still running `ageMs` after ARM accepted it: its
 * age again (so polls come at about twice, four times... the first wait), within MIN_POLL_MS and
 * the poll interval. An operation found running after a restart, or one whose first poll already
 * waited the interval, is polled at the interval; an unknown age too.
 */
export function nextPollMs(ageMs: number, pollIntervalMs: number, timeScale = 1): number {
  if (!Number.isFinite(ageMs)) return pollIntervalMs;
  return clamp(ageMs, MIN_POLL_MS * timeScale, pollIntervalMs);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Math.ceil(value)));
}

/**
 * When each object's running operation is due for its next poll, by object uid. The object's own
 * status writes (the token, the operation, progress) come back through its watch and wake it at
 * once; without this every write was polled about 30 ms after ARM accepted it, whatever the
 * schedule said, and a version's replication polls ignored their read-budget pacing. In memory
 * only: after a restart a saved operation is polled at once, which costs one read.
 */
export class PollTimes {
  private readonly due = new Map<string, number>();

  /** The next poll of `uid`'s operation is due at `atMs`. */
  set(uid: string, atMs: number): void {
    this.due.set(uid, atMs);
  }

  /** How long `uid`'s operation has until its next poll is due (0: poll now). */
  wait(uid: string, nowMs: number): number {
    const at = this.due.get(uid);
    if (at === undefined) return 0;
    if (at > nowMs) return at - nowMs;
    this.due.delete(uid);
    return 0;
  }

  /** `uid` has no running operation any more (it ended, or the object is gone). */
  forget(uid: string): void {
    this.due.delete(uid);
  }
}
