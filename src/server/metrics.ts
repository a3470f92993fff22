// The operator's Prometheus series. The runtime (src/kube) and the ARM pipeline (src/azure) only call
// plain hooks; this file is the one place that turns those calls into prom-client metrics, so neither
// library depends on prom-client and the names live in one list.

import { Counter, collectDefaultMetrics, exponentialBuckets, Gauge, Histogram, Registry } from "prom-client";
import type { BucketSnapshot } from "../azure/budget.js";
import type { ArmRequestEvent } from "../azure/ratelimit.js";
import type { ControllerHooks, ReconcileOutcome } from "../kube/controller.js";
import type { QueueHooks } from "../kube/queue.js";
import type { KubeRequestEvent } from "../kube/transport.js";

// controller-runtime's buckets for reconcile time, so dashboards built for Go operators read ours alike.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// The queue measures waits with Date.now (whole milliseconds), so buckets below 1 ms would only ever
// hold zeros; 1 ms … 1000 s by decades.
const QUEUE_WAIT_BUCKETS = exponentialBuckets(0.001, 10, 7);
// One reconcile: a cache-only pass takes milliseconds, one that waits for ARM budget or an LRO
// start several seconds; the same decades as the queue wait.
const WORK_BUCKETS = QUEUE_WAIT_BUCKETS;
// One ARM attempt: tens of milliseconds for a read, up to the SDK's own timeouts for a slow write.
const ARM_DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const OUTCOMES: readonly ReconcileOutcome[] = ["success", "requeue", "error"];
const COUNTER_NAMED_GAUGES = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Where the throttle gauge reads ARM's remaining budgets from, at scrape time. */
export type BucketSource = () => readonly BucketSnapshot[];

export interface OperatorMetricsOptions {
  /**
   * Series per object (`azure_gallery_image_version_replication_progress`); default true. Very large
   * fleets turn them off (`--per-object-metrics=false`): one series per image version otherwise.
   */
  perObject?: boolean;
}

/**
 * Every Prometheus series the operator exports, in a registry of its own.
 *
 * Expected flow:
 * 1. Create one per operator process; pass `controllerHooks()` to each Controller, `onArmRequest` to the
 *    ARM client factory, `onKubeRequest` to the KubeTransport, and
 *    `watchThrottleRemaining(() => factory.budgets.snapshot())`; call `setLeading` as leadership
 *    changes (with leader election on).
 * 2. Reconcilers call `setLrosInFlight` and `setReplicationProgress` as their work changes.
 * 3. The HTTP server renders `registry` on `/metrics` (docs/metrics.md lists every series).
 *
 * Guarantees:
 * - The registry is private (not prom-client's global one), so tests and several operators in one
 *   process never collide on names.
 * - Series use controller-runtime's names and labels where one exists (`controller_runtime_*`,
 *   `workqueue_*`, `rest_client_*`, `leader_election_*`), ours are prefixed `azure_gallery_`; no
 *   gauge is named `…_total`.
 * - Hook methods never throw for any input the hooks' types allow, as the runtime requires.
 * - `onArmRequest` and `onKubeRequest` are bound properties: passing them as callbacks works.
 *
 * Caveats: label values come from our own code (controller names, HTTP methods, bucket names, object
 * keys), so cardinality is bounded by the objects the operator manages; replication progress must be
 * removed (`setReplicationProgress(ns, name, undefined)`) when an image version goes away.
 */
export class OperatorMetrics {
  readonly registry = new Registry();

  private readonly reconcileTotal = new Counter({
    name: "controller_runtime_reconcile_total",
    help: "Total number of reconciliations per controller, by result (success, requeue, error).",
    labelNames: ["controller", "result"] as const,
    registers: [this.registry],
  });
  private readonly reconcileErrors = new Counter({
    name: "controller_runtime_reconcile_errors_total",
    help: "Total number of reconciliation errors per controller.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  private readonly reconcileTime = new Histogram({
    name: "controller_runtime_reconcile_time_seconds",
    help: "Length of time per reconciliation per controller.",
    labelNames: ["controller"] as const,
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: "workqueue_depth",
    help: "Current depth of the work queue (keys waiting to run).",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  private readonly queueAdds = new Counter({
    name: "workqueue_adds_total",
    help: "Total number of adds handled by the work queue.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  private readonly queueWait = new Histogram({
    name: "workqueue_queue_duration_seconds",
    help: "How long in seconds a key stays in the work queue before it starts running.",
    labelNames: ["name"] as const,
    buckets: QUEUE_WAIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly queueRetries = new Counter({
    name: "workqueue_retries_total",
    help: "Total number of retries (failed runs rescheduled with backoff) handled by the work queue.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  private readonly workDuration = new Histogram({
    name: "workqueue_work_duration_seconds",
    help: "How long in seconds processing a key from the work queue takes.",
    labelNames: ["name"] as const,
    buckets: WORK_BUCKETS,
    registers: [this.registry],
  });
  private readonly unfinishedWork = new Gauge({
    name: "workqueue_unfinished_work_seconds",
    help: "Seconds of work in progress not yet observed by work_duration; large values mean stuck workers.",
    labelNames: ["name"] as const,
    registers: [this.registry],
    collect: () => this.collectRunning(),
  });
  private readonly longestRunning = new Gauge({
    name: "workqueue_longest_running_processor_seconds",
    help: "How many seconds the longest running reconcile of the queue has been running.",
    labelNames: ["name"] as const,
    registers: [this.registry],
    collect: () => this.collectRunning(),
  });
  private readonly activeWorkers = new Gauge({
    name: "controller_runtime_active_workers",
    help: "Number of workers (reconciles) running now per controller.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  private readonly maxConcurrent = new Gauge({
    name: "controller_runtime_max_concurrent_reconciles",
    help: "Maximum number of concurrent reconciles per controller.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  private readonly restRequests = new Counter({
    name: "rest_client_requests_total",
    help: "Requests to the Kubernetes API server, by HTTP status code (or <error>), method and host.",
    labelNames: ["code", "method", "host"] as const,
    registers: [this.registry],
  });
  private readonly leading = new Gauge({
    name: "leader_election_master_status",
    help: "1 while this replica holds the leader Lease `name`, 0 otherwise.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  private readonly armRequests = new Counter({
    name: "azure_gallery_arm_requests_total",
    help: "ARM request attempts, by method, first resource-provider bucket, and HTTP status (or error, heldBack).",
    labelNames: ["method", "bucket", "status"] as const,
    registers: [this.registry],
  });
  private readonly armDuration = new Histogram({
    name: "azure_gallery_arm_request_duration_seconds",
    help: "Time on the wire of ARM request attempts that were sent, without rate-limit pacing.",
    labelNames: ["method"] as const,
    buckets: ARM_DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly throttleRemaining = new Gauge({
    name: "azure_gallery_arm_throttle_remaining",
    help: "Requests left in an ARM rate-limit bucket, as ARM last reported it (x-ms-ratelimit-remaining-*).",
    labelNames: ["subscription", "bucket"] as const,
    registers: [this.registry],
    collect: () => this.collectThrottleRemaining(),
  });
  private readonly lrosInFlight = new Gauge({
    name: "azure_gallery_lro_in_flight",
    help: "ARM long-running operations the operator is polling, by kind.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  private readonly replicationProgress = new Gauge({
    name: "azure_gallery_image_version_replication_progress",
    help: "Replication progress of an image version, 0-100 percent.",
    labelNames: ["namespace", "name"] as const,
    registers: [this.registry],
  });
  private readonly watchRestarts = new Counter({
    name: "azure_gallery_watch_restarts_total",
    help: "Watches restarted by a controller, by watched resource and reason (closed, idle, error, gone).",
    labelNames: ["controller", "resource", "reason"] as const,
    registers: [this.registry],
  });

  private readonly bucketSources = new Set<BucketSource>();
  /** Start times (ms) of the keys running now, per queue, for the in-progress gauges. */
  private readonly running = new Map<string, Map<string, number>>();
  private readonly perObject: boolean;

  constructor(options: OperatorMetricsOptions = {}) {
    this.perObject = options.perObject ?? true;
    collectDefaultMetrics({ register: this.registry });
    // prom-client's defaults include gauges named like counters; the per-type gauges they sum
    // (`nodejs_active_handles{type}` ...) stay, so `sum()` over those gives the same number.
    for (const name of COUNTER_NAMED_GAUGES) this.registry.removeSingleMetric(name);
  }

  /**
   * Hooks for one `Controller` (its `hooks` option): reconcile outcomes, its work queue, watch restarts.
   *
   * Guarantees: `queue(name)` — which the Controller calls once, when constructed — also creates the
   * controller's series at zero (every result, errors, queue adds/retries/depth), as controller-runtime
   * does, so `rate()` and alerts see the series from the first scrape rather than from the first event.
   * The same object may be shared by every controller: each event carries its controller's name.
   */
  controllerHooks(): Required<ControllerHooks> {
    return {
      reconciled: ({ controller, outcome, durationMs }) => {
        this.reconcileTotal.inc({ controller, result: outcome });
        if (outcome === "error") this.reconcileErrors.inc({ controller });
        this.reconcileTime.observe({ controller }, durationMs / 1000);
      },
      queue: (controller, { workers }) => {
        this.zeroController(controller);
        this.maxConcurrent.set({ controller }, workers);
        return this.queueHooks(controller);
      },
      watchRestarted: ({ controller, resource, reason }) => {
        this.watchRestarts.inc({ controller, resource, reason });
      },
    };
  }

  /**
   * Counts one ARM attempt (pass as the rate-limit policy's `onRequest`).
   *
   * Labels: `bucket` is the first resource-provider bucket the request spends; a request of another
   * provider than Compute (role assignments) spends none and is labelled with its provider and type
   * (`microsoft.authorization/roleassignments`); a Compute request before ARM named its bucket is
   * "unknown". `status` is the HTTP code when a response (or a RestError carrying one) came back,
   * "heldBack" when the policy never sent it, otherwise "error".
   * Guarantees: held-back attempts are counted but not timed, since nothing went on the wire.
   */
  readonly onArmRequest = (event: ArmRequestEvent): void => {
    const { method } = event;
    this.armRequests.inc({ method, bucket: armBucketLabel(event), status: armStatusLabel(event) });
    if (event.outcome !== "heldBack") this.armDuration.observe({ method }, event.durationMs / 1000);
  };

  /** Counts one request to the API server (pass as the KubeTransport's `onRequest`). */
  readonly onKubeRequest = (event: KubeRequestEvent): void => {
    this.restRequests.inc({ code: event.code, method: event.method, host: event.host });
  };

  /** Sets whether this replica leads under the Lease `name` (`leader_election_master_status`). */
  setLeading(name: string, leading: boolean): void {
    this.leading.set({ name }, leading ? 1 : 0);
  }

  /** Sets how many long-running operations of `kind` (e.g. "imageVersion") are being polled now. */
  setLrosInFlight(kind: string, count: number): void {
    this.lrosInFlight.set({ kind }, count);
  }

  /**
   * Sets an image version's replication progress, clamped to 0–100; `undefined` removes the series
   * (call it when the version is deleted, so gone objects do not linger on dashboards). Does nothing
   * when per-object series are off.
   */
  setReplicationProgress(namespace: string, name: string, percent: number | undefined): void {
    if (!this.perObject) return;
    if (percent === undefined) {
      this.replicationProgress.remove({ namespace, name });
      return;
    }
    this.replicationProgress.set({ namespace, name }, Math.min(100, Math.max(0, percent)));
  }

  /**
   * Reads `source` on every scrape into `azure_gallery_arm_throttle_remaining` (one series per
   * subscription and bucket). Several sources may be watched (one per ARM client factory). Returns a
   * function that stops watching this source.
   *
   * Why ARM's reported `remaining` rather than the tracker's estimate: it is what ARM said, so the gauge
   * can be checked against response headers; the estimate is a model that the next response replaces.
   * Errors: a source that throws fails the scrape (the server answers 500 and logs it), rather than
   * exporting a silently empty gauge.
   */
  watchThrottleRemaining(source: BucketSource): () => void {
    this.bucketSources.add(source);
    return () => {
      this.bucketSources.delete(source);
    };
  }

  private queueHooks(name: string): Required<QueueHooks> {
    const running = new Map<string, number>();
    this.running.set(name, running);
    const setActive = () => this.activeWorkers.set({ controller: name }, running.size);
    return {
      added: () => this.queueAdds.inc({ name }),
      depth: (depth) => this.queueDepth.set({ name }, depth),
      started: (key, waitedMs) => {
        this.queueWait.observe({ name }, waitedMs / 1000);
        running.set(key, Date.now());
        setActive();
      },
      retried: () => this.queueRetries.inc({ name }),
      finished: (key, workedMs) => {
        this.workDuration.observe({ name }, workedMs / 1000);
        running.delete(key);
        setActive();
      },
    };
  }

  // Both in-progress gauges, computed at scrape time from the start times of the running keys
  // (either gauge's collect sets both: cheap, and neither depends on the order they render in).
  private collectRunning(): void {
    const now = Date.now();
    for (const [name, running] of this.running) {
      const ages = [...running.values()].map((startedAt) => (now - startedAt) / 1000);
      this.unfinishedWork.set(
        { name },
        ages.reduce((sum, age) => sum + age, 0),
      );
      this.longestRunning.set({ name }, Math.max(0, ...ages));
    }
  }

  private zeroController(controller: string): void {
    for (const result of OUTCOMES) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.queueAdds.inc({ name: controller }, 0);
    this.queueRetries.inc({ name: controller }, 0);
    this.queueDepth.set({ name: controller }, 0);
    this.activeWorkers.set({ controller }, 0);
    this.workDuration.zero({ name: controller });
  }

  // Rebuilt from scratch on each scrape: a bucket that disappeared from every source must disappear here.
  private collectThrottleRemaining(): void {
    this.throttleRemaining.reset();
    for (const source of this.bucketSources) {
      for (const b of source()) {
        this.throttleRemaining.set({ subscription: b.subscriptionId, bucket: b.bucket }, b.remaining);
      }
    }
  }
}

function armBucketLabel(event: ArmRequestEvent): string {
  const first = event.buckets[0];
  if (first) return first;
  // "GET microsoft.authorization/roleassignments/*" → provider and first resource type.
  const [provider = "", type = ""] = (event.requestClass.split(" ")[1] ?? "").split("/");
  return provider && provider !== "microsoft.compute" ? `${provider}/${type}` : "unknown";
}

function armStatusLabel(event: ArmRequestEvent): string {
  if (event.status !== undefined) return String(event.status);
  return event.outcome === "heldBack" ? "heldBack" : "error";
}
