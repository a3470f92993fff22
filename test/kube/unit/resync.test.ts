// The resync spreads a round over the period: every key once, none in a burst.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Resync } from "../../../src/kube/resync.js";

describe("Resync", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  function start(keys: string[], periodMs: number) {
    const added: { key: string; at: number }[] = [];
    const t0 = Date.now();
    const existing = new Set(keys);
    const resync = new Resync({
      periodMs,
      keys: () => [...existing],
      has: (key) => existing.has(key),
      add: (key) => added.push({ key, at: Date.now() - t0 }),
    });
    resync.start();
    return { resync, added, existing };
  }

  it("adds every key once per round, spread evenly over the period", async () => {
    const keys = Array.from({ length: 600 }, (_, i) => `ns/k${i}`);
    const { resync, added } = start(keys, 60_000);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(added).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(added.map((a) => a.key)).toEqual(keys);
    // 600 keys over 60 s: one every 100 ms, never a burst.
    const perSecond = new Map<number, number>();
    for (const a of added)
      perSecond.set(Math.floor(a.at / 1000), (perSecond.get(Math.floor(a.at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    expect(added.at(-1)?.at).toBeGreaterThanOrEqual(60_000 + 59_000);

    // The next round gives each key its turn one period after the last.
    await vi.advanceTimersByTimeAsync(60_000);
    const second = added.slice(600);
    expect(second.map((a) => a.key)).toEqual(keys);
    expect(second.every((a, i) => a.at - (added[i]?.at ?? 0) === 60_000)).toBe(true);
    resync.stop();
  });

  it("puts many keys in one slice rather than firing faster than every 100 ms", async () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `ns/k${i}`);
    const { resync, added } = start(keys, 10_000);
    // The first round, from 10 s to just before the second begins at 20 s.
    await vi.advanceTimersByTimeAsync(19_999);
    expect(new Set(added.map((a) => a.key)).size).toBe(5_000);
    expect(new Set(added.map((a) => a.at)).size).toBe(100);
    resync.stop();
  });

  it("skips keys deleted before their turn and stops for good", async () => {
    const { resync, added, existing } = start(["ns/a", "ns/b", "ns/c"], 3_000);
    // Turns at 3, 4 and 5 s; c goes after the round began, before its turn.
    await vi.advanceTimersByTimeAsync(3_000);
    existing.delete("ns/c");
    await vi.advanceTimersByTimeAsync(2_500);
    expect(added.map((a) => a.key)).toEqual(["ns/a", "ns/b"]);
    resync.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(added).toHaveLength(2);
  });
});
