// The run next to the previous committed report: every headline figure, old and new. Reports
// written before a figure existed show "n/a" for it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SUBSCRIPTIONS } from "../phases/subscriptions.js";
import type { WindowResult } from "../phases/window.js";
import { n, table } from "./md.js";
import type { RevocationReport, SoakReport } from "./scenarios.js";
import type { BenchReport } from "./types.js";

/** A report as read back: figures added since it was written may be missing. */
export type PastReport = Partial<BenchReport> & Pick<BenchReport, "name" | "convergence">;

/** Full reports are named by their date, with a letter for a second one that day (`2026-12-07b`). */
const FULL_REPORT = /^\d{4}-\d{2}-\d{2}[a-z]?\.json$/;

/**
 * The newest full report in `dir` other than `name` (quick runs and the scenarios are not
 * compared), or `file` when given; with `startedBefore` (a report's `startedAt`), the newest that
 * started before it, so a report written again is compared with the one before it, not a later one.
 * Undefined when there is none.
 */
export function loadPrevious(
  dir: string,
  name: string,
  file?: string,
  startedBefore?: string,
): PastReport | undefined {
  if (file) return JSON.parse(readFileSync(file, "utf8")) as PastReport;
  return newestJson<PastReport>(
    dir,
    (f) => FULL_REPORT.test(f) && f !== `${name}.json`,
    (r) => startedInTime(r, startedBefore),
  );
}

/** Whether `report` started before `startedBefore` (a report's `startedAt`), or no limit is set. */
function startedInTime(report: { startedAt?: string }, startedBefore: string | undefined): boolean {
  return startedBefore === undefined || (report.startedAt !== undefined && report.startedAt < startedBefore);
}

/** The newest file in `dir` (dates sort by name) that `named` takes and whose contents `fit`, parsed. */
function newestJson<T>(
  dir: string,
  named: (file: string) => boolean,
  fits: (parsed: T) => boolean = () => true,
): T | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter(named).sort().reverse();
  for (const file of files) {
    const parsed = JSON.parse(readFileSync(join(dir, file), "utf8")) as T;
    if (fits(parsed)) return parsed;
  }
  return undefined;
}

/**
 * What names the run of several subscriptions at Azure's own speed:
 * `npm run bench -- --time-scale 1 --subscriptions 5 --phases none --name <date>-scale1-five-subs`.
 */
export const AZURE_SPEED_SUBSCRIPTIONS_SUFFIX = "-scale1-five-subs";

export interface ScenarioReports {
  revocation?: RevocationReport;
  soak?: SoakReport;
  /** The workload over several subscriptions at time scale 1, when its settings say so. */
  subscriptionsAtAzureSpeed?: PastReport;
}

/**
 * The newest reports of the scenarios that run as commands of their own; with `startedBefore` (a
 * report's `startedAt`), the run at Azure's speed is the newest that started before that report.
 */
export function scenarioReports(dir: string, startedBefore?: string): ScenarioReports {
  const revocation = newestJson<RevocationReport>(dir, (f) => f.endsWith("-revocation.json"));
  const soak = newestJson<SoakReport>(dir, (f) => f.endsWith("-soak.json"));
  // What the name promises: the whole workload over five subscriptions at time scale 1.
  const atAzureSpeed = newestJson<PastReport>(
    dir,
    (f) => f.endsWith(`${AZURE_SPEED_SUBSCRIPTIONS_SUFFIX}.json`),
    (r) => {
      const s = r.settings;
      const fits =
        s?.timeScale === 1 && s.shape?.subscriptions === SUBSCRIPTIONS && s.scale === 1 && !s.quick;
      return fits && startedInTime(r, startedBefore);
    },
  );
  return {
    ...(revocation ? { revocation } : {}),
    ...(soak ? { soak } : {}),
    ...(atAzureSpeed ? { subscriptionsAtAzureSpeed: atAzureSpeed } : {}),
  };
}

/** Reads per object per resync period, as the simulator counted them (lists included). */
const readsPerResync = (w: WindowResult | undefined) =>
  w ? Math.round((w.calls.reads / w.objects / w.resyncPeriods) * 1000) / 1000 : undefined;

const FIGURES: [string, (r: PastReport) => number | string | undefined][] = [
  ["objects", (r) => r.convergence.objects],
  ["time scale", (r) => r.settings?.timeScale],
  ["convergence, s scaled", (r) => r.convergence.wallSeconds],
  ["rate-limit bound, s scaled", (r) => r.convergence.bound.scaledSeconds],
  ["convergence / bound", (r) => r.convergence.ratio],
  ["ARM writes during convergence", (r) => r.convergence.calls.writes + r.convergence.calls.deletes],
  ["ARM reads during convergence", (r) => r.convergence.calls.reads],
  ["429s during convergence", (r) => r.convergence.calls.throttled],
  ["operator CPU during convergence, s", (r) => r.convergence.operatorCpuSeconds],
  [
    "steady: ARM writes",
    (r) => (r.steadyState ? r.steadyState.calls.writes + r.steadyState.calls.deletes : undefined),
  ],
  ["steady: share POSTs", (r) => r.steadyState?.calls.sharePosts],
  ["steady: ARM reads in the window", (r) => r.steadyState?.calls.reads],
  ["steady: ARM reads per object per resync (simulator)", (r) => readsPerResync(r.steadyState)],
  ["steady: ARM reads per reconcile (operator's count)", (r) => r.steadyState?.readsPerReconcile],
  ["steady: operator CPU, s", (r) => r.steadyState?.operatorCpuSeconds],
  ["RSS at the workload, MB", (r) => r.steadyState?.operatorRssMb],
  ["V8 heap used at the workload, MB", (r) => r.steadyState?.operatorHeapUsedMb],
  ["reaction p50, ms", (r) => r.reaction?.p50Ms],
  ["reaction p99, ms", (r) => r.reaction?.p99Ms],
  ["reaction max, ms", (r) => r.reaction?.maxMs],
  ["restart window: ARM reads", (r) => r.restart?.calls.reads],
  ["restart window: 429s", (r) => r.restart?.calls.throttled],
  ["re-PUT baseline: ARM writes in its window", (r) => r.rePutBaseline?.calls.writes],
  ["subscriptions at once / slowest subscription's bound", (r) => r.subscriptions?.ratio],
  ["429s with subscriptions at once", (r) => r.subscriptions?.calls.throttled],
  ["cached objects in the footprint", (r) => r.footprint?.cachedObjects],
  ["RSS at the cached objects, MB", (r) => r.footprint?.rssMb],
  ["peak RSS at the cached objects, MB", (r) => r.footprint?.peakRssMb],
  ["V8 heap used at the cached objects, MB", (r) => r.footprint?.heapUsedMb],
  ["V8 heap reserved at the cached objects, MB", (r) => r.footprint?.heapTotalMb],
  ["heap per cached object, KB", (r) => r.footprint?.heapKbPerCachedObject],
  ["footprint: every object reconciled after, s", (r) => r.footprint?.settledSeconds],
  ["whole run, s", (r) => r.durationSeconds],
];

export function comparisonSection(report: BenchReport, previous: PastReport | undefined): string {
  if (!previous) return "";
  const cell = (v: number | string | undefined) => (typeof v === "number" ? n(v) : (v ?? "n/a"));
  return [
    `## Against the previous report (${previous.name})`,
    `Same machine, shared with other work both times (load averages in the settings). Previous: \`${previous.name}.md\`, commit ${previous.versions?.commit ?? "n/a"}.`,
    table(
      ["figure", previous.name, report.name],
      FIGURES.map(([label, get]) => [label, cell(get(previous)), cell(get(report))]),
    ),
  ].join("\n\n");
}
