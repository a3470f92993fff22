// The order of a GallerySharing's steps and their independence: removals first, a failed step
// parked with a growing backoff while the others go on, and status saying why each one waits.
import { describe, expect, it } from "vitest";
import type { PendingSharingStep } from "../../src/api/index.js";
import { BUILTIN_ROLES } from "../../src/azure/index.js";
import {
  type ActualSharing,
  planShare,
  type SharingSet,
} from "../../src/reconcilers/gallery-sharing/diff.js";
import {
  markRunning,
  nextStep,
  pendingSummary,
  recordFailure,
  sharingSteps,
} from "../../src/reconcilers/gallery-sharing/plan.js";
import type { RoleStep } from "../../src/reconcilers/gallery-sharing/roles.js";

const A = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const B = "34a4ab42-0d72-47d9-bd1a-aed207386dac";
const C = "5d2f1a3e-0000-4000-8000-000000000003";
const P = "44444444-4444-4444-4444-444444444444";
const OLD = "55555555-5555-5555-5555-555555555555";
const READER = BUILTIN_ROLES.Reader;
const NOW = new Date("2026-12-07T08:00:00Z");

function groups(subscriptions: string[]): ActualSharing {
  return { permissions: "Groups", subscriptions, tenants: [], community: false, publicNames: [] };
}

function want(subscriptions: string[]): SharingSet {
  return { subscriptions: [...subscriptions].sort(), tenants: [], community: false };
}

const CREATE_P: RoleStep = {
  create: { principalId: P, principalType: "User", role: "Reader", roleGuid: READER },
  note: `assign Reader on the gallery to User ${P}`,
};
const REMOVE_OLD: RoleStep = {
  remove: { name: "n1", id: "/x/n1", principalId: OLD, roleGuid: READER },
  note: "remove role assignment n1",
};

const later = (ms: number) => new Date(NOW.getTime() + ms);

describe("sharingSteps", () => {
  it("orders removals before additions: role deletions, Remove, Add, role creations, unknown roles", () => {
    const steps = sharingSteps(
      planShare(want([B]), groups([A])),
      [CREATE_P, REMOVE_OLD],
      [{ principalId: C, principalType: "Group", role: "No Such Role" }],
    );
    expect(steps.map((s) => s.what.action)).toEqual([
      "RemoveRoleAssignment",
      "ShareRemove",
      "ShareAdd",
      "CreateRoleAssignment",
      "CreateRoleAssignment",
    ]);
    expect(steps[1]?.what).toEqual({ action: "ShareRemove", subscriptions: [A] });
    expect(steps[4]).toMatchObject({ waiting: { reason: "UnknownRole" } });
    expect(steps[4]?.work).toBeUndefined();
  });

  it("marks an Add that only fits after the Remove as waiting for it, and a refused Add as waiting for the user", () => {
    const thirty = Array.from(
      { length: 30 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const steps = sharingSteps(planShare(want([...thirty.slice(1), C]), groups(thirty)), [], []);
    expect(steps.map((s) => [s.what.action, s.waiting?.reason])).toEqual([
      ["ShareRemove", undefined],
      ["ShareAdd", "WaitingForRemoval"],
    ]);
    const refused = sharingSteps(
      planShare(want([A]), { ...groups([]), permissions: "Private" }),
      [CREATE_P],
      [],
    );
    expect(refused.map((s) => [s.what.action, s.waiting?.reason])).toEqual([
      ["ShareAdd", "GalleryNotGroups"],
      ["CreateRoleAssignment", undefined],
    ]);
  });
});

describe("nextStep", () => {
  const steps = sharingSteps(planShare(want([B]), groups([A])), [CREATE_P], []);

  it("runs the removal first and lists every step as queued", () => {
    const { next, pending, retryInMs } = nextStep(steps, [], NOW);
    expect(next?.what.action).toBe("ShareRemove");
    expect(pending.map((p) => [p.action, p.reason])).toEqual([
      ["ShareRemove", "Queued"],
      ["ShareAdd", "Queued"],
      ["CreateRoleAssignment", "Queued"],
    ]);
    expect(retryInMs).toBeUndefined();
  });

  it("goes on with the others while a failed step waits out its backoff, then retries it", () => {
    const first = nextStep(steps, [], NOW).pending;
    const failed = recordFailure(
      first,
      { action: "CreateRoleAssignment", principalId: P, role: "Reader" },
      { reason: "PrincipalNotFound", message: "Principal does not exist" },
      NOW,
    );
    const role = failed.find((p) => p.action === "CreateRoleAssignment");
    expect(role).toMatchObject({
      reason: "PrincipalNotFound",
      failures: 1,
      retryAfter: later(5_000).toISOString(),
    });

    // The share steps are not held by it.
    const roleOnly = sharingSteps({}, [CREATE_P], []);
    const parked = nextStep(roleOnly, failed, later(1_000));
    expect(parked.next).toBeUndefined();
    expect(parked.pending).toEqual([role]);
    expect(parked.retryInMs).toBe(4_000);
    // Its backoff over, it is next again, and its failures are remembered for the next backoff.
    const due = nextStep(roleOnly, failed, later(5_000));
    expect(due.next?.what.action).toBe("CreateRoleAssignment");
    expect(due.pending[0]?.failures).toBe(1);
    const again = recordFailure(
      due.pending,
      due.next?.what ?? { action: "ShareAdd" },
      { reason: "PrincipalNotFound", message: "x" },
      later(5_000),
    );
    expect(again[0]).toMatchObject({ failures: 2, retryAfter: later(15_000).toISOString() });
  });

  it("parks a failed Add without holding the Remove or the role creation", () => {
    const add = steps[1]?.what ?? { action: "ShareAdd" };
    const failed = recordFailure(
      nextStep(steps, [], NOW).pending,
      add,
      { reason: "Conflict", message: "busy" },
      NOW,
    );
    const { next, pending } = nextStep(steps, failed, later(10));
    expect(next?.what.action).toBe("ShareRemove");
    expect(pending.map((p) => [p.action, p.reason])).toEqual([
      ["ShareRemove", "Queued"],
      ["ShareAdd", "Conflict"],
      ["CreateRoleAssignment", "Queued"],
    ]);
  });

  it("holds every share step while ARM throttles the share quota, but not the role steps", () => {
    const removal = steps[0]?.what ?? { action: "ShareRemove" };
    const throttled = recordFailure(
      nextStep(steps, [], NOW).pending,
      removal,
      { reason: "Throttled", message: "PostShareGallery", retryAfterMs: 61_000 },
      NOW,
    );
    expect(throttled[0]?.retryAfter).toBe(later(61_000).toISOString());
    const { next, pending, retryInMs } = nextStep(steps, throttled, later(1_000));
    expect(next?.what.action).toBe("CreateRoleAssignment");
    expect(pending.map((p) => [p.action, p.reason])).toEqual([
      ["ShareRemove", "Throttled"],
      ["ShareAdd", "Throttled"],
      ["CreateRoleAssignment", "Queued"],
    ]);
    expect(retryInMs).toBe(60_000);
  });

  it("forgets a failure once the step is no longer needed, and backs off at most 5 minutes", () => {
    let pending: PendingSharingStep[] = nextStep(steps, [], NOW).pending;
    const role = { action: "CreateRoleAssignment" as const, principalId: P, role: "Reader" };
    for (let i = 0; i < 10; i++)
      pending = recordFailure(pending, role, { reason: "PrincipalNotFound", message: "x" }, NOW);
    expect(pending.find((p) => p.action === "CreateRoleAssignment")?.retryAfter).toBe(
      later(300_000).toISOString(),
    );
    expect(nextStep(sharingSteps({}, [], []), pending, NOW)).toEqual({ pending: [] });
  });
});

describe("markRunning and pendingSummary", () => {
  it("shows the started step as Running and the Ready reason of the first pending step", () => {
    const steps = sharingSteps(planShare(want([B]), groups([A])), [], []);
    const { next, pending } = nextStep(steps, [], NOW);
    const running = markRunning(
      pending,
      next?.what ?? { action: "ShareRemove" },
      "stop sharing with 1 subscription",
    );
    expect(running.map((p) => [p.action, p.reason])).toEqual([
      ["ShareRemove", "Running"],
      ["ShareAdd", "Queued"],
    ]);
    const summary = pendingSummary(running);
    expect(summary.reason).toBe("Running");
    expect(summary.message).toMatch(/^2 steps pending: ShareRemove .*: Running .*; ShareAdd .*: Queued/);
  });
});
