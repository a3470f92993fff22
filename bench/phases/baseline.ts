// Phase 4, second half: the re-PUT baseline, Azure Service Operator's policy (every object written
// again once per sync period, and once at start), run by bench/aso-baseline.ts in place of the
// operator, over the same workload, simulator and window length as the restart: its start-up pass
// over every object plus one period. The operator is stopped meanwhile, so every call counted is
// the baseline's; the phases after it start the operator afresh.
import { AsoBaseline } from "../aso-baseline.js";
import { nowMs, sleep } from "../clock.js";
import type { RunContext } from "../context.js";
import { type CallWindow, countWindow } from "./window.js";

export async function runAsoBaseline(run: RunContext): Promise<CallWindow> {
  run.say("baseline-reput: the operator stopped; Azure Service Operator's policy runs instead");
  await run.stopOperator();
  const baseline = new AsoBaseline({
    sim: run.stack.sim,
    tenantId: run.workload.tenantId,
    items: run.workload.items,
    periodMs: run.resyncPeriodMs,
    pollIntervalMs: run.pollIntervalMs,
    concurrency: run.options.concurrency,
  });
  const from = nowMs();
  baseline.start();
  // The window is a length of time, not a condition: what arrives in it is the measurement.
  await sleep(run.resyncWindowMs);
  await baseline.stop();
  const result = countWindow(run, from, run.resyncWindowMs);
  run.say(
    `baseline-reput: ${result.calls.writes} writes (${result.writesPerObject} per object), ${result.calls.reads} reads, ${result.calls.throttled} answered 429`,
  );
  return result;
}
