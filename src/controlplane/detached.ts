// Control planes started with `detach: true` outlive their starter (`cluster up`); these functions let
// a later process look at them and end them through the record in their data dir.
import { rm } from "node:fs/promises";
import { detachedRecordPath } from "./control-plane.js";
import { isRunning } from "./process-group.js";
import { endRecorded, readRecord } from "./run-records.js";

export interface DetachedStatus {
  /** Whether a record exists at all (something was started and not stopped). */
  recorded: boolean;
  /** Each recorded process and whether it still runs. */
  processes: { name: string; pid: number; running: boolean }[];
}

/** What the record in `dataDir` says, checked against the live process table. */
export async function detachedControlPlaneStatus(dataDir: string): Promise<DetachedStatus> {
  const record = await readRecord(detachedRecordPath(dataDir));
  return {
    recorded: record !== undefined,
    processes: (record?.processes ?? []).map((p) => ({ name: p.name, pid: p.pid, running: isRunning(p) })),
  };
}

/**
 * Ends a detached control plane: SIGTERM to each recorded process (newest first), SIGKILL after
 * `graceMs`, then removes the record. The data dir itself stays (start again to get the objects back).
 *
 * Guarantees: idempotent; never signals a pid that now runs a different program.
 */
export async function stopDetachedControlPlane(dataDir: string, graceMs = 5_000): Promise<void> {
  const path = detachedRecordPath(dataDir);
  const record = await readRecord(path);
  if (record) await endRecorded({ processes: record.processes }, graceMs);
  await rm(path, { force: true });
}
