// The generic controller: hears of changes to a kind (and the kinds it depends on) from shared
// informers, and runs a reconciler per key through the work queue. Everything but the reconcile
// itself lives here.
import type { Logger } from "pino";
import type { BackoffPolicy } from "./backoff.js";
import { jsonEqual } from "./equality.js";
import { describeError, isWriteRace } from "./errors.js";
import { type Informer, type InformerEvent, InformerSet, type Subscription } from "./informer.js";
import { type Lane, type QueueHooks, type ShutdownResult, WorkQueue, workerCount } from "./queue.js";
import { type KubeObject, keyOf, type ObjectRef, parseKey, type ResourceDescriptor } from "./resource.js";
import { Resync } from "./resync.js";
import type { ReadonlyStore } from "./store.js";
import type { KubeTransport } from "./transport.js";
import type { RestartReason } from "./watcher.js";

export interface ReconcileRequest<T> {
  /** `namespace/name` (or `name` for cluster-scoped kinds). */
  key: string;
  ref: ObjectRef;
  /** The cached object; undefined when it no longer exists (it was deleted without our finalizer). */
  object: T | undefined;
  /** Aborted when the controller shuts down and stops waiting for this reconcile. */
  signal: AbortSignal;
  /**
   * Why it runs: `change` (the object changed, or a timer it asked for came), `related`
   * (something it depends on changed), or `resync` (a periodic, start-up or relist pass: nothing
   * is known to have changed).
   */
  lane: Lane;
  /** Adds fields to this reconcile's outcome log line (e.g. how many ARM calls it made). */
  annotate(fields: Record<string, unknown>): void;
}

/** Nothing: settled until something changes. `requeueAfter`: look again after that many ms. */
export type ReconcileResult = undefined | { requeueAfter?: number };

/** One reconcile of one key. Throwing means "failed": the key is retried with exponential backoff. */
export type ReconcileFn<T> = (request: ReconcileRequest<T>) => Promise<ReconcileResult | undefined>;

/** Another kind whose changes wake objects of this controller's kind. */
export interface RelatedWatch<U extends KubeObject, T extends KubeObject> {
  resource: ResourceDescriptor;
  /** Keys of this controller's objects to reconcile when `object` changed (or appeared, or went). */
  mapToKeys(object: U, primary: ReadonlyStore<T>): string[];
  /**
   * Optional: whether a change of a related object can matter to its dependents (a parent's
   * status write that leaves its Ready and id as they were does not). Unset: every change does.
   */
  matters?(previous: U, current: U): boolean;
}

export type ReconcileOutcome = "success" | "requeue" | "error";

/** Callbacks for metrics (the server/ layer turns them into Prometheus series). Must not throw. */
export interface ControllerHooks {
  reconciled?(event: {
    controller: string;
    key: string;
    outcome: ReconcileOutcome;
    durationMs: number;
  }): void;
  /** Called once, as the controller is built: its queue's hooks; `workers` is how many run at once. */
  queue?(controller: string, settings: { workers: number }): QueueHooks;
  watchRestarted?(event: { controller: string; resource: string; reason: RestartReason }): void;
}

export interface ControllerOptions<T extends KubeObject> {
  /** Names the controller in logs and metrics; defaults to the kind. */
  name?: string;
  resource: ResourceDescriptor;
  transport: KubeTransport;
  reconcile: ReconcileFn<T>;
  logger: Logger;
  /** Only watch this namespace (all namespaces when unset); must be the namespace of `informers`. */
  namespace?: string;
  /**
   * The shared informers to hear from and read (reconcilers read the same caches through
   * `informers.informer(resource).store`). Unset: the controller makes a set of its own.
   */
  informers?: InformerSet;
  /** Keys reconciled at the same time, per group when `groupOf` is set. */
  concurrency?: number;
  /**
   * Optional: the group an object's reconciles count against (the operator's: its Azure
   * subscription); each group gets `concurrency` workers of its own (WorkQueue's `groupOf`).
   * Keys whose object is not cached, or that name none, share one group.
   */
  groupOf?(object: T): string | undefined;
  /** Backoff of failing keys. */
  backoff?: BackoffPolicy;
  /**
   * Reconcile every cached object about this often, spread over the period (see resync.ts); off
   * when unset or 0.
   */
  resyncPeriodMs?: number;
  /**
   * Whether a change of a cached object needs a reconcile. The default skips changes that touch only
   * status or bookkeeping, so our own status writes do not wake the object again.
   */
  shouldReconcile?(previous: T | undefined, current: T): boolean;
  watches?: RelatedWatch<KubeObject, T>[];
  hooks?: ControllerHooks;
}

/**
 * Runs `reconcile` for every object of a kind, whenever it or something it depends on changes.
 *
 * Expected flow:
 * 1. `start()` subscribes to the informers of the kind and of each related kind (their watches
 *    start with their first subscriber, and fill one cache per kind).
 * 2. Every listed object is queued; once every cache is synced, workers start.
 * 3. Each change of an object queues its key (unless `shouldReconcile` says it only touched status);
 *    each change of a related object queues the keys its `mapToKeys` returns.
 * 4. A worker takes a key, reads the object from the cache (undefined if gone) and calls `reconcile`;
 *    its result or error schedules the next run (see WorkQueue).
 * 5. `stop()` stops the watches and drains the workers.
 *
 * Guarantees:
 * - A key is never reconciled by two workers at once; at most `concurrency` keys run at a time.
 * - Reconciles read the object as of the latest watch event, never older than one they already saw.
 * - Objects deleted while a watch was down are still reconciled (with `object` undefined).
 * - Every outcome is logged once with kind, namespace, name and generation, and reported to hooks.
 *
 * Caveats: the controller does not do leader election; run it only while leading (see manager.ts).
 */
export class Controller<T extends KubeObject> {
  readonly name: string;
  private readonly primary: Informer<T>;
  private readonly informers: InformerSet;
  private readonly queue: WorkQueue;
  private readonly subscriptions: Subscription[] = [];
  private readonly log: Logger;
  private resync: Resync | undefined;
  private started = false;

  constructor(private readonly options: ControllerOptions<T>) {
    this.name = options.name ?? options.resource.kind;
    this.log = options.logger.child({ controller: this.name });
    const groupOf = options.groupOf;
    this.queue = new WorkQueue({
      concurrency: options.concurrency,
      ...(groupOf
        ? {
            groupOf: (key: string) => {
              const object = this.primary.store.get(key);
              return (object && groupOf(object)) ?? "";
            },
          }
        : {}),
      backoff: options.backoff,
      hooks: options.hooks?.queue?.(this.name, { workers: workerCount(options.concurrency) }),
    });
    this.informers =
      options.informers ??
      new InformerSet(options.transport, { namespace: options.namespace, logger: this.log });
    if (this.informers.namespace !== options.namespace) {
      throw new Error(
        `controller ${this.name} watches namespace ${options.namespace ?? "(all)"} but its informers watch ${this.informers.namespace ?? "(all)"}`,
      );
    }
    this.primary = this.informers.informer<T>(options.resource);
  }

  /** The cache of this controller's kind. */
  get store(): ReadonlyStore<T> {
    return this.primary.store;
  }

  /** Keys waiting to be reconciled. */
  get queueDepth(): number {
    return this.queue.depth;
  }

  /**
   * Starts watching and, once all caches are synced, reconciling.
   *
   * Guarantees: resolves after the caches synced and workers started; rejects only if `signal`
   * aborted first (watches retry failures for ever, so an unreachable API server keeps this pending).
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`controller ${this.name} already started`);
    this.started = true;
    const onRestart = (informer: { name: string }) => (reason: RestartReason) =>
      this.options.hooks?.watchRestarted?.({ controller: this.name, resource: informer.name, reason });
    this.subscriptions.push(
      this.primary.subscribe({
        onEvent: (event) => this.onPrimaryEvent(event),
        onRestart: onRestart(this.primary),
      }),
    );
    for (const w of this.options.watches ?? []) {
      const informer = this.informers.informer<KubeObject>(w.resource);
      this.subscriptions.push(
        informer.subscribe({
          onEvent: (event) => this.onRelatedEvent(w, event),
          onRestart: onRestart(informer),
        }),
      );
    }
    const synced = Promise.all(this.subscriptions.map((s) => s.synced));
    await (signal ? raceAbort(synced, signal) : synced);
    // The first `Listed` already queued every object; the queue held them until now.
    this.queue.start((key, abort, lane) => this.runOnce(key, abort, lane));
    const period = this.options.resyncPeriodMs;
    if (period) {
      this.resync = new Resync({
        periodMs: period,
        keys: () => this.primary.store.list().map(keyOf),
        has: (key) => this.primary.store.get(key) !== undefined,
        add: (key) => this.queue.add(key, "resync"),
      });
      this.resync.start();
    }
    this.log.info({ objects: this.primary.store.size }, "caches synced; reconciling");
  }

  /**
   * Stops watching and reconciling.
   *
   * Guarantees: no reconcile starts after this is called; waits for running ones until `deadlineMs`
   * (for ever when unset), then aborts their signals and reports them as abandoned.
   */
  async stop(options: { deadlineMs?: number } = {}): Promise<ShutdownResult> {
    this.resync?.stop();
    const result = await this.queue.shutdown(options);
    await Promise.all(this.subscriptions.splice(0).map((s) => s.unsubscribe()));
    if (result.abandoned.length > 0)
      this.log.warn({ abandoned: result.abandoned }, "reconciles abandoned at shutdown");
    return result;
  }

  /** Queues `key` for a reconcile now (for callers outside the watches, e.g. a webhook). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  private onPrimaryEvent(event: InformerEvent<T>): void {
    switch (event.type) {
      case "Listed":
        // A (re)list is a pass over everything, like a resync; what it removed did change.
        for (const obj of event.objects) this.queue.add(keyOf(obj), "resync");
        for (const obj of event.removed) this.queue.add(keyOf(obj));
        return;
      case "Applied": {
        const shouldReconcile = this.options.shouldReconcile ?? specOrMetadataChanged;
        if (shouldReconcile(event.previous, event.object)) this.queue.add(keyOf(event.object));
        return;
      }
      case "Deleted":
        this.queue.add(keyOf(event.object));
        return;
    }
  }

  private onRelatedEvent(watch: RelatedWatch<KubeObject, T>, event: InformerEvent<KubeObject>): void {
    // Dependents are woken in the related lane: behind changes to objects themselves.
    const wake = (objects: KubeObject[], lane: Lane = "related") => {
      for (const obj of objects)
        for (const key of watch.mapToKeys(obj, this.primary.store)) this.queue.add(key, lane);
    };
    switch (event.type) {
      case "Listed":
        // As for the primary kind: a (re)list is a resync pass, except for what it removed.
        wake(event.removed);
        wake(event.objects, "resync");
        return;
      case "Applied":
        if (event.previous && watch.matters && !watch.matters(event.previous, event.object)) return;
        // Both versions: a related object that changed what it points to wakes its old and new dependents.
        wake(event.previous ? [event.previous, event.object] : [event.object]);
        return;
      case "Deleted":
        wake([event.object]);
        return;
    }
  }

  private async runOnce(key: string, signal: AbortSignal, lane: Lane): Promise<ReconcileResult> {
    const ref = parseKey(key);
    const object = this.primary.store.get(key);
    const log = this.log.child({
      kind: this.options.resource.kind,
      namespace: ref.namespace,
      name: ref.name,
      generation: object?.metadata.generation,
    });
    const started = performance.now();
    const notes: Record<string, unknown> = {};
    const annotate = (fields: Record<string, unknown>) => Object.assign(notes, fields);
    const report = (outcome: ReconcileOutcome) => {
      const durationMs = Math.round(performance.now() - started);
      this.options.hooks?.reconciled?.({ controller: this.name, key, outcome, durationMs });
      return durationMs;
    };
    try {
      const result = await this.options.reconcile({ key, ref, object, signal, lane, annotate });
      const requeueAfter = result?.requeueAfter;
      const durationMs = report(requeueAfter === undefined ? "success" : "requeue");
      log.info(
        { outcome: requeueAfter === undefined ? "success" : "requeue", requeueAfter, durationMs, ...notes },
        "reconciled",
      );
      return result;
    } catch (err) {
      const durationMs = report("error");
      const failures = this.queue.failureCount(key) + 1;
      const fields = { outcome: "error", error: describeError(err), failures, durationMs, ...notes };
      // Our own optimistic-concurrency guards losing a race are routine: retried from a fresh read.
      if (isWriteRace(err)) log.debug(fields, "lost a write race to a concurrent change; retrying");
      else log.warn(fields, "reconcile failed; backing off");
      throw err;
    }
  }
}

/**
 * The default `shouldReconcile`: true for a new object, a new generation (spec), or a change of the
 * metadata reconcilers act on (deletion, finalizers, labels, annotations). False for status-only writes.
 */
export function specOrMetadataChanged(previous: KubeObject | undefined, current: KubeObject): boolean {
  if (!previous) return true;
  const a = previous.metadata;
  const b = current.metadata;
  // Kinds without a generation (no status subresource) change it never: fall back to "any change".
  if (b.generation === undefined) return a.resourceVersion !== b.resourceVersion;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    !jsonEqual(a.finalizers ?? [], b.finalizers ?? []) ||
    !jsonEqual(a.labels ?? {}, b.labels ?? {}) ||
    !jsonEqual(a.annotations ?? {}, b.annotations ?? {})
  );
}

function raceAbort<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
