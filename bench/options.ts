// What one benchmark run does: the workload's shape, how far Azure's clock is compressed, and the
// size of each measurement. `--quick` is the CI smoke preset (under two minutes); the default is
// the full workload (2,240 objects).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import type { CallClass } from "../tools/sim/index.js";

export interface WorkloadShape {
  galleries: number;
  definitionsPerGallery: number;
  versionsPerDefinition: number;
  /** Target regions of every version; the first is the gallery's region (Azure requires it). */
  regions: string[];
  /** Subscriptions the galleries are spread over, round robin; 1 puts every write in one set of buckets. */
  subscriptions: number;
  /** Each gallery gets one GallerySharing with this many consumer subscriptions and tenants. */
  sharingSubscriptions: number;
  sharingTenants: number;
}

/**
 * "restarts": the restarted operator, then the re-PUT baseline (Azure Service Operator's policy,
 * run by bench/aso-baseline.ts in the operator's place);
 * "subscriptions": the workload again, spread over five subscriptions (phases/subscriptions.ts).
 */
export const PHASES = ["steady", "reaction", "restarts", "subscriptions", "footprint"] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  quick: boolean;
  /** Stem of the result files: `<outDir>/<name>.{json,md}`. */
  name: string;
  outDir: string;
  /** Multiplies every Azure duration, rate-limit window and call latency (and the operator's timers). */
  timeScale: number;
  /** Fraction of the full workload that ran (`--scale`). */
  scale: number;
  shape: WorkloadShape;
  /** Extra latency per call class before `timeScale`, in milliseconds. */
  latencyMs: Record<CallClass, number>;
  /** Changes timed for the reaction latency. */
  changes: number;
  /** Blocked ImageVersions added for the footprint at scale. */
  cachedObjects: number;
  /** The operator's --concurrency. */
  concurrency: number;
  /** The phases after convergence (which always runs first), in their fixed order. */
  phases: ReadonlySet<Phase>;
  /**
   * Tell the operator the time scale, so its rate-limit pacing assumes the simulator's (scaled)
   * windows instead of Azure's real ones: as tight against the simulated Azure as it is against
   * the real one. On by default; `--unscaled-operator-pacing` turns it off (docs/benchmarks.md).
   */
  scaleOperatorPacing: boolean;
  /** NODE_OPTIONS for the operator: the Helm chart's `nodeOptions` unless given; empty = Node's defaults. */
  operatorNodeOptions: string;
  /** The report to compare with; unset: the newest full report in `outDir` (report/compare.ts). */
  previous?: string;
}

/**
 * Azure's per-call latency is not in the recordings (they keep bodies and headers, not timings of
 * single calls), so these are assumptions of typical ARM answers: a GET or an operation poll about
 * 100 ms, a PUT or POST about 400 ms, a DELETE about 300 ms. `--latency` overrides them.
 */
export const DEFAULT_LATENCY_MS: Record<CallClass, number> = {
  read: 100,
  write: 400,
  delete: 300,
  poll: 100,
};

const FULL_SHAPE: WorkloadShape = {
  galleries: 20,
  definitionsPerGallery: 10,
  versionsPerDefinition: 10,
  regions: ["westus", "eastus"],
  subscriptions: 1,
  sharingSubscriptions: 5,
  sharingTenants: 2,
};

const QUICK_SHAPE: WorkloadShape = {
  ...FULL_SHAPE,
  galleries: 2,
  definitionsPerGallery: 2,
  versionsPerDefinition: 2,
};

export const USAGE = `usage: npm run bench -- [--quick] [flags]

  --quick              smoke preset: 2 galleries x 2 definitions x 2 versions, time scale 0.01 (< 2 min)
  --scale F            run F of the full workload's galleries (e.g. 0.5: 10 galleries, 1,120 objects)
  --time-scale X       Azure durations, rate-limit windows, latencies and the operator's poll and
                       resync periods are multiplied by X (default 0.1; quick 0.01)
  --subscriptions N    spread the galleries over N subscriptions (default 1)
  --latency K=MS,...   per-call latency before time scaling, classes read, write, delete, poll
                       (default read=100,write=400,delete=300,poll=100)
  --changes N          changes timed for the reaction latency (default 100; quick 20)
  --cached N           blocked ImageVersions added for the footprint (default 10000; quick 500)
  --concurrency N      the operator's --concurrency (default 4, the operator's default)
  --phases A,B|none    phases after convergence (default all: steady,reaction,restarts,subscriptions,
                       footprint; restarts = the restarted operator, then the re-PUT baseline
                       (Azure Service Operator's policy); subscriptions = the workload again over 5 subscriptions at once)
  --no-baseline        all phases but restarts
  --unscaled-operator-pacing
                       the operator paces by Azure's real windows and replication-poll budget
                       (default: they follow the time scale like the simulator's, so the operator
                       is as tight against the simulated Azure as against the real one)
  --operator-node-options=OPTS
                       NODE_OPTIONS for the operator (mind the =: the value starts with a dash);
                       default: the Helm chart's nodeOptions, so the operator runs as installed;
                       --operator-node-options= (empty) runs it on Node's defaults
  --out DIR            where the report goes (default bench/results)
  --previous FILE      the report (.json) to compare with (default the newest full one in --out)
  --name NAME          file stem of the report (default the date, plus -quick)

  --revocation         instead: GallerySharing revocation latency alone (bench/revocation.ts),
                       with --samples N per case (default 10), --time-scale X (default 0.05),
                       --out, --name (default the date plus -revocation)
`;

export function parseBenchOptions(argv: string[], repoRoot: string): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean" },
      scale: { type: "string" },
      "time-scale": { type: "string" },
      subscriptions: { type: "string" },
      latency: { type: "string" },
      changes: { type: "string" },
      cached: { type: "string" },
      concurrency: { type: "string" },
      "no-baseline": { type: "boolean" },
      "unscaled-operator-pacing": { type: "boolean" },
      phases: { type: "string" },
      "operator-node-options": { type: "string" },
      out: { type: "string" },
      previous: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const scale = number(values.scale, 1, "--scale", { min: 0.01, max: 1 });
  const base = quick ? QUICK_SHAPE : FULL_SHAPE;
  const shape: WorkloadShape = {
    ...base,
    galleries: Math.max(1, Math.round(base.galleries * scale)),
    subscriptions: number(values.subscriptions, 1, "--subscriptions", { min: 1, max: 50, integer: true }),
  };
  const date = new Date().toISOString().slice(0, 10);
  return {
    quick,
    name: values.name ?? `${date}${quick ? "-quick" : ""}`,
    outDir: values.out ?? join(repoRoot, "bench", "results"),
    timeScale: number(values["time-scale"], quick ? 0.01 : 0.1, "--time-scale", { min: 0.001, max: 1 }),
    scale,
    shape,
    latencyMs: parseLatency(values.latency),
    changes: number(values.changes, quick ? 20 : 100, "--changes", { min: 0, max: 10_000, integer: true }),
    cachedObjects: number(values.cached, quick ? 500 : 10_000, "--cached", {
      min: 0,
      max: 100_000,
      integer: true,
    }),
    concurrency: number(values.concurrency, 4, "--concurrency", { min: 1, max: 256, integer: true }),
    phases: parsePhases(values.phases, values["no-baseline"] === true),
    scaleOperatorPacing: values["unscaled-operator-pacing"] !== true,
    operatorNodeOptions: values["operator-node-options"] ?? chartNodeOptions(repoRoot),
    ...(values.previous ? { previous: values.previous } : {}),
  };
}

/** The `nodeOptions` the Helm chart gives the operator container by default. */
function chartNodeOptions(repoRoot: string): string {
  const file = join(repoRoot, "helm", "azure-gallery-operator", "values.yaml");
  const values = parse(readFileSync(file, "utf8")) as { nodeOptions?: unknown };
  return typeof values.nodeOptions === "string" ? values.nodeOptions : "";
}

function number(
  text: string | undefined,
  fallback: number,
  flag: string,
  range: { min: number; max: number; integer?: boolean },
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  const ok =
    Number.isFinite(value) &&
    value >= range.min &&
    value <= range.max &&
    (!range.integer || Number.isInteger(value));
  if (!ok) throw new Error(`${flag}: "${text}" must be a number from ${range.min} to ${range.max}`);
  return value;
}

function parseLatency(text: string | undefined): Record<CallClass, number> {
  const latency = { ...DEFAULT_LATENCY_MS };
  for (const part of (text ?? "").split(",").filter(Boolean)) {
    const [key, ms] = part.split("=");
    if (!key || !(key in latency) || ms === undefined)
      throw new Error(`--latency: "${part}" is not CLASS=MS (classes: ${Object.keys(latency).join(", ")})`);
    latency[key as CallClass] = number(ms, 0, `--latency ${key}`, { min: 0, max: 60_000 });
  }
  return latency;
}

function parsePhases(text: string | undefined, noBaseline: boolean): Set<Phase> {
  const names = text === undefined ? [...PHASES] : text === "none" ? [] : text.split(",").filter(Boolean);
  for (const name of names) {
    if (!(PHASES as readonly string[]).includes(name))
      throw new Error(`--phases: "${name}" is not one of ${PHASES.join(", ")}`);
  }
  return new Set((names as Phase[]).filter((name) => !(noBaseline && name === "restarts")));
}
