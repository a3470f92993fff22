// What an ImageDefinition writes next: to make Azure match its spec, and to undo it on deletion.
import type { GalleryImage } from "@azure/arm-compute";
import { type ImageDefinition, REASONS } from "../../api/index.js";
import { type ArmWrite, type Blocked, blocked } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { USER_RETRY_MS } from "../driver/failures.js";
import { deletingInAzure } from "../driver/provisioning.js";
import { blockedByChildren } from "../driver/refs.js";
import { imageDifferences, immutableImageDifferences } from "./body.js";
import type { DefinitionTarget } from "./target.js";
import { deleteDefinition, putDefinition } from "./writes.js";

export function planDefinition(
  obj: ImageDefinition,
  target: DefinitionTarget,
  actual: GalleryImage | undefined,
  ctx: ReconcilerContext,
): ArmWrite | Blocked | undefined {
  const location = target.location ?? actual?.location;
  if (location === undefined) throw new Error("an image definition target without a location (cleanup only)");
  if (!actual) return putDefinition(obj, target, location, ctx);
  // A definition that differs from Azure in what cannot change waits for the user; edits wake it.
  const frozen = immutableImageDifferences(obj.spec, actual);
  if (frozen.length > 0) {
    const message = `image definition ${target.ref.image} already exists in Azure with fields that cannot change: ${frozen.join("; ")}; delete it in Azure or use another azureName`;
    return blocked(REASONS.Conflict, message, USER_RETRY_MS);
  }
  const diffs = imageDifferences(obj.spec, actual);
  return diffs.length > 0 ? putDefinition(obj, target, location, ctx, { actual, diffs }) : undefined;
}

export function rewriteDefinition(
  obj: ImageDefinition,
  target: DefinitionTarget,
  actual: GalleryImage,
  ctx: ReconcilerContext,
): ArmWrite {
  return putDefinition(obj, target, target.location ?? actual.location, ctx, { actual, diffs: [] });
}

/** Never while image versions in the cluster still live in it. */
export function cleanupDefinition(
  obj: ImageDefinition,
  target: DefinitionTarget,
  actual: GalleryImage | undefined,
  ctx: ReconcilerContext,
): ArmWrite | Blocked | undefined {
  const waiting = blockedByChildren(
    ctx.caches.imageVersions,
    obj,
    (v) => v.spec.imageDefinitionRef.name,
    "ImageVersion",
  );
  if (waiting) return waiting;
  if (!actual) return undefined;
  const what = `image definition ${target.ref.image}`;
  return (
    deletingInAzure(actual.provisioningState, what, ctx.pollIntervalMs) ??
    deleteDefinition(obj, target.ref, ctx)
  );
}
