// What every phase of a run shares: the options, the stack, the workload, the ARM call log, the
// readiness tracker, and the operator process (phases restart it with other settings).
import { join } from "node:path";
import { ArmLog } from "./arm-log.js";
import { nowMs, pollUntil } from "./clock.js";
import { OperatorProcess, scaledTimings } from "./operator-process.js";
import type { BenchOptions } from "./options.js";
import { ProcSampler } from "./proc-stats.js";
import type { Stack } from "./stack.js";
import type { ReadyTracker } from "./tracker.js";
import type { Workload } from "./workload.js";

/** How long a started operator gets to list everything and report its caches synced. */
const SYNC_TIMEOUT_MS = 120_000;
const CONTROLLERS = 4;
const PROCESS_NAMES: Record<string, string> = { "kube-apiserver": "API server" };

export class RunContext {
  operator: OperatorProcess | undefined;
  sampler: ProcSampler | undefined;
  readonly armLog: ArmLog;
  readonly began = nowMs();

  constructor(
    readonly options: BenchOptions,
    readonly stack: Stack,
    readonly workload: Workload,
    readonly tracker: ReadyTracker,
    readonly workDir: string,
  ) {
    this.armLog = new ArmLog(stack.sim);
  }

  /** The operator's poll interval at this run's time scale. */
  get pollIntervalMs(): number {
    return scaledTimings(this.options.timeScale).pollIntervalMs;
  }

  /** The operator's resync period at this run's time scale. */
  get resyncPeriodMs(): number {
    return scaledTimings(this.options.timeScale).resyncPeriodMs;
  }

  /** A window that holds every object's next resync: the period plus its 10% jitter. */
  get resyncWindowMs(): number {
    return Math.round(this.resyncPeriodMs * 1.1);
  }

  /** Seconds since the run began, for progress lines. */
  say(line: string): void {
    process.stdout.write(`[bench ${((nowMs() - this.began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  }

  /** Starts the operator (stopping the one running) and waits until all its controllers synced. */
  async startOperator(label: string): Promise<OperatorProcess> {
    await this.stopOperator();
    const operator = new OperatorProcess({
      kubeconfigPath: this.stack.plane.kubeconfigPath,
      armEndpoint: this.stack.sim.endpoint,
      armCaFile: this.stack.sim.caFile,
      tenantId: this.workload.tenantId,
      pollIntervalMs: this.pollIntervalMs,
      ...(this.options.scaleOperatorPacing ? { armTimeScale: this.options.timeScale } : {}),
      resyncPeriodMs: this.resyncPeriodMs,
      concurrency: this.options.concurrency,
      logFile: join(this.workDir, `operator-${label}.log`),
      nodeOptions: this.options.operatorNodeOptions,
    });
    this.operator = operator;
    this.sampler = new ProcSampler(operator.pid);
    this.sampler.start();
    const synced = await pollUntil(
      () => (operator.syncedControllers >= CONTROLLERS ? true : operator.running ? undefined : false),
      SYNC_TIMEOUT_MS,
    );
    if (synced !== true) {
      throw new Error(`the operator (${label}) did not sync its caches:\n${operator.lastLines()}`);
    }
    return operator;
  }

  async stopOperator(): Promise<void> {
    this.sampler?.stop();
    await this.operator?.stop();
    this.operator = undefined;
  }

  /**
   * The processes whose CPU a phase reports, by the name the report gives them. The benchmark's own
   * process runs the simulator, the readiness watches and the creates.
   */
  cpuProcesses(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const { name, pid } of this.stack.plane.processes) pids[PROCESS_NAMES[name] ?? name] = pid;
    if (this.operator) pids.operator = this.operator.pid;
    pids["benchmark (simulator, watches)"] = process.pid;
    return pids;
  }

  requireOperator(): OperatorProcess {
    if (!this.operator) throw new Error("no operator is running");
    return this.operator;
  }
}
