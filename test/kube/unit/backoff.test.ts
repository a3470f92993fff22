import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay, jittered } from "../../../src/kube/backoff.js";

const policy = { baseMs: 100, capMs: 1_000, jitter: 0.5 };

describe("backoffDelay", () => {
  it("doubles from the base up to the cap when jitter draws nothing", () => {
    const delays = [0, 1, 2, 3, 4, 5, 60, 5000].map((n) => backoffDelay(n, policy, () => 0));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it("takes at most the jitter fraction off, and never exceeds the cap", () => {
    expect(backoffDelay(10, policy, () => 1)).toBe(500);
    expect(backoffDelay(0, policy, () => 0.5)).toBe(75);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(i % 8, policy);
      expect(d).toBeGreaterThanOrEqual(Math.min(1000, 100 * 2 ** (i % 8)) * 0.5);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it("treats negative attempts as the first", () => {
    expect(backoffDelay(-3, policy, () => 0)).toBe(100);
  });
});

describe("jittered", () => {
  it("spreads a period upwards by at most the factor", () => {
    expect(jittered(1000, 0.1, () => 0)).toBe(1000);
    expect(jittered(1000, 0.1, () => 1)).toBe(1100);
  });
});

describe("Backoff", () => {
  it("counts failures and starts over after reset", () => {
    const b = new Backoff(policy, () => 0);
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 400]);
    expect(b.failures).toBe(3);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
