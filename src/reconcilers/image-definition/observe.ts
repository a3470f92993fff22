import {
  CONDITION_TYPES,
  compareVersions,
  type ImageDefinition,
  type ImageDefinitionStatus,
  type ImageVersion,
  type ImageVersionNumber,
  parseVersion,
} from "../../api/index.js";
import { imageId } from "../../azure/index.js";
import type { ReconcilerContext } from "../driver/context.js";
import { BY_DEFINITION, refKey } from "../driver/indexes.js";
import { provisioningReady } from "../driver/provisioning.js";
import type { DefinitionKind } from "./target.js";

export const observeDefinition: DefinitionKind["observe"] = (_obj, target, actual, ctx) => {
  const state = actual.provisioningState ?? "Succeeded";
  const status = {
    azureName: target.ref.image,
    id: actual.id ?? imageId(target.ref),
    provisioningState: state,
  };
  return { status, ...provisioningReady(state, `image definition ${target.ref.image}`, ctx.pollIntervalMs) };
};

export function definitionExports(
  obj: ImageDefinition,
  status: ImageDefinitionStatus,
  ctx: ReconcilerContext,
): Record<string, string | undefined> {
  const versions = ctx.caches.imageVersions.byIndex(
    BY_DEFINITION,
    refKey(obj.metadata.namespace, obj.metadata.name),
  );
  const latest = latestVersion(obj, versions);
  return { id: status.id, latestVersion: latest?.spec.version, latestVersionId: latest?.status?.id };
}

/**
 * The version a VM asking for "latest" of this definition gets, as far as the cluster knows: the
 * highest ImageVersion of it that Azure holds replicated (Replicated=True: unlike Ready, this does
 * not flicker while a parent updates), not excluded from latest and not being deleted.
 */
export function latestVersion(
  definition: ImageDefinition,
  versions: readonly ImageVersion[],
): ImageVersion | undefined {
  let best: { version: ImageVersion; number: ImageVersionNumber } | undefined;
  for (const v of versions) {
    if (v.metadata.namespace !== definition.metadata.namespace) continue;
    if (v.spec.imageDefinitionRef.name !== definition.metadata.name) continue;
    if (v.spec.excludeFromLatest || v.metadata.deletionTimestamp || !v.status?.id) continue;
    if (v.status.conditions?.find((c) => c.type === CONDITION_TYPES.Replicated)?.status !== "True") continue;
    const number = parseVersion(v.spec.version);
    if (number && (!best || compareVersions(number, best.number) > 0)) best = { version: v, number };
  }
  return best?.version;
}
