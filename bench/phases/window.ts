// One observation window: the ARM calls that arrived from `from` for `durationMs` and, over a
// running operator, the reconciles it logged and its CPU and memory. Steady state, the restart and
// the re-PUT baseline (bench/aso-baseline.ts, the operator stopped) are all counted this way, so
// their figures compare.
import { type CallCounts, countCalls } from "../arm-log.js";
import { nowMs, sleep } from "../clock.js";
import type { RunContext } from "../context.js";
import type { ReconcileCounts, ReconcileTotals } from "../operator-process.js";
import { sampleProcess } from "../proc-stats.js";
import { round } from "../stats.js";

/** What the simulator counted in a window, whoever called. */
export interface CallWindow {
  seconds: number;
  /** The window in resync periods (1.1: one period plus its jitter, so every object resynced). */
  resyncPeriods: number;
  objects: number;
  calls: CallCounts;
  /** ARM reads and writes per object over the window. */
  readsPerObject: number;
  /**
   * ARM reads per object per resync period, as the simulator counted them (reads over the window,
   * per object, per period the window lasts): what a resync costs ARM, lists included.
   */
  readsPerObjectPerResync: number;
  writesPerObject: number;
}

export interface WindowResult extends CallWindow {
  reconciles: ReconcileCounts;
  /**
   * Average ARM reads of one reconcile, from the operator's own counts: in steady state every
   * reconcile is a resync, so this is the reads per object per resync, whatever the window length.
   */
  readsPerReconcile: number | undefined;
  readsPerReconcileByKind: Record<string, number | undefined>;
  operatorCpuSeconds: number;
  operatorRssMb: number;
  operatorMaxRssMb: number;
  /** V8's used heap, the lowest reading in the window. */
  operatorHeapUsedMb: number | undefined;
}

export async function observeWindow(
  run: RunContext,
  from: number,
  durationMs: number,
): Promise<WindowResult> {
  const operator = run.requireOperator();
  const cpuBefore = sampleProcess(operator.pid)?.cpuSeconds ?? 0;
  run.sampler?.takeMaxRssMb();
  const heapUsedMb = await operator.lowestHeapUsedMb(from + durationMs - nowMs());
  await sleep(Math.max(0, from + durationMs - nowMs()));
  const sample = sampleProcess(operator.pid);
  const reconciles = operator.counts(from, from + durationMs);
  return {
    ...countWindow(run, from, durationMs),
    reconciles,
    readsPerReconcile: perReconcile(reconciles),
    readsPerReconcileByKind: Object.fromEntries(
      Object.entries(reconciles.byKind).map(([kind, totals]) => [kind, perReconcile(totals)]),
    ),
    operatorCpuSeconds: round((sample?.cpuSeconds ?? 0) - cpuBefore, 1) ?? 0,
    operatorRssMb: round(sample?.rssMb, 1) ?? 0,
    operatorMaxRssMb: round(run.sampler?.takeMaxRssMb(), 1) ?? 0,
    operatorHeapUsedMb: round(heapUsedMb, 1),
  };
}

function perReconcile(totals: ReconcileTotals): number | undefined {
  return totals.reconciles > 0 ? round(totals.armReads / totals.reconciles, 3) : undefined;
}

/** The ARM calls of a window that has ended, per object and per resync period. */
export function countWindow(run: RunContext, from: number, durationMs: number): CallWindow {
  const calls = countCalls(run.armLog.between(from, from + durationMs));
  const objects = run.workload.items.length;
  return {
    seconds: round(durationMs / 1000, 1) ?? 0,
    resyncPeriods: round(durationMs / run.resyncPeriodMs, 2) ?? 0,
    objects,
    calls,
    readsPerObject: round(calls.reads / objects, 3) ?? 0,
    readsPerObjectPerResync: round(calls.reads / objects / (durationMs / run.resyncPeriodMs), 3) ?? 0,
    writesPerObject: round((calls.writes + calls.deletes) / objects, 3) ?? 0,
  };
}
