// What ARM's provisioningState means for a resource that matches its spec otherwise, the same for
// every kind that has one: Succeeded is Ready, Failed is a settled failure, anything else (Creating,
// Updating) is watched at the poll interval; a DELETE under way is waited out.
import { REASONS } from "../../api/index.js";
import { type Blocked, blocked, type ConditionSpec } from "./arm-kind.js";

/**
 * Ready for `what` ("gallery g1") in `state`, and when to look again (undefined: the resync
 * period). `state` undefined counts as Succeeded (ARM leaves it out of some answers).
 */
export function provisioningReady(
  state: string,
  what: string,
  pollIntervalMs: number,
): { ready: ConditionSpec; requeueAfterMs?: number } {
  if (state === "Succeeded") {
    const message = `${what.charAt(0).toUpperCase()}${what.slice(1)} matches the spec`;
    return { ready: { status: "True", reason: REASONS.Succeeded, message } };
  }
  const message = `Azure reports provisioningState ${state} for ${what}`;
  if (state === "Failed") return { ready: { status: "False", reason: "ProvisioningFailed", message } };
  return {
    ready: { status: "False", reason: REASONS.Provisioning, message },
    requeueAfterMs: pollIntervalMs,
  };
}

/**
 * Why cleanup waits: a DELETE already under way (sent by a process that died before recording it)
 * is waited out rather than sent again. Undefined when Azure is not deleting `what`.
 */
export function deletingInAzure(
  state: string | undefined,
  what: string,
  pollIntervalMs: number,
): Blocked | undefined {
  return state === "Deleting"
    ? blocked(REASONS.Deleting, `Azure is deleting ${what}`, pollIntervalMs)
    : undefined;
}
