// What a schedule prints: its seed, its timeline, and each violation with the ARM requests that
// show it. Times are seconds since the schedule started.
import type { RequestRecord } from "../../tools/sim/index.js";
import { armTime } from "./azure-view.js";
import type { ScheduleResult } from "./run-schedule.js";

function at(result: ScheduleResult, t: number): string {
  return `+${((t - result.journal.startedAt) / 1000).toFixed(1).padStart(5)}s`;
}

function request(result: ScheduleResult, r: RequestRecord): string {
  const who = r.identity?.objectId ?? "?";
  const fault = r.fault ? ` [fault: ${r.fault}]` : "";
  return `${at(result, armTime(r))} #${r.seq} ${r.method} ${r.path} -> ${r.status}${fault} (${who})`;
}

export function formatResult(result: ScheduleResult, verbose: boolean): string {
  const { schedule, journal, violations } = result;
  const lines = [
    `schedule seed=${schedule.seed}: ${schedule.namespaces.length} namespace(s), ${schedule.steps.length} steps, ${result.seconds.toFixed(0)} s from ${new Date(journal.startedAt).toISOString()}, ${violations.length} violation(s)`,
  ];
  if (verbose || violations.length > 0)
    for (const entry of journal.timeline) lines.push(`  ${at(result, entry.at)} ${entry.text}`);
  for (const v of violations) {
    lines.push(`  VIOLATION ${v.invariant}: ${v.text}`);
    for (const r of v.requests) lines.push(`      ${request(result, r)}`);
  }
  return lines.join("\n");
}
