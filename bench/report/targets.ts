// The issue's targets, judged against a report. Reported, never enforced: a slow shared machine
// must still produce a report that says how far off it was. A phase that did not run is skipped.
import { AZURE_SPEED_SUBSCRIPTIONS_SUFFIX, type ScenarioReports } from "./compare.js";
import type { BenchReport, TargetRow } from "./types.js";

const TARGET = {
  ratio: 1.1,
  reactionP99Ms: 50,
  rssMb: 200,
  readsPerObject: 0.15,
};

/** A row: `off` is how far the measured value is from the target (> 0 = missed). */
function judge(
  name: string,
  target: string,
  measured: string,
  off: number | undefined,
  unit: string,
): TargetRow {
  const met = off === undefined ? undefined : off <= 0;
  const missedBy =
    met === false && off !== undefined
      ? `${Number(off.toFixed(2)).toLocaleString("en-US")}${unit}`
      : undefined;
  return { name, target, measured, met, ...(missedBy ? { missedBy } : {}) };
}

/**
 * The targets of `report`. Target 5 (several subscriptions at once) is judged at Azure's own speed
 * when the run's time is compressed: from the newest such run in `scenarios`.
 */
export function judgeTargets(
  report: Omit<BenchReport, "targets">,
  scenarios: ScenarioReports = {},
): TargetRow[] {
  const { convergence: c, steadyState: s, reaction: r, footprint: f, subscriptions: m } = report;
  const rows: TargetRow[] = [];
  if (s) {
    const writes = s.calls.writes + s.calls.deletes;
    rows.push(judge("steady-state ARM writes", "0", String(writes), writes, " writes"));
    rows.push(
      judge("steady-state share POSTs", "0", String(s.calls.sharePosts), s.calls.sharePosts, " POSTs"),
    );
    // Counted by the simulator, lists included, per object and per period the window lasts.
    const reads = s.readsPerObjectPerResync;
    rows.push(
      judge(
        "steady-state ARM reads per object per resync",
        `<= ${TARGET.readsPerObject}`,
        String(reads),
        reads - TARGET.readsPerObject,
        " reads",
      ),
    );
  }
  rows.push(
    c.ratio === undefined
      ? {
          name: "convergence / rate-limit bound",
          target: `<= ${TARGET.ratio}x`,
          measured: `not converged (${c.ready}/${c.objects} Ready)`,
          met: false,
          missedBy: "did not converge",
        }
      : judge(
          "convergence / rate-limit bound",
          `<= ${TARGET.ratio}x`,
          `${c.ratio}x`,
          c.ratio - TARGET.ratio,
          "x",
        ),
  );
  rows.push(judge("429s during convergence", "0", String(c.calls.throttled), c.calls.throttled, " answers"));
  if (m) {
    const measured = m.ratio === undefined ? `not converged (${m.ready}/${m.objects} Ready)` : `${m.ratio}x`;
    const timeScale = report.settings.timeScale;
    const name = `${m.subscriptions} subscriptions at once / slowest subscription's bound`;
    if (timeScale >= 1) {
      rows.push(
        judge(name, `<= ${TARGET.ratio}x`, measured, m.ratio === undefined ? 1 : m.ratio - TARGET.ratio, "x"),
      );
    } else {
      // Compressed time asks the machine for 1/timeScale times Azure's own pace of work; with every
      // core busy the figure is the machine's, so the target is judged at Azure's speed (below).
      rows.push({
        name: `${name}, at time scale ${timeScale}`,
        target: "reported, not judged: at Azure's speed (next row)",
        measured: `${measured} (machine CPU ${m.cpu.machineBusyPercent}% busy)`,
        met: undefined,
      });
      const atAzureSpeed = scenarios.subscriptionsAtAzureSpeed;
      const fast = atAzureSpeed?.convergence;
      // A figure from other code than this run's says so.
      const commit = atAzureSpeed?.versions?.commit;
      const otherCode = commit && commit !== report.versions.commit ? `, commit ${commit}` : "";
      rows.push(
        fast?.ratio === undefined
          ? {
              name: `${name}, at Azure's speed`,
              target: `<= ${TARGET.ratio}x`,
              measured: fast
                ? `not converged (${fast.ready}/${fast.objects} Ready)`
                : `no *${AZURE_SPEED_SUBSCRIPTIONS_SUFFIX}.json report next to this one`,
              met: false,
              missedBy: fast ? "did not converge" : "not measured",
            }
          : judge(
              `${name}, at Azure's speed (${atAzureSpeed?.name}, time scale 1${otherCode})`,
              `<= ${TARGET.ratio}x`,
              `${fast.ratio}x`,
              fast.ratio - TARGET.ratio,
              "x",
            ),
      );
    }
    rows.push(
      judge(
        `429s, ${m.subscriptions} subscriptions at once`,
        "0",
        String(m.calls.throttled),
        m.calls.throttled,
        " answers",
      ),
    );
  }
  if (r) {
    rows.push(
      judge(
        "reaction latency p99",
        `< ${TARGET.reactionP99Ms} ms`,
        r.p99Ms === undefined
          ? "not measured"
          : `${r.p99Ms} ms${r.unanswered > 0 ? ` (${r.unanswered} changes unanswered)` : ""}`,
        r.p99Ms === undefined
          ? undefined
          : r.p99Ms - TARGET.reactionP99Ms + (r.p99Ms === TARGET.reactionP99Ms ? 1 : 0),
        " ms",
      ),
    );
  }
  if (f) {
    rows.push(
      judge(
        `operator RSS at ${f.cachedObjects.toLocaleString("en-US")} cached objects`,
        `< ${TARGET.rssMb} MB`,
        `${f.rssMb} MB`,
        f.rssMb - TARGET.rssMb + (f.rssMb === TARGET.rssMb ? 1 : 0),
        " MB",
      ),
    );
  }
  return rows;
}
