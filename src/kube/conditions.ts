// Status conditions as the Kubernetes API conventions define them (metav1.Condition). One helper
// sets them, so every kind gets the same lastTransitionTime and reason rules.
import { formatTime } from "./time.js";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** The generation of the spec this condition was computed from. */
  observedGeneration?: number;
  /** When `status` last changed (RFC 3339, seconds): not when the condition was last written. */
  lastTransitionTime: string;
  /** CamelCase, machine-readable: what `kubectl get` and alerting rules match on. */
  reason: string;
  /** For humans: what happened and, when they must act, what to do. */
  message: string;
}

/** What a caller decides; `lastTransitionTime` is the helper's bookkeeping, not the caller's. */
export type ConditionInput = Omit<Condition, "lastTransitionTime">;

/** The condition every kind reports. */
export const READY = "Ready";

// The patterns and limits metav1.Condition validates; checking here turns a rejected status write
// (a 422 far from the bug) into an error at the line that built the bad condition.
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const TYPE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const MAX_REASON = 1024;
const MAX_MESSAGE = 32768;
const MAX_TYPE = 316;

/**
 * Returns `conditions` with `input` set: added when its type is new, updated in place otherwise.
 *
 * Expected flow:
 * 1. A reconciler computes the condition it means (type, status, reason, message, generation).
 * 2. It calls `setCondition(current, input, now)` and puts the result in the status it writes.
 *
 * Guarantees:
 * - Pure: `conditions` is not modified; the order of existing conditions is kept, new types go last.
 * - `lastTransitionTime` is `now` only when the type is new or its `status` flips; a new reason or
 *   message with the same status keeps the old time (API conventions).
 * - Times are RFC 3339 with whole seconds, as metav1.Time serialises them, so a re-read status
 *   compares equal to the one written.
 *
 * Errors: throws `TypeError` for a type, reason or message the API server would reject (reason must
 * be CamelCase), since that is a bug in the caller.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date,
): Condition[] {
  assertValid(input);
  const list = conditions ?? [];
  const index = list.findIndex((c) => c.type === input.type);
  const existing = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    existing && existing.status === input.status ? existing.lastTransitionTime : formatTime(now);
  const next: Condition = { ...withoutUndefined(input), lastTransitionTime };
  if (index < 0) return [...list, next];
  return list.map((c, i) => (i === index ? next : c));
}

/** Returns `conditions` without the condition of `type` (the same list when there was none). Pure. */
export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

/** The condition of `type`, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the condition of `type` is present with status "True". */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

function assertValid(input: ConditionInput): void {
  if (input.type.length > MAX_TYPE || !TYPE.test(input.type)) {
    throw new TypeError(`condition type "${input.type}" is not a valid condition type`);
  }
  if (input.reason.length > MAX_REASON || !REASON.test(input.reason)) {
    throw new TypeError(
      `condition ${input.type}: reason "${input.reason}" must be CamelCase ([A-Za-z][A-Za-z0-9_,:]*)`,
    );
  }
  if (input.message.length > MAX_MESSAGE) {
    throw new TypeError(`condition ${input.type}: message is longer than ${MAX_MESSAGE} characters`);
  }
}

// An explicit `observedGeneration: undefined` would make a condition differ from its re-read self.
function withoutUndefined(input: ConditionInput): ConditionInput {
  const { observedGeneration, ...rest } = input;
  return observedGeneration === undefined ? rest : { ...rest, observedGeneration };
}
