// One schedule from start to verdict: a fresh simulator and namespaces, the workload, the operator,
// the steps at their times, then every fault off, settle (I1), and the other invariants.
import { RECORDED_DURATIONS, startSimulator } from "../../tools/sim/index.js";
import { convergenceViolations, settle } from "./converge.js";
import { ensureNamespace, type Harness } from "./harness.js";
import {
  exactlyOnce,
  noLoops,
  nothingLost,
  oneOwner,
  revocationFirst,
  type Violation,
} from "./invariants.js";
import type { Journal } from "./journal.js";
import { sourceImageId, workloadObjects } from "./model.js";
import { LOCATION, type Schedule } from "./plan.js";
import { perform } from "./steps.js";
import { ScheduleWorld, TIME_SCALE } from "./world.js";

export interface ScheduleResult {
  schedule: Schedule;
  journal: Journal;
  violations: Violation[];
  seconds: number;
}

const SAMPLE_EVERY_MS = 250;
/**
 * Image versions replicate for minutes (facts: 7 min 47 s for a full replication); even scaled
 * that is 47 s, longer than a schedule. They get a tenth of that (4.7 s scaled); every other
 * duration is Azure's.
 */
const SHORT_VERSIONS = {
  versionFullReplication: RECORDED_DURATIONS.versionFullReplication / 10,
  versionAddRegion: RECORDED_DURATIONS.versionAddRegion / 10,
  versionDelete: RECORDED_DURATIONS.versionDelete / 10,
};
const INITIAL_READY_MS = 60_000;

export async function runSchedule(harness: Harness, schedule: Schedule): Promise<ScheduleResult> {
  const began = Date.now();
  const sim = await startSimulator({
    timeScale: TIME_SCALE,
    limits: { enabled: true, windowScale: TIME_SCALE },
    durations: SHORT_VERSIONS,
    requestLogLimit: 500_000,
  });
  const world = new ScheduleWorld(harness, sim, schedule);
  let sampler: NodeJS.Timeout | undefined;
  try {
    sim.seed({
      tenants: [{ id: schedule.tenantId, subscriptions: schedule.namespaces.map((ns) => ns.subscriptionId) }],
      resourceGroups: schedule.namespaces.map((ns) => ({
        subscriptionId: ns.subscriptionId,
        name: ns.resourceGroup,
        location: LOCATION,
      })),
      sources: schedule.namespaces.map((ns) => ({ id: sourceImageId(ns), location: LOCATION })),
    });
    for (const ns of schedule.namespaces) {
      await ensureNamespace(harness.transport, ns.name);
      for (const desired of workloadObjects(ns)) await world.create(desired);
    }
    world.note(`workload: ${[...world.model.keys()].join(", ")}`);
    world.startOperator();
    sampler = setInterval(() => world.sample(), SAMPLE_EVERY_MS);
    // Disturb a workload that exists in Azure, so edits change something real (a swap at the share
    // limit is a swap only once the 30 are shared).
    const initial = await settle(world, INITIAL_READY_MS);
    world.note(
      initial.problems.length === 0
        ? "workload Ready; disturbing it"
        : `workload not Ready after ${INITIAL_READY_MS / 1000} s (${initial.problems.length} problems); disturbing it anyway`,
    );
    const t0 = Date.now();
    for (const step of schedule.steps) {
      const wait = t0 + step.at - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await perform(world, step).catch((err: unknown) => {
        throw new Error(`seed ${schedule.seed}, step ${step.kind} at ${step.at} ms: ${err}`, { cause: err });
      });
    }
    const rest = t0 + schedule.actionMs - Date.now();
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    await world.joinBackground();
    world.endFaults();
    if (!world.operatorRunning()) world.startOperator();
    world.journal.actionEndedAt = world.now();
    world.note("faults stopped; settling");
    const settled = await settle(world);
    world.note(settled.problems.length === 0 ? "settled" : `not settled after the bound`);
    clearInterval(sampler);
    world.sample();
    const log = sim.requests();
    const evidence = {
      journal: world.journal,
      model: world.model,
      log,
      state: settled.state,
      present: settled.present,
      ready: settled.ready,
    };
    const violations = [
      ...convergenceViolations(settled, log),
      ...exactlyOnce(evidence),
      ...nothingLost(evidence),
      ...revocationFirst(evidence),
      ...noLoops(evidence),
      ...oneOwner(evidence),
    ];
    return { schedule, journal: world.journal, violations, seconds: (Date.now() - began) / 1000 };
  } finally {
    clearInterval(sampler);
    harness.cp.freezeApiserver(false);
    await world.close();
    await sim.close();
  }
}
