// What the driver remembers of a write the rate budget held back (write-memory.ts): until the turn
// the budget named, a wake of the object reads nothing and writes nothing; a new spec goes at once.
import { describe, expect, it } from "vitest";
import { ArmError } from "../../src/azure/index.js";
import type { ArmObject, ArmWrite } from "../../src/reconcilers/driver/arm-kind.js";
import { WriteMemory } from "../../src/reconcilers/driver/write-memory.js";

const obj = (generation: number) =>
  ({ metadata: { uid: "u1", name: "v1", namespace: "ns", generation }, spec: {} }) as unknown as ArmObject;
const step = { action: "CreateOrUpdate", eventReason: "Creating", note: "creating v1" } as ArmWrite;
const heldBack = (retryAfterMs: number) =>
  new ArmError({ kind: "Throttled", code: "RateLimitReserve", message: "held back", retryAfterMs });

describe("WriteMemory: a write the rate budget held back", () => {
  it("waits for the turn the budget named, then goes on", () => {
    const memory = new WriteMemory();
    const write = memory.plan(obj(1), "target", step);
    memory.refusedNow(write, heldBack(4_000), 10_000);
    expect(memory.heldFor(obj(1), 10_000)).toBe(4_000);
    expect(memory.heldFor(obj(1), 13_000)).toBe(1_000);
    expect(memory.heldFor(obj(1), 14_000)).toBe(0);
  });

  it("lets a new spec go at once, and forgets the hold once ARM accepts the write", () => {
    const memory = new WriteMemory();
    const write = memory.plan(obj(1), "target", step);
    memory.refusedNow(write, heldBack(4_000), 0);
    expect(memory.heldFor(obj(2), 1)).toBe(0);
    memory.accepted(write, 2);
    expect(memory.heldFor(obj(1), 3)).toBe(0);
  });

  it("does not hold a kind whose writes are independent steps: its other steps go on", () => {
    const memory = new WriteMemory();
    const share = { ...step, failed: () => ({ status: {}, requeueAfterMs: 1_000 }) } as ArmWrite;
    memory.refusedNow(memory.plan(obj(1), "target", share), heldBack(4_000), 0);
    expect(memory.heldFor(obj(1), 1)).toBe(0);
  });

  it("does not hold for ARM's own refusals: they are remembered as refusals", () => {
    const memory = new WriteMemory();
    const write = memory.plan(obj(1), "target", step);
    const throttled = new ArmError({
      kind: "Throttled",
      code: "TooManyRequests",
      message: "429",
      retryAfterMs: 5_000,
      status: 429,
    });
    memory.refusedNow(write, throttled, 0);
    expect(memory.heldFor(obj(1), 1)).toBe(0);
  });
});
