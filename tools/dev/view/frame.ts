// One screenful of the live view, as lines of text with ANSI colour: header, one row per object
// (with replication bars per version and region), recent share operations, ARM call counts.
import { isReady, type ObjectRow, type ShareActivity, type Snapshot } from "../model.js";
import { bar, clock, type Paint, percent, readyText, reasonText, TONE_STYLE, toneOf } from "./format.js";
import type { ViewContext } from "./view.js";

const BAR_WIDTH = 24;

/**
 * Guarantees: pure (same input, same lines); no line ends in a newline; lines may be wider than the
 * terminal (the screen cuts them).
 */
export function frameLines(
  snapshot: Snapshot,
  context: ViewContext,
  notes: readonly string[],
  paint: Paint,
): string[] {
  const ready = snapshot.rows.filter(isReady).length;
  const { arm } = snapshot;
  const lines = [
    `${paint("bold", "azure-gallery-operator dev")}   ${clock(snapshot.elapsedMs)}   time scale ${context.timeScale}   ${paint(
      ready === snapshot.rows.length && ready > 0 ? "green" : "yellow",
      `${ready} of ${snapshot.rows.length} Ready`,
    )}`,
    `export KUBECONFIG=${context.kubeconfigPath}   ${paint("dim", "then: kubectl get azure-gallery -A")}`,
    `ARM calls: ${arm.reads} reads · ${arm.writes} writes · ${arm.deletes} deletes · ${arm.throttled} throttled   ${paint(
      "dim",
      `operator log: ${context.operatorLog}`,
    )}`,
    ...notes.map((n) => paint("yellow", n)),
    "",
    ...objectTable(snapshot.rows, paint),
  ];
  if (snapshot.shares.length > 0)
    lines.push("", paint("bold", "Sharing"), ...snapshot.shares.map((s) => shareLine(s, paint)));
  lines.push("", paint("dim", "Ctrl-C stops everything dev started (control plane, simulator, operator)."));
  return lines;
}

function objectTable(rows: readonly ObjectRow[], paint: Paint): string[] {
  const nsWidth = Math.max(9, ...rows.map((r) => r.namespace.length));
  const kindWidth = Math.max(4, ...rows.map((r) => r.kind.length));
  const nameWidth = Math.max(4, ...rows.map((r) => r.name.length));
  const indent = " ".repeat(nsWidth + kindWidth + 4);
  const head = [
    "NAMESPACE".padEnd(nsWidth),
    "KIND".padEnd(kindWidth),
    "NAME".padEnd(nameWidth),
    "READY ".padEnd(8),
    "REASON".padEnd(18),
    "WRITES",
  ].join("  ");
  const lines = [paint("dim", head)];
  let previousNs: string | undefined;
  for (const row of rows) {
    const tone = toneOf(row);
    const ns = row.namespace === previousNs ? "" : row.namespace;
    previousNs = row.namespace;
    lines.push(
      [
        ns.padEnd(nsWidth),
        row.kind.padEnd(kindWidth),
        row.name.padEnd(nameWidth),
        paint(
          TONE_STYLE[tone],
          `${tone === "ok" ? "✔" : tone === "working" ? "…" : "✘"} ${readyText(row)}`.padEnd(8),
        ),
        reasonText(row).padEnd(18),
        String(row.armWrites).padStart(6),
        row.sharing ? paint("dim", sharingText(row.sharing)) : "",
      ].join("  "),
    );
    if (tone === "failed" && row.ready?.message) lines.push(`${indent}${paint("red", row.ready.message)}`);
    lines.push(...replicationLines(row, indent, paint));
  }
  return lines;
}

function replicationLines(row: ObjectRow, indent: string, paint: Paint): string[] {
  const replication = row.replication;
  if (!replication) return [];
  const regions = replication.regions ?? [];
  const width = Math.max(10, ...regions.map((r) => r.region.length));
  const style = (state: string | undefined) =>
    state === "Completed" ? "green" : state === "Failed" ? "red" : ("yellow" as const);
  const line = (label: string, progress: number | undefined, state: string | undefined, details?: string) =>
    `${indent}${label.padEnd(width)}  ${paint(style(state), bar(progress ?? 0, BAR_WIDTH))} ${percent(progress)}  ${state ?? ""}${
      details ? paint("dim", `  ${details}`) : ""
    }`;
  return [
    line("all regions", replication.progress, replication.aggregatedState),
    ...regions.map((r) => line(r.region, r.progress, r.state, r.state === "Failed" ? r.details : undefined)),
  ];
}

export function sharingText(s: NonNullable<ObjectRow["sharing"]>): string {
  const parts = [
    s.subscriptions > 0 ? `${s.subscriptions} subscription${s.subscriptions === 1 ? "" : "s"}` : "",
    s.tenants > 0 ? `${s.tenants} tenant${s.tenants === 1 ? "" : "s"}` : "",
    s.community ? "community" : "",
    s.roleAssignments > 0 ? `${s.roleAssignments} role assignment${s.roleAssignments === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? `shared with ${parts.join(" · ")}` : "";
}

function shareLine(s: ShareActivity, paint: Paint): string {
  const state =
    s.state === "InProgress"
      ? `${paint("yellow", bar(s.progress, 12))} ${percent(s.progress)}`
      : paint(s.state === "Succeeded" ? "green" : "red", s.state);
  return `  ${clock(s.at).padStart(5)}  ${s.gallery.padEnd(36)}  ${s.what.padEnd(48)}  ${state}`;
}
