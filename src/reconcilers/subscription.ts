// The Azure subscription an object's ARM calls go to, for the work queue's groups: ARM's limits are
// per subscription (docs/arm-behaviour.md#rate-limits), so each subscription gets workers of its
// own (docs/benchmarks.md, "Workers per subscription").
import { parseArmId } from "../azure/index.js";
import type { ArmObject } from "./driver/arm-kind.js";
import type { Caches } from "./driver/context.js";

interface Refs {
  subscriptionId?: string;
  galleryRef?: { name?: string };
  imageDefinitionRef?: { name?: string };
}

/**
 * The subscription of `obj`, lower case: the one its ARM id names once it has one, else its own
 * spec's (a Gallery), else its parent's, as the caches hold them. Undefined while a parent is
 * missing: such an object waits without calling ARM.
 */
export function subscriptionOf(obj: ArmObject, caches: Caches): string | undefined {
  const id = obj.status?.id;
  if (id?.startsWith("/")) return parseArmId(id).subscriptionId?.toLowerCase();
  const spec = obj.spec as Refs;
  if (spec.subscriptionId) return spec.subscriptionId.toLowerCase();
  const namespace = obj.metadata.namespace ?? "";
  const parent = spec.imageDefinitionRef?.name
    ? caches.imageDefinitions.get(`${namespace}/${spec.imageDefinitionRef.name}`)
    : spec.galleryRef?.name
      ? caches.galleries.get(`${namespace}/${spec.galleryRef.name}`)
      : undefined;
  return parent ? subscriptionOf(parent as ArmObject, caches) : undefined;
}
