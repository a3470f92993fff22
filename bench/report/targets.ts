// The targets, judged against a report. Reported, never enforced: a slow shared machine
// must still produce a report that says how far off it was.
import type { BenchReport, TargetRow } from "./types.js";

const TARGET = {
  ratio: 1.1,
  reactionP99Ms: 200,
  rssMb: 200,
  readsPerObject: 1,
};

export function judgeTargets(report: Omit<BenchReport, "targets">): TargetRow[] {
  const { convergence: c, steadyState: s, reaction: r, footprint: f } = report;
  const rows: TargetRow[] = [];
  const row = (name: string, target: string, measured: string, met: boolean | undefined, missedBy?: string) =>
    rows.push({ name, target, measured, met, ...(met === false && missedBy ? { missedBy } : {}) });

  row(
    "steady-state ARM writes",
    "0",
    String(s.calls.writes + s.calls.deletes),
    s.calls.writes + s.calls.deletes === 0,
    `${s.calls.writes + s.calls.deletes} writes`,
  );
  row(
    "steady-state share POSTs",
    "0",
    String(s.calls.sharePosts),
    s.calls.sharePosts === 0,
    `${s.calls.sharePosts} POSTs`,
  );
  // Per resync of one object: the operator's own per-reconcile count (the window holds one
  // resync of most objects and two of a few, so calls per object would overstate it).
  const reads = s.readsPerReconcile;
  row(
    "steady-state ARM reads per object per resync",
    `<= ${TARGET.readsPerObject}`,
    reads === undefined ? "no resync seen" : String(reads),
    reads === undefined ? undefined : reads <= TARGET.readsPerObject,
    reads === undefined ? undefined : `${(reads - TARGET.readsPerObject).toFixed(2)} reads per object`,
  );
  row(
    "convergence / rate-limit bound",
    `<= ${TARGET.ratio}x`,
    c.ratio === undefined ? `not converged (${c.ready}/${c.objects} Ready)` : `${c.ratio}x`,
    c.ratio === undefined ? false : c.ratio <= TARGET.ratio,
    c.ratio === undefined ? "did not converge" : `${(c.ratio - TARGET.ratio).toFixed(2)}x`,
  );
  row(
    "429s during convergence",
    "0",
    String(c.calls.throttled),
    c.calls.throttled === 0,
    `${c.calls.throttled} answers`,
  );
  row(
    "reaction latency p99",
    `< ${TARGET.reactionP99Ms} ms`,
    r.p99Ms === undefined ? "not measured" : `${r.p99Ms} ms`,
    r.p99Ms === undefined ? undefined : r.p99Ms < TARGET.reactionP99Ms,
    r.p99Ms === undefined ? undefined : `${(r.p99Ms - TARGET.reactionP99Ms).toFixed(0)} ms`,
  );
  row(
    `operator RSS at ${f.cachedObjects.toLocaleString("en-US")} cached objects`,
    `< ${TARGET.rssMb} MB`,
    `${f.rssMb} MB`,
    f.rssMb < TARGET.rssMb,
    `${(f.rssMb - TARGET.rssMb).toFixed(0)} MB`,
  );
  return rows;
}
