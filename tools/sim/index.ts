// The ARM simulator: an HTTPS stand-in for Azure Resource Manager's Compute Gallery and
// role-assignment APIs, faithful to recorded ARM traffic (docs/simulator.md). Embeddable in
// tests and runnable standalone (`npm run sim`). Imports nothing from the
// operator: it is an independent Azure stand-in.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { addFault } from "./control/api.js";
import { type Fixtures, seedFixtures } from "./control/fixtures.js";
import { SimulatorCore } from "./core.js";
import type { FaultSpec } from "./http/faults.js";
import { startIdentityServer } from "./http/identity-server.js";
import type { RequestRecord, RequestStats } from "./http/request-log.js";
import { startServer } from "./http/server.js";
import { resolveOptions, type SimulatorOptions } from "./options.js";
import type { StateSnapshot } from "./state/store.js";
import { loadOrCreateCertificates } from "./tls/certificates.js";

export { READER_ROLE_ID } from "./arm/role-definitions.js";
export { type SimClientOptions, simClientOptions } from "./client-options.js";
export type { Fixtures } from "./control/fixtures.js";
export type { FaultSpec } from "./http/faults.js";
export type { RequestRecord, RequestStats } from "./http/request-log.js";
export {
  type CallClass,
  type Durations,
  type LimitOptions,
  type ManagedIdentity,
  RECORDED_DURATIONS,
  type SimulatorOptions,
} from "./options.js";
export type { StateSnapshot } from "./state/store.js";
export { COMPUTE_BUCKETS, type ComputeBucket } from "./throttle/limits.js";
export { type CallerIdentity, mintToken, readToken, type TokenClaims } from "./token.js";

export interface Simulator {
  /** `https://127.0.0.1:PORT`: the ARM endpoint to give SDK clients. */
  readonly endpoint: string;
  readonly port: number;
  /** Absolute path of the CA certificate (PEM) that signed the server certificate. */
  readonly caFile: string;
  /** Managed-identity token endpoint (App Service protocol): the value for `IDENTITY_ENDPOINT`. */
  readonly identityEndpoint: string;
  /** The secret for `IDENTITY_HEADER`. */
  readonly identityHeader: string;
  readonly caPem: string;
  /** Stops the server and writes pending state (when `stateDir` is set). */
  close(): Promise<void>;
  /** The request log (`GET /_sim/requests`), optionally only entries after a sequence number. */
  requests(afterSeq?: number): RequestRecord[];
  /** Counts by method, bucket and status (`GET /_sim/stats`). */
  stats(): RequestStats;
  /** Forgets all resources, operations, faults and counters (`POST /_sim/reset`). */
  reset(): void;
  /** Injects a fault (`POST /_sim/faults`). */
  fault(spec: FaultSpec): { id: string };
  clearFaults(): void;
  /** Moves virtual time forward and completes what became due (`POST /_sim/clock`). */
  advance(ms: number): number;
  /** Current virtual time, ms since the epoch. */
  now(): number;
  /** Adds tenants, resource groups and sources (`POST /_sim/fixtures`). */
  seed(fixtures: Fixtures): void;
  /** Everything the simulator holds (`GET /_sim/state`). */
  state(): StateSnapshot;
}

/**
 * Starts a simulator.
 *
 * Flow: 1. load or create the CA and server certificate (in `<stateDir>/tls`, else a fresh temp
 * directory removed on close); 2. load saved state from `stateDir` if any; 3. listen on
 * 127.0.0.1 (`port`, or a free one).
 *
 * Guarantees: resolves once the endpoint accepts connections. Every simulator has its own state,
 * clock and counters, so several can run in one process.
 *
 * Caveats: the simulator accepts any bearer JWT carrying a `tid` claim without checking its
 * signature (use `mintToken`); it is for tests and benchmarks, never for real credentials.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  if (resolved.stateDir) resolved.stateDir = resolve(resolved.stateDir);
  const temporaryDir = resolved.stateDir ? undefined : await mkdtemp(join(tmpdir(), "gallery-sim-"));
  const certificates = await loadOrCreateCertificates(
    resolved.stateDir ? join(resolved.stateDir, "tls") : (temporaryDir ?? tmpdir()),
  );
  const core = new SimulatorCore(resolved, certificates);
  const server = await startServer(core, certificates, resolved.port);
  const identity = await startIdentityServer(resolved.managedIdentities);
  const endpoint = `https://127.0.0.1:${server.port}`;
  return {
    endpoint,
    port: server.port,
    caFile: certificates.caFile,
    caPem: certificates.caPem,
    identityEndpoint: identity.endpoint,
    identityHeader: identity.header,
    async close() {
      await identity.close();
      await server.close();
      await core.flush();
      if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
    },
    requests: (afterSeq) => core.log.list(afterSeq),
    stats: () => core.log.stats(),
    reset: () => core.reset(),
    fault: (spec) => addFault(core, spec),
    clearFaults: () => core.faults.clear(),
    advance: (ms) => core.advance(ms),
    now: () => core.now(),
    seed: (fixtures) => seedFixtures(core, fixtures),
    state: () => core.snapshot(),
  };
}
