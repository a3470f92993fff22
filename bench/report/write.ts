// Writes a run's report: `<name>.json` (every figure), `<name>.md`, and the two charts it shows.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Neighbours, renderMarkdown } from "./markdown.js";
import { barChartSvg, lineChartSvg } from "./svg.js";
import type { BenchReport } from "./types.js";

const SERIES = [
  { name: "convergence", color: "#1f6feb" },
  { name: "steady state", color: "#2da44e" },
  { name: "re-PUT baseline (Azure Service Operator's policy)", color: "#cf222e" },
];

/**
 * Writes a scenario's own report (`<name>.json` with every figure, `<name>.md`) into `outDir`, prints
 * the Markdown and says where it went: the revocation and soak runs, which stand apart from the
 * main report.
 */
export async function publishScenarioReport(
  outDir: string,
  name: string,
  report: unknown,
  markdown: string,
  say: (line: string) => void,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, `${name}.md`), markdown);
  process.stdout.write(`\n${markdown}\n`);
  say(`report written: ${join(outDir, `${name}.md`)}`);
}

export async function writeReport(
  report: BenchReport,
  outDir: string,
  neighbours: Neighbours = {},
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const c = report.convergence;
  const charts = { convergence: `${report.name}-convergence.svg`, buckets: `${report.name}-arm-calls.svg` };
  const convergenceSvg = lineChartSvg({
    title: `${c.objects.toLocaleString("en-US")} objects: Ready over time (time scale ${report.settings.timeScale})`,
    xLabel: "seconds since the first create (scaled time)",
    yLabel: "objects Ready (first time)",
    points: c.timeline.map((p) => ({ x: p.seconds, y: p.ready })),
    markers: [{ x: c.bound.scaledSeconds, label: `rate-limit bound ${c.bound.scaledSeconds} s` }],
  });
  const windows = [c.calls, report.steadyState?.calls, report.rePutBaseline?.calls];
  const buckets = Object.entries(c.calls.byBucket)
    .sort((a, b) => b[1] - a[1])
    .map(([bucket]) => bucket);
  for (const w of windows)
    for (const bucket of Object.keys(w?.byBucket ?? {})) if (!buckets.includes(bucket)) buckets.push(bucket);
  const bucketSvg = barChartSvg({
    title: "ARM calls per bucket",
    series: SERIES.filter((_, i) => windows[i] !== undefined),
    rows: buckets.map((bucket) => ({
      label: bucket,
      values: windows.filter((w) => w !== undefined).map((w) => w.byBucket[bucket] ?? 0),
    })),
  });
  const files = [
    [`${report.name}.json`, `${JSON.stringify(report, null, 2)}\n`],
    [`${report.name}.md`, renderMarkdown(report, charts, neighbours)],
    [charts.convergence, convergenceSvg],
    [charts.buckets, bucketSvg],
  ] as const;
  for (const [name, text] of files) await writeFile(join(outDir, name), text);
  return files.map(([name]) => join(outDir, name));
}
