import { REASONS } from "../../api/index.js";
import { blocked } from "../driver/arm-kind.js";
import { USER_RETRY_MS } from "../driver/failures.js";
import { BY_DEFINITION } from "../driver/indexes.js";
import { deletingInAzure } from "../driver/provisioning.js";
import { blockedByChildren } from "../driver/refs.js";
import { putLocation } from "../driver/spec-writes.js";
import { imageDifferences, immutableImageDifferences } from "./body.js";
import type { DefinitionKind } from "./target.js";
import { deleteDefinition, putDefinition } from "./writes.js";

export const planDefinition: DefinitionKind["plan"] = (obj, target, actual, ctx) => {
  const location = putLocation(target, actual, "image definition");
  if (!actual) return putDefinition(obj, target, location, ctx);
  // A definition that differs from Azure in what cannot change waits for the user; edits wake it.
  const frozen = immutableImageDifferences(obj.spec, actual);
  if (frozen.length > 0) {
    const message = `image definition ${target.ref.image} already exists in Azure with fields that cannot change: ${frozen.join("; ")}; delete it in Azure or use another azureName`;
    return blocked(REASONS.Conflict, message, USER_RETRY_MS);
  }
  const diffs = imageDifferences(obj.spec, actual);
  return diffs.length > 0 ? putDefinition(obj, target, location, ctx, { actual, diffs }) : undefined;
};

export const rewriteDefinition: NonNullable<DefinitionKind["rewrite"]> = (obj, target, actual, ctx) => {
  return putDefinition(obj, target, target.location ?? actual.location, ctx, { actual, diffs: [] });
};

/** Never while image versions in the cluster still live in it. */
export const cleanupDefinition: DefinitionKind["cleanup"] = (obj, target, actual, ctx) => {
  const waiting = blockedByChildren(ctx.caches.imageVersions, BY_DEFINITION, obj, "ImageVersion");
  if (waiting) return waiting;
  if (!actual) return undefined;
  const what = `image definition ${target.ref.image}`;
  return (
    deletingInAzure(actual.provisioningState, what, ctx.pollIntervalMs) ??
    deleteDefinition(obj, target.ref, ctx)
  );
};
