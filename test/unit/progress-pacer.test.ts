// The replication pacer remembers one interval per version while it replicates; a version
// deleted by any path (Orphan, a removed finalizer) must not stay in it for the operator's life.
import { describe, expect, it } from "vitest";
import { ProgressPacer, reportedBudgetFloorMs } from "../../src/reconcilers/image-version/polling.js";

describe("ProgressPacer", () => {
  it("keeps only the versions still in the cache", () => {
    const pacer = new ProgressPacer();
    for (let i = 0; i < 100; i++) pacer.next(`v${i}`, false, 200, 0);
    pacer.retain(new Set(["v1", "v2", "gone-before"]));
    expect(pacer.size).toBe(2);
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
