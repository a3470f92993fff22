// Writes a report's Markdown and charts again from its JSON (after a change to the templates),
// next to it: `node dist/bench/render.js bench/results/<name>.json`.
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { BenchReport } from "./report/types.js";
import { writeReport } from "./report/write.js";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node dist/bench/render.js <report.json>\n");
  process.exit(2);
}
const report = JSON.parse(await readFile(file, "utf8")) as BenchReport;
for (const written of await writeReport(report, dirname(file))) process.stdout.write(`${written}\n`);
