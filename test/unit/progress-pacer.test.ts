// The replication pacer remembers one interval per version while it replicates; a version
// deleted by any path (Orphan, a removed finalizer) must not stay in it for the operator's life.
import { describe, expect, it } from "vitest";
import { ProgressPacer, reportedBudgetFloorMs } from "../../src/reconcilers/image-version/polling.js";

describe("ProgressPacer", () => {
  it("keeps only the versions still in the cache", () => {
    const pacer = new ProgressPacer();
    for (let i = 0; i < 100; i++) pacer.next(`v${i}`, false, 200, 0);
    const live = new Set(["v1", "v2", "gone-before"]);
    for (let i = 0; i < 100; i++) pacer.retain(() => live);
    expect(pacer.size).toBe(2);
  });

  it("sweeps once per as many polls as it holds versions, not on every poll", () => {
    const pacer = new ProgressPacer();
    const live = new Set(Array.from({ length: 200 }, (_, i) => `v${i}`));
    for (const key of live) pacer.next(key, false, 200, 0);
    let sweeps = 0;
    for (let i = 0; i < 1000; i++) {
      pacer.retain(() => {
        sweeps++;
        return live;
      });
    }
    // About one sweep per 200 polls of 200 versions: a sweep per poll would have read the cache 1,000 times.
    expect(sweeps).toBeGreaterThanOrEqual(1);
    expect(sweeps).toBeLessThanOrEqual(6);
    expect(pacer.size).toBe(200);
  });

  it("stays bounded while versions come and go between sweeps", () => {
    const pacer = new ProgressPacer();
    let largest = 0;
    // Each poll is a new version's; the one before it is gone from the cache.
    for (let i = 0; i < 10_000; i++) {
      pacer.next(`v${i}`, false, 200, 0);
      pacer.retain(() => new Set([`v${i}`]));
      largest = Math.max(largest, pacer.size);
    }
    expect(largest).toBeLessThanOrEqual(128);
  });
});

describe("reportedBudgetFloorMs", () => {
  it("slows polls down as other clients of the subscription spend ARM's read bucket", () => {
    const windowMs = 180_000;
    expect(reportedBudgetFloorMs(4, undefined)).toBe(0);
    const full = reportedBudgetFloorMs(4, { remaining: 2000, windowMs });
    const spent = reportedBudgetFloorMs(4, { remaining: 100, windowMs });
    // Four versions at that interval use at most half of what is left over a window.
    expect((4 * windowMs) / spent).toBeLessThanOrEqual(50);
    expect(spent).toBeGreaterThan(full * 10);
  });
});
