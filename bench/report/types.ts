// The report of one run, as written to `<name>.json` (the Markdown and the charts are made from it).
import type { CallClass } from "../../tools/sim/index.js";
import type { WorkloadShape } from "../options.js";
import type { ConvergenceResult } from "../phases/convergence.js";
import type { FootprintResult } from "../phases/footprint.js";
import type { ReactionResult } from "../phases/reaction.js";
import type { SubscriptionsResult } from "../phases/subscriptions.js";
import type { CallWindow, WindowResult } from "../phases/window.js";
import type { MachineInfo, Versions } from "./machine.js";

export interface BenchSettings {
  quick: boolean;
  /** Fraction of the full workload's galleries that ran. */
  scale: number;
  timeScale: number;
  shape: WorkloadShape;
  /** Latency the simulator added per call class, after time scaling (ms). */
  latencyMs: Record<CallClass, number>;
  pollIntervalMs: number;
  resyncPeriodMs: number;
  concurrency: number;
  /** Whether the operator's rate-limit pacing followed the time scale (the default; off with `--unscaled-operator-pacing`). */
  scaleOperatorPacing: boolean;
  /** NODE_OPTIONS of the operator process (the Helm chart's `nodeOptions` unless overridden). */
  operatorNodeOptions: string;
  changes: number;
  cachedObjects: number;
}

export interface TargetRow {
  name: string;
  target: string;
  measured: string;
  met: boolean | undefined;
  /** How far off, when missed. */
  missedBy?: string;
}

export interface BenchReport {
  name: string;
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  versions: Versions;
  settings: BenchSettings;
  /** The phases that ran; a phase left out (`--phases`) has no field below. */
  phases: string[];
  convergence: ConvergenceResult;
  steadyState?: WindowResult;
  reaction?: ReactionResult;
  /** The restarted operator over its start-up pass and one resync period. */
  restart?: WindowResult;
  /**
   * Azure Service Operator's re-PUT policy over as long a window, run by bench/aso-baseline.ts in
   * place of the operator (reports before that measured the operator with a switch, since gone).
   */
  rePutBaseline?: CallWindow;
  /** The workload again over several subscriptions at once. */
  subscriptions?: SubscriptionsResult;
  footprint?: FootprintResult;
  targets: TargetRow[];
  /** Where the operator logs of the run were left (not committed). */
  logs: string;
}
