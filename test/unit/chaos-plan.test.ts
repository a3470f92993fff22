// The chaos campaign's --quick seeds promise to draw every step kind and every fault type
// (docs/reliability.md); a change to the planner that broke that would quietly shrink CI's campaign.
import { describe, expect, it } from "vitest";
import { type Action, planSchedule, QUICK_SEEDS } from "../chaos/plan.js";

// A record, so the compiler names a step kind added to `Action` and missing here.
const STEP_KINDS: Record<Action["kind"], true> = {
  tag: true,
  "share-add": true,
  "share-remove": true,
  "share-swap": true,
  "tenant-add": true,
  "tenant-remove": true,
  "role-add": true,
  "role-remove": true,
  "region-add": true,
  delete: true,
  recreate: true,
  kill: true,
  "crash-window": true,
  restart: true,
  "freeze-apiserver": true,
  "cut-watches": true,
  fault: true,
  "tag-policy": true,
  "outside-unshare": true,
  "outside-delete": true,
  "outside-role": true,
  intruder: true,
};

const FAULTS = [
  "429-OperationNotAllowed",
  "500-InternalServerError",
  "503-ServiceUnavailable",
  "dropped connection",
  "slow answers",
  "404-SubscriptionNotFound",
  "404-ResourceGroupNotFound",
  "403-AuthorizationFailed",
];

const schedules = QUICK_SEEDS.map((seed) => planSchedule(seed, { prefix: "t", actionMs: 20_000 }));
const steps = schedules.flatMap((s) => s.steps);

describe("the chaos campaign's --quick seeds", () => {
  it("draw every step kind", () => {
    const drawn = new Set(steps.map((s) => s.kind));
    expect(Object.keys(STEP_KINDS).filter((kind) => !drawn.has(kind as Action["kind"]))).toEqual([]);
  });

  it("draw every fault type, and a role assignment whose principal is not found for a while", () => {
    const drawn = new Set(steps.flatMap((s) => (s.kind === "fault" ? [s.name] : [])));
    expect(FAULTS.filter((name) => !drawn.has(name))).toEqual([]);
    expect(steps.some((s) => s.kind === "role-add" && s.principalNotFoundMs > 0)).toBe(true);
  });

  it("replay: a seed plans the same schedule every time", () => {
    expect(planSchedule(QUICK_SEEDS[0] as number, { prefix: "t", actionMs: 20_000 })).toEqual(schedules[0]);
  });
});
