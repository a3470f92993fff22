// Phase 2: with everything Ready, one full resync period (compressed) of doing nothing. Targets:
// no ARM writes, no share POSTs, at most one ARM read per object.
import { nowMs } from "../clock.js";
import type { RunContext } from "../context.js";
import { observeWindow, type WindowResult } from "./window.js";

/** Lets the last status writes of the convergence land before the window opens. */
const SETTLE_MS = 2_000;

export async function runSteadyState(run: RunContext): Promise<WindowResult> {
  const from = nowMs() + SETTLE_MS;
  run.say(`steady state: watching one resync period (${(run.resyncWindowMs / 1000).toFixed(0)} s)`);
  const result = await observeWindow(run, from, run.resyncWindowMs);
  run.say(
    `steady state: ${result.calls.writes} writes, ${result.calls.reads} reads (${result.readsPerReconcile} per object per resync), ${result.calls.sharePosts} share POSTs`,
  );
  return result;
}
