// What the runtime knows about a kind and its objects: enough to build API paths and cache keys.
// Kinds stay generic here; src/api/ holds the typed shapes of our own kinds.

/** Which API resource a controller, watcher or client works on. */
export interface ResourceDescriptor {
  /** API group; "" for the core group (`/api/v1`). */
  group: string;
  version: string;
  /** The resource name in URLs, lower case plural ("galleries"). */
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** The metadata fields the runtime reads; objects carry more. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Server-side apply bookkeeping; informers drop it (see informer.ts). */
  managedFields?: unknown[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** Where an object lives: its namespace (absent for cluster-scoped kinds) and name. */
export interface ObjectRef {
  namespace?: string;
  name: string;
}

/** `group/version`, or `version` alone for the core group. */
export function apiVersionOf(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The cache and queue key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** The key of a live object. */
export function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata);
}

/**
 * What tells one object from another of the same name (deleted and made again): its uid, or its key
 * before the API server gave it one. For per-object memory that must not pass to a successor.
 */
export function identityOf(obj: { metadata: { uid?: string; name: string; namespace?: string } }): string {
  return obj.metadata.uid ?? objectKey(obj.metadata);
}

/** The inverse of `objectKey`. */
export function parseKey(key: string): ObjectRef {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * The URL path of a collection, an object or one of its subresources.
 *
 * Guarantees: a namespaced resource without `namespace` gives the all-namespaces path; path segments
 * are URL-encoded.
 */
export function resourcePath(
  resource: ResourceDescriptor,
  at: { namespace?: string; name?: string; subresource?: string } = {},
): string {
  const root = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const scope = resource.namespaced && at.namespace ? `/namespaces/${encodeURIComponent(at.namespace)}` : "";
  const name = at.name ? `/${encodeURIComponent(at.name)}` : "";
  const sub = at.name && at.subresource ? `/${at.subresource}` : "";
  return `${root}${scope}/${resource.plural}${name}${sub}`;
}
