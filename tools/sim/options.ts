// What a caller can tune when starting a simulator, and the defaults taken from the recorded
// ARM traffic (docs/arm-behaviour.md#durations, #rate-limits).
import type { ClockMode } from "./clock.js";
import type { ComputeBucket } from "./throttle/limits.js";

/** How long each kind of long-running operation takes before time scaling, in milliseconds. */
export interface Durations {
  galleryCreate: number;
  galleryUpdate: number;
  /** A gallery PUT that changes only its sharing permissions (answered `Succeeded` at once). */
  gallerySharingUpdate: number;
  galleryDelete: number;
  imageCreate: number;
  imageUpdate: number;
  imageDelete: number;
  /** Every target region of a new version with `replicationMode: Full` (the default). */
  versionFullReplication: number;
  versionShallowReplication: number;
  /** A region added to an existing version. */
  versionAddRegion: number;
  /** A version update that adds no region (for example `excludeFromLatest`). */
  versionUpdate: number;
  versionDelete: number;
  /** Add, Remove or Reset on a directly shared (Groups) gallery. */
  shareGroups: number;
  enableCommunity: number;
  resetCommunity: number;
  /** Reset of a gallery that was never shared. */
  resetPrivate: number;
}

/** Medians of the recorded startTime → endTime spans (docs/arm-behaviour.md#durations). */
export const RECORDED_DURATIONS: Durations = {
  galleryCreate: 1_000,
  galleryUpdate: 500,
  gallerySharingUpdate: 3_000,
  galleryDelete: 100,
  imageCreate: 200,
  imageUpdate: 200,
  imageDelete: 300,
  versionFullReplication: 467_000,
  versionShallowReplication: 45_000,
  versionAddRegion: 376_000,
  versionUpdate: 1_000,
  versionDelete: 90_000,
  shareGroups: 45_000,
  enableCommunity: 300,
  resetCommunity: 2_400,
  resetPrivate: 200,
};

/** Classes of calls that `latencyMs` can slow down. */
export type CallClass = "read" | "write" | "delete" | "poll";

export interface LimitOptions {
  /** false turns every rate limit off (headers still report full buckets). Default true. */
  enabled?: boolean;
  /** Multiplies every request count (Compute buckets and ARM subscription buckets). Default 1. */
  scale?: number;
  /** Multiplies window lengths (3 and 30 minutes) and ARM bucket refill periods, so a benchmark
   * running at `timeScale` 0.01 can pass 0.01 here and see the same pressure per simulated
   * hour. Default 1. */
  windowScale?: number;
  /** Overrides per Compute bucket, before `scale`. */
  buckets?: Partial<Record<ComputeBucket, { per3Min?: number; per30Min?: number }>>;
  /** Overrides of ARM's per-subscription token buckets, before `scale`. */
  subscription?: Partial<
    Record<"reads" | "writes" | "deletes", { capacity?: number; refillPerSecond?: number }>
  >;
}

export interface SimulatorOptions {
  /** TCP port on 127.0.0.1; 0 or undefined picks a free one. */
  port?: number;
  /** Keeps resources (and the generated CA) across restarts in this directory. */
  stateDir?: string;
  /** Multiplies every operation duration; 0.01 makes an 8-minute replication take 4.7 s. */
  timeScale?: number;
  /** "manual" freezes time: it moves only through `advance(ms)` or `POST /_sim/clock`. */
  clock?: ClockMode;
  limits?: LimitOptions;
  /** Added delay (real milliseconds) before answering each call of a class. */
  latencyMs?: Partial<Record<CallClass, number>>;
  /** Overrides of the recorded durations, in milliseconds before `timeScale`. */
  durations?: Partial<Durations>;
  /** Entries kept in the request log (oldest dropped first). Default 100,000. */
  requestLogLimit?: number;
  /** Items per page of a list; longer lists answer `nextLink` (the REST spec's paging). Default 100. */
  listPageSize?: number;
  /** The identities the managed-identity token endpoint hands out tokens for; the first is the default. */
  managedIdentities?: ManagedIdentity[];
}

/** A managed identity: the token endpoint mints tokens carrying these claims. */
export interface ManagedIdentity {
  tenantId: string;
  /** The service principal's object id (`oid`). */
  objectId: string;
  /** The application (client) id (`appid`); callers pick a user-assigned identity by it. */
  clientId: string;
}

/** A stand-in identity for callers that configured none (a bare `sim` adopts its subscriptions). */
export const DEFAULT_MANAGED_IDENTITY: ManagedIdentity = {
  tenantId: "00000000-0000-4000-8000-00000000a001",
  objectId: "00000000-0000-4000-8000-00000000a002",
  clientId: "00000000-0000-4000-8000-00000000a003",
};

export interface ResolvedOptions {
  port: number;
  stateDir: string | undefined;
  timeScale: number;
  clock: ClockMode;
  limits: LimitOptions;
  latencyMs: Partial<Record<CallClass, number>>;
  /** Already multiplied by `timeScale`. */
  durations: Durations;
  requestLogLimit: number;
  listPageSize: number;
  managedIdentities: ManagedIdentity[];
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const timeScale = positive(options.timeScale, 1, "timeScale");
  const base = { ...RECORDED_DURATIONS, ...options.durations };
  const durations = Object.fromEntries(
    Object.entries(base).map(([key, ms]) => [key, positive(ms, 0, `durations.${key}`) * timeScale]),
  ) as unknown as Durations;
  return {
    port: positive(options.port, 0, "port"),
    stateDir: options.stateDir,
    timeScale,
    clock: options.clock ?? "real",
    limits: options.limits ?? {},
    latencyMs: options.latencyMs ?? {},
    durations,
    requestLogLimit: positive(options.requestLogLimit, 100_000, "requestLogLimit"),
    listPageSize: Math.max(1, Math.floor(positive(options.listPageSize, 100, "listPageSize"))),
    managedIdentities:
      options.managedIdentities && options.managedIdentities.length > 0
        ? options.managedIdentities
        : [DEFAULT_MANAGED_IDENTITY],
  };
}
