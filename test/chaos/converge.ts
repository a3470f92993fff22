// I1, convergence: once the faults stop, within BOUNDS.convergenceMs every object the user still
// has is Ready for its current generation and Azure holds what its spec says, every object the
// user deleted is gone from the API server, and an object that cannot get there says why
// (Ready=False with a reason and a message) only when the cause is real and lasting.
import type { RequestRecord, StateSnapshot } from "../../tools/sim/index.js";
import { armTime, azureDiff, lower } from "./azure-view.js";
import { BOUNDS } from "./bounds.js";
import { readObject } from "./harness.js";
import type { Violation } from "./invariants.js";
import type { Manifest } from "./model.js";
import type { ScheduleWorld } from "./world.js";

export interface Settled {
  problems: { key: string; text: string; azureId: string }[];
  state: StateSnapshot;
  present: Set<string>;
  ready: Map<string, { status: string; reason?: string; message?: string } | undefined>;
}

type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
};

function readyOf(obj: Manifest) {
  const conditions = (obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conditions.find((c) => c.type === "Ready");
}

async function look(world: ScheduleWorld): Promise<Settled> {
  const state = world.sim.state();
  const present = new Set<string>();
  const ready: Settled["ready"] = new Map();
  const problems: Settled["problems"] = [];
  for (const [key, d] of world.model) {
    // An object applied again is judged as its successor, which has the name now.
    if (d.supersededAt !== undefined) continue;
    const obj = await readObject(world.h.clients[d.kind], d.namespace, d.name);
    if (obj) present.add(key);
    const condition = obj && readyOf(obj);
    ready.set(key, condition);
    const problem = (text: string) => problems.push({ key, text, azureId: d.azureId });
    if (d.deletedAt !== undefined) {
      if (obj)
        problem(
          `deleted at +${secs(world, d.deletedAt)}s but still in the API server (Ready ${describe(condition)})`,
        );
      continue;
    }
    if (!obj) {
      problem("gone from the API server though never deleted");
      continue;
    }
    if (!condition || condition.observedGeneration !== obj.metadata.generation) {
      problem(`no Ready condition for generation ${obj.metadata.generation} (${describe(condition)})`);
      continue;
    }
    // An intruder must stay refused (judged by I6); everything else must reach its spec.
    if (d.intruderOf) continue;
    if (condition.status !== "True") {
      problem(`Ready ${describe(condition)}`);
      continue;
    }
    const diffs = azureDiff(d, state, world.journal.foreignRoleAssignments);
    if (diffs.length > 0) problem(`Ready, but Azure differs: ${diffs.join("; ")}`);
  }
  return { problems, state, present, ready };
}

function describe(c: Condition | undefined): string {
  return c ? `${c.status} ${c.reason ?? ""}: ${c.message ?? ""}`.slice(0, 300) : "absent";
}

function secs(world: ScheduleWorld, at: number): string {
  return ((at - world.journal.startedAt) / 1000).toFixed(1);
}

/** Waits until nothing is left to converge, or `boundMs` passes; returns the last look. */
export async function settle(world: ScheduleWorld, boundMs: number = BOUNDS.convergenceMs): Promise<Settled> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    world.sample();
    const seen = await look(world);
    if (seen.problems.length === 0 || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** The I1 violations of what `settle` saw last, each with the latest requests on its resource. */
export function convergenceViolations(settled: Settled, log: RequestRecord[]): Violation[] {
  return settled.problems.map((p) => ({
    invariant: "I1",
    text: `${p.key}: ${p.text} (${BOUNDS.convergenceMs / 1000} s after the faults stopped)`,
    requests: log
      .filter((r) => lower(r.path).startsWith(p.azureId))
      .sort((a, b) => armTime(a) - armTime(b))
      .slice(-6),
  }));
}
