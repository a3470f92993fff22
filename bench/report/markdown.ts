// The Markdown report of a run, made from its JSON report: every figure, the targets, and the
// comparison with the peers' published behaviour.
import type { WindowResult } from "../phases/window.js";
import type { BenchReport } from "./types.js";

const n = (value: number | undefined, unit = "") =>
  value === undefined ? "n/a" : `${value.toLocaleString("en-US")}${unit}`;

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function windowRow(label: string, w: WindowResult | undefined): (string | number)[] {
  if (!w) return [label, "not run", "", "", "", "", ""];
  return [
    label,
    w.seconds,
    w.calls.writes + w.calls.deletes,
    w.writesPerObject,
    w.calls.reads,
    w.readsPerObject,
    w.calls.throttled,
  ];
}

const KIND_OF_BUCKET: Record<string, string> = {
  CreateUpdateGallery: "Gallery",
  CreateUpdateGalleryImage: "ImageDefinition",
  CreateUpdateGalleryImageVersion: "ImageVersion",
  PostShareGallery: "GallerySharing",
};

/** What the run did for a bound's bucket: its last accepted write, and when its kind was all Ready. */
function measuredFor(bucket: string, c: BenchReport["convergence"]): string {
  const kind = KIND_OF_BUCKET[bucket];
  if (!kind) return "";
  const write = c.lastWriteSeconds[bucket];
  const ready = c.kindReadySeconds[kind];
  return `${write === undefined ? "n/a" : `${write} s`} / ${ready === undefined ? "n/a" : `${ready} s`}`;
}

export function renderMarkdown(
  report: BenchReport,
  charts: { convergence: string; buckets: string },
): string {
  const { settings: s, convergence: c, steadyState: steady, reaction: r, footprint: f, machine: m } = report;
  const shape = s.shape;
  const scaled = (ms: number) => `${((ms * s.timeScale) / 1000).toFixed(1)} s`;
  const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  // The window's write rate, per object and resync period, times the six 10-minute periods of an hour.
  const rePut = report.rePutBaseline;
  const hourlyRePut = rePut
    ? Math.round((rePut.writesPerObject / rePut.resyncPeriods) * 6 * c.objects)
    : undefined;
  const out: string[] = [];
  out.push(
    `# Benchmark ${report.name}${s.quick ? " (quick)" : ""}`,
    "",
    `Run ${report.startedAt}, ${Math.round(report.durationSeconds)} s in all. Made by \`npm run bench${s.quick ? " -- --quick" : ""}\` (bench/run.ts); every figure is in \`${report.name}.json\`. How to read it: docs/benchmarks.md.`,
    "",
    "## Headline",
    "",
    table(
      ["figure", "measured"],
      [
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
        ["429s received during convergence", c.calls.throttled],
        ["steady state: ARM writes in one resync period", steady.calls.writes + steady.calls.deletes],
        [
          "steady state: ARM reads per object per resync",
          `${n(steady.readsPerReconcile)} (${Object.entries(steady.readsPerReconcileByKind)
            .map(([kind, reads]) => `${kind} ${n(reads)}`)
            .join(", ")})`,
        ],
        ["steady state: share POSTs", steady.calls.sharePosts],
        ["reaction latency p50 / p99", `${n(r.p50Ms, " ms")} / ${n(r.p99Ms, " ms")} (${r.measured} changes)`],
        ["operator RSS at the workload", `${n(steady.operatorRssMb, " MB")}`],
        [
          `operator RSS at ${f.cachedObjects.toLocaleString("en-US")} cached objects`,
          `${n(f.rssMb, " MB")} (peak ${n(f.peakRssMb, " MB")})`,
        ],
        [
          "re-PUT-each-resync policy: ARM writes in one resync period",
          report.rePutBaseline ? report.rePutBaseline.calls.writes : "not run",
        ],
      ],
    ),
    "",
    "## Targets",
    "",
    table(
      ["target", "wanted", "measured", "met", "missed by"],
      report.targets.map((t) => [
        t.name,
        t.target,
        t.measured,
        t.met === undefined ? "n/a" : t.met ? "yes" : "**no**",
        t.missedBy ?? "",
      ]),
    ),
    "",
    "## Settings and machine",
    "",
    table(
      ["", ""],
      [
        [
          "workload",
          `${shape.galleries} galleries × ${shape.definitionsPerGallery} definitions × ${shape.versionsPerDefinition} versions (${shape.regions.length} regions: ${shape.regions.join(", ")}) + ${shape.galleries} GallerySharings (${shape.sharingSubscriptions} subscriptions, ${shape.sharingTenants} tenants each); scale ${s.scale}`,
        ],
        ["subscriptions", `${shape.subscriptions} (every write of a kind spends the same buckets)`],
        [
          "time scale",
          `${s.timeScale}: Azure's durations, rate-limit windows (3 and 30 min), token refills, latencies and the operator's timers`,
        ],
        ["rate limits", "the real per-subscription limits (facts §10), windows × time scale"],
        [
          "ARM latency added (after scaling)",
          Object.entries(s.latencyMs)
            .map(([k, v]) => `${k} ${v} ms`)
            .join(", "),
        ],
        [
          "operator",
          `--concurrency ${s.concurrency} --poll-interval ${s.pollIntervalMs}ms --resync-period ${s.resyncPeriodMs}ms, a process of its own`,
        ],
        ["machine", `${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.kernel}`],
        [
          "load average (1/5/15 min)",
          `${m.loadAverageAtStart.join(" / ")} at start, ${m.loadAverageAtEnd.join(" / ")} at end`,
        ],
        [
          "versions",
          `operator ${report.versions.operator} (${report.versions.commit}${report.versions.dirty ? ", uncommitted changes" : ""}), Node ${report.versions.node}, ${report.versions.controlPlane}`,
        ],
      ],
    ),
    "",
    "## Convergence",
    "",
    `![objects Ready over time](${charts.convergence})`,
    "",
    table(
      ["", ""],
      [
        ["apply (all creates answered)", `${c.applySeconds} s`],
        [
          "all Ready",
          c.converged ? `${c.wallSeconds} s` : `no: ${c.ready}/${c.objects} after ${c.wallSeconds} s`,
        ],
        [
          "bound (scaled)",
          `${c.bound.scaledSeconds} s; its last write alone at ${scaled(c.bound.lastWriteMs)}`,
        ],
        [
          "binding bucket",
          c.bound.binding ? `${c.bound.binding.bucket} (${c.bound.binding.writes} writes)` : "n/a",
        ],
        [
          "ARM calls",
          `${c.calls.total} (${c.calls.reads} reads, ${c.calls.writes} writes, ${c.calls.deletes} deletes, ${c.calls.sharePosts} share POSTs)`,
        ],
        ["429s", c.calls.throttled],
        ["reconciles", `${c.reconciles.reconciles} (${c.reconciles.failures} failed and retried)`],
        ["operator CPU, peak RSS", `${c.operatorCpuSeconds} s, ${c.operatorMaxRssMb} MB`],
        ...Object.entries(c.notReady).map(([why, count]) => [`not Ready: ${why}`, count]),
      ],
    ),
    "",
    "Bound per bucket: the earliest time the bucket lets its last write through (sliding 3 and 30-minute windows, or ARM's token bucket), plus the parents' creation before and the operation after (unscaled, then scaled):",
    "",
    table(
      [
        "subscription",
        "bucket",
        "writes",
        "last write",
        "Ready at",
        "scaled: last write / Ready at",
        "measured: last write / all Ready",
      ],
      c.bound.buckets.map((b) => [
        b.subscriptionId.slice(0, 8),
        b.bucket,
        b.writes,
        minutes(b.lastWriteMs),
        minutes(b.readyMs),
        `${scaled(b.lastWriteMs)} / ${scaled(b.readyMs)}`,
        measuredFor(b.bucket, c),
      ]),
    ),
    "",
    "## Steady state, restart and the re-PUT baseline",
    "",
    `Each window is one resync period plus its 10% jitter (${steady.seconds} s scaled = ${steady.resyncPeriods} × ${s.resyncPeriodMs} ms), so every object was resynced in it. "Restart" opens when a restarted operator has synced its caches: it holds the start-up pass over every object and one resync.`,
    "",
    table(
      ["window", "seconds", "ARM writes", "writes/object", "ARM reads", "reads/object", "429s"],
      [
        windowRow("steady state", steady),
        windowRow("restart, this operator", report.restart),
        windowRow("restart, re-PUT each resync", report.rePutBaseline),
      ],
    ),
    "",
    `Steady state: ${steady.reconciles.reconciles} reconciles, ${n(steady.readsPerReconcile)} ARM reads each on average; ${steady.calls.sharePosts} share POSTs; operator CPU ${steady.operatorCpuSeconds} s, RSS ${steady.operatorRssMb} MB (V8 heap used ${n(steady.operatorHeapUsedMb, " MB")}).`,
    "",
    "Next to the peers (their figures are the published ones the issue quotes; the re-PUT row is measured here with the same operator, only the policy switched):",
    "",
    table(
      ["", "ARM writes per object per hour, steady", "at this workload, per hour", "memory"],
      [
        [
          "this operator",
          `0 (measured: ${steady.calls.writes + steady.calls.deletes} in one period)`,
          steady.calls.writes + steady.calls.deletes === 0 ? "0" : "see above",
          `${steady.operatorRssMb} MB at ${c.objects.toLocaleString("en-US")} objects, ${f.rssMb} MB at ${f.cachedObjects.toLocaleString("en-US")}`,
        ],
        [
          "Azure Service Operator (re-PUT once per sync period, 1 h default)",
          "1",
          `${c.objects.toLocaleString("en-US")}`,
          "not measured",
        ],
        [
          "re-PUT each resync, measured here",
          report.rePutBaseline ? `${report.rePutBaseline.writesPerObject} per resync period` : "not run",
          hourlyRePut === undefined
            ? "not run"
            : `about ${hourlyRePut.toLocaleString("en-US")} at a 10-minute resync`,
          "",
        ],
        [
          "Crossplane, Terraform-based provider (refresh every 10 min)",
          "0 (6 refreshes of reads per hour)",
          "0",
          `about 1 GB per 100 resources: ${(c.objects / 100).toFixed(1)} GB here`,
        ],
      ],
    ),
    "",
    "## Reaction latency",
    "",
    `${r.changes} changes, one at a time, each after the previous settled, rotating over the kinds (Gallery and ImageDefinition: description; ImageVersion: endOfLifeDate; GallerySharing: one tenant added, then removed). Latency: from the PATCH answer reaching the benchmark to the simulator receiving the first ARM request for that object (both on the same clock). The PATCH itself took ${n(r.patchP50Ms, " ms")} (p50): the API server accepted each change at most that much earlier.`,
    "",
    table(
      ["kind", "changes", "p50", "p99"],
      [
        ...Object.entries(r.byKind).map(([kind, k]) => [
          kind,
          k.changes,
          n(k.p50Ms, " ms"),
          n(k.p99Ms, " ms"),
        ]),
        ["all", r.changes, n(r.p50Ms, " ms"), `${n(r.p99Ms, " ms")} (max ${n(r.maxMs, " ms")})`],
      ],
    ),
    "",
    "## Footprint",
    "",
    `${f.blockedVersions.toLocaleString("en-US")} ImageVersions (deletionPolicy Orphan) were added in a second watched namespace, naming an ImageDefinition that does not exist: the operator caches and reconciles each (Ready=False, ImageDefinitionNotFound) but calls ARM for none. They were created with the finalizer and label the operator would add, so the API server was spared two writes each; the operator still writes each one's status.`,
    "",
    table(
      ["", ""],
      [
        ["RSS with the workload (restarted operator, settled)", `${f.rssAtWorkloadMb} MB`],
        [
          `RSS at ${f.cachedObjects.toLocaleString("en-US")} cached objects`,
          `${f.rssMb} MB (peak ${f.peakRssMb} MB)`,
        ],
        [
          "V8 heap used (lowest reading while settled): workload / all cached",
          `${n(f.heapUsedAtWorkloadMb, " MB")} / ${n(f.heapUsedMb, " MB")}, about ${n(f.heapKbPerCachedObject, " KB")} per cached object`,
        ],
        ["blocked versions reported on", `${f.reported}/${f.blockedVersions} in ${f.seconds} s`],
        ["operator CPU over that", `${f.cpuSeconds} s`],
        ["ARM calls meanwhile (workload resyncs)", `${f.armReads} reads, ${f.armWrites} writes`],
        [
          "object size as served",
          `${f.objectBytes.readyVersion} bytes (Ready version), ${f.objectBytes.blockedVersion} bytes (blocked version)`,
        ],
      ],
    ),
    "",
    "## ARM calls per bucket",
    "",
    `![ARM calls per bucket](${charts.buckets})`,
    "",
    `Operator logs of this run (not committed): ${report.logs}`,
    "",
  );
  return out.join("\n");
}
