// Phase 4: the operator restarted, then one resync period. The window opens when the restarted
// operator's caches have synced, so it counts the start-up pass over every object plus one resync,
// as the re-PUT baseline's window does (phases/baseline.ts).
import { nowMs } from "../clock.js";
import type { RunContext } from "../context.js";
import { observeWindow, type WindowResult } from "./window.js";

export async function runRestartWindow(run: RunContext): Promise<WindowResult> {
  run.say("restart: restarting the operator");
  await run.startOperator("restart");
  const result = await observeWindow(run, nowMs(), run.resyncWindowMs);
  run.say(
    `restart: ${result.calls.writes} writes (${result.writesPerObject} per object), ${result.calls.reads} reads, ${result.calls.throttled} answered 429`,
  );
  return result;
}
