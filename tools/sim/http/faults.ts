// Injected faults: the next N requests matching a method and path pattern fail with a given
// status and body, wait first, or lose their connection; a version's replication to a region
// fails part-way; or a principal is not yet visible to role assignments (Entra ID replication
// delay). Tests register them through `POST /_sim/faults` or `sim.fault(...)`.
import { randomUUID } from "node:crypto";
import { normalizeRegion } from "../regions.js";

interface HttpMatch {
  /** HTTP method, any case; omitted or "*" matches every method. */
  method?: string;
  /** A regular expression (case-insensitive) tested against the request path without query. */
  path: string;
  /** How many matching requests it affects; default 1, negative for all of them. */
  count?: number;
}

export type FaultSpec =
  | (HttpMatch & { kind?: "respond"; status: number; body?: unknown; headers?: Record<string, string> })
  | (HttpMatch & { kind: "delay"; delayMs: number })
  | (HttpMatch & { kind: "drop" })
  | {
      kind: "replication";
      /** A regular expression (case-insensitive) tested against the version's ARM id. */
      version: string;
      /** Region in any spelling ("westus", "West US"), or "*" for every region. */
      region: string;
      /** Progress (0-100) at which the region fails; default 50. */
      atProgress?: number;
      /** Error code of the failed operation; default "ReplicationFailed". */
      code?: string;
      /** Text for `replicationStatus.summary[].details`. */
      details?: string;
      count?: number;
    }
  | {
      kind: "principalNotFound";
      /** Object id of the principal that role assignments cannot find for a while. */
      principalId: string;
      /** Virtual milliseconds from registration during which it is missing. */
      forMs?: number;
      /** How many role assignment PUTs it affects; default 1, or all of them within `forMs`. */
      count?: number;
    };

type HttpSpec = Extract<FaultSpec, { path: string }>;

export type HttpFault =
  | { kind: "respond"; status: number; body: string; headers: [string, string][] }
  | { kind: "delay"; delayMs: number }
  | { kind: "drop" };

export interface ReplicationFault {
  atProgress: number;
  code: string;
  details: string;
}

interface Registered {
  id: string;
  spec: FaultSpec;
  remaining: number;
  method?: string;
  pattern?: RegExp;
  region?: string;
  /** Virtual time from which the fault no longer applies. */
  until?: number;
}

function isHttpSpec(spec: FaultSpec): spec is HttpSpec {
  return spec.kind !== "replication" && spec.kind !== "principalNotFound";
}

function validate(spec: FaultSpec): void {
  if (spec.kind === "replication") {
    if (typeof spec.version !== "string" || typeof spec.region !== "string") {
      throw new TypeError("a replication fault needs 'version' (a pattern) and 'region'");
    }
    return;
  }
  if (spec.kind === "principalNotFound") {
    if (typeof spec.principalId !== "string" || spec.principalId === "")
      throw new TypeError("a principalNotFound fault needs 'principalId'");
    if (spec.forMs !== undefined && !(spec.forMs >= 0))
      throw new TypeError("'forMs' must be a non-negative number");
    return;
  }
  if (typeof spec.path !== "string") throw new TypeError("a fault needs 'path' (a regular expression)");
  if (spec.kind === "delay" && !(spec.delayMs >= 0)) throw new TypeError("a delay fault needs 'delayMs'");
  if ((spec.kind === undefined || spec.kind === "respond") && !(spec.status >= 100 && spec.status <= 599)) {
    throw new TypeError("a respond fault needs an HTTP 'status'");
  }
}

export class FaultRegistry {
  private faults: Registered[] = [];

  /**
   * Registers a fault at virtual time `now`; throws TypeError when the spec is incomplete or its
   * pattern invalid.
   */
  add(spec: FaultSpec, now: number): { id: string } {
    validate(spec);
    const id = randomUUID();
    if (spec.kind === "principalNotFound") {
      const timed = spec.forMs !== undefined;
      this.faults.push({
        id,
        spec,
        remaining: spec.count ?? (timed ? -1 : 1),
        ...(timed ? { until: now + (spec.forMs ?? 0) } : {}),
      });
      return { id };
    }
    const pattern = new RegExp(spec.kind === "replication" ? spec.version : spec.path, "i");
    const method =
      spec.kind === "replication" || !spec.method || spec.method === "*"
        ? undefined
        : spec.method.toUpperCase();
    const region =
      spec.kind === "replication" && spec.region !== "*" ? normalizeRegion(spec.region) : undefined;
    this.faults.push({ id, spec, remaining: spec.count ?? 1, method, pattern, region });
    return { id };
  }

  list(): { id: string; remaining: number; spec: FaultSpec }[] {
    return this.faults.map(({ id, remaining, spec }) => ({ id, remaining, spec }));
  }

  clear(): void {
    this.faults = [];
  }

  /** The first HTTP fault matching the request, used up by one. */
  takeHttp(method: string, path: string): HttpFault | undefined {
    if (this.faults.length === 0) return undefined;
    const fault = this.faults.find(
      (f) => isHttpSpec(f.spec) && (!f.method || f.method === method) && f.pattern?.test(path),
    );
    if (!fault || !isHttpSpec(fault.spec)) return undefined;
    this.useUp(fault);
    const spec = fault.spec;
    if (spec.kind === "delay") return { kind: "delay", delayMs: spec.delayMs };
    if (spec.kind === "drop") return { kind: "drop" };
    const body =
      spec.body === undefined ? "" : typeof spec.body === "string" ? spec.body : JSON.stringify(spec.body);
    return { kind: "respond", status: spec.status, body, headers: Object.entries(spec.headers ?? {}) };
  }

  /** The first replication fault for this version and region, used up by one. */
  takeReplication(versionId: string, region: string): ReplicationFault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.spec.kind === "replication" &&
        f.pattern?.test(versionId) &&
        (!f.region || f.region === normalizeRegion(region)),
    );
    if (fault?.spec.kind !== "replication") return undefined;
    this.useUp(fault);
    return {
      atProgress: Math.min(100, Math.max(0, fault.spec.atProgress ?? 50)),
      code: fault.spec.code ?? "ReplicationFailed",
      details: fault.spec.details ?? `Replication to region '${region}' failed.`,
    };
  }

  /**
   * Whether a `principalNotFound` fault hides `principalId` at virtual time `now` (using it up
   * by one). Faults whose window has passed are forgotten.
   */
  takePrincipal(principalId: string, now: number): boolean {
    this.faults = this.faults.filter((f) => f.until === undefined || now < f.until);
    const fault = this.faults.find(
      (f) =>
        f.spec.kind === "principalNotFound" && f.spec.principalId.toLowerCase() === principalId.toLowerCase(),
    );
    if (!fault) return false;
    this.useUp(fault);
    return true;
  }

  private useUp(fault: Registered): void {
    if (fault.remaining < 0) return;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
  }
}
