// One Markdown section per phase of a run; a phase that did not run gives an empty string.
import type { CallWindow } from "../phases/window.js";
import type { CpuShare } from "../proc-stats.js";
import { facts, minutes, n, table } from "./md.js";
import type { BenchReport } from "./types.js";

const KIND_OF_BUCKET: Record<string, string> = {
  CreateUpdateGallery: "Gallery",
  CreateUpdateGalleryImage: "ImageDefinition",
  CreateUpdateGalleryImageVersion: "ImageVersion",
  PostShareGallery: "GallerySharing",
};

/** "92% busy": the machine's busy share in a phase, for a line that says no more of it. */
export function machineBusy(cpu: CpuShare | undefined): string {
  return cpu ? `${cpu.machineBusyPercent}% busy` : "not measured";
}

/**
 * How busy the machine was and who used it, the largest share first: a phase that kept every core
 * busy measured the machine as much as the operator (docs/benchmarks.md).
 */
export function cpuUse(cpu: CpuShare | undefined): string {
  if (!cpu) return "n/a";
  const shares = Object.entries(cpu.processSeconds)
    .sort(([, a], [, b]) => b - a)
    .map(([name, seconds]) => `${name} ${seconds} s`);
  return `${cpu.machineBusyPercent}% of ${cpu.cores} cores busy; ${shares.join(", ")}`;
}

export function convergenceSection(report: BenchReport, chart: string): string {
  const { convergence: c, settings: s } = report;
  const scaled = (ms: number) => `${((ms * s.timeScale) / 1000).toFixed(1)} s`;
  // What the run did for a bound's bucket: its last accepted write, and when its kind was all Ready.
  const measured = (bucket: string) => {
    const kind = KIND_OF_BUCKET[bucket];
    if (!kind) return "";
    return `${n(c.lastWriteSeconds[bucket], " s")} / ${n(c.kindReadySeconds[kind], " s")}`;
  };
  const summary = facts([
    ["apply (every create answered)", `${c.applySeconds} s`],
    [
      "all Ready",
      c.converged ? `${c.wallSeconds} s` : `no: ${c.ready}/${c.objects} after ${c.wallSeconds} s`,
    ],
    ["bound", `${c.bound.scaledSeconds} s (its last write alone at ${scaled(c.bound.lastWriteMs)})`],
    [
      "binding bucket",
      c.bound.binding ? `${c.bound.binding.bucket} (${c.bound.binding.writes} writes)` : "n/a",
    ],
    [
      "ARM calls",
      `${c.calls.total} (${c.calls.reads} reads, ${c.calls.writes} writes, ${c.calls.deletes} deletes, ${c.calls.sharePosts} share POSTs)`,
    ],
    ["429s", c.calls.throttled],
    ["reconciles", `${c.reconciles.reconciles} (${c.reconciles.failures} failed and were retried)`],
    ["operator CPU / peak RSS", `${c.operatorCpuSeconds} s / ${c.operatorMaxRssMb} MB`],
    ["machine CPU in the phase", cpuUse(c.cpu)],
    ...Object.entries(c.notReady).map(([why, count]): [string, number] => [`not Ready: ${why}`, count]),
  ]);
  const bound = table(
    [
      "subscription",
      "bucket",
      "writes",
      "last write",
      "Ready at",
      "scaled",
      "measured: last write / all Ready",
    ],
    c.bound.buckets.map((b) => [
      b.subscriptionId.slice(0, 8),
      b.bucket,
      b.writes,
      minutes(b.lastWriteMs),
      minutes(b.readyMs),
      `${scaled(b.lastWriteMs)} / ${scaled(b.readyMs)}`,
      measured(b.bucket),
    ]),
  );
  return [
    "## Convergence",
    `![objects Ready over time](${chart})`,
    summary,
    "The bound, per bucket: the earliest time ARM lets the bucket's last write through (sliding 3 and 30-minute windows, or ARM's subscription token bucket), plus the parents' creation before it and its own operation after it (the recorded durations). Unscaled, then scaled, next to what this run did (seconds from the first create):",
    bound,
  ].join("\n\n");
}

function windowRow(label: string, w: CallWindow | undefined): (string | number)[] {
  if (!w) return [label, "not run", "", "", "", "", ""];
  const writes = w.calls.writes + w.calls.deletes;
  return [label, w.seconds, writes, w.writesPerObject, w.calls.reads, w.readsPerObject, w.calls.throttled];
}

export function windowsSection(report: BenchReport): string {
  const { steadyState: steady, restart, rePutBaseline: rePut, convergence: c, footprint: f } = report;
  const any = steady ?? restart ?? rePut;
  if (!any) return "";
  const objects = c.objects.toLocaleString("en-US");
  const ourWrites = steady ? steady.calls.writes + steady.calls.deletes : undefined;
  const memory = [
    steady ? `${steady.operatorRssMb} MB RSS at ${objects} objects` : "",
    f ? `${f.rssMb} MB at ${f.cachedObjects.toLocaleString("en-US")}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const peers = table(
    ["", "ARM writes per object, steady", "at this workload, per hour", "memory"],
    [
      [
        "this operator (measured)",
        ourWrites === undefined ? "not run" : `${ourWrites} in a resync period`,
        ourWrites === 0 ? "0" : "n/a",
        memory,
      ],
      [
        "Azure Service Operator's policy, run by the benchmark (measured, same machine)",
        rePut ? `${rePut.writesPerObject} in a start-up pass and one period` : "not run",
        rePut ? "see the baseline window above" : "",
        "",
      ],
      [
        "Azure Service Operator: a PUT per object per sync period (1 h default)",
        "1 per hour",
        objects,
        "not published",
      ],
      [
        "Crossplane, Terraform-based provider: refresh every 10 min",
        "0 (reads: 6 refreshes per hour)",
        "0",
        `about 1 GB per 100 resources: ${(c.objects / 100).toFixed(1)} GB here`,
      ],
    ],
  );
  return [
    "## Steady state, restart and the re-PUT baseline",
    `Each window lasts one resync period plus its 10% jitter (${any.seconds} s = ${any.resyncPeriods} × ${report.settings.resyncPeriodMs} ms), so every object was resynced in it. The restart window opens when a restarted operator has synced its caches: it holds its start-up pass over every object and then one resync. The re-PUT baseline is Azure Service Operator's policy run by the benchmark in the operator's place (bench/aso-baseline.ts, the operator stopped): a GET and a PUT of the same body for every object (a GallerySharing: its share posted again), at start and again one period after, over as long a window.`,
    table(
      ["window", "seconds", "ARM writes", "writes/object", "ARM reads", "reads/object", "429s"],
      [
        windowRow("steady state", steady),
        windowRow("restart, this operator", restart),
        windowRow("re-PUT baseline (Azure Service Operator's policy)", rePut),
      ],
    ),
    steady
      ? `Steady state: ${steady.reconciles.reconciles} reconciles, ${n(steady.readsPerReconcile)} ARM reads each; ARM calls by bucket: ${Object.entries(
          steady.calls.byBucket,
        )
          .map(([bucket, count]) => `${bucket} ${count}`)
          .join(", ")}; operator CPU ${steady.operatorCpuSeconds} s.`
      : "",
    "Next to the peers (their figures are the published ones the issue quotes, not measured here):",
    peers,
  ]
    .filter(Boolean)
    .join("\n\n");
}

export function reactionSection(report: BenchReport): string {
  const r = report.reaction;
  if (!r) return "";
  const rows = Object.entries(r.byKind).map(([kind, k]) => [
    kind,
    k.changes,
    n(k.p50Ms, " ms"),
    n(k.p99Ms, " ms"),
  ]);
  rows.push(["all", r.changes, n(r.p50Ms, " ms"), `${n(r.p99Ms, " ms")} (max ${n(r.maxMs, " ms")})`]);
  const slow = r.samples.filter((sample) => sample.latencyMs === undefined || sample.latencyMs >= 200);
  return [
    "## Reaction latency",
    `${r.changes} changes, one at a time, rotating over the kinds (Gallery and ImageDefinition: description; ImageVersion: endOfLifeDate; GallerySharing: one tenant added, then removed). Latency: from the PATCH answer reaching the benchmark to the simulator receiving the first ARM request for that object, both on this process's clock. The PATCH took ${n(r.patchP50Ms, " ms")} (p50): the API server accepted each change at most that much earlier. ${r.unanswered} changes saw no ARM request within 60 s.`,
    table(["kind", "changes", "p50", "p99"], rows),
    slow.length > 0
      ? `Changes at or above 200 ms (ARM calls in the second before the change show a resync under way): ${slow
          .map(
            (sample) =>
              `${sample.kind} ${sample.name} ${n(sample.latencyMs, " ms")} (${sample.callsBefore} calls before)`,
          )
          .join("; ")}.`
      : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

export function footprintSection(report: BenchReport): string {
  const f = report.footprint;
  if (!f) return "";
  return [
    "## Footprint",
    `${f.blockedVersions.toLocaleString("en-US")} ImageVersions (deletionPolicy Orphan) were created, with no operator running, in a second namespace, naming an ImageDefinition that does not exist. Then the operator started with everything there: it caches and reconciles each (Ready=False, ImageDefinitionNotFound) but calls ARM for none. They carry the finalizer and label the operator would add, which spares the API server two writes each; the operator still writes each one's status.`,
    facts([
      ["created in", `${f.createSeconds} s`],
      [
        "operator: caches synced / every object reconciled",
        `${f.syncSeconds} s / ${f.settledSeconds} s after its start`,
      ],
      [
        `RSS at ${f.cachedObjects.toLocaleString("en-US")} cached objects`,
        `${f.rssMb} MB (peak ${f.peakRssMb} MB)`,
      ],
      [
        "V8 heap used (lowest reading while settled)",
        `${n(f.heapUsedMb, " MB")}; with the workload alone ${n(f.reference?.heapUsedMb, " MB")} (RSS ${n(f.reference?.rssMb, " MB")}): about ${n(f.heapKbPerCachedObject, " KB")} per cached object`,
      ],
      [
        "where the RSS is",
        `V8 heap reserved ${n(f.heapTotalMb, " MB")}, memory held by JS objects outside it ${n(f.externalMb, " MB")}, the rest (code, Node itself, native allocations) ${n(f.heapTotalMb === undefined || f.externalMb === undefined ? undefined : Math.round(f.rssMb - f.heapTotalMb - f.externalMb), " MB")}`,
      ],
      ["operator CPU since its start", `${f.cpuSeconds} s`],
      ["ARM calls meanwhile (the workload's)", `${f.armReads} reads, ${f.armWrites} writes`],
      [
        "object size as served",
        `${f.objectBytes.readyVersion} bytes (Ready version), ${f.objectBytes.blockedVersion} bytes (blocked version)`,
      ],
    ]),
  ].join("\n\n");
}
