// One observation window over a running operator: the ARM calls that arrived, the reconciles it
// logged, and its CPU and memory, from `from` for `durationMs`. Steady state, the restart and the
// re-PUT baseline are all measured this way, so their figures compare.
import { type CallCounts, countCalls } from "../arm-log.js";
import { nowMs, sleep } from "../clock.js";
import type { RunContext } from "../context.js";
import type { ReconcileCounts } from "../operator-process.js";
import { sampleProcess } from "../proc-stats.js";
import { round } from "../stats.js";

export interface WindowResult {
  seconds: number;
  /** The window in resync periods (1.1: one period plus its jitter, so every object resynced). */
  resyncPeriods: number;
  objects: number;
  calls: CallCounts;
  /** ARM reads and writes per object over the window. */
  readsPerObject: number;
  writesPerObject: number;
  reconciles: ReconcileCounts;
  /** Average ARM reads of one reconcile, from the operator's own counts. */
  readsPerReconcile: number | undefined;
  operatorCpuSeconds: number;
  operatorRssMb: number;
  operatorMaxRssMb: number;
}

export async function observeWindow(
  run: RunContext,
  from: number,
  durationMs: number,
): Promise<WindowResult> {
  const operator = run.requireOperator();
  const cpuBefore = sampleProcess(operator.pid)?.cpuSeconds ?? 0;
  run.sampler?.takeMaxRssMb();
  await sleep(Math.max(0, from + durationMs - nowMs()));
  const to = from + durationMs;
  const sample = sampleProcess(operator.pid);
  const calls = countCalls(run.armLog.between(from, to));
  const reconciles = operator.counts(from, to);
  const objects = run.workload.items.length;
  return {
    seconds: round(durationMs / 1000, 1) ?? 0,
    resyncPeriods: round(durationMs / run.resyncPeriodMs, 2) ?? 0,
    objects,
    calls,
    readsPerObject: round(calls.reads / objects, 3) ?? 0,
    writesPerObject: round((calls.writes + calls.deletes) / objects, 3) ?? 0,
    reconciles,
    readsPerReconcile:
      reconciles.reconciles > 0 ? round(reconciles.armReads / reconciles.reconciles, 3) : undefined,
    operatorCpuSeconds: round((sample?.cpuSeconds ?? 0) - cpuBefore, 1) ?? 0,
    operatorRssMb: round(sample?.rssMb, 1) ?? 0,
    operatorMaxRssMb: round(run.sampler?.takeMaxRssMb(), 1) ?? 0,
  };
}
