import { describe, expect, it } from "vitest";
import { BudgetTracker } from "../../../src/azure/budget.js";

const SUB = "sub-1";
const SHARE3 = "Microsoft.Compute/PostShareGallery3Min";

function tracker(reserve = { fraction: 0.1, min: 1 }) {
  const clock = { now: 1_000_000 };
  return { clock, budgets: new BudgetTracker(reserve, () => clock.now) };
}

describe("BudgetTracker", () => {
  it("never delays a bucket it has not seen", () => {
    const { budgets } = tracker();
    expect(budgets.peek(SUB, ["subscription-writes", SHARE3])).toEqual({ delayMs: 0 });
  });

  it("lets requests through while the bucket is above its reserve", () => {
    const { budgets } = tracker();
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 9, windowMs: 180_000 }]);
    // limit 10, reserve 1: 9 left, 8 may go at once.
    for (let i = 0; i < 8; i++) {
      expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(0);
      budgets.spend(SUB, [SHARE3]);
    }
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBeGreaterThan(0);
  });

  it("spreads what is left over the window: one refill interval (window/limit) apart", () => {
    const { budgets } = tracker();
    // CreateUpdateGallery3Min: limit 50, reserve 5; 5 left = at the reserve.
    const bucket = "Microsoft.Compute/CreateUpdateGallery3Min";
    budgets.observe(SUB, [{ bucket, remaining: 49, windowMs: 180_000 }]);
    budgets.observe(SUB, [{ bucket, remaining: 5, windowMs: 180_000 }]);
    const interval = 180_000 / 50;
    expect(budgets.peek(SUB, [bucket])).toEqual({ delayMs: Math.ceil(interval), bucket });
    budgets.spend(SUB, [bucket]);
    expect(budgets.peek(SUB, [bucket]).delayMs).toBe(Math.ceil(2 * interval));
    budgets.spend(SUB, [bucket]);
    expect(budgets.peek(SUB, [bucket]).delayMs).toBe(Math.ceil(3 * interval));
  });

  it("refills with time and re-anchors on each response", () => {
    const { clock, budgets } = tracker();
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 9, windowMs: 180_000 }]);
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 0, windowMs: 180_000 }]);
    // 0 left, reserve 1: two units must refill at 18 s each.
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(36_000);
    clock.now += 18_000;
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(18_000);
    clock.now += 18_000;
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(0);
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 7, windowMs: 180_000 }]);
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(0);
  });

  it("does not refill a sliding window before its calls leave it (a burst, then a steady trickle)", () => {
    const { clock, budgets } = tracker();
    const sentAt = clock.now;
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 9, windowMs: 180_000 }]);
    for (let i = 0; i < 9; i++) {
      budgets.spend(SUB, [SHARE3]);
      clock.now += 10;
    }
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 0, windowMs: 180_000 }]);
    // A token bucket would let one through every 18 s from here; ARM frees a slot only when the
    // first call leaves the 3-minute window.
    clock.now += 60_000;
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(sentAt + 180_000 - clock.now);
    clock.now = sentAt + 180_000;
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(0);
  });

  it("frees a sliding window's slots as fast as its own burst leaves it, not at limit/window", () => {
    const { clock, budgets } = tracker();
    const bucket = "Microsoft.Compute/CreateUpdateGalleryImageVersion30Min";
    const windowMs = 180_000; // 30 minutes at time scale 0.1
    const first = clock.now;
    budgets.observe(SUB, [{ bucket, remaining: 1199, windowMs }]);
    // 1,080 writes 10 ms apart leave ARM's reserve (120 of 1,200).
    for (let i = 0; i < 1080; i++) {
      budgets.spend(SUB, [bucket]);
      clock.now += 10;
    }
    budgets.observe(SUB, [{ bucket, remaining: 119, windowMs }]);
    clock.now = first + windowMs + 10; // the first two calls have left the window
    expect(budgets.peek(SUB, [bucket]).delayMs).toBe(0);
    budgets.spend(SUB, [bucket]);
    expect(budgets.peek(SUB, [bucket]).delayMs).toBe(0);
    budgets.spend(SUB, [bucket]);
    // The next slot frees when the third call leaves: 10 ms on, where a token bucket would say
    // window/limit = 150 ms per slot.
    expect(budgets.peek(SUB, [bucket]).delayMs).toBe(10);
  });

  it("gives held-back requests successive turns, one freeing slot apart", () => {
    const { clock, budgets } = tracker();
    const windowMs = 18_000;
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 9, windowMs }]);
    const first = clock.now;
    for (let i = 0; i < 9; i++) {
      budgets.spend(SUB, [SHARE3]);
      clock.now += 1_000;
    }
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 0, windowMs }]);
    // Reserve 1 of 10: two slots must free. The one call ARM counted before ours frees its slot
    // by the refill interval; ours leave the window 1 s apart, the first at `first + window`.
    const peeked = budgets.peek(SUB, [SHARE3]).delayMs;
    expect(peeked).toBe(first + windowMs - clock.now);
    const turns = [0, 1, 2].map(() => budgets.holdBack(SUB, [SHARE3]));
    expect(turns).toEqual([peeked, peeked + 1_000, peeked + 2_000]);
    // The first holder comes back at its turn and finds room; its turn is taken, the others stay.
    clock.now += peeked;
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(0);
    budgets.spend(SUB, [SHARE3]);
    expect(budgets.holdBack(SUB, [SHARE3])).toBe(3_000);
  });

  it("remembers sends made before it knew their buckets, and frees their slots when they leave", () => {
    const { clock, budgets } = tracker();
    const windowMs = 18_000;
    const first = clock.now;
    // Nine shares in flight at once: none was paced by the share bucket, unknown until answered.
    const sent = Array.from({ length: 9 }, (_, i) => first + i * 10);
    clock.now = first + 500;
    sent.forEach((sentAt, i) => {
      budgets.observe(SUB, [{ bucket: SHARE3, remaining: 9 - i - 1 + 1, windowMs }], { sentAt, paced: [] });
    });
    // 1 left (the reserve): the next slot frees when the first share leaves the window, not one
    // refill interval (1.8 s) after ARM's answer.
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(first + windowMs - clock.now);
  });

  it("trusts ARM's word that there is room, however many calls it remembers", () => {
    const { clock, budgets } = tracker();
    for (let i = 0; i < 30; i++) {
      budgets.spend(SUB, [SHARE3]);
      budgets.observe(SUB, [{ bucket: SHARE3, remaining: 9, windowMs: 180_000 }]);
      clock.now += 10;
    }
    expect(budgets.peek(SUB, [SHARE3]).delayMs).toBe(0);
  });

  it("lets ARM's own subscription buckets refill steadily", () => {
    const { clock, budgets } = tracker();
    budgets.observe(SUB, [{ bucket: "subscription-writes", remaining: 9, windowMs: 180_000 }]);
    for (let i = 0; i < 9; i++) budgets.spend(SUB, ["subscription-writes"]);
    budgets.observe(SUB, [{ bucket: "subscription-writes", remaining: 0, windowMs: 180_000 }]);
    clock.now += 36_000;
    expect(budgets.peek(SUB, ["subscription-writes"]).delayMs).toBe(0);
  });

  it("waits for the slowest of the buckets a request spends", () => {
    const { budgets } = tracker();
    budgets.observe(SUB, [
      { bucket: "subscription-writes", remaining: 150, windowMs: 60_000 },
      { bucket: SHARE3, remaining: 9, windowMs: 180_000 },
    ]);
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 1, windowMs: 180_000 }]);
    expect(budgets.peek(SUB, ["subscription-writes", SHARE3])).toEqual({ delayMs: 18_000, bucket: SHARE3 });
  });

  it("keeps subscriptions apart, whatever the case of their ids", () => {
    const { budgets } = tracker();
    budgets.observe("ABC", [{ bucket: SHARE3, remaining: 9, windowMs: 180_000 }]);
    budgets.observe("abc", [{ bucket: SHARE3, remaining: 0, windowMs: 180_000 }]);
    expect(budgets.peek("Abc", [SHARE3]).delayMs).toBeGreaterThan(0);
    expect(budgets.peek("other", [SHARE3]).delayMs).toBe(0);
  });

  it("holds a bucket for a 429's Retry-After, even one never observed", () => {
    const { clock, budgets } = tracker();
    budgets.block(SUB, ["subscription-writes"], 30_000);
    expect(budgets.peek(SUB, ["subscription-writes"])).toEqual({
      delayMs: 30_000,
      bucket: "subscription-writes",
    });
    clock.now += 30_000;
    expect(budgets.peek(SUB, ["subscription-writes"]).delayMs).toBe(0);
  });

  it("learns which resource buckets a request class spends", () => {
    const { budgets } = tracker();
    const cls = "POST microsoft.compute/galleries/*/share";
    expect(budgets.bucketsOf("POST", cls)).toEqual(["subscription-writes", "subscription-global-writes"]);
    budgets.learn(cls, [
      { bucket: SHARE3, remaining: 9, windowMs: 180_000 },
      { bucket: "subscription-writes", remaining: 199, windowMs: 60_000 },
    ]);
    expect(budgets.bucketsOf("POST", cls)).toEqual([
      "subscription-writes",
      "subscription-global-writes",
      SHARE3,
    ]);
  });

  it("exposes what it knows for metrics", () => {
    const { budgets } = tracker();
    budgets.observe(SUB, [{ bucket: SHARE3, remaining: 9, windowMs: 180_000 }]);
    budgets.spend(SUB, [SHARE3]);
    expect(budgets.snapshot()).toEqual([
      {
        subscriptionId: SUB,
        bucket: SHARE3,
        remaining: 9,
        estimated: 8,
        limit: 10,
        windowMs: 180_000,
        observedAt: 1_000_000,
      },
    ]);
  });
});
