// The fight tracker (docs/runtime.md, "Fights are detected, not fought"): a field written again
// with the same value for the same generation is a correction; one per hour, then a fight.
import { describe, expect, it } from "vitest";
import { FIGHT_WINDOW_MS, FightTracker } from "../../src/reconcilers/driver/drift-fight.js";

const tag = { field: "tags.CostCenter", want: "1", have: "2" };
const HOUR = FIGHT_WINDOW_MS;

describe("FightTracker", () => {
  it("allows the first write and one correction, then reports the fight", () => {
    const t = new FightTracker();
    expect(t.check("u", 1, [tag], 0)).toBeUndefined();
    t.wrote("u", 1, [tag], 0);
    expect(t.check("u", 1, [tag], 1_000)).toBeUndefined();
    t.wrote("u", 1, [tag], 1_000);
    expect(t.check("u", 1, [tag], 2_000)).toEqual({ field: tag, corrections: 1, retryAt: HOUR });
  });

  it("starts afresh for a new generation, another value, or after the window", () => {
    const t = new FightTracker();
    t.wrote("u", 1, [tag], 0);
    t.wrote("u", 1, [tag], 1);
    expect(t.check("u", 2, [tag], 2)).toBeUndefined();
    expect(t.check("u", 1, [{ ...tag, want: "3" }], 2)).toBeUndefined();
    expect(t.check("u", 1, [tag], HOUR + 1)).toBeUndefined();
  });

  it("does not count a write whose operation failed, nor fields the operator shares", () => {
    const t = new FightTracker();
    t.wrote("u", 1, [tag], 0);
    t.wrote("u", 1, [tag], 1);
    t.undoLast("u");
    expect(t.check("u", 1, [tag], 2)).toBeUndefined();
    const shared = { field: "sharing.permissions", want: "Groups", shared: true };
    t.wrote("u", 1, [shared], 3);
    t.wrote("u", 1, [shared], 4);
    expect(t.check("u", 1, [shared], 5)).toBeUndefined();
  });

  it("drops objects with no write in the window", () => {
    const t = new FightTracker();
    t.wrote("a", 1, [tag], 0);
    t.wrote("b", 1, [tag], HOUR + 1);
    expect(t.size).toBe(1);
    t.forget("b");
    expect(t.size).toBe(0);
  });
});
