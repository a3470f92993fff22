// The state file under `stateDir`: always one complete snapshot, the newest one written, even
// when the final write on close overtakes a coalesced background write still in flight.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import { StatePersistence } from "../../tools/sim/state/persistence.js";
import type { StateSnapshot } from "../../tools/sim/state/store.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sim-persist-"));
  dirs.push(dir);
  return dir;
}

function snapshot(now: number, padding = 0): StateSnapshot {
  return {
    format: 1,
    now,
    subscriptions: padding > 0 ? [{ id: "x".repeat(padding), tenantId: "t", declared: false }] : [],
    resourceGroups: [],
    galleries: [],
    images: [],
    versions: [],
    sources: [],
    roleAssignments: [],
    operations: [],
  };
}

it("keeps the final snapshot when close overtakes a background write in flight", async () => {
  const dir = await stateDir();
  let taken = 0;
  let backgroundStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    backgroundStarted = resolve;
  });
  // The background write carries a large (slow to write) stale snapshot; the final one is small.
  const persistence = new StatePersistence(dir, () => {
    taken += 1;
    if (taken === 1) {
      backgroundStarted();
      return snapshot(1, 32 * 1024 * 1024);
    }
    return snapshot(2);
  });
  persistence.markDirty();
  await started; // the coalesced write has taken its snapshot and is writing it
  persistence.flushSync();
  await persistence.settled();

  expect(persistence.load()).toEqual(snapshot(2));
  expect(await readdir(dir)).toEqual(["state.json"]); // the stale write's temporary file is gone

  // After close nothing is written any more: not even a coalesced write is scheduled.
  vi.useFakeTimers({ toFake: ["setTimeout"] });
  try {
    persistence.markDirty();
    expect(vi.getTimerCount()).toBe(0);
  } finally {
    vi.useRealTimers();
  }
  await persistence.settled();
  expect(taken).toBe(2);
});

it("refuses to start from a state file it cannot read instead of starting empty", async () => {
  const dir = await stateDir();
  const persistence = new StatePersistence(dir, () => snapshot(0));
  expect(persistence.load()).toBeUndefined();
  await writeFile(join(dir, "state.json"), '{"format":1,"now":1,"subscr');
  expect(() => persistence.load()).toThrow(/cannot read the saved simulator state/);
  await writeFile(join(dir, "state.json"), '{"format":7}');
  expect(() => persistence.load()).toThrow(/not a simulator state snapshot of format 1/);
});
