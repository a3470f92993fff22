// Every ARM call the simulator answered, copied out of its request log as the run goes (the log is
// bounded) into compact records with real times, so each phase can count its own calls.
//
// Why a watermark and not "after the last seq seen": the simulator numbers a request when it
// arrives but logs it when it has answered, and answers (with latency) finish out of order. So
// `requests(after)` may later return an entry below the highest seq already read; the watermark
// is the highest seq below which every entry has been read.
import type { Simulator } from "../tools/sim/index.js";
import { parseArmTime } from "./clock.js";
import { bump } from "./stats.js";

export interface ArmCall {
  /** Real time the request arrived, ms since the epoch. */
  at: number;
  method: string;
  /** Lower case. */
  path: string;
  query: string;
  status: number;
  bucket: string | undefined;
}

export interface CallCounts {
  total: number;
  reads: number;
  /** PUT, POST, PATCH. */
  writes: number;
  deletes: number;
  sharePosts: number;
  throttled: number;
  /**
   * Calls per Compute RP bucket; calls the RP never saw are labelled by what ARM answered itself:
   * "ARM: 404" (a parent or the resource missing), "ARM: 429" (subscription token bucket),
   * "ARM: role assignments", "ARM: other".
   */
  byBucket: Record<string, number>;
}

/** How often the log is drained; the simulator keeps far more entries than arrive in this time. */
const DRAIN_MS = 500;

export class ArmLog {
  readonly calls: ArmCall[] = [];
  private watermark = 0;
  private readonly above = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sim: Pick<Simulator, "requests">) {}

  start(): void {
    this.timer = setInterval(() => this.drain(), DRAIN_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.drain();
  }

  /** Copies what the simulator logged since the last drain. */
  drain(): void {
    for (const record of this.sim.requests(this.watermark)) {
      if (this.above.has(record.seq)) continue;
      this.above.add(record.seq);
      this.calls.push({
        at: parseArmTime(record.time),
        method: record.method,
        path: record.path.toLowerCase(),
        query: record.query,
        status: record.status,
        bucket: record.bucket,
      });
    }
    while (this.above.has(this.watermark + 1)) {
      this.above.delete(this.watermark + 1);
      this.watermark += 1;
    }
  }

  /** A position in `calls`: `since(mark)` returns what was copied after it. */
  mark(): number {
    this.drain();
    return this.calls.length;
  }

  /** Calls copied since `mark` (cheap: no scan of the whole log). */
  since(mark: number): ArmCall[] {
    this.drain();
    return this.calls.slice(mark);
  }

  /** Calls that arrived in [from, to). */
  between(from: number, to = Number.POSITIVE_INFINITY): ArmCall[] {
    this.drain();
    return this.calls.filter((c) => c.at >= from && c.at < to);
  }
}

export function countCalls(calls: readonly ArmCall[]): CallCounts {
  const counts: CallCounts = {
    total: 0,
    reads: 0,
    writes: 0,
    deletes: 0,
    sharePosts: 0,
    throttled: 0,
    byBucket: {},
  };
  for (const call of calls) {
    counts.total += 1;
    if (call.method === "GET" || call.method === "HEAD") counts.reads += 1;
    else if (call.method === "DELETE") counts.deletes += 1;
    else counts.writes += 1;
    if (call.method === "POST" && call.path.endsWith("/share")) counts.sharePosts += 1;
    if (call.status === 429) counts.throttled += 1;
    bump(counts.byBucket, call.bucket ?? armLabel(call));
  }
  return counts;
}

function armLabel(call: ArmCall): string {
  if (call.status === 404) return "ARM: 404";
  if (call.status === 429) return "ARM: 429";
  if (call.path.includes("/providers/microsoft.authorization/")) return "ARM: role assignments";
  return "ARM: other";
}
