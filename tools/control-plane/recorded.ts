// Control planes that outlive the process that started them (`cluster up`, the shared test cluster
// started by a vitest worker) are looked at and ended by another process, through their record.
import { isRunning } from "./process-group.js";
import { dropRecord, endRecorded, readRecord } from "./run-records.js";

export interface RecordedStatus {
  /** Whether a record exists (something was started there and not stopped). */
  recorded: boolean;
  /** Each recorded process and whether it still runs. */
  processes: { name: string; pid: number; running: boolean }[];
}

/** What the record of the control plane using `dataDir` says, checked against the process table. */
export async function controlPlaneStatusAt(dataDir: string): Promise<RecordedStatus> {
  const record = await readRecord(dataDir);
  return {
    recorded: record !== undefined,
    processes: (record?.processes ?? []).map((p) => ({ name: p.name, pid: p.pid, running: isRunning(p) })),
  };
}

/**
 * Ends the control plane using `dataDir`, whoever started it: SIGTERM to each recorded process
 * (newest first), SIGKILL after `graceMs`; removes the record, and the data dir if it was temporary.
 *
 * Guarantees: idempotent; never signals a pid that now runs a different program.
 */
export async function stopControlPlaneAt(dataDir: string, graceMs = 5_000): Promise<void> {
  const record = await readRecord(dataDir);
  if (record) await endRecorded(record, graceMs);
  await dropRecord(dataDir);
}
