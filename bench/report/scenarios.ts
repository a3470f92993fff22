// Sections for the scenarios beside the main workload: several subscriptions at once, and the
// places kept for the revocation latency (the sharing issue's scenario) and the soak's cost per
// object (the drift issue's `--soak`) until those land in bench/.
import { facts, n, table } from "./md.js";
import type { BenchReport } from "./types.js";

export function subscriptionsSection(report: BenchReport): string {
  const m = report.subscriptions;
  if (!m) return "";
  const slowest = Math.max(0, ...m.perSubscription.map((s) => s.boundSeconds));
  return [
    `## ${m.subscriptions} subscriptions at once`,
    `The same workload again in a namespace of its own, its galleries spread round robin over ${m.subscriptions} subscriptions of the operator's tenant (deletionPolicy Orphan), applied while the operator keeps the main workload. Each subscription has buckets of its own, so the bound is the slowest subscription's own bound (${slowest} s scaled); pacing that serialized the subscriptions would need about ${m.subscriptions} times that.`,
    facts([
      ["objects", m.objects.toLocaleString("en-US")],
      ["apply (every create answered)", `${m.applySeconds} s`],
      [
        "all Ready",
        m.converged ? `${m.wallSeconds} s` : `no: ${m.ready}/${m.objects} after ${m.wallSeconds} s`,
      ],
      ["slowest subscription's bound", `${m.bound.scaledSeconds} s scaled`],
      ["convergence / that bound", m.ratio === undefined ? "n/a" : `${m.ratio}x`],
      [
        "ARM calls",
        `${m.calls.total} (${m.calls.reads} reads, ${m.calls.writes} writes), ${m.calls.throttled} answered 429`,
      ],
      ["objects released again (cleanup)", `${m.cleanupSeconds} s`],
    ]),
    table(
      ["subscription", "objects", "own bound (scaled)", "measured: last write per bucket"],
      m.perSubscription.map((s) => [
        s.subscriptionId.slice(0, 8),
        s.objects,
        `${s.boundSeconds} s`,
        m.bound.buckets
          .filter((b) => b.subscriptionId === s.subscriptionId && b.bucket.startsWith("CreateUpdate"))
          .map((b) => `${b.bucket} ${b.writes} writes`)
          .join(", "),
      ]),
    ),
  ].join("\n\n");
}

export function pendingScenariosSection(): string {
  return [
    "## Revocation latency and soak cost",
    "Not measured in this run: the revocation scenario (from the GallerySharing issue: a consumer removed from the spec until ARM no longer shares with it) and `--soak` (from the drift issue: ARM calls per object per hour over a long steady run) had not landed in `bench/` when it ran. Their figures go here.",
  ].join("\n\n");
}

/** ARM calls per bucket in every window of the run, one column each (the chart shows the same). */
export function bucketsTable(report: BenchReport): string {
  const windows: [string, Record<string, number> | undefined][] = [
    ["convergence", report.convergence.calls.byBucket],
    ["steady state", report.steadyState?.calls.byBucket],
    ["restart", report.restart?.calls.byBucket],
    ["restart, re-PUT switch", report.rePutBaseline?.calls.byBucket],
    [`${report.subscriptions?.subscriptions ?? ""} subscriptions`, report.subscriptions?.calls.byBucket],
  ];
  const present = windows.filter((w): w is [string, Record<string, number>] => w[1] !== undefined);
  const buckets = [...new Set(present.flatMap(([, counts]) => Object.keys(counts)))].sort();
  return table(
    ["bucket", ...present.map(([label]) => label)],
    buckets.map((bucket) => [bucket, ...present.map(([, counts]) => n(counts[bucket] ?? 0))]),
  );
}
