// The caches reconcilers read: the shared informers' stores of our four kinds, each with the
// indexes its reference lookups use (driver/indexes.ts).
import {
  type Gallery,
  type GallerySharing,
  GROUP,
  type ImageDefinition,
  type ImageVersion,
  KINDS,
  type KindName,
  VERSION,
} from "../api/index.js";
import type { IndexFn, InformerSet, KubeObject, ReadonlyStore, ResourceDescriptor } from "../kube/index.js";
import type { Caches } from "./driver/context.js";
import { CACHE_INDEXES } from "./driver/indexes.js";

export function descriptorOf(kind: KindName): ResourceDescriptor {
  return { group: GROUP, version: VERSION, plural: KINDS[kind].plural, kind, namespaced: true };
}

/** The caches of one informer set (one watched namespace, or all), indexed. */
export function indexedCaches(informers: InformerSet): Caches {
  const cache = <T extends KubeObject>(
    kind: KindName,
    indexes: Record<string, IndexFn<T>>,
  ): ReadonlyStore<T> => {
    const informer = informers.informer<T>(descriptorOf(kind));
    for (const [name, valuesOf] of Object.entries(indexes)) informer.addIndex(name, valuesOf);
    return informer.store;
  };
  return {
    galleries: cache<Gallery>("Gallery", CACHE_INDEXES.galleries),
    imageDefinitions: cache<ImageDefinition>("ImageDefinition", CACHE_INDEXES.imageDefinitions),
    imageVersions: cache<ImageVersion>("ImageVersion", CACHE_INDEXES.imageVersions),
    gallerySharings: cache<GallerySharing>("GallerySharing", CACHE_INDEXES.gallerySharings),
  };
}
