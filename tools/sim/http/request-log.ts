// The request log and counters behind `GET /_sim/requests` and `GET /_sim/stats`: what was
// called, by whom (tenant and object/app id from the bearer token), how it was answered and
// which rate bucket it used.

export interface RequestRecord {
  seq: number;
  /** Virtual time the request arrived (ISO 8601). */
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  /** Compute RP bucket charged, e.g. "GetGallery" (absent when the RP was not reached). */
  bucket?: string;
  subscriptionId?: string;
  /** The caller, from the bearer token. */
  identity?: { tenantId: string; objectId?: string; appId?: string };
  /** Tenants of the tokens in `x-ms-authorization-auxiliary`. */
  auxiliaryTenants?: string[];
  requestId: string;
  correlationId: string;
  /** Real milliseconds spent answering. */
  durationMs: number;
  /** The injected fault that shaped this answer, if any. */
  fault?: "respond" | "delay" | "drop";
}

export interface RequestStats {
  total: number;
  reads: number;
  writes: number;
  deletes: number;
  throttled: number;
  byMethod: Record<string, number>;
  byBucket: Record<string, number>;
  byStatus: Record<string, number>;
}

function emptyStats(): RequestStats {
  return {
    total: 0,
    reads: 0,
    writes: 0,
    deletes: 0,
    throttled: 0,
    byMethod: {},
    byBucket: {},
    byStatus: {},
  };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export class RequestLog {
  private records: RequestRecord[] = [];
  private counters = emptyStats();
  private nextSeq = 1;

  constructor(private readonly limit: number) {}

  nextSequence(): number {
    return this.nextSeq++;
  }

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
    const stats = this.counters;
    stats.total++;
    if (record.method === "GET" || record.method === "HEAD") stats.reads++;
    else if (record.method === "DELETE") stats.deletes++;
    else stats.writes++;
    if (record.status === 429) stats.throttled++;
    bump(stats.byMethod, record.method);
    bump(stats.byStatus, String(record.status));
    if (record.bucket) bump(stats.byBucket, record.bucket);
  }

  /** Records with `seq` greater than `afterSeq` (all kept records by default). */
  list(afterSeq = 0): RequestRecord[] {
    return afterSeq > 0 ? this.records.filter((record) => record.seq > afterSeq) : [...this.records];
  }

  stats(): RequestStats {
    return structuredClone(this.counters);
  }

  clear(): void {
    this.records = [];
    this.counters = emptyStats();
  }
}
