// The summary printed when dev mode ends: every applied object with its Ready state, what is not
// Ready and why. Plain text (no colour), so CI logs and scripts can read it.
import { isReady, keyString, type Snapshot } from "../model.js";
import { clock, readyText, reasonText } from "./format.js";

/** Why dev mode ended. */
export type Ending =
  | { kind: "ready" }
  | { kind: "timeout"; timeoutMs: number }
  | { kind: "interrupted"; signal: string }
  | { kind: "apply-failed" }
  | { kind: "operator-stopped"; reason: string };

/**
 * Guarantees: the first line reads `summary: N of M objects Ready …`; then one line per object,
 * `  Ready      <namespace>/<Kind>/<name>` or `  NOT READY  <namespace>/<Kind>/<name>  Ready=… (reason): message`.
 */
export function summaryLines(snapshot: Snapshot | undefined, ending: Ending): string[] {
  const rows = snapshot?.rows ?? [];
  const ready = rows.filter(isReady).length;
  const arm = snapshot?.arm;
  const calls = arm
    ? ` (ARM: ${arm.reads} reads, ${arm.writes} writes, ${arm.deletes} deletes, ${arm.throttled} throttled)`
    : "";
  const lines = [`summary: ${ready} of ${rows.length} objects Ready${endingText(ending, snapshot)}${calls}`];
  for (const row of rows) {
    if (isReady(row)) {
      lines.push(`  Ready      ${keyString(row)}`);
      continue;
    }
    const message = row.ready?.message ? `: ${row.ready.message}` : "";
    lines.push(`  NOT READY  ${keyString(row)}  Ready=${readyText(row)} (${reasonText(row)})${message}`);
  }
  return lines;
}

function endingText(ending: Ending, snapshot: Snapshot | undefined): string {
  const after = snapshot ? clock(snapshot.elapsedMs) : "0:00";
  switch (ending.kind) {
    case "ready":
      return ` after ${after}`;
    case "timeout":
      return ` when the ${clock(ending.timeoutMs)} timeout passed`;
    case "interrupted":
      return ` at ${after}, stopped by ${ending.signal}`;
    case "apply-failed":
      return "; kubectl refused some examples";
    case "operator-stopped":
      return ` at ${after}; the operator stopped (${ending.reason})`;
  }
}
