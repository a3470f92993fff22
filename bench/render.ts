// Writes a report's Markdown and charts again from its JSON (after a change to the templates),
// next to it: `node dist/bench/render.js bench/results/<name>.json`. Its targets are judged again
// by today's rules, with the reports next to it (the one before it, the scenarios' newest).
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { loadPrevious, scenarioReports } from "./report/compare.js";
import { judgeTargets } from "./report/targets.js";
import type { BenchReport } from "./report/types.js";
import { writeReport } from "./report/write.js";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node dist/bench/render.js <report.json>\n");
  process.exit(2);
}
const stored = JSON.parse(await readFile(file, "utf8")) as BenchReport;
const dir = dirname(file);
// The files keep their names, whatever name an older report stored inside.
const named = { ...stored, name: basename(file, ".json") };
// Judged and compared with what existed when it ran, not with reports made after it.
const scenarios = scenarioReports(dir, named.startedAt);
const report = { ...named, targets: judgeTargets(named, scenarios) };
const previous = loadPrevious(dir, report.name, undefined, report.startedAt);
for (const written of await writeReport(report, dir, { ...(previous ? { previous } : {}), ...scenarios })) {
  process.stdout.write(`${written}\n`);
}
