// The operator under test, as users run it: `azure-gallery-operator run` in a process of its own
// (the built dist/src/cli.js), its JSON log appended to a file and read line by line for the
// reconcile counts the phases need.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { mintToken } from "../src/sim/index.js";
import { nowMs } from "./clock.js";

/** Reconcile outcomes from the operator's log ("reconciled" / "reconcile failed" lines). */
export interface ReconcileCounts {
  reconciles: number;
  failures: number;
  armReads: number;
  armWrites: number;
}

export interface OperatorSettings {
  kubeconfigPath: string;
  armEndpoint: string;
  armCaFile: string;
  tenantId: string;
  pollIntervalMs: number;
  resyncPeriodMs: number;
  concurrency: number;
  logFile: string;
  /** The hidden baseline switch: re-PUT every object each resync. */
  rePutEachResync?: boolean;
}

interface LogLine {
  msg?: string;
  controller?: string;
  armReads?: number;
  armWrites?: number;
}

const CLI = join(import.meta.dirname, "..", "src", "cli.js");

export class OperatorProcess {
  readonly child: ChildProcess;
  readonly args: string[];
  /** Reconcile outcomes with their time, for counting per window. */
  private readonly outcomes: { at: number; failed: boolean; reads: number; writes: number }[] = [];
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
      "--http-address",
      "0",
      "--log-level",
      "info",
      "--concurrency",
      String(settings.concurrency),
      "--poll-interval",
      `${settings.pollIntervalMs}ms`,
      "--resync-period",
      `${settings.resyncPeriodMs}ms`,
      ...(settings.rePutEachResync ? ["--bench-reput-each-resync"] : []),
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

  /** Sums the reconcile outcomes logged in [from, to). */
  counts(from: number, to = Number.POSITIVE_INFINITY): ReconcileCounts {
    const counts: ReconcileCounts = { reconciles: 0, failures: 0, armReads: 0, armWrites: 0 };
    for (const o of this.outcomes) {
      if (o.at < from || o.at >= to) continue;
      counts.reconciles += 1;
      if (o.failed) counts.failures += 1;
      counts.armReads += o.reads;
      counts.armWrites += o.writes;
    }
    return counts;
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
        failed: line.msg !== "reconciled",
        reads: line.armReads ?? 0,
        writes: line.armWrites ?? 0,
      });
    } else if (line.msg === "caches synced; reconciling" && line.controller) {
      this.synced.add(line.controller);
    }
  }

  private remember(text: string): void {
    this.tail.push(text.trimEnd());
    if (this.tail.length > 20) this.tail = this.tail.slice(-20);
  }
}
