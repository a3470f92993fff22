// Sections for the scenarios beside the main workload: several subscriptions at once, and the
// figures of the scenarios that run as commands of their own (revocation latency, soak).
import { AZURE_SPEED_SUBSCRIPTIONS_SUFFIX, type PastReport } from "./compare.js";
import { facts, n, table } from "./md.js";
import { cpuUse } from "./sections.js";
import type { BenchReport } from "./types.js";

export function subscriptionsSection(report: BenchReport, atAzureSpeed?: PastReport): string {
  const m = report.subscriptions;
  if (!m) return "";
  const slowest = Math.max(0, ...m.perSubscription.map((s) => s.boundSeconds));
  const seconds = (value: number | undefined) => n(value, " s");
  const fast = atAzureSpeed?.convergence;
  return [
    `## ${m.subscriptions} subscriptions at once`,
    `The same workload again in a namespace of its own, its galleries spread round robin over ${m.subscriptions} subscriptions of the operator's tenant (deletionPolicy Orphan), applied while the operator keeps the main workload. Each subscription has buckets of its own, so the bound is the slowest subscription's own bound (${slowest} s scaled); pacing that serialized the subscriptions would need about ${m.subscriptions} times that, and one subscription's writes would wait for another's: the spread of each subscription's writes below shows whether they ran side by side.`,
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
      ["machine CPU in the phase", cpuUse(m.cpu)],
      ["objects released again (cleanup)", `${m.cleanupSeconds} s`],
    ]),
    table(
      [
        "subscription",
        "objects",
        "own bound (scaled)",
        "binding bucket",
        "that bucket's accepted writes: first / median / last",
      ],
      m.perSubscription.map(({ subscriptionId, objects, boundSeconds, bucket, writeSeconds: w }) => [
        subscriptionId.slice(0, 8),
        objects,
        `${boundSeconds} s`,
        bucket ?? "n/a",
        w ? `${seconds(w.first)} / ${seconds(w.median)} / ${seconds(w.last)}` : "n/a",
      ]),
    ),
    fast
      ? `At Azure's speed, from \`${atAzureSpeed?.name}.md\` (its own run of the same workload over ${atAzureSpeed?.settings?.shape.subscriptions} subscriptions at time scale 1, commit ${atAzureSpeed?.versions?.commit ?? "unknown"}): all Ready in ${fast.wallSeconds} s for a bound of ${fast.bound.scaledSeconds} s, ${n(fast.ratio, "x")}, ${fast.calls.throttled} answered 429; machine CPU ${cpuUse(fast.cpu)}. How target 5 is judged: docs/benchmarks.md#several-subscriptions-at-once.`
      : `At Azure's speed: no \`*${AZURE_SPEED_SUBSCRIPTIONS_SUFFIX}.json\` report next to this one (docs/benchmarks.md#several-subscriptions-at-once).`,
  ].join("\n\n");
}

/** A scenario's own report, as `npm run bench -- --revocation` writes it (bench/revocation.ts). */
export interface RevocationReport {
  name: string;
  timeScale: number;
  samplesPerCase: number;
  cases: Record<string, { p50Ms?: number; p99Ms?: number; maxMs?: number; timedOut: number }>;
}

/** The soak's own report, as `npm run bench -- --soak` writes it (bench/soak.ts). */
export interface SoakReport {
  name: string;
  timeScale: number;
  simulatedMinutes: number;
  objects: number;
  edits: number;
  rotations: number;
  rssSlopeMbPerHour?: number;
  heapSlopeMbPerHour?: number;
}

/**
 * The scenarios run by commands of their own: the revocation latency (issue 15's scenario) and
 * the soak (issue 16's `--soak`), from their newest reports next to this one.
 */
export function otherScenariosSection(
  revocation: RevocationReport | undefined,
  soak: SoakReport | undefined,
): string {
  const parts = ["## Revocation latency and soak"];
  if (revocation) {
    parts.push(
      `From \`${revocation.name}.md\` (\`npm run bench -- --revocation\`, its own run: time scale ${revocation.timeScale}, ${revocation.samplesPerCase} samples per case): from the PATCH that drops a subscription to the simulator no longer sharing with it.`,
      table(
        ["case", "p50", "p99", "p50 in Azure time", "timed out"],
        Object.entries(revocation.cases).map(([name, c]) => [
          name,
          n(c.p50Ms, " ms"),
          n(c.p99Ms, " ms"),
          c.p50Ms === undefined ? "n/a" : `${(c.p50Ms / revocation.timeScale / 1000).toFixed(1)} s`,
          c.timedOut,
        ]),
      ),
    );
  } else {
    parts.push(
      "Revocation latency: no `*-revocation.json` report next to this one (`npm run bench -- --revocation`).",
    );
  }
  parts.push(
    soak
      ? `Soak, from \`${soak.name}.md\` (\`npm run bench -- --soak\`, its own run: time scale ${soak.timeScale}): ${soak.objects} objects for ${soak.simulatedMinutes} simulated minutes with ${soak.edits} spec edits and ${soak.rotations} secret rotations; after the warm-up the operator's RSS moved ${n(soak.rssSlopeMbPerHour, " MB")} and its heap used ${n(soak.heapSlopeMbPerHour, " MB")} per simulated hour. It reports memory over time, not ARM calls per object.`
      : "Soak: no `*-soak.json` report next to this one (`npm run bench -- --soak`).",
  );
  return parts.join("\n\n");
}

/** ARM calls per bucket in every window of the run, one column each (the chart shows the same). */
export function bucketsTable(report: BenchReport): string {
  const windows: [string, Record<string, number> | undefined][] = [
    ["convergence", report.convergence.calls.byBucket],
    ["steady state", report.steadyState?.calls.byBucket],
    ["restart", report.restart?.calls.byBucket],
    ["re-PUT baseline", report.rePutBaseline?.calls.byBucket],
    [`${report.subscriptions?.subscriptions ?? ""} subscriptions`, report.subscriptions?.calls.byBucket],
  ];
  const present = windows.filter((w): w is [string, Record<string, number>] => w[1] !== undefined);
  const buckets = [...new Set(present.flatMap(([, counts]) => Object.keys(counts)))].sort();
  return table(
    ["bucket", ...present.map(([label]) => label)],
    buckets.map((bucket) => [bucket, ...present.map(([, counts]) => n(counts[bucket] ?? 0))]),
  );
}
