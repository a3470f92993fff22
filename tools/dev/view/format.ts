// Text pieces both views use: an object's state in words and tone, progress bars, clocks, colour.
import { isStalled } from "../../../src/reconcilers/driver/progress.js";
import { isReady, type ObjectRow } from "../model.js";

/** How a row reads at a glance: done, in progress, stuck until someone acts, or absent. */
export type Tone = "ok" | "working" | "failed" | "missing";

export function toneOf(row: ObjectRow): Tone {
  if (!row.found) return "missing";
  if (isReady(row)) return "ok";
  // Failed means what kstatus calls Stalled: the operator waits for someone to change something.
  if (row.ready && isStalled(row.ready)) return "failed";
  return "working";
}

/** "True", "False (stale)", "-" …: the Ready column. */
export function readyText(row: ObjectRow): string {
  if (!row.found) return "absent";
  if (row.deleting) return "deleting";
  if (!row.ready) return "-";
  return row.ready.current ? row.ready.status : `${row.ready.status}*`;
}

export function reasonText(row: ObjectRow): string {
  if (!row.found) return "not in the cluster";
  return row.ready?.reason ?? "waiting for the operator";
}

/** `[████████░░░░]` for a percentage (clamped to 0..100). */
export function bar(percent: number, width: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}

export function percent(value: number | undefined): string {
  return `${Math.round(value ?? 0)}%`.padStart(4);
}

/** `m:ss` of a duration. */
export function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
export type Style = keyof typeof CODES;

/** Wraps text in ANSI styles, or returns it unchanged when colour is off (NO_COLOR, not a TTY). */
export type Paint = (style: Style, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (style, text) => `\x1b[${CODES[style]}m${text}\x1b[0m` : (_style, text) => text;
}

export const TONE_STYLE: Record<Tone, Style> = {
  ok: "green",
  working: "yellow",
  failed: "red",
  missing: "red",
};
