// What an ImageVersion writes next: to make Azure match its spec (one PUT at a time, never over
// an operation already running), and to undo it on deletion.
import type { GalleryImageVersion } from "@azure/arm-compute";
import { CONDITION_TYPES, type ImageVersion, REASONS } from "../../api/index.js";
import { type ArmWrite, type Blocked, blocked } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { deletingInAzure } from "../driver/provisioning.js";
import { putLocation } from "../driver/spec-writes.js";
import { versionDifferences } from "./body.js";
import { forgetVersionProgress } from "./observe.js";
import { MAX_SLOWDOWN, type ProgressPacer } from "./polling.js";
import { summarizeReplication } from "./replication.js";
import { SOURCE_BUSY, sameSource, sourceHolder } from "./rules.js";
import type { VersionKind, VersionTarget } from "./target.js";
import { deleteVersion, putVersion } from "./writes.js";

export const planVersion: VersionKind["plan"] = (obj, target, actual, ctx) => {
  const location = putLocation(target, actual, "image version");
  if (!actual) {
    const holder = sourceHolder(obj, sameSource(ctx.caches.imageVersions, obj));
    if (!holder) return putVersion(obj, target, location, ctx);
    const message = `managed image ${obj.spec.source.managedImageId} is feeding ImageVersion ${holder.metadata.namespace}/${holder.metadata.name} until it has replicated (Azure lets a managed image feed one version at a time); waiting for it`;
    return blocked(SOURCE_BUSY, message, ctx.pollIntervalMs * MAX_SLOWDOWN);
  }
  if (operationRunning(actual)) return undefined;
  const diffs = versionDifferences(obj.spec, actual);
  if (summarizeReplication(actual).phase === "Failed" && !failureReported(obj))
    diffs.push("retrying failed regions");
  return diffs.length > 0 ? putVersion(obj, target, location, ctx, { actual, diffs }) : undefined;
};

export const rewriteVersion: NonNullable<VersionKind["rewrite"]> = (obj, target, actual, ctx) => {
  if (operationRunning(actual)) return undefined;
  return putVersion(obj, target, target.location ?? actual.location, ctx, { actual, diffs: [] });
};

export function cleanupVersion(
  pacer: ProgressPacer,
  obj: ImageVersion,
  target: VersionTarget,
  actual: GalleryImageVersion | undefined,
  ctx: ReconcilerContext,
): ArmWrite | Blocked | undefined {
  if (!actual) {
    forgetVersionProgress(pacer, obj, ctx);
    return undefined;
  }
  const what = `version ${target.ref.version}`;
  return (
    deletingInAzure(actual.provisioningState, what, ctx.pollIntervalMs) ?? deleteVersion(obj, target.ref, ctx)
  );
}

/** An operation someone else started (or one whose record was lost) is not written over. */
function operationRunning(actual: GalleryImageVersion): boolean {
  return actual.provisioningState === "Creating" || actual.provisioningState === "Updating";
}

/**
 * Whether the failure Azure shows was already reported for this spec: then it is not retried
 * until the spec changes (a retry would most likely fail the same way, and each costs a PUT
 * and minutes of copying).
 */
function failureReported(obj: ImageVersion): boolean {
  const replicated = obj.status?.conditions?.find((c) => c.type === CONDITION_TYPES.Replicated);
  return (
    replicated?.reason === REASONS.ReplicationFailed &&
    replicated.observedGeneration === obj.metadata.generation
  );
}
