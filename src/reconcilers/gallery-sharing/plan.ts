// The order of a GallerySharing's steps and what holds each one back. Pure functions over what
// diff.ts and roles.ts computed, so the rules the issue asks for are unit-tested:
// - removals (role deletions, share Remove/Reset) go before additions and never wait for them;
// - a step that fails is parked with a backoff and the others go on (steps fail alone);
// - status lists every step not done yet and why, which is also where a parked step's backoff
//   is remembered (it survives a restart; losing it only means one early retry).
import type { GalleryRoleAssignment, PendingSharingStep } from "../../api/index.js";
import type { ShareAction, SharePlan } from "./diff.js";
import { type RoleStep, UNKNOWN_ROLE_REASON, unknownRoleMessage } from "./roles.js";

/** What a step changes in Azure, as status names it. */
export type StepIdentity = Pick<
  PendingSharingStep,
  "action" | "subscriptions" | "tenants" | "principalId" | "role"
>;

export type StepWork = { share: ShareAction } | { role: RoleStep };

export interface SharingStep {
  what: StepIdentity;
  note: string;
  /** The write; absent when the step cannot be done until something else changes. */
  work?: StepWork;
  /** Why it cannot be done now (a refusal, an unknown role, a removal to wait for). */
  waiting?: { reason: string; message: string };
}

/** How a step's failure looks to the planner. */
export interface StepFailure {
  reason: string;
  message: string;
  /** ARM's Retry-After, when it gave one. */
  retryAfterMs?: number;
}

export interface NextStep {
  /** The step to run now; undefined when none can run. */
  next?: SharingStep;
  /** Every step not done, in order, with why; `next` shows as Queued. */
  pending: PendingSharingStep[];
  /** When a parked step may be tried again (ms from now); undefined when none is parked. */
  retryInMs?: number;
}

export const STEP_REASONS = {
  /** The step is under way in Azure. */
  Running: "Running",
  /** The step goes next. */
  Queued: "Queued",
  /** The Add would exceed ARM's limits until the Remove before it is done. */
  WaitingForRemoval: "WaitingForRemoval",
} as const;

/** First retry after a failure; doubles with each failure in a row, up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Every step that makes Azure match the spec, in the order they run: role deletions, the share
 * removal, the share addition, role creations, then the role assignments whose role is unknown
 * (they wait for the user).
 * Guarantees: no removal waits for an addition; the addition waits for the removal only when
 * ARM would refuse it before (`SharePlan.additionWaitsForRemoval`).
 */
export function sharingSteps(
  share: SharePlan,
  roles: readonly RoleStep[],
  unknownRoles: readonly GalleryRoleAssignment[],
): SharingStep[] {
  const roleStep = (step: RoleStep): SharingStep => ({
    what: roleIdentity(step),
    note: step.note,
    work: { role: step },
  });
  const steps: SharingStep[] = roles.filter((r) => "remove" in r).map(roleStep);
  if (share.removal) steps.push(shareStep(share.removal));
  if (share.refusal) {
    // The refused addition names no ids: what the spec wants is not shareable in this mode at all.
    steps.push({
      what: { action: "ShareAdd" },
      note: share.refusal.message,
      waiting: share.refusal,
    });
  } else if (share.addition) {
    const addition = shareStep(share.addition);
    if (share.additionWaitsForRemoval && share.removal) {
      addition.waiting = {
        reason: STEP_REASONS.WaitingForRemoval,
        message: `adding them now would share the gallery with more than ARM allows (30 subscriptions, 5 tenants); they are added once the ${share.removal.action} before them is done`,
      };
    }
    steps.push(addition);
  }
  steps.push(...roles.filter((r) => "create" in r).map(roleStep));
  for (const entry of unknownRoles) {
    steps.push({
      what: {
        action: "CreateRoleAssignment",
        principalId: entry.principalId.toLowerCase(),
        role: entry.role,
      },
      note: unknownRoleMessage(entry.role),
      waiting: { reason: UNKNOWN_ROLE_REASON, message: unknownRoleMessage(entry.role) },
    });
  }
  return steps;
}

/**
 * The step to run now and how every step stands.
 *
 * Expected flow: a step failed before (an entry of `previous` for the same step whose
 * `retryAfter` is still ahead) is parked and keeps its failure; a share step also waits while
 * another share step is parked because ARM throttled the share quota (every share call spends
 * it); the first step left that has work is `next`.
 * Guarantees: a parked or waiting step never holds back the steps after it.
 */
export function nextStep(
  steps: readonly SharingStep[],
  previous: readonly PendingSharingStep[],
  now: Date,
): NextStep {
  const lastOf = (step: SharingStep) => previous.find((p) => sameStep(p, step.what));
  const parkedUntil = (step: SharingStep) => {
    const last = lastOf(step);
    const until = last?.retryAfter ? Date.parse(last.retryAfter) : Number.NaN;
    return last && until > now.getTime() ? { last, until } : undefined;
  };
  const shareThrottled = steps
    .filter((s) => isShare(s.what))
    .map(parkedUntil)
    .find((p) => p?.last.reason === "Throttled");
  let next: SharingStep | undefined;
  let retryAt = Number.POSITIVE_INFINITY;
  const pending = steps.map((step): PendingSharingStep => {
    const parked = parkedUntil(step);
    if (parked) {
      retryAt = Math.min(retryAt, parked.until);
      return { ...parked.last, ...step.what };
    }
    if (step.waiting) return { ...step.what, ...step.waiting };
    if (isShare(step.what) && shareThrottled) {
      retryAt = Math.min(retryAt, shareThrottled.until);
      return {
        ...step.what,
        reason: "Throttled",
        message: `the share quota is spent; waiting until ${shareThrottled.last.retryAfter}`,
        retryAfter: shareThrottled.last.retryAfter,
      };
    }
    if (!next) next = step;
    // Failures in a row are kept until the step succeeds, so the next backoff is longer.
    const failures = lastOf(step)?.failures;
    return {
      ...step.what,
      reason: STEP_REASONS.Queued,
      message: step.note,
      ...(failures ? { failures } : {}),
    };
  });
  return {
    ...(next ? { next } : {}),
    pending,
    ...(Number.isFinite(retryAt) ? { retryInMs: Math.max(0, retryAt - now.getTime()) } : {}),
  };
}

/**
 * `pending` with `step` marked as failed: one more failure in a row, and not tried again before
 * the backoff (5 s, doubling, at most 5 minutes) or ARM's Retry-After, whichever is later.
 */
export function recordFailure(
  pending: readonly PendingSharingStep[],
  step: StepIdentity,
  failure: StepFailure,
  now: Date,
): PendingSharingStep[] {
  const before = pending.find((p) => sameStep(p, step));
  const failures = (before?.failures ?? 0) + 1;
  const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
  const waitMs = Math.max(backoff, failure.retryAfterMs ?? 0);
  const failed: PendingSharingStep = {
    ...step,
    reason: failure.reason,
    message: failure.message,
    failures,
    retryAfter: new Date(now.getTime() + waitMs).toISOString(),
  };
  return before ? pending.map((p) => (p === before ? failed : p)) : [...pending, failed];
}

/** `pending` with `step` shown as under way in Azure (its failures so far kept for the backoff). */
export function markRunning(
  pending: readonly PendingSharingStep[],
  step: StepIdentity,
  note: string,
): PendingSharingStep[] {
  return pending.map((p) => {
    if (!sameStep(p, step)) return p;
    const running: PendingSharingStep = { ...p, reason: STEP_REASONS.Running, message: note };
    delete running.retryAfter;
    return running;
  });
}

/** The Ready condition while steps are pending: the first one's reason, and every step in words. */
export function pendingSummary(pending: readonly PendingSharingStep[]): { reason: string; message: string } {
  const [first] = pending;
  const parts = pending.map((p) => `${describeStep(p)}: ${p.reason} (${p.message})`);
  return {
    reason: first?.reason ?? STEP_REASONS.Queued,
    message: `${pending.length} step${pending.length === 1 ? "" : "s"} pending: ${parts.join("; ")}`,
  };
}

/** The same step: the same action on the same ids, or on the same principal and role. */
export function sameStep(a: StepIdentity, b: StepIdentity): boolean {
  const same = (x: string[] | undefined, y: string[] | undefined) => (x ?? []).join() === (y ?? []).join();
  return (
    a.action === b.action &&
    same(a.subscriptions, b.subscriptions) &&
    same(a.tenants, b.tenants) &&
    a.principalId === b.principalId &&
    a.role === b.role
  );
}

function isShare(what: StepIdentity): boolean {
  return what.action.startsWith("Share");
}

function shareStep(action: ShareAction): SharingStep {
  return {
    what: {
      action: action.action,
      ...(action.ids.subscriptions.length > 0 ? { subscriptions: action.ids.subscriptions } : {}),
      ...(action.ids.tenants.length > 0 ? { tenants: action.ids.tenants } : {}),
    },
    note: action.note,
    work: { share: action },
  };
}

function roleIdentity(step: RoleStep): StepIdentity {
  return "create" in step
    ? { action: "CreateRoleAssignment", principalId: step.create.principalId, role: step.create.role }
    : { action: "RemoveRoleAssignment", principalId: step.remove.principalId, role: step.remove.roleGuid };
}

function describeStep(p: PendingSharingStep): string {
  const ids = [...(p.subscriptions ?? []), ...(p.tenants ?? [])];
  if (ids.length > 0) return `${p.action} ${ids.length === 1 ? ids[0] : `${ids.length} ids`}`;
  return p.principalId ? `${p.action} ${p.role} for ${p.principalId}` : p.action;
}
