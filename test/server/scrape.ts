// Test helpers: a server on port 0 and a reader for the Prometheus text it serves.
import { pino } from "pino";
import { type OperatorServer, startOperatorServer } from "../../src/server/http.js";
import type { OperatorMetrics } from "../../src/server/metrics.js";
import type { Readiness } from "../../src/server/readiness.js";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Starts the server on 127.0.0.1:0; `get(path)` requests it over real HTTP. */
export async function serve(
  metrics: OperatorMetrics,
  readiness: () => Readiness = () => ({ ready: true, detail: "test" }),
): Promise<OperatorServer & { get(path: string, init?: RequestInit): Promise<Response> }> {
  const server = await startOperatorServer({
    address: "127.0.0.1:0",
    metrics,
    readiness,
    logger: pino({ level: "silent" }),
  });
  return { ...server, get: (path, init) => fetch(`http://127.0.0.1:${server.port}${path}`, init) };
}

/** Parses the exposition text into samples (comments and blank lines skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith("#")) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!;
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels are exactly `labels`; undefined when absent. */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels);
  return samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === wanted.length &&
      wanted.every(([k, v]) => s.labels[k] === v),
  )?.value;
}
