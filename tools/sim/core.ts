// The simulated world and its machinery, independent of HTTP: store, clock, operation engine,
// throttling, faults, request log and persistence. The HTTPS server and the in-process helpers of
// `Simulator` both work on one of these.

import { OperationUrlSigner } from "./arm/operation-urls.js";
import { type Clock, createClock } from "./clock.js";
import { completeOperation } from "./engine/completion.js";
import { OperationEngine } from "./engine/operations.js";
import { FaultRegistry } from "./http/faults.js";
import { RequestLog } from "./http/request-log.js";
import type { ResolvedOptions } from "./options.js";
import { StatePersistence } from "./state/persistence.js";
import { type StateSnapshot, Store } from "./state/store.js";
import { resolveLimits } from "./throttle/limits.js";
import { Throttler } from "./throttle/throttler.js";
import type { SimCertificates } from "./tls/certificates.js";

export class SimulatorCore {
  readonly store = new Store();
  readonly engine: OperationEngine;
  readonly throttler: Throttler;
  readonly faults = new FaultRegistry();
  readonly log: RequestLog;
  readonly clock: Clock;
  readonly signer: OperationUrlSigner;
  private readonly persistence: StatePersistence | undefined;

  constructor(
    readonly options: ResolvedOptions,
    certificates: SimCertificates,
  ) {
    this.engine = new OperationEngine(this.store, (operation, at) =>
      completeOperation(this.store, operation, at),
    );
    this.throttler = new Throttler(resolveLimits(options.limits));
    this.log = new RequestLog(options.requestLogLimit);
    this.signer = new OperationUrlSigner(certificates.serverCertDer, certificates.serverKey);
    this.persistence = options.stateDir
      ? new StatePersistence(options.stateDir, () => this.store.snapshot(this.clock.now()))
      : undefined;
    const saved = this.persistence?.load();
    this.clock = createClock(options.clock, saved && options.clock === "manual" ? saved.now : Date.now());
    if (saved) this.store.restore(saved);
    this.engine.reload();
  }

  now(): number {
    return this.clock.now();
  }

  /** Completes every operation due by now; returns the virtual time used. */
  settle(): number {
    const now = this.clock.now();
    if (this.engine.settle(now) > 0) this.changed();
    return now;
  }

  /** Notes that the state changed, so it is persisted (when a state directory is set). */
  changed(): void {
    this.persistence?.markDirty();
  }

  advance(ms: number): number {
    this.clock.advance(ms);
    return this.settle();
  }

  /** Forgets every resource, operation, fault, counter and log entry; the clock keeps its time. */
  reset(): void {
    this.store.clear();
    this.engine.reload();
    this.throttler.reset();
    this.faults.clear();
    this.log.clear();
    this.changed();
  }

  snapshot(): StateSnapshot {
    this.settle();
    return this.store.snapshot(this.clock.now());
  }

  /**
   * Writes the final state to disk at once and stops persisting (used on close); resolves once
   * no background write is left in flight, so none can touch the state directory afterwards.
   */
  async flush(): Promise<void> {
    this.persistence?.flushSync();
    await this.persistence?.settled();
  }
}
