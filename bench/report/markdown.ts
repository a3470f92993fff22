// The Markdown report of a run, made from its JSON report: the headline, the targets, the
// settings, then one section per phase that ran (report/sections.ts).
import { comparisonSection, type PastReport, type ScenarioReports } from "./compare.js";
import { facts, minutes, n, table } from "./md.js";
import { bucketsTable, otherScenariosSection, subscriptionsSection } from "./scenarios.js";
import {
  convergenceSection,
  footprintSection,
  machineBusy,
  reactionSection,
  windowsSection,
} from "./sections.js";
import type { BenchReport } from "./types.js";

export interface ChartFiles {
  convergence: string;
  buckets: string;
}

function headline(report: BenchReport, atAzureSpeed: PastReport | undefined): string {
  const { convergence: c, steadyState: steady, reaction: r, footprint: f, rePutBaseline: rePut } = report;
  const rows: [string, string | number][] = [
    [
      "objects",
      `${c.objects.toLocaleString("en-US")} (${Object.entries(c.byKind)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")})`,
    ],
    [
      "convergence (apply → all Ready)",
      c.converged
        ? `${c.wallSeconds} s scaled`
        : `not converged in ${c.wallSeconds} s (${c.ready}/${c.objects} Ready)`,
    ],
    [
      "rate-limit bound for the same writes",
      `${c.bound.scaledSeconds} s scaled (${minutes(c.bound.readyMs)} unscaled)`,
    ],
    ["convergence / bound", c.ratio === undefined ? "n/a" : `${c.ratio}x`],
    ["ARM writes / 429s during convergence", `${c.calls.writes + c.calls.deletes} / ${c.calls.throttled}`],
  ];
  if (steady) {
    rows.push(
      ["steady state: ARM writes in one resync period", steady.calls.writes + steady.calls.deletes],
      [
        "steady state: ARM reads per object per resync",
        `${n(steady.readsPerObjectPerResync)} by the simulator's count, lists included (per reconcile, the operator's count: ${Object.entries(
          steady.readsPerReconcileByKind,
        )
          .map(([kind, reads]) => `${kind} ${n(reads)}`)
          .join(", ")})`,
      ],
      ["steady state: share POSTs / 429s", `${steady.calls.sharePosts} / ${steady.calls.throttled}`],
      [
        "operator RSS / V8 heap used at the workload",
        `${steady.operatorRssMb} MB / ${n(steady.operatorHeapUsedMb, " MB")}`,
      ],
    );
  }
  if (r)
    rows.push([
      "reaction latency p50 / p99",
      `${n(r.p50Ms, " ms")} / ${n(r.p99Ms, " ms")} (${r.measured} changes)`,
    ]);
  if (f) {
    rows.push([
      `operator RSS / V8 heap used at ${f.cachedObjects.toLocaleString("en-US")} cached objects`,
      `${f.rssMb} MB (peak ${f.peakRssMb} MB) / ${n(f.heapUsedMb, " MB")}`,
    ]);
  }
  if (rePut)
    rows.push([
      "re-PUT baseline (Azure Service Operator's policy): ARM writes in its window",
      rePut.calls.writes,
    ]);
  const m = report.subscriptions;
  const fast = atAzureSpeed?.convergence;
  if (m)
    rows.push([
      `${m.subscriptions} subscriptions at once: convergence / slowest subscription's bound (time scale ${report.settings.timeScale})`,
      m.ratio === undefined
        ? `not converged (${m.ready}/${m.objects})`
        : `${m.ratio}x (${m.wallSeconds} s for ${m.bound.scaledSeconds} s; machine CPU ${machineBusy(m.cpu)})`,
    ]);
  if (m && fast)
    rows.push([
      `the same at Azure's speed (time scale 1, its own run: ${atAzureSpeed?.name}, commit ${atAzureSpeed?.versions?.commit ?? "unknown"})`,
      `${n(fast.ratio, "x")} (${fast.wallSeconds} s for ${fast.bound.scaledSeconds} s)`,
    ]);
  return table(["figure", "measured"], rows);
}

function settings(report: BenchReport): string {
  const { settings: s, machine: m, versions: v } = report;
  const shape = s.shape;
  return facts([
    [
      "workload",
      `${shape.galleries} galleries × ${shape.definitionsPerGallery} definitions × ${shape.versionsPerDefinition} versions (${shape.regions.length} regions: ${shape.regions.join(", ")}) + ${shape.galleries} GallerySharings (${shape.sharingSubscriptions} subscriptions, ${shape.sharingTenants} tenants each); scale ${s.scale}`,
    ],
    ["subscriptions", `${shape.subscriptions} (each kind's writes spend one set of buckets)`],
    [
      "time scale",
      `${s.timeScale}: Azure's durations, rate-limit windows (3 and 30 min), token refills, latencies and the operator's poll and resync periods`,
    ],
    [
      "rate limits",
      "the real per-subscription limits (docs/arm-behaviour.md#rate-limits), windows × time scale",
    ],
    [
      "ARM latency added (after scaling)",
      Object.entries(s.latencyMs)
        .map(([k, ms]) => `${k} ${ms} ms`)
        .join(", "),
    ],
    [
      "operator",
      `a process of its own: --concurrency ${s.concurrency} --poll-interval ${s.pollIntervalMs}ms --resync-period ${s.resyncPeriodMs}ms; rate-limit pacing by ${s.scaleOperatorPacing ? "the simulator's scaled windows" : "Azure's real windows"}; NODE_OPTIONS ${s.operatorNodeOptions ? `\`${s.operatorNodeOptions}\`` : "unset (Node's defaults)"}`,
    ],
    ["phases", report.phases.join(", ")],
    ["machine", `${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.kernel}`],
    [
      "load average (1/5/15 min)",
      `${m.loadAverageAtStart.join(" / ")} at start, ${m.loadAverageAtEnd.join(" / ")} at end (shared machine)`,
    ],
    [
      "versions",
      `operator ${v.operator} (${v.commit}${v.dirty ? " plus uncommitted changes" : ""}), Node ${v.node}, ${v.controlPlane}`,
    ],
  ]);
}

/** What the report shows besides its own run: the previous report, the other scenarios' reports. */
export interface Neighbours extends ScenarioReports {
  previous?: PastReport;
}

export function renderMarkdown(report: BenchReport, charts: ChartFiles, neighbours: Neighbours = {}): string {
  const targets = table(
    ["target", "wanted", "measured", "met", "missed by"],
    report.targets.map((t) => [
      t.name,
      t.target,
      t.measured,
      t.met === undefined ? "n/a" : t.met ? "yes" : "**no**",
      t.missedBy ?? "",
    ]),
  );
  const sections = [
    `# Benchmark ${report.name}${report.settings.quick ? " (quick)" : ""}`,
    `Run ${report.startedAt}, ${Math.round(report.durationSeconds)} s in all, by \`npm run bench${report.settings.quick ? " -- --quick" : ""}\` (bench/run.ts). Every figure is in \`${report.name}.json\`; how to read them: docs/benchmarks.md.`,
    `## Headline\n\n${headline(report, neighbours.subscriptionsAtAzureSpeed)}`,
    `## Targets\n\n${targets}`,
    comparisonSection(report, neighbours.previous),
    `## Settings and machine\n\n${settings(report)}`,
    convergenceSection(report, charts.convergence),
    windowsSection(report),
    reactionSection(report),
    subscriptionsSection(report, neighbours.subscriptionsAtAzureSpeed),
    footprintSection(report),
    otherScenariosSection(neighbours.revocation, neighbours.soak),
    `## ARM calls per bucket\n\n![ARM calls per bucket](${charts.buckets})\n\n${bucketsTable(report)}`,
    `Operator logs of this run (not committed): ${report.logs}`,
  ];
  return `${sections.filter((section) => section !== "").join("\n\n")}\n`;
}
