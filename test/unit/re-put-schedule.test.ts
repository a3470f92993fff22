// The benchmark's ASO-like baseline: one re-PUT per object per resync period, never one per reconcile.
import { describe, expect, it } from "vitest";
import { rePutSchedule } from "../../src/reconcilers/driver/re-put-schedule.js";

const obj = (uid: string) => ({ metadata: { uid, namespace: "ns", name: uid } });

describe("rePutSchedule", () => {
  it("owes every object a PUT after a start, then one per period", () => {
    let now = 0;
    const schedule = rePutSchedule(60_000, () => now);
    expect(schedule.due(obj("a"))).toBe(true);
    schedule.wrote(obj("a"));
    now = 1_000;
    expect(schedule.due(obj("a"))).toBe(false);
    expect(schedule.due(obj("b"))).toBe(true);
    now = 50_000;
    expect(schedule.due(obj("a"))).toBe(false);
    // The next resync comes one period (plus jitter) later; a little early still counts.
    now = 56_000;
    expect(schedule.due(obj("a"))).toBe(true);
  });

  it("counts any accepted write, so a change resets the period", () => {
    let now = 0;
    const schedule = rePutSchedule(60_000, () => now);
    schedule.wrote(obj("a"));
    now = 59_000;
    schedule.wrote(obj("a"));
    now = 61_000;
    expect(schedule.due(obj("a"))).toBe(false);
  });
});
