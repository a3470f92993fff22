// `npm run bench [-- --quick]`: what the operator costs its users, measured in one run and written
// as a report (bench/results/<date>.{json,md} and two SVG charts). See docs/benchmarks.md.
//
// Flow: 1. a local control plane with our CRDs, and the ARM simulator (real rate-limit buckets,
// time-scaled) in this process; 2. the operator as a process of its own; 3. the phases:
// convergence, steady state, reaction latency, restart, the re-PUT baseline (bench/aso-baseline.ts),
// footprint at scale;
// 4. the report. Targets are reported, never enforced: the exit code says only whether it ran.

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nowMs } from "./clock.js";
import { RunContext } from "./context.js";
import { parseBenchOptions } from "./options.js";
import { runAsoBaseline } from "./phases/baseline.js";
import { runConvergence } from "./phases/convergence.js";
import { runFootprint } from "./phases/footprint.js";
import { runReaction } from "./phases/reaction.js";
import { runRestartWindow } from "./phases/restarts.js";
import { runSteadyState } from "./phases/steady.js";
import { runSubscriptions } from "./phases/subscriptions.js";
import { loadPrevious, scenarioReports } from "./report/compare.js";
import { loadAverage, machineInfo, versions } from "./report/machine.js";
import { judgeTargets } from "./report/targets.js";
import type { BenchReport } from "./report/types.js";
import { writeReport } from "./report/write.js";
import { runRevocationBench } from "./revocation.js";
import { runSoak } from "./soak.js";
import { startStack } from "./stack.js";
import { ReadyTracker } from "./tracker.js";
import { buildWorkload } from "./workload.js";

const REPO_ROOT = join(import.meta.dirname, "..", "..");
const NAMESPACE = "bench";
const CACHE_NAMESPACE = "bench-cache";
const SUBSCRIPTIONS_NAMESPACE = "bench-subscriptions";

async function main(): Promise<void> {
  // A scenario of its own, small enough to run alone (bench/revocation.ts).
  if (process.argv.includes("--revocation")) return runRevocationBench(process.argv.slice(2), REPO_ROOT);
  if (process.argv.includes("--soak")) return runSoak(process.argv.slice(2), REPO_ROOT);
  const options = parseBenchOptions(process.argv.slice(2), REPO_ROOT);
  const startedAt = new Date();
  const began = nowMs();
  const machine = machineInfo();
  const workDir = await mkdtemp(join(tmpdir(), "ago-bench-"));
  const workload = buildWorkload(options.shape, NAMESPACE);
  process.stdout.write(
    `[bench] ${options.quick ? "quick" : "full"} run: ${workload.items.length} objects, time scale ${options.timeScale}, load average ${machine.loadAverageAtStart.join(" ")}; logs in ${workDir}\n`,
  );

  const stack = await startStack({
    timeScale: options.timeScale,
    latencyMs: options.latencyMs,
    fixtures: workload.fixtures,
    namespaces: [NAMESPACE, CACHE_NAMESPACE, SUBSCRIPTIONS_NAMESPACE],
  });
  const tracker = new ReadyTracker(stack.transport, NAMESPACE, [
    "Gallery",
    "ImageDefinition",
    "ImageVersion",
    "GallerySharing",
  ]);
  const run = new RunContext(options, stack, workload, tracker, workDir);
  const stopAll = async () => {
    await run.stopOperator();
    run.armLog.stop();
    await tracker.stop();
    await stack.stop();
  };
  process.once("SIGINT", () => void stopAll().finally(() => process.exit(130)));
  try {
    await tracker.start();
    run.armLog.start();
    run.say(
      `control plane ready in ${(stack.plane.startupMs / 1000).toFixed(1)} s; simulator at ${stack.sim.endpoint}`,
    );
    await run.startOperator("main");
    const convergence = await runConvergence(run);
    const phases = options.phases;
    const steadyState = phases.has("steady") ? await runSteadyState(run) : undefined;
    const reaction = phases.has("reaction") ? await runReaction(run) : undefined;
    const restart = phases.has("restarts") ? await runRestartWindow(run) : undefined;
    const rePutBaseline = phases.has("restarts") ? await runAsoBaseline(run) : undefined;
    const subscriptions = phases.has("subscriptions")
      ? await runSubscriptions(run, SUBSCRIPTIONS_NAMESPACE)
      : undefined;
    const footprint = phases.has("footprint")
      ? await runFootprint(run, CACHE_NAMESPACE, restart ?? steadyState)
      : undefined;
    const partial: Omit<BenchReport, "targets"> = {
      name: options.name,
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((nowMs() - began) / 1000),
      machine: { ...machine, loadAverageAtEnd: loadAverage() },
      versions: versions(REPO_ROOT, stack.plane.binDir),
      settings: {
        quick: options.quick,
        scale: options.scale,
        timeScale: options.timeScale,
        shape: options.shape,
        latencyMs: stack.latencyMs,
        pollIntervalMs: run.pollIntervalMs,
        resyncPeriodMs: run.resyncPeriodMs,
        concurrency: options.concurrency,
        scaleOperatorPacing: options.scaleOperatorPacing,
        operatorNodeOptions: options.operatorNodeOptions,
        changes: options.changes,
        cachedObjects: options.cachedObjects,
      },
      phases: ["convergence", ...phases],
      convergence,
      ...(steadyState ? { steadyState } : {}),
      ...(reaction ? { reaction } : {}),
      ...(restart ? { restart } : {}),
      ...(rePutBaseline ? { rePutBaseline } : {}),
      ...(subscriptions ? { subscriptions } : {}),
      ...(footprint ? { footprint } : {}),
      logs: workDir,
    };
    const scenarios = scenarioReports(options.outDir);
    const report: BenchReport = { ...partial, targets: judgeTargets(partial, scenarios) };
    const previous = loadPrevious(options.outDir, options.name, options.previous);
    const files = await writeReport(report, options.outDir, {
      ...(previous ? { previous } : {}),
      ...scenarios,
    });
    run.say(`report written: ${files.join(", ")}`);
    for (const t of report.targets) {
      run.say(
        `target ${t.name}: ${t.measured} (wanted ${t.target}) ${t.met === undefined ? "" : t.met ? "ok" : `MISSED by ${t.missedBy}`}`,
      );
    }
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
