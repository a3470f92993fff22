// Phase 1: apply the whole workload to a running operator and time it until every object is Ready,
// next to the bound ARM's buckets put on the same writes.
import type { KindName } from "../../src/api/index.js";
import { createAll } from "../apply.js";
import { type CallCounts, countCalls } from "../arm-log.js";
import { type Bound, convergenceBound } from "../bound.js";
import { nowMs, pollUntil } from "../clock.js";
import type { RunContext } from "../context.js";
import type { ReconcileCounts } from "../operator-process.js";
import { type CpuShare, cpuMark, cpuSince } from "../proc-stats.js";
import { round } from "../stats.js";
import type { ReadyTracker } from "../tracker.js";
import { countByKind, type Workload } from "../workload.js";

export interface ConvergenceResult {
  objects: number;
  byKind: Record<KindName, number>;
  converged: boolean;
  /** Objects Ready when the phase ended (all of them when converged). */
  ready: number;
  /** Why the others were not, by kind and reason. */
  notReady: Record<string, number>;
  /** From the first create sent to the last one answered. */
  applySeconds: number;
  /** From the first create sent to the last object Ready (or the timeout). */
  wallSeconds: number;
  bound: Bound & { scaledSeconds: number };
  /** wallSeconds over the scaled bound (scale-free). */
  ratio: number | undefined;
  calls: CallCounts;
  /** Seconds from the first create to the last accepted write of each bucket (compare with the bound's). */
  lastWriteSeconds: Record<string, number>;
  /** Seconds from the first create to the last object of each kind Ready. */
  kindReadySeconds: Record<string, number>;
  reconciles: ReconcileCounts;
  operatorCpuSeconds: number;
  /**
   * The machine's CPU in the phase: how busy all cores were, and the API server's, etcd's, the
   * operator's and the benchmark's own share. Absent in reports written before 2026-12-08.
   */
  cpu?: CpuShare;
  operatorMaxRssMb: number;
  /** Seconds from the first create, objects Ready. */
  timeline: { seconds: number; ready: number }[];
  startedAt: number;
  endedAt: number;
}

/** Applies `workload` (the run's own unless given, watched by `tracker`) and times it to all Ready. */
export async function runConvergence(
  run: RunContext,
  workload: Workload = run.workload,
  tracker: ReadyTracker = run.tracker,
): Promise<ConvergenceResult> {
  const { options } = run;
  const operator = run.requireOperator();
  const total = workload.items.length;
  const bound = convergenceBound(workload.items);
  const boundMs = bound.readyMs * options.timeScale;
  // A slow machine still gets a report: generous, but bounded so a stuck run ends.
  const timeoutMs = Math.max(120_000, 2.5 * boundMs + 120_000);
  const cpuAtStart = cpuMark(run.cpuProcesses());
  run.sampler?.takeMaxRssMb();

  run.say(
    `convergence: applying ${total} objects; ARM bound ${(boundMs / 1000).toFixed(1)} s scaled (${(bound.readyMs / 60_000).toFixed(1)} min unscaled), timeout ${(timeoutMs / 1000).toFixed(0)} s`,
  );
  const startedAt = nowMs();
  await createAll(run.stack.transport, workload.items);
  const appliedAt = nowMs();
  run.say(`convergence: applied in ${((appliedAt - startedAt) / 1000).toFixed(1)} s; waiting for Ready`);

  let lastSaid = nowMs();
  const done = await pollUntil(
    () => {
      const ready = tracker.readyCount();
      if (nowMs() - lastSaid > 15_000) {
        lastSaid = nowMs();
        run.say(`convergence: ${ready}/${total} Ready`);
      }
      return ready >= total ? nowMs() : undefined;
    },
    timeoutMs - (appliedAt - startedAt),
  );
  const endedAt = done ?? nowMs();
  const cpu = cpuSince(cpuAtStart);
  const wallMs = endedAt - startedAt;
  const window = run.armLog.between(startedAt, endedAt);
  const calls = countCalls(window);
  const seconds = (at: number) => round((at - startedAt) / 1000, 1) ?? 0;
  const lastWriteSeconds: Record<string, number> = {};
  for (const call of window) {
    if (call.method === "GET" || call.status >= 400) continue;
    const bucket = call.bucket ?? "ARM";
    lastWriteSeconds[bucket] = Math.max(lastWriteSeconds[bucket] ?? 0, seconds(call.at));
  }
  const kindReadySeconds: Record<string, number> = {};
  for (const item of workload.items) {
    const at = tracker.firstReadyAt.get(`${workload.namespace}/${item.manifest.metadata.name}`);
    if (at !== undefined)
      kindReadySeconds[item.kind] = Math.max(kindReadySeconds[item.kind] ?? 0, seconds(at));
  }
  run.say(
    `convergence: ${done ? "all Ready" : "TIMED OUT"} after ${(wallMs / 1000).toFixed(1)} s; ${calls.writes} ARM writes, ${calls.throttled} answered 429`,
  );
  return {
    objects: total,
    byKind: countByKind(workload.items),
    converged: done !== undefined,
    ready: tracker.readyCount(),
    notReady: tracker.notReadyReasons(),
    applySeconds: round((appliedAt - startedAt) / 1000, 1) ?? 0,
    wallSeconds: round(wallMs / 1000, 1) ?? 0,
    bound: { ...bound, scaledSeconds: round(boundMs / 1000, 1) ?? 0 },
    ratio: done ? round(wallMs / boundMs, 2) : undefined,
    calls,
    lastWriteSeconds,
    kindReadySeconds,
    reconciles: operator.counts(startedAt, endedAt),
    operatorCpuSeconds: cpu.processSeconds.operator ?? 0,
    cpu,
    operatorMaxRssMb: round(run.sampler?.takeMaxRssMb() ?? 0, 1) ?? 0,
    timeline: [
      { seconds: 0, ready: 0 },
      ...tracker.timeline
        .filter((p) => p.at >= startedAt)
        .map((p) => ({ seconds: round((p.at - startedAt) / 1000, 2) ?? 0, ready: p.ready })),
    ],
    startedAt,
    endedAt,
  };
}
