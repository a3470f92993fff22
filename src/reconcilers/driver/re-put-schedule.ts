// The benchmark's baseline policy (`--bench-reput-each-resync`): Azure Service Operator PUTs every
// resource once per sync period whether or not anything changed. Kept out of the kinds' diffs so
// that the operator's own behaviour (write only what differs) stays the one the kinds describe.
import { identityOf } from "../../kube/index.js";

/** Objects are told apart by uid (identityOf), so one deleted and made again starts afresh. */
type Keyed = Parameters<typeof identityOf>[0];

export interface RePutSchedule {
  /** Whether `obj` is owed a re-PUT: none since this operator started, or the last one a period ago. */
  due(obj: Keyed): boolean;
  /** Records that an ARM write for `obj` was accepted now (a change counts: ASO PUTs on change too). */
  wrote(obj: Keyed): void;
}

/**
 * Resyncs come every period plus up to 10% jitter, never sooner, so "a period since the last
 * write" would skip none of them; a tenth of slack keeps a resync that lands a little early
 * (the queue's timer and the clock are not one) from being skipped.
 */
const SLACK = 0.9;

/** Deleted objects are not forgotten: the map lives for one benchmark process and one entry each. */
export function rePutSchedule(periodMs: number, now: () => number = Date.now): RePutSchedule {
  const lastWrite = new Map<string, number>();
  return {
    due(obj) {
      const last = lastWrite.get(identityOf(obj));
      return last === undefined || now() - last >= periodMs * SLACK;
    },
    wrote(obj) {
      lastWrite.set(identityOf(obj), now());
    },
  };
}
