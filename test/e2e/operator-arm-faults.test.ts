// ARM misbehaving: 5xx answers and a 429 with Retry-After on the gallery's GET and PUT. The gallery
// must still converge, the operator must say it is backing off or throttled, and it must not
// hammer ARM while it waits (a hot loop would send hundreds of requests in these seconds).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  galleryManifest,
  galleryRequests,
  lastRequestSeq,
  type OperatorProcess,
  reconcileLines,
  startOperatorProcess,
} from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

let world: World;
let operator: OperatorProcess;

/** The gallery's own URL in a fault pattern (a case-insensitive regular expression). */
function galleryPattern(name: string): string {
  return `/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/${name.replace(/\./g, "\\.")}$`;
}

const armError = (code: string, message: string) => ({ error: { code, message } });

beforeAll(async () => {
  world = await startWorld("e2e-op-faults");
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", world.namespace, "--leader-elect", "false"],
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `Gallery@${world.namespace}`,
  );
});

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

describe("ARM faults", () => {
  it("backs off on 5xx and waits out a 429's Retry-After, then converges without a hot loop", {
    timeout: 90_000,
  }, async () => {
    const name = "gal.faulty";
    const path = galleryPattern(name);
    // Every read of the first reconcile fails (the SDK's own two retries included): a transient
    // failure, so the work queue backs off.
    world.sim.fault({
      method: "GET",
      path,
      count: 3,
      status: 503,
      body: armError("ServiceUnavailable", "The service is temporarily unavailable."),
    });
    // The create is throttled for longer than a worker may sleep: the object waits Retry-After.
    world.sim.fault({
      method: "PUT",
      path,
      count: 1,
      status: 429,
      headers: { "retry-after": "6" },
      body: armError("TooManyRequests", "Too many requests, retry after 6 seconds."),
    });
    // The next create attempt fails once more with a 500; the SDK retries it.
    world.sim.fault({
      method: "PUT",
      path,
      count: 1,
      status: 500,
      body: armError("InternalServerError", "An internal error occurred."),
    });
    const before = lastRequestSeq(world.sim);
    await world.galleries.create(galleryManifest(world, name));

    const throttled = await waitForCondition(world.galleries, world.namespace, name, {
      status: "False",
      reason: "Throttled",
    });
    expect(throttled.status?.conditions?.find((c) => c.type === "Ready")?.message).toMatch(
      /the subscription's ARM request limit is used up \(TooManyRequests\); the operator retries in 6 s/,
    );
    const ready = await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    expect(ready.status?.id).toMatch(/\/galleries\/gal\.faulty$/i);

    // The operator said what it did: backed off after the 5xx, requeued after Retry-After.
    const outcomes = reconcileLines(operator, name);
    const failed = outcomes.find((l) => l.msg === "reconcile failed; backing off");
    expect(failed?.error).toMatch(/temporarily unavailable/);
    const waited = outcomes.find((l) => l.outcome === "requeue" && l.requeueAfter === 6000);
    expect(waited).toBeDefined();

    const seen = galleryRequests(world, name, { after: before });
    const puts = seen.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.status)).toEqual([429, 500, 201]);
    // Retry-After was honoured: the next PUT came no sooner than 6 s after the 429.
    const [throttledPut, retriedPut] = puts;
    expect(Date.parse(retriedPut?.time ?? "") - Date.parse(throttledPut?.time ?? "")).toBeGreaterThanOrEqual(
      5_900,
    );
    // 3 failed GETs, GET + PUT (429), then after Retry-After GET + PUT (500) + PUT, and two reads
    // once the create finished: 10. A little slack; a hot loop would send hundreds in these seconds.
    expect(seen.length).toBeLessThanOrEqual(14);

    // Settled: no more requests for it (the resync period is the default 10 minutes). Another
    // gallery's whole round trip through the same operator, after this one was Ready, is the time
    // a hot loop would have had to show itself.
    const settled = lastRequestSeq(world.sim);
    await world.galleries.create(galleryManifest(world, "gal.after"));
    await waitForCondition(world.galleries, world.namespace, "gal.after", { status: "True" });
    expect(galleryRequests(world, name, { after: settled })).toEqual([]);
  });

  it("keeps a failing gallery on a growing backoff rather than a hot loop", { timeout: 75_000 }, async () => {
    const name = "gal.down";
    const path = galleryPattern(name);
    world.sim.fault({
      method: "GET",
      path,
      count: -1,
      status: 503,
      body: armError("ServiceUnavailable", "The service is temporarily unavailable."),
    });
    try {
      const before = lastRequestSeq(world.sim);
      await world.galleries.create(galleryManifest(world, name));
      const down = await waitForCondition(world.galleries, world.namespace, name, {
        status: "False",
        reason: "AzureError",
      });
      expect(down.status?.conditions?.find((c) => c.type === "Ready")?.message).toMatch(/ServiceUnavailable/);
      // The simulator's log, not the operator's: wait for the reads of at least five failed
      // reconciles (each is the first GET and the SDK's two retries), then look at their spacing.
      const reads = await waitFor(
        "five failed reconciles' reads",
        () => {
          const seen = galleryRequests(world, name, { after: before });
          return seen.length >= 15 ? seen : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 100 },
      );
      expect(reads.every((r) => r.method === "GET" && r.status === 503)).toBe(true);
      const gaps = reads.slice(1).map((r, i) => Date.parse(r.time) - Date.parse(reads[i]?.time ?? ""));
      // The queue waits 0.5 s after the first failure and doubles (less up to 20% jitter): 0.5 + 1
      // + 2 + 4 s before the fifth reconcile, while the SDK's retries wait at most 1 s. A hot loop,
      // or a backoff that does not grow, sends these 15 reads in a few seconds and never pauses 3 s.
      expect(Date.parse(reads[14]?.time ?? "") - Date.parse(reads[0]?.time ?? "")).toBeGreaterThanOrEqual(
        6_000,
      );
      const longest = Math.max(...gaps.slice(0, 14));
      expect(longest).toBeGreaterThanOrEqual(3_000);
      // The pauses grow: the longest one comes late, not among the first reconciles.
      expect(gaps.indexOf(longest)).toBeGreaterThanOrEqual(8);
    } finally {
      world.sim.clearFaults();
    }
    await waitFor(
      "the gallery to converge once ARM answers again",
      async () => {
        const g = await world.galleries.get({ namespace: world.namespace, name });
        return g.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    );
  });
});
