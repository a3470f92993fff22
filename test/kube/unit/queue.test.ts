import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkQueue, type WorkResult } from "../../../src/kube/queue.js";

/** A promise with its resolver, to hold a worker mid-run. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const noJitter = () => 0;

describe("WorkQueue", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("collapses repeated adds of a waiting key into one run, in FIFO order", async () => {
    const q = new WorkQueue();
    const runs: string[] = [];
    for (const key of ["a", "b", "a", "c", "b", "a"]) q.add(key);
    expect(q.depth).toBe(3);
    q.start(async (key) => {
      runs.push(key);
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(["a", "b", "c"]);
    await q.shutdown();
  });

  it("runs changes before resync keys, and a change moves a key waiting for a resync ahead", async () => {
    const q = new WorkQueue();
    const runs: string[] = [];
    for (const key of ["r1", "r2", "r3", "r4"]) q.add(key, "resync");
    q.add("c1");
    q.add("r3");
    q.add("r1", "resync");
    expect(q.depth).toBe(5);
    q.start(async (key) => {
      runs.push(key);
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(["c1", "r3", "r1", "r2", "r4"]);
    expect(q.depth).toBe(0);
    await q.shutdown();
  });

  it("puts a change that arrives while a resync drains ahead of the resync keys still waiting", async () => {
    const q = new WorkQueue();
    const runs: string[] = [];
    for (let i = 0; i < 100; i++) q.add(`r${i}`, "resync");
    q.start(async (key) => {
      runs.push(key);
      if (key === "r2") q.add("edited");
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.slice(0, 4)).toEqual(["r0", "r1", "r2", "edited"]);
    expect(runs).toHaveLength(101);
    await q.shutdown();
  });

  it("re-runs a key changed while it ran in the change lane, even if a resync also came", async () => {
    const q = new WorkQueue();
    const held = gate();
    const runs: string[] = [];
    q.start(async (key) => {
      runs.push(key);
      if (runs.length === 1) await held.promise;
      return undefined;
    });
    q.add("a");
    await vi.advanceTimersByTimeAsync(0);
    q.add("b", "resync");
    q.add("a", "resync");
    q.add("a");
    held.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(["a", "a", "b"]);
    await q.shutdown();
  });

  it("never runs a key twice at once, and runs it once more if it was added while running", async () => {
    const q = new WorkQueue({ concurrency: 4 });
    const held = gate();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    q.start(async () => {
      running++;
      runs++;
      maxRunning = Math.max(maxRunning, running);
      if (runs === 1) await held.promise;
      running--;
      return undefined;
    });
    q.add("a");
    await vi.advanceTimersByTimeAsync(0);
    q.add("a");
    q.add("a");
    q.add("a");
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    held.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
    await q.shutdown();
  });

  it("runs at most `concurrency` keys at a time", async () => {
    const q = new WorkQueue({ concurrency: 3 });
    let running = 0;
    let maxRunning = 0;
    const done: string[] = [];
    q.start(async (key) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      done.push(key);
      return undefined;
    });
    for (let i = 0; i < 10; i++) q.add(`k${i}`);
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toHaveLength(10);
    expect(maxRunning).toBe(3);
    await q.shutdown();
  });

  it("runs a key again after requeueAfter, not before", async () => {
    const q = new WorkQueue();
    const times: number[] = [];
    const start = Date.now();
    q.start(async (): Promise<WorkResult> => {
      times.push(Date.now() - start);
      return times.length < 3 ? { requeueAfter: 1_000 } : undefined;
    });
    q.add("a");
    await vi.advanceTimersByTimeAsync(999);
    expect(times).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual([0, 1_000]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(times).toEqual([0, 1_000, 2_000]);
    await q.shutdown();
  });

  it("backs a failing key off exponentially up to the cap, and resets after a success", async () => {
    const retried: number[] = [];
    const q = new WorkQueue({
      backoff: { baseMs: 100, capMs: 800, jitter: 0.2 },
      random: noJitter,
      hooks: { retried: (_key, delay) => retried.push(delay) },
    });
    let attempt = 0;
    q.start(async () => {
      attempt++;
      if (attempt <= 6 || attempt === 8) throw new Error(`failure ${attempt}`);
      return undefined;
    });
    q.add("a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(retried).toEqual([100, 200, 400, 800, 800, 800]);
    expect(q.failureCount("a")).toBe(0);
    q.add("a");
    await vi.advanceTimersByTimeAsync(10_000);
    // The 8th run failed after a success: the backoff started over.
    expect(retried.at(-1)).toBe(100);
    await q.shutdown();
  });

  it("keys back off independently", async () => {
    const q = new WorkQueue({ backoff: { baseMs: 100, capMs: 10_000, jitter: 0 } });
    const runs = new Map<string, number>();
    q.start(async (key) => {
      runs.set(key, (runs.get(key) ?? 0) + 1);
      if (key === "bad") throw new Error("no");
      return undefined;
    });
    q.add("bad");
    await vi.advanceTimersByTimeAsync(350);
    q.add("good");
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.get("good")).toBe(1);
    expect(q.failureCount("bad")).toBe(3);
    expect(q.failureCount("good")).toBe(0);
    await q.shutdown();
  });

  it("addAfter keeps the earliest time; a run supersedes timers set before it", async () => {
    const q = new WorkQueue();
    const runs: number[] = [];
    const start = Date.now();
    q.addAfter("a", 500);
    q.addAfter("a", 2_000);
    q.start(async () => {
      runs.push(Date.now() - start);
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toEqual([500]);
    q.addAfter("a", 1_000);
    q.add("a");
    await vi.advanceTimersByTimeAsync(5_000);
    // The immediate run cleared the 1 s timer: no third run.
    expect(runs).toEqual([500, 5_000]);
    await q.shutdown();
  });

  it("shutdown stops taking work and waits for running keys", async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const held = gate();
    const runs: string[] = [];
    q.start(async (key) => {
      runs.push(key);
      await held.promise;
      return { requeueAfter: 10 };
    });
    q.add("a");
    q.add("b");
    await vi.advanceTimersByTimeAsync(0);
    let finished = false;
    const stopping = q.shutdown().then((r) => {
      finished = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(finished).toBe(false);
    held.open();
    expect(await stopping).toEqual({ abandoned: [] });
    q.add("c");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toEqual(["a"]);
  });

  it("shutdown with a deadline abandons stuck keys and aborts their signals", async () => {
    const q = new WorkQueue({ concurrency: 2 });
    const signals: AbortSignal[] = [];
    q.start(async (_key, signal) => {
      signals.push(signal);
      await new Promise(() => {});
      return undefined;
    });
    q.add("stuck");
    await vi.advanceTimersByTimeAsync(0);
    const result = q.shutdown({ deadlineMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await result).toEqual({ abandoned: ["stuck"] });
    expect(signals[0]?.aborted).toBe(true);
  });

  it("reports adds, depth, waits and retries to its hooks", async () => {
    const events: string[] = [];
    const q = new WorkQueue({
      random: noJitter,
      backoff: { baseMs: 50, capMs: 50, jitter: 0 },
      hooks: {
        added: (key) => events.push(`added ${key}`),
        depth: (depth) => events.push(`depth ${depth}`),
        started: (key, waited) => events.push(`started ${key} after ${waited}`),
        retried: (key, delay, attempt) => events.push(`retried ${key} in ${delay} (#${attempt})`),
      },
    });
    q.add("a");
    await vi.advanceTimersByTimeAsync(20);
    let first = true;
    q.start(async () => {
      if (first) {
        first = false;
        throw new Error("x");
      }
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(events).toEqual([
      "added a",
      "depth 1",
      "depth 0",
      "started a after 20",
      "retried a in 50 (#1)",
      "added a",
      "depth 1",
      "depth 0",
      "started a after 0",
    ]);
    await q.shutdown();
  });

  it("runs `concurrency` keys per group: one group's keys waiting on ARM leave the others their workers", async () => {
    // Keys `a:*` belong to subscription a, `b:*` to b: a's keys all wait (its ARM budget is spent).
    const q = new WorkQueue({ concurrency: 2, groupOf: (key) => key.split(":")[0] ?? "" });
    const held = gate();
    const started: string[] = [];
    const done: string[] = [];
    q.start(async (key) => {
      started.push(key);
      if (key.startsWith("a:")) await held.promise;
      done.push(key);
      return undefined;
    });
    for (let i = 0; i < 6; i++) q.add(`a:${i}`);
    for (let i = 0; i < 6; i++) q.add(`b:${i}`);
    await vi.advanceTimersByTimeAsync(0);
    // Two of a's keys hold its two workers; every b key ran on b's own, none of a's waited for them.
    expect(started.filter((k) => k.startsWith("a:"))).toEqual(["a:0", "a:1"]);
    expect(done).toEqual(["b:0", "b:1", "b:2", "b:3", "b:4", "b:5"]);
    held.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(12);
    await q.shutdown();
  });

  it("asks a key's group once per add, however many keys of a busy group wait", async () => {
    let asked = 0;
    const q = new WorkQueue({
      concurrency: 1,
      groupOf: (key) => {
        asked++;
        return key.startsWith("busy") ? "busy" : "free";
      },
    });
    const held = gate();
    const runs: string[] = [];
    q.start(async (key) => {
      runs.push(key);
      if (key === "busy0") await held.promise;
      return undefined;
    });
    for (let i = 0; i < 5000; i++) q.add(`busy${i}`);
    for (let i = 0; i < 50; i++) q.add(`free${i}`);
    await vi.advanceTimersByTimeAsync(0);
    // The free group's keys all ran past the 4,999 waiting behind busy0, without looking at them.
    expect(runs.filter((k) => k.startsWith("free"))).toHaveLength(50);
    expect(asked).toBe(5050);
    held.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(5050);
    await q.shutdown();
  });

  it("never runs more than `maxWorkers` keys at once, however many groups", async () => {
    const q = new WorkQueue({ concurrency: 2, maxWorkers: 5, groupOf: (key) => key.split(":")[0] ?? "" });
    let running = 0;
    let maxRunning = 0;
    q.start(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return undefined;
    });
    for (let g = 0; g < 10; g++) for (let i = 0; i < 3; i++) q.add(`${g}:${i}`);
    await vi.advanceTimersByTimeAsync(200);
    expect(maxRunning).toBe(5);
    expect(q.depth).toBe(0);
    await q.shutdown();
  });

  it("keeps one worker free for changes while resync keys wait for ARM", async () => {
    const q = new WorkQueue({ concurrency: 3 });
    const held = gate();
    const started: string[] = [];
    for (let i = 0; i < 10; i++) q.add(`r${i}`, "resync");
    q.start(async (key) => {
      started.push(key);
      if (key.startsWith("r")) await held.promise;
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(0);
    // Two of three workers hold resync keys that wait; the third is left idle for changes.
    expect(started).toEqual(["r0", "r1"]);
    q.add("edited");
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(["r0", "r1", "edited"]);
    held.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(11);
    await q.shutdown();
  });

  it("runs an object's own change before wakes from related objects, and those before resyncs", async () => {
    const q = new WorkQueue();
    const runs: string[] = [];
    q.add("r1", "resync");
    for (const key of ["w1", "w2", "w3"]) q.add(key, "related");
    q.add("edited");
    q.add("w2");
    q.add("w3", "resync");
    q.start(async (key) => {
      runs.push(key);
      return undefined;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(["edited", "w2", "w1", "w3", "r1"]);
    await q.shutdown();
  });

  it("keeps a start-up pass going under a steady stream of changes", async () => {
    const q = new WorkQueue({ concurrency: 2 });
    const resynced: string[] = [];
    for (let i = 0; i < 5; i++) q.add(`r${i}`, "resync");
    q.start(async (key, _signal, lane) => {
      if (lane === "resync") resynced.push(key);
      // Every run of a change adds another change: the change lane is never empty.
      else q.add(`c${Number(key.slice(1)) + 1}`);
      await new Promise((r) => setTimeout(r, 10));
      return undefined;
    });
    q.add("c0");
    await vi.advanceTimersByTimeAsync(100);
    expect(resynced).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    const stopped = q.shutdown();
    await vi.advanceTimersByTimeAsync(20);
    await stopped;
  });
});
