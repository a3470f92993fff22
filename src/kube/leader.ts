// Leader election on a coordination.k8s.io/v1 Lease, with client-go's timing rules, so several
// replicas can run and exactly one reconciles.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { jittered } from "./backoff.js";
import { describeError, isAlreadyExists, isConflict, isNotFound } from "./errors.js";
import type { KubeObject } from "./resource.js";
import { ResourceClient } from "./resource-client.js";
import { formatMicroTime } from "./time.js";
import type { KubeTransport } from "./transport.js";

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

const LEASES = {
  group: "coordination.k8s.io",
  version: "v1",
  plural: "leases",
  kind: "Lease",
  namespaced: true,
};

export interface LeaderElectionOptions {
  transport: KubeTransport;
  namespace: string;
  /** The Lease's name, shared by all replicas. */
  name: string;
  /** Unique per replica (the pod name). */
  identity: string;
  /** How long a lease holds without renewal; others wait this long after its last change. */
  leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long. Must be < leaseDurationMs. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. */
  retryPeriodMs?: number;
  /**
   * Clear the holder when `run`'s signal aborts, so another replica takes over at once instead of
   * after `leaseDurationMs` (client-go's ReleaseOnCancel). Default true.
   */
  releaseOnCancel?: boolean;
  logger: Logger;
  /**
   * Runs while this replica leads. `leading` aborts when leadership ends; the elector waits for the
   * returned promise before releasing the lease, so work must stop before another replica starts.
   */
  onStartedLeading(leading: AbortSignal): Promise<void>;
  /** Called after leadership ended and `onStartedLeading` finished. */
  onStoppedLeading?(reason: StepDownReason): void;
  /** Called when a different holder is observed (including none, after a release). */
  onNewLeader?(identity: string): void;
}

/** Why leadership ended: `cancelled` (the run's signal, e.g. SIGTERM) or `lost` (renewal failed). */
export type StepDownReason = "cancelled" | "lost";

/** Why the `leading` signal aborted: the term ended, cancelled or lost. */
export class TermEnded extends Error {
  override name = "TermEnded";
  constructor(readonly reason: StepDownReason) {
    super(`leadership ${reason}`);
  }
}

/**
 * Contends for a Lease and runs work while holding it.
 *
 * Expected flow:
 * 1. `run(signal)` tries to acquire the Lease every `retryPeriodMs` (jittered): it creates it if
 *    missing, or takes it over when its holder is empty or has not renewed it for `leaseDurationMs`.
 * 2. Once acquired, `onStartedLeading(leading)` starts; the elector renews every `retryPeriodMs`.
 * 3. If renewal keeps failing for `renewDeadlineMs`, or another holder is seen, leadership is `lost`.
 *    If `signal` aborts, it is `cancelled`.
 * 4. Either way `leading` aborts, the elector waits for `onStartedLeading` to return, calls
 *    `onStoppedLeading`, and — when cancelled and `releaseOnCancel` — clears the holder so another
 *    replica acquires it on its next try. `run` then resolves.
 *
 * Guarantees:
 * - Every change of the Lease is a compare-and-swap on its resourceVersion: two replicas never both
 *   succeed in taking it.
 * - Expiry is judged by this replica's own clock, from when it last saw the Lease change (as
 *   client-go), so clock skew between replicas does not shorten a lease.
 * - A leader that cannot renew stops leading (`renewDeadlineMs`) before others may take over
 *   (`leaseDurationMs`).
 *
 * Caveats: a replica that just started waits a full `leaseDurationMs` before taking over a lease held
 * by someone else, since it cannot know when that lease was last renewed by its own clock.
 *
 * Errors: `run` does not reject; API errors are logged and retried.
 */
export class LeaderElector {
  private readonly client: ResourceClient<Lease>;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed: { holder: string; renewTime: string; resourceVersion: string } | undefined;
  private observedAt = 0;
  private leading = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.client = new ResourceClient<Lease>(options.transport, LEASES);
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) {
      throw new RangeError("renewDeadlineMs must be shorter than leaseDurationMs");
    }
  }

  /** Whether this replica holds the lease right now (as of its last successful renewal). */
  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder this replica last saw ("" when none). */
  get observedLeader(): string {
    return this.observed?.holder ?? "";
  }

  /** Runs one term: acquire, lead, step down (see the class contract). */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const log = this.options.logger;
    log.info({ lease: this.options.name, identity: this.options.identity }, "became leader");
    this.leading = true;
    const term = new AbortController();
    const work = this.options.onStartedLeading(term.signal).catch((err: unknown) => {
      log.error({ error: describeError(err) }, "leader work failed");
    });
    const reason = await this.renewUntilDone(signal);
    this.leading = false;
    term.abort(new TermEnded(reason));
    await work;
    log.info({ lease: this.options.name, reason }, "stopped leading");
    this.options.onStoppedLeading?.(reason);
    if (reason === "cancelled" && (this.options.releaseOnCancel ?? true)) await this.release();
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      await sleep(jittered(this.retryPeriodMs, 0.2), undefined, { signal }).catch(() => {});
    }
    return false;
  }

  private async renewUntilDone(signal: AbortSignal): Promise<StepDownReason> {
    let lastRenewed = Date.now();
    for (;;) {
      await sleep(this.retryPeriodMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) return "cancelled";
      if (await this.tryAcquireOrRenew(signal)) {
        lastRenewed = Date.now();
        continue;
      }
      if (this.observed?.holder && this.observed.holder !== this.options.identity) return "lost";
      if (Date.now() - lastRenewed >= this.renewDeadlineMs) return "lost";
    }
  }

  /** One attempt; true when this replica holds the lease afterwards. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(this.renewDeadlineMs)]);
    const now = new Date();
    try {
      let lease: Lease;
      try {
        lease = await this.client.get({ namespace, name }, attempt);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.client.create(
          {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { namespace, name },
            spec: this.term(now),
          },
          attempt,
        );
        this.observe(created);
        return true;
      }
      this.observe(lease);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const heldByOther = holder !== "" && holder !== identity;
      if (heldByOther && this.observedAt + this.leaseDurationMs > now.getTime()) return false;
      const renewing = holder === identity;
      const next: LeaseSpec = renewing
        ? { ...spec, renewTime: formatMicroTime(now), leaseDurationSeconds: this.leaseSeconds() }
        : { ...this.term(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
      const updated = await this.client.replace({ ...lease, spec: next }, attempt);
      this.observe(updated);
      return true;
    } catch (err) {
      // A lost race (409) or a create that someone else won is the normal shape of contention.
      if (!isConflict(err) && !isAlreadyExists(err) && !signal.aborted) {
        this.options.logger.warn({ lease: name, error: describeError(err) }, "lease acquire/renew failed");
      }
      return false;
    }
  }

  /** Clears the holder so the next replica need not wait for expiry. Best effort. */
  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    try {
      const lease = await this.client.get({ namespace, name }, AbortSignal.timeout(this.renewDeadlineMs));
      if (lease.spec?.holderIdentity !== identity) return;
      const now = formatMicroTime(new Date());
      await this.client.replace(
        {
          ...lease,
          // client-go's release: no holder, a 1 s duration, fresh times, transitions kept.
          spec: {
            ...lease.spec,
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
        AbortSignal.timeout(this.renewDeadlineMs),
      );
      this.options.logger.info({ lease: name }, "released leadership");
    } catch (err) {
      this.options.logger.warn(
        { lease: name, error: describeError(err) },
        "could not release lease; it will expire",
      );
    }
  }

  private term(now: Date): LeaseSpec {
    const time = formatMicroTime(now);
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.leaseSeconds(),
      acquireTime: time,
      renewTime: time,
      leaseTransitions: 0,
    };
  }

  private leaseSeconds(): number {
    return Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
  }

  // Remembers when the lease last changed by our clock; that, not its renewTime, decides expiry.
  private observe(lease: Lease): void {
    const record = {
      holder: lease.spec?.holderIdentity ?? "",
      renewTime: lease.spec?.renewTime ?? "",
      resourceVersion: lease.metadata.resourceVersion ?? "",
    };
    const previousHolder = this.observed?.holder;
    if (
      !this.observed ||
      this.observed.holder !== record.holder ||
      this.observed.renewTime !== record.renewTime ||
      this.observed.resourceVersion !== record.resourceVersion
    ) {
      this.observed = record;
      this.observedAt = Date.now();
    }
    if (previousHolder !== record.holder) this.options.onNewLeader?.(record.holder);
  }
}
