// Makes sure control-plane processes do not outlive whoever owns them, even through a crash. Every
// running control plane has a record in the runtime dir, keyed by its data dir: its owner process,
// its pids, what to delete afterwards. Every start reaps the records whose owner is gone (SIGKILL,
// OOM: where no exit hook ran), and a control plane can be found and stopped through its data dir by
// a process other than the one that started it (`cluster down`, the vitest global teardown).
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runtimeDir } from "./paths.js";
import { endRecordedProcess, type ProcessRef, pidAlive, processStartTime } from "./process-group.js";

/** A process identified across pid reuse: the same pid with another start time is someone else. */
export interface ProcessOwner {
  pid: number;
  startTime?: string;
}

export interface RunRecord {
  dataDir: string;
  /** The process whose death ends these processes; absent for a detached one (`cluster up`). */
  owner?: ProcessOwner;
  processes: ProcessRef[];
  /** Delete the data dir once the processes are gone (it was a temporary one). */
  removeDataDir: boolean;
}

/** Where the record of the control plane using `dataDir` lives. */
export function recordPathFor(dataDir: string): string {
  const key = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return join(runtimeDir(), `${key}.json`);
}

export function ownerOfThisProcess(): ProcessOwner {
  const startTime = processStartTime(process.pid);
  return startTime === undefined ? { pid: process.pid } : { pid: process.pid, startTime };
}

/** Whether the owner process still runs (the same process: a reused pid does not count). */
export function ownerAlive(owner: ProcessOwner): boolean {
  if (!pidAlive(owner.pid)) return false;
  return owner.startTime === undefined || processStartTime(owner.pid) === owner.startTime;
}

export async function writeRecord(record: RunRecord): Promise<void> {
  await mkdir(runtimeDir(), { recursive: true });
  await writeFile(recordPathFor(record.dataDir), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readRecord(dataDir: string): Promise<RunRecord | undefined> {
  return parseRecord(recordPathFor(dataDir));
}

export async function dropRecord(dataDir: string): Promise<void> {
  await rm(recordPathFor(dataDir), { force: true });
}

/**
 * Ends the processes of every record whose owner process is dead, deletes their temporary data dirs
 * and the records.
 *
 * Guarantees: never signals a pid that now runs a different program; never touches records of live
 * owners (another test run in parallel keeps its control plane) nor detached ones (no owner).
 */
export async function reapStaleRecords(): Promise<void> {
  await mkdir(runtimeDir(), { recursive: true });
  for (const file of await readdir(runtimeDir())) {
    if (!file.endsWith(".json")) continue;
    const path = join(runtimeDir(), file);
    const record = await parseRecord(path);
    if (record && (!record.owner || ownerAlive(record.owner))) continue;
    if (record) await endRecorded(record, 0);
    await rm(path, { force: true });
  }
}

/**
 * Ends a record's processes, newest first (the apiserver before the etcd it talks to): SIGTERM, then
 * SIGKILL after `graceMs` (at once when 0); then deletes the data dir if it was temporary.
 */
export async function endRecorded(record: RunRecord, graceMs: number): Promise<void> {
  for (const p of [...record.processes].reverse()) await endRecordedProcess(p, graceMs);
  if (record.removeDataDir) await rm(record.dataDir, { recursive: true, force: true });
}

async function parseRecord(path: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as RunRecord;
  } catch {
    return undefined;
  }
}
