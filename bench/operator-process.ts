// The operator under test, as users run it: `azure-gallery-operator run` in a process of its own
// (the built dist/src/cli.js), its JSON log appended to a file and read line by line for the
// reconcile counts the phases need.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { mintToken } from "../tools/sim/index.js";
import { nowMs, sleep } from "./clock.js";
import type { Stack } from "./stack.js";

/** Reconcile outcomes from the operator's log ("reconciled" / "reconcile failed" lines). */
export interface ReconcileTotals {
  reconciles: number;
  failures: number;
  armReads: number;
  armWrites: number;
}

export interface ReconcileCounts extends ReconcileTotals {
  byKind: Record<string, ReconcileTotals>;
}

export interface OperatorSettings {
  kubeconfigPath: string;
  armEndpoint: string;
  armCaFile: string;
  tenantId: string;
  pollIntervalMs: number;
  /**
   * When set, the simulator's time scale, passed on (hidden --arm-time-scale) so the
   * operator's rate-limit windows and poll budget follow its clock. Unset: Azure's real windows.
   */
  armTimeScale?: number;
  resyncPeriodMs: number;
  concurrency: number;
  logFile: string;
  /** NODE_OPTIONS for the operator (heap limits, say); unset = Node's defaults, as users run it. */
  nodeOptions?: string;
  /** More flags after these (the soak's `--static-token-dir`, `--lease-namespace`). */
  extraArgs?: string[];
}

interface LogLine {
  msg?: string;
  controller?: string;
  kind?: string;
  armReads?: number;
  armWrites?: number;
  /** On "operator starting": the port of /metrics. */
  http?: number | string;
}

const CLI = join(import.meta.dirname, "..", "src", "cli.js");

/**
 * The operator's poll interval and resync period at the simulator's time scale: ARM's 10 s poll
 * (at least 200 ms, as dev mode does) and the 10-minute default resync (at least 5 s).
 */
export function scaledTimings(
  timeScale: number,
): Pick<OperatorSettings, "pollIntervalMs" | "resyncPeriodMs"> {
  return {
    pollIntervalMs: Math.round(Math.max(200, 10_000 * timeScale)),
    resyncPeriodMs: Math.round(Math.max(5_000, 600_000 * timeScale)),
  };
}

/**
 * The operator as the stand-alone scenarios (revocation, soak) run it on their own stack: timings
 * and rate-limit windows at the simulator's time scale, as it would pace by Azure's, four workers.
 */
export function scenarioOperator(
  stack: Stack,
  tenantId: string,
  timeScale: number,
  workDir: string,
  extraArgs?: string[],
): OperatorProcess {
  return new OperatorProcess({
    kubeconfigPath: stack.plane.kubeconfigPath,
    armEndpoint: stack.sim.endpoint,
    armCaFile: stack.sim.caFile,
    tenantId,
    ...scaledTimings(timeScale),
    armTimeScale: timeScale,
    concurrency: 4,
    logFile: join(workDir, "operator.log"),
    ...(extraArgs ? { extraArgs } : {}),
  });
}

export class OperatorProcess {
  readonly child: ChildProcess;
  readonly args: string[];
  /** Reconcile outcomes with their time, for counting per window. */
  private readonly outcomes: { at: number; kind: string; failed: boolean; reads: number; writes: number }[] =
    [];
  /** Where /metrics answers (the operator binds a free port and logs it). */
  metricsPort: number | undefined;
  private readonly synced = new Set<string>();
  private readonly log: WriteStream;
  private readonly exited: Promise<number | null>;
  private tail: string[] = [];

  constructor(settings: OperatorSettings) {
    this.args = [
      "run",
      "--kubeconfig",
      settings.kubeconfigPath,
      "--arm-endpoint",
      settings.armEndpoint,
      "--arm-ca-file",
      settings.armCaFile,
      "--credential",
      "static",
      "--leader-elect",
      "false",
      // A free port, for the V8 heap figures in /metrics.
      "--http-address",
      "127.0.0.1:0",
      "--log-level",
      "info",
      "--concurrency",
      String(settings.concurrency),
      "--poll-interval",
      `${settings.pollIntervalMs}ms`,
      "--resync-period",
      `${settings.resyncPeriodMs}ms`,
      ...(settings.armTimeScale === undefined ? [] : ["--arm-time-scale", String(settings.armTimeScale)]),
      ...(settings.extraArgs ?? []),
    ];
    this.log = createWriteStream(settings.logFile, { flags: "a" });
    this.child = spawn(process.execPath, [CLI, ...this.args], {
      env: {
        ...process.env,
        AGO_ARM_TOKEN: mintToken(
          { tid: settings.tenantId, oid: "bench-operator", appid: "azure-gallery-operator" },
          86_400,
        ),
        AZURE_TENANT_ID: settings.tenantId,
        NODE_OPTIONS: settings.nodeOptions ?? "",
        // As the image sets it (Dockerfile): the operator's memory as users run it.
        MALLOC_ARENA_MAX: "2",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let partial = "";
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.log.write(chunk);
      partial += chunk;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) this.read(line);
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.log.write(chunk);
      this.remember(chunk);
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Controllers that said "caches synced; reconciling". */
  get syncedControllers(): number {
    return this.synced.size;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it wrote, for error messages. */
  lastLines(): string {
    return this.tail.join("\n");
  }

  /** Sums the reconcile outcomes logged in [from, to), in all and per kind. */
  counts(from: number, to = Number.POSITIVE_INFINITY): ReconcileCounts {
    const counts: ReconcileCounts = { ...emptyTotals(), byKind: {} };
    for (const o of this.outcomes) {
      if (o.at < from || o.at >= to) continue;
      const ofKind = counts.byKind[o.kind] ?? emptyTotals();
      counts.byKind[o.kind] = ofKind;
      for (const totals of [counts, ofKind]) {
        totals.reconciles += 1;
        if (o.failed) totals.failures += 1;
        totals.armReads += o.reads;
        totals.armWrites += o.writes;
      }
    }
    return counts;
  }

  /** V8's used heap in MB (live objects and garbage not yet collected), from /metrics. */
  async heapUsedMb(): Promise<number | undefined> {
    return (await this.memory())?.heapUsedMb;
  }

  /**
   * What Node says its memory is, from /metrics (MB): the V8 heap used and reserved, and memory
   * outside it that JS objects hold (Buffers, TLS). What RSS holds beyond both is code, Node itself
   * and native allocations.
   */
  async memory(): Promise<{ heapUsedMb: number; heapTotalMb: number; externalMb: number } | undefined> {
    if (!this.metricsPort) return undefined;
    try {
      const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, {
        signal: AbortSignal.timeout(5_000),
      });
      const text = await response.text();
      const mb = (metric: string) => {
        const match = new RegExp(`^${metric} (\\d+(?:\\.\\d+)?)`, "m").exec(text);
        return match ? Number(match[1]) / 1024 / 1024 : undefined;
      };
      const heapUsedMb = mb("nodejs_heap_size_used_bytes");
      const heapTotalMb = mb("nodejs_heap_size_total_bytes");
      const externalMb = mb("nodejs_external_memory_bytes");
      if (heapUsedMb === undefined || heapTotalMb === undefined || externalMb === undefined) return undefined;
      return { heapUsedMb, heapTotalMb, externalMb };
    } catch {
      return undefined;
    }
  }

  /**
   * The lowest V8 heap-used reading over `ms` (one a second): a single reading counts whatever
   * garbage the young generation holds at that instant; the lowest is close to what is live.
   */
  async lowestHeapUsedMb(ms: number): Promise<number | undefined> {
    let lowest: number | undefined;
    for (const until = nowMs() + ms; nowMs() < until; ) {
      const used = await this.heapUsedMb();
      if (used !== undefined) lowest = Math.min(lowest ?? used, used);
      await sleep(1_000);
    }
    return lowest;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.running) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.running && this.child.kill("SIGKILL"), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.log.end(resolve));
    return code;
  }

  private read(text: string): void {
    if (!text.trim()) return;
    this.remember(text);
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    if (line.msg === "reconciled" || line.msg === "reconcile failed; backing off") {
      this.outcomes.push({
        at: nowMs(),
        kind: line.kind ?? "unknown",
        failed: line.msg !== "reconciled",
        reads: line.armReads ?? 0,
        writes: line.armWrites ?? 0,
      });
    } else if (line.msg === "caches synced; reconciling" && line.controller) {
      this.synced.add(line.controller);
    } else if (line.msg === "operator starting" && typeof line.http === "number") {
      this.metricsPort = line.http;
    }
  }

  private remember(text: string): void {
    this.tail.push(text.trimEnd());
    if (this.tail.length > 20) this.tail = this.tail.slice(-20);
  }
}

function emptyTotals(): ReconcileTotals {
  return { reconciles: 0, failures: 0, armReads: 0, armWrites: 0 };
}
