import { afterEach, describe, expect, it } from "vitest";
import { BudgetTracker } from "../../src/azure/budget.js";
import type { ArmRequestEvent } from "../../src/azure/ratelimit.js";
import { WorkQueue } from "../../src/kube/queue.js";
import { OperatorMetrics } from "../../src/server/metrics.js";
import { parseSamples, type Sample, sampleValue, serve } from "./scrape.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0)) await close();
});

/** Scrapes `metrics` over real HTTP, as Prometheus would. */
async function scrape(metrics: OperatorMetrics): Promise<{ text: string; samples: Sample[] }> {
  const server = await serve(metrics);
  cleanups.push(() => server.close());
  const res = await server.get("/metrics");
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, samples: parseSamples(text) };
}

/** Polls `condition` every few ms (the work queue runs on real timers). */
async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function armEvent(overrides: Partial<ArmRequestEvent>): ArmRequestEvent {
  return {
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    method: "GET",
    requestClass: "GET microsoft.compute/galleries/*",
    buckets: ["Microsoft.Compute/GetGallery3Min"],
    status: 200,
    durationMs: 40,
    delayedMs: 0,
    outcome: "response",
    ...overrides,
  };
}

describe("OperatorMetrics: controller hooks", () => {
  it("counts reconciles by result, errors, and times them", async () => {
    const metrics = new OperatorMetrics();
    const hooks = metrics.controllerHooks();
    hooks.queue("Gallery", { workers: 4 });
    hooks.reconciled({ controller: "Gallery", key: "ns/a", outcome: "success", durationMs: 120 });
    hooks.reconciled({ controller: "Gallery", key: "ns/b", outcome: "success", durationMs: 80 });
    hooks.reconciled({ controller: "Gallery", key: "ns/c", outcome: "error", durationMs: 1_000 });

    const { text, samples } = await scrape(metrics);
    expect(text).toContain('controller_runtime_reconcile_total{controller="Gallery",result="success"} 2');
    const total = (result: string) =>
      sampleValue(samples, "controller_runtime_reconcile_total", { controller: "Gallery", result });
    expect([total("success"), total("requeue"), total("error")]).toEqual([2, 0, 1]);
    expect(sampleValue(samples, "controller_runtime_reconcile_errors_total", { controller: "Gallery" })).toBe(
      1,
    );
    const time = { controller: "Gallery" };
    expect(sampleValue(samples, "controller_runtime_reconcile_time_seconds_count", time)).toBe(3);
    expect(sampleValue(samples, "controller_runtime_reconcile_time_seconds_sum", time)).toBeCloseTo(1.2);
    expect(
      sampleValue(samples, "controller_runtime_reconcile_time_seconds_bucket", { ...time, le: "0.1" }),
    ).toBe(1);
  });

  it("creates a controller's series at zero when its queue hooks are taken", async () => {
    const metrics = new OperatorMetrics();
    metrics.controllerHooks().queue("ImageDefinition", { workers: 3 });
    const { samples } = await scrape(metrics);
    const name = { name: "ImageDefinition" };
    expect(
      sampleValue(samples, "controller_runtime_reconcile_total", {
        controller: "ImageDefinition",
        result: "requeue",
      }),
    ).toBe(0);
    expect(
      sampleValue(samples, "controller_runtime_reconcile_errors_total", { controller: "ImageDefinition" }),
    ).toBe(0);
    expect(sampleValue(samples, "workqueue_depth", name)).toBe(0);
    expect(sampleValue(samples, "workqueue_adds_total", name)).toBe(0);
    expect(sampleValue(samples, "workqueue_retries_total", name)).toBe(0);
    const controller = { controller: "ImageDefinition" };
    expect(sampleValue(samples, "controller_runtime_max_concurrent_reconciles", controller)).toBe(3);
    expect(sampleValue(samples, "controller_runtime_active_workers", controller)).toBe(0);
    expect(sampleValue(samples, "workqueue_unfinished_work_seconds", name)).toBe(0);
    expect(sampleValue(samples, "workqueue_longest_running_processor_seconds", name)).toBe(0);
  });

  it("shows running work while it runs, and times it when it ends", async () => {
    const metrics = new OperatorMetrics();
    const queue = new WorkQueue({
      concurrency: 2,
      hooks: metrics.controllerHooks().queue("Gallery", { workers: 2 }),
    });
    let release = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started = new Set<string>();
    const finished = new Set<string>();
    queue.start(async (key) => {
      started.add(key);
      await blocked;
      finished.add(key);
      return undefined;
    });
    queue.add("ns/a");
    queue.add("ns/b");
    await waitUntil(() => started.size === 2);
    // Long enough for the ages to be measurable in whole milliseconds.
    const since = Date.now();
    await waitUntil(() => Date.now() - since >= 20);

    const name = { name: "Gallery" };
    const controller = { controller: "Gallery" };
    let { samples } = await scrape(metrics);
    expect(sampleValue(samples, "controller_runtime_active_workers", controller)).toBe(2);
    const longest = sampleValue(samples, "workqueue_longest_running_processor_seconds", name) ?? 0;
    const unfinished = sampleValue(samples, "workqueue_unfinished_work_seconds", name) ?? 0;
    expect(longest).toBeGreaterThanOrEqual(0.02);
    expect(unfinished).toBeGreaterThanOrEqual(longest); // the sum over both running keys
    expect(sampleValue(samples, "workqueue_work_duration_seconds_count", name)).toBe(0);

    release();
    await waitUntil(() => finished.size === 2);
    await queue.shutdown();
    ({ samples } = await scrape(metrics));
    expect(sampleValue(samples, "controller_runtime_active_workers", controller)).toBe(0);
    expect(sampleValue(samples, "workqueue_unfinished_work_seconds", name)).toBe(0);
    expect(sampleValue(samples, "workqueue_work_duration_seconds_count", name)).toBe(2);
    expect(sampleValue(samples, "workqueue_work_duration_seconds_sum", name)).toBeGreaterThanOrEqual(0.04);
  });

  it("fills the workqueue series from a real WorkQueue", async () => {
    const metrics = new OperatorMetrics();
    const queue = new WorkQueue({
      hooks: metrics.controllerHooks().queue("Gallery", { workers: 1 }),
      backoff: { baseMs: 1, capMs: 1, jitter: 0 },
    });
    queue.add("ns/a");
    queue.add("ns/a"); // deduplicated into one run, but still an add
    queue.add("ns/b");
    const depthBeforeStart = sampleValue((await scrape(metrics)).samples, "workqueue_depth", {
      name: "Gallery",
    });
    expect(depthBeforeStart).toBe(2);

    let failedOnce = false;
    const done = new Set<string>();
    const allDone = new Promise<void>((resolve) => {
      queue.start(async (key) => {
        if (key === "ns/b" && !failedOnce) {
          failedOnce = true;
          throw new Error("first try fails");
        }
        done.add(key);
        if (done.size === 2) resolve();
        return undefined;
      });
    });
    await allDone;
    await queue.shutdown();

    const { samples } = await scrape(metrics);
    const name = { name: "Gallery" };
    expect(sampleValue(samples, "workqueue_adds_total", name)).toBe(4); // 3 adds + the retry's re-add
    expect(sampleValue(samples, "workqueue_retries_total", name)).toBe(1);
    expect(sampleValue(samples, "workqueue_depth", name)).toBe(0);
    expect(sampleValue(samples, "workqueue_queue_duration_seconds_count", name)).toBe(3);
  });

  it("counts watch restarts by controller, resource and reason", async () => {
    const metrics = new OperatorMetrics();
    const hooks = metrics.controllerHooks();
    const restart = {
      controller: "Gallery",
      resource: "galleries.azure.example.com",
      reason: "idle",
    } as const;
    hooks.watchRestarted(restart);
    hooks.watchRestarted(restart);
    hooks.watchRestarted({ ...restart, reason: "gone" });
    const { samples } = await scrape(metrics);
    expect(sampleValue(samples, "azure_gallery_watch_restarts_total", restart)).toBe(2);
    expect(sampleValue(samples, "azure_gallery_watch_restarts_total", { ...restart, reason: "gone" })).toBe(
      1,
    );
  });
});

describe("OperatorMetrics: ARM", () => {
  it("counts attempts by method, first bucket and status, and times only those sent", async () => {
    const metrics = new OperatorMetrics();
    const { onArmRequest } = metrics; // passed unbound, as the rate-limit policy's onRequest is
    onArmRequest(armEvent({}));
    onArmRequest(armEvent({ durationMs: 60 }));
    onArmRequest(armEvent({ status: 429, retryAfterMs: 30_000 }));
    onArmRequest(armEvent({ status: undefined, outcome: "heldBack", durationMs: 0 }));
    onArmRequest(armEvent({ status: undefined, outcome: "error", durationMs: 5 }));
    onArmRequest(armEvent({ method: "PUT", buckets: [], status: 201, durationMs: 500 }));
    onArmRequest(armEvent({ method: "PUT", buckets: ["First", "Second"], status: 500, outcome: "error" }));

    const { samples } = await scrape(metrics);
    const requests = (method: string, bucket: string, status: string) =>
      sampleValue(samples, "azure_gallery_arm_requests_total", { method, bucket, status });
    const gallery = "Microsoft.Compute/GetGallery3Min";
    expect(requests("GET", gallery, "200")).toBe(2);
    expect(requests("GET", gallery, "429")).toBe(1);
    expect(requests("GET", gallery, "heldBack")).toBe(1);
    expect(requests("GET", gallery, "error")).toBe(1);
    expect(requests("PUT", "unknown", "201")).toBe(1);
    expect(requests("PUT", "First", "500")).toBe(1);
    expect(sampleValue(samples, "azure_gallery_arm_request_duration_seconds_count", { method: "GET" })).toBe(
      4,
    );
    expect(
      sampleValue(samples, "azure_gallery_arm_request_duration_seconds_sum", { method: "GET" }),
    ).toBeCloseTo(0.145);
    expect(sampleValue(samples, "azure_gallery_arm_request_duration_seconds_count", { method: "PUT" })).toBe(
      2,
    );
  });

  it("reads throttle remaining from a BudgetTracker on each scrape", async () => {
    const metrics = new OperatorMetrics();
    const tracker = new BudgetTracker();
    const stop = metrics.watchThrottleRemaining(() => tracker.snapshot());
    const sub = "00000000-0000-0000-0000-0000000000AA";
    tracker.observe(sub, [
      { bucket: "subscription-reads", remaining: 11_999, windowMs: 10_000 },
      { bucket: "Microsoft.Compute/GetGallery3Min", remaining: 97, windowMs: 180_000 },
    ]);
    const labels = { subscription: sub.toLowerCase(), bucket: "Microsoft.Compute/GetGallery3Min" };

    let { samples } = await scrape(metrics);
    expect(sampleValue(samples, "azure_gallery_arm_throttle_remaining", labels)).toBe(97);
    expect(
      sampleValue(samples, "azure_gallery_arm_throttle_remaining", {
        ...labels,
        bucket: "subscription-reads",
      }),
    ).toBe(11_999);

    tracker.observe(sub, [{ bucket: "Microsoft.Compute/GetGallery3Min", remaining: 3, windowMs: 180_000 }]);
    ({ samples } = await scrape(metrics));
    expect(sampleValue(samples, "azure_gallery_arm_throttle_remaining", labels)).toBe(3);

    stop();
    ({ samples } = await scrape(metrics));
    expect(samples.filter((s) => s.name === "azure_gallery_arm_throttle_remaining")).toEqual([]);
  });

  it("drops buckets a snapshot no longer has", async () => {
    const metrics = new OperatorMetrics();
    let snapshot = [
      { subscriptionId: "s", bucket: "a", remaining: 1, estimated: 1, limit: 2, windowMs: 1, observedAt: 0 },
      { subscriptionId: "s", bucket: "b", remaining: 5, estimated: 5, limit: 6, windowMs: 1, observedAt: 0 },
    ];
    metrics.watchThrottleRemaining(() => snapshot);
    expect(
      (await scrape(metrics)).samples.filter((s) => s.name === "azure_gallery_arm_throttle_remaining"),
    ).toHaveLength(2);
    snapshot = snapshot.slice(1);
    const { samples } = await scrape(metrics);
    expect(samples.filter((s) => s.name === "azure_gallery_arm_throttle_remaining")).toEqual([
      { name: "azure_gallery_arm_throttle_remaining", labels: { subscription: "s", bucket: "b" }, value: 5 },
    ]);
  });
});

describe("OperatorMetrics: ARM buckets of other providers", () => {
  it("labels role-assignment calls with their own bucket, not unknown", async () => {
    const metrics = new OperatorMetrics();
    const roleClass = "PUT microsoft.authorization/roleassignments/*";
    metrics.onArmRequest(armEvent({ method: "PUT", requestClass: roleClass, buckets: [], status: 201 }));
    metrics.onArmRequest(
      armEvent({ requestClass: "GET microsoft.compute/galleries/*", buckets: [], status: 404 }),
    );
    const { samples } = await scrape(metrics);
    const requests = (method: string, bucket: string, status: string) =>
      sampleValue(samples, "azure_gallery_arm_requests_total", { method, bucket, status });
    expect(requests("PUT", "microsoft.authorization/roleassignments", "201")).toBe(1);
    expect(requests("GET", "unknown", "404")).toBe(1);
  });
});

describe("OperatorMetrics: names", () => {
  it("names no gauge like a counter (…_total)", async () => {
    const metrics = new OperatorMetrics();
    metrics.controllerHooks().queue("Gallery", { workers: 1 });
    metrics.setLeading("lease", true);
    const { text } = await scrape(metrics);
    const gauges = [...text.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]);
    expect(gauges).toContain("controller_runtime_active_workers");
    expect(gauges.filter((name) => name?.endsWith("_total"))).toEqual([]);
  });

  it("reports leadership as leader_election_master_status", async () => {
    const metrics = new OperatorMetrics();
    metrics.setLeading("ago", false);
    expect(
      sampleValue((await scrape(metrics)).samples, "leader_election_master_status", { name: "ago" }),
    ).toBe(0);
    metrics.setLeading("ago", true);
    expect(
      sampleValue((await scrape(metrics)).samples, "leader_election_master_status", { name: "ago" }),
    ).toBe(1);
  });
});

describe("OperatorMetrics: reconciler gauges", () => {
  it("sets LROs in flight by kind", async () => {
    const metrics = new OperatorMetrics();
    metrics.setLrosInFlight("imageVersion", 3);
    metrics.setLrosInFlight("gallery", 1);
    metrics.setLrosInFlight("imageVersion", 2);
    const { samples } = await scrape(metrics);
    expect(sampleValue(samples, "azure_gallery_lro_in_flight", { kind: "imageVersion" })).toBe(2);
    expect(sampleValue(samples, "azure_gallery_lro_in_flight", { kind: "gallery" })).toBe(1);
  });

  it("sets, clamps and removes replication progress", async () => {
    const metrics = new OperatorMetrics();
    const series = "azure_gallery_image_version_replication_progress";
    metrics.setReplicationProgress("team-a", "ubuntu-1.0.0", 40);
    metrics.setReplicationProgress("team-a", "ubuntu-1.0.1", 140);
    metrics.setReplicationProgress("team-b", "win-2.0.0", -5);
    let { samples } = await scrape(metrics);
    expect(sampleValue(samples, series, { namespace: "team-a", name: "ubuntu-1.0.0" })).toBe(40);
    expect(sampleValue(samples, series, { namespace: "team-a", name: "ubuntu-1.0.1" })).toBe(100);
    expect(sampleValue(samples, series, { namespace: "team-b", name: "win-2.0.0" })).toBe(0);

    metrics.setReplicationProgress("team-a", "ubuntu-1.0.0", undefined);
    metrics.setReplicationProgress("team-a", "never-set", undefined); // removing an unknown series is fine
    ({ samples } = await scrape(metrics));
    expect(sampleValue(samples, series, { namespace: "team-a", name: "ubuntu-1.0.0" })).toBeUndefined();
    expect(sampleValue(samples, series, { namespace: "team-a", name: "ubuntu-1.0.1" })).toBe(100);
  });

  it("exports no per-object series when they are turned off", async () => {
    const metrics = new OperatorMetrics({ perObject: false });
    metrics.setReplicationProgress("team-a", "ubuntu-1.0.0", 40);
    const { samples } = await scrape(metrics);
    expect(samples.filter((s) => s.name === "azure_gallery_image_version_replication_progress")).toEqual([]);
  });
});

describe("OperatorMetrics: registries", () => {
  it("keeps each instance's series apart, off prom-client's global registry", async () => {
    const { register } = await import("prom-client");
    const a = new OperatorMetrics();
    const b = new OperatorMetrics();
    a.setLrosInFlight("gallery", 7);
    expect(sampleValue((await scrape(a)).samples, "azure_gallery_lro_in_flight", { kind: "gallery" })).toBe(
      7,
    );
    expect(
      sampleValue((await scrape(b)).samples, "azure_gallery_lro_in_flight", { kind: "gallery" }),
    ).toBeUndefined();
    expect(register.getSingleMetric("azure_gallery_lro_in_flight")).toBeUndefined();
  });
});
