// The view for CI logs and pipes: one line per change, nothing redrawn. A change is an object's
// Ready state, a replication step (state, or another quarter of progress) or a share operation
// starting or ending; steady polling adds nothing.
import { keyString, type ObjectRow, type ShareActivity, type Snapshot } from "../model.js";
import { clock, percent, readyText, reasonText } from "./format.js";
import type { View } from "./view.js";

export class LinesView implements View {
  /** Last thing said per subject, so only changes are printed. */
  private readonly said = new Map<string, string>();

  constructor(
    private readonly write: (line: string) => void,
    /** When dev mode started (Date.now()), for the time stamps of notes. */
    private readonly startedAt: number,
  ) {}

  note(text: string): void {
    this.write(`${stamp(Date.now() - this.startedAt)} ${text}`);
  }

  update(snapshot: Snapshot): void {
    const at = snapshot.elapsedMs;
    for (const row of snapshot.rows) {
      const label = keyString(row);
      // The message is said, but does not count as a change: it carries progress ("13%") that the
      // replication line reports by quarters.
      this.say(`ready ${label}`, `${readyText(row)} ${reasonText(row)}`, readyLine(row), at);
      if (row.replication) {
        const line = replicationLine(row);
        this.say(`replication ${label}`, line, line, at);
      }
    }
    for (const share of snapshot.shares) {
      const line = shareLine(share);
      this.say(`share ${share.gallery} ${share.what} ${share.at}`, line, line, at);
    }
  }

  close(): void {}

  /** Prints `text` when `state` differs from the last one said about `subject`. */
  private say(subject: string, state: string, text: string, elapsedMs: number): void {
    if (this.said.get(subject) === state) return;
    this.said.set(subject, state);
    this.write(`${stamp(elapsedMs)} ${text}`);
  }
}

function stamp(ms: number): string {
  return `[${clock(ms).padStart(5)}]`;
}

function readyLine(row: ObjectRow): string {
  const message = row.ready?.status === "True" ? "" : row.ready?.message ? `: ${row.ready.message}` : "";
  return `${keyString(row)} Ready=${readyText(row)} (${reasonText(row)})${message}`;
}

/** Quarters, so a 47-second replication says 0, 25, 50, 75, 100 and not every poll. */
function replicationLine(row: ObjectRow): string {
  const r = row.replication ?? {};
  const quarter = (p: number | undefined) => Math.floor((p ?? 0) / 25) * 25;
  const regions = (r.regions ?? [])
    .map((g) => `${g.region} ${g.state ?? "?"} ${quarter(g.progress)}%`)
    .join(", ");
  return `${keyString(row)} replication ${r.aggregatedState ?? "?"} ${percent(quarter(r.progress)).trim()} [${regions}]`;
}

function shareLine(s: ShareActivity): string {
  return `share ${s.gallery}: ${s.what} ${s.state === "InProgress" ? "started" : s.state}`;
}
