// The indexes of the caches: who names whom. "Which objects refer to this one" (the children of
// a gallery or definition, a gallery's sharings, the versions fed by one managed image, the
// objects naming one Azure resource) is then a map lookup (`ReadonlyStore.byIndex`), not a scan
// of every cached object in each reconcile: on a relist every object is reconciled, and scans
// would make that quadratic.
import { azureNameOf, CONDITION_TYPES, type ImageVersion, LABELS, REASONS } from "../../api/index.js";
import { normalizeArmId, parseArmId } from "../../azure/index.js";
import { findCondition, type IndexFn, type KubeObject, type ReadonlyStore } from "../../kube/index.js";
import type { Caches } from "./context.js";

/** By the `namespace/name` of the Gallery an object names (a version: by its gallery label). */
export const BY_GALLERY = "gallery";
/** By the `namespace/name` of the ImageDefinition a version names. */
export const BY_DEFINITION = "imageDefinition";
/** By the managed image a version is made from (its ARM id, normalized). */
export const BY_SOURCE = "managedImage";
/** By the name the object's Azure resource has (the last segment of its id, lower case). */
export const BY_AZURE_NAME = "azureName";
/** By namespace (the policies' counting rules). */
export const BY_NAMESPACE = "namespace";
/**
 * Versions being copied now, by their subscription (lower case), or by UNKNOWN_SUBSCRIPTION before
 * status knows it: the replication pacer counts them on every poll (image-version/observe.ts).
 */
export const BY_REPLICATING_SUBSCRIPTION = "replicatingIn";
export const UNKNOWN_SUBSCRIPTION = "";

/** The key objects referring to `name` in `namespace` are indexed under. */
export function refKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** The key of a managed image in BY_SOURCE. */
export function sourceKey(managedImageId: string): string {
  return normalizeArmId(managedImageId);
}

/** The key of an Azure resource name in BY_AZURE_NAME. */
export function azureNameKey(name: string): string {
  return name.toLowerCase();
}

/** The indexes each kind's cache carries, by index name. */
export type CacheIndexes = {
  [K in keyof Caches]: Caches[K] extends ReadonlyStore<infer T> ? Record<string, IndexFn<T>> : never;
};

export const CACHE_INDEXES: CacheIndexes = {
  galleries: {
    [BY_AZURE_NAME]: (g) => azureNames(g, azureNameOf(g)),
    [BY_NAMESPACE]: byNamespace,
  },
  imageDefinitions: {
    [BY_GALLERY]: (d) => [refKey(d.metadata.namespace, d.spec.galleryRef.name)],
    [BY_AZURE_NAME]: (d) => azureNames(d, azureNameOf(d)),
  },
  imageVersions: {
    [BY_DEFINITION]: (v) => [refKey(v.metadata.namespace, v.spec.imageDefinitionRef.name)],
    [BY_GALLERY]: (v) => {
      const gallery = v.metadata.labels?.[LABELS.gallery];
      return gallery ? [refKey(v.metadata.namespace, gallery)] : [];
    },
    [BY_SOURCE]: (v) => (v.spec.source.managedImageId ? [sourceKey(v.spec.source.managedImageId)] : []),
    [BY_AZURE_NAME]: (v) => azureNames(v, v.spec.version),
    [BY_NAMESPACE]: byNamespace,
    [BY_REPLICATING_SUBSCRIPTION]: (v) =>
      isReplicating(v) ? [subscriptionOf(v) ?? UNKNOWN_SUBSCRIPTION] : [],
  },
  gallerySharings: {
    [BY_GALLERY]: (s) => [refKey(s.metadata.namespace, s.spec.galleryRef.name)],
  },
};

/**
 * The names an object's Azure resource may have: the one its spec gives, and the last segment of
 * the id status recorded (the resource it made, should the two ever differ).
 */
function azureNames(obj: { status?: { id?: string } }, specName: string): string[] {
  const recorded = obj.status?.id?.split("/").filter(Boolean).pop();
  const names = new Set([azureNameKey(specName)]);
  if (recorded) names.add(azureNameKey(recorded));
  return [...names];
}

function byNamespace(obj: KubeObject): string[] {
  return [obj.metadata.namespace ?? ""];
}

/** Whether a version is being copied now, by what its status says. */
function isReplicating(obj: ImageVersion): boolean {
  const replicated = findCondition(obj.status?.conditions, CONDITION_TYPES.Replicated);
  return obj.status?.operation?.action === "CreateOrUpdate" || replicated?.reason === REASONS.Replicating;
}

/**
 * The subscription a version lives in, once status knows; undefined before, and for an id that is
 * not an ARM id (status is the user's to edit): an index function that threw would leave the
 * cache half updated.
 */
function subscriptionOf(obj: ImageVersion): string | undefined {
  if (!obj.status?.id) return undefined;
  try {
    return parseArmId(obj.status.id).subscriptionId?.toLowerCase();
  } catch {
    return undefined;
  }
}
