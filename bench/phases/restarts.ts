// Phases 4 and 5: the operator restarted, then one resync period, once as it is and once with the
// hidden re-PUT-each-resync switch (Azure Service Operator's policy: every object of every kind
// written again once per sync period, whether or not it changed). Both windows open when the
// restarted operator's caches have synced, so they count the same things: the start-up pass over
// every object plus one resync.
import { nowMs } from "../clock.js";
import type { RunContext } from "../context.js";
import { observeWindow, type WindowResult } from "./window.js";

export async function runRestartWindow(run: RunContext, rePutEachResync: boolean): Promise<WindowResult> {
  const label = rePutEachResync ? "baseline-reput" : "restart";
  run.say(`${label}: restarting the operator${rePutEachResync ? " with --bench-reput-each-resync" : ""}`);
  await run.startOperator(label, rePutEachResync);
  const result = await observeWindow(run, nowMs(), run.resyncWindowMs);
  run.say(
    `${label}: ${result.calls.writes} writes (${result.writesPerObject} per object), ${result.calls.reads} reads, ${result.calls.throttled} answered 429`,
  );
  return result;
}
