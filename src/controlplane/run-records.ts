// Makes sure control-plane processes do not outlive whoever started them, even through a crash.
// Every started control plane has a record on disk (who owns it, which pids, what to delete); the
// owner ends its processes on exit and on SIGINT/SIGTERM/SIGHUP, and every later start reaps records
// whose owner is gone (SIGKILL, where no exit hook runs).
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runtimeDir } from "./paths.js";
import {
  endRecordedProcess,
  type ProcessRef,
  pidAlive,
  processStartTime,
  signalGroup,
} from "./process-group.js";

export interface RunRecord {
  /** The Node process whose death ends these processes; absent for a detached control plane. */
  owner?: { pid: number; startTime?: string };
  processes: ProcessRef[];
  /** A directory to delete once the processes are gone (a temporary data dir). */
  removeDir?: string;
}

/** Where the record of an owned control plane lives; the caller keeps it to update and drop it. */
export function ownedRecordPath(id: string): string {
  return join(runtimeDir(), `${id}.json`);
}

export type ProcessOwner = NonNullable<RunRecord["owner"]>;

export function ownerOfThisProcess(): ProcessOwner {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

export async function writeRecord(path: string, record: RunRecord): Promise<void> {
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
}

export async function readRecord(path: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as RunRecord;
  } catch {
    return undefined;
  }
}

/**
 * Ends the processes of every owned record whose owner process is dead, deletes their temporary
 * directories and the records.
 *
 * Guarantees: never signals a pid that now runs a different program; never touches records of live
 * owners (another test run in parallel keeps its control plane).
 */
export async function reapStaleRecords(): Promise<void> {
  await mkdir(runtimeDir(), { recursive: true });
  for (const file of await readdir(runtimeDir())) {
    if (!file.endsWith(".json")) continue;
    const path = join(runtimeDir(), file);
    const record = await readRecord(path);
    if (record?.owner && ownerAlive(record.owner)) continue;
    await endRecorded(record ?? { processes: [] });
    await rm(path, { force: true });
  }
}

/**
 * Ends a record's processes (SIGTERM, SIGKILL after `graceMs`; at once when 0), last started first,
 * and deletes its `removeDir`.
 */
export async function endRecorded(record: RunRecord, graceMs = 0): Promise<void> {
  // Last started first: the apiserver goes before the etcd it talks to.
  for (const p of [...record.processes].reverse()) await endRecordedProcess(p, graceMs);
  if (record.removeDir) await rm(record.removeDir, { recursive: true, force: true });
}

/** Whether the owner process still runs (the same process: a reused pid does not count). */
export function ownerAlive(owner: ProcessOwner): boolean {
  if (!pidAlive(owner.pid)) return false;
  return owner.startTime === undefined || processStartTime(owner.pid) === owner.startTime;
}

// --- ending our own children when this process ends -------------------------------------------

const liveGroups = new Set<number>();
let hooksInstalled = false;

/**
 * Registers a child process group to be killed when this process exits or is told to stop.
 *
 * Caveats: a signal handler replaces Node's default "exit on signal"; when ours is the only handler
 * left we re-raise the signal so the process still ends as the sender intended.
 */
export function endOnExit(pid: number): void {
  liveGroups.add(pid);
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      killAll();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export function forgetOnExit(pid: number): void {
  liveGroups.delete(pid);
}

function killAll(): void {
  for (const pid of liveGroups) signalGroup(pid, "SIGKILL");
  liveGroups.clear();
}
