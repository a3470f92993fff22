// Reads and writes of one kind, namespaced or not, through one set of methods. Reconcilers read from
// the cache; this is for the writes (and the watcher's lists).
import { type KubeObject, type ObjectRef, type ResourceDescriptor, resourcePath } from "./resource.js";
import type { KubeTransport, QueryParams } from "./transport.js";

/** The patch content types of the Kubernetes API (https://kubernetes.io/docs/reference/using-api/api-concepts/#patch-and-apply). */
const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** One RFC 6902 operation. `test` is what makes a patch fail instead of overwriting a concurrent edit. */
export type JsonPatchOp =
  | { op: "test" | "add" | "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface ObjectList<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

export interface WriteOptions {
  /** Write the `status` subresource instead of the object (spec changes are then ignored by the server). */
  subresource?: "status";
  /** Recorded in managedFields; defaults to the operator's name. */
  fieldManager?: string;
  signal?: AbortSignal;
}

export const FIELD_MANAGER = "azure-gallery-operator";

/**
 * Typed access to objects of one resource.
 *
 * Guarantees: every method rejects with `KubeApiError` on an error status (see errors.ts for the
 * predicates); cluster-scoped resources ignore `namespace`.
 */
export class ResourceClient<T extends KubeObject> {
  constructor(
    readonly transport: KubeTransport,
    readonly resource: ResourceDescriptor,
  ) {}

  /** One page of the collection (all of it when `limit` is unset). */
  list(options: ListOptions = {}): Promise<ObjectList<T>> {
    const query: QueryParams = {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit,
      continue: options.continue,
    };
    const path = resourcePath(this.resource, { namespace: options.namespace });
    return this.transport.request({ method: "GET", path, query, signal: options.signal });
  }

  get(ref: ObjectRef, signal?: AbortSignal): Promise<T> {
    return this.transport.request({ method: "GET", path: this.pathOf(ref), signal });
  }

  create(obj: T, signal?: AbortSignal): Promise<T> {
    const path = resourcePath(this.resource, { namespace: obj.metadata.namespace });
    return this.transport.request({
      method: "POST",
      path,
      body: obj,
      query: { fieldManager: FIELD_MANAGER },
      signal,
    });
  }

  /**
   * Replaces the object (PUT). With `metadata.resourceVersion` set this is a compare-and-swap.
   *
   * Errors: 409 `KubeApiError` (`isConflict`) when the object changed since that resourceVersion.
   */
  replace(obj: T, signal?: AbortSignal): Promise<T> {
    return this.transport.request({
      method: "PUT",
      path: this.pathOf(obj.metadata),
      body: obj,
      query: { fieldManager: FIELD_MANAGER },
      signal,
    });
  }

  /**
   * Applies an RFC 6902 JSON Patch.
   *
   * Errors: a failed `test` operation rejects with a 422 `KubeApiError` (`isInvalid`): the object
   * changed since it was read; read it again (or wait for the cache) and retry.
   */
  jsonPatch(ref: ObjectRef, ops: readonly JsonPatchOp[], options: WriteOptions = {}): Promise<T> {
    return this.patch(ref, ops, PATCH_TYPES.json, options);
  }

  /**
   * Server-side apply: the fields `obj` names become the field manager's, created if absent.
   * `force` takes over fields another manager owns (kubectl's `--force-conflicts`).
   *
   * Errors: 409 `KubeApiError` when another manager owns a field `obj` sets and `force` is off.
   */
  apply(obj: T, options: WriteOptions & { force?: boolean } = {}): Promise<T> {
    return this.patch(obj.metadata, obj, PATCH_TYPES.apply, options, { force: options.force });
  }

  /** Applies an RFC 7386 JSON Merge Patch (null deletes a field; arrays are replaced whole). */
  mergePatch(ref: ObjectRef, patch: object, options: WriteOptions = {}): Promise<T> {
    return this.patch(ref, patch, PATCH_TYPES.merge, options);
  }

  delete(ref: ObjectRef, signal?: AbortSignal): Promise<unknown> {
    return this.transport.request({ method: "DELETE", path: this.pathOf(ref), signal });
  }

  /** The path of the collection in `namespace` (all namespaces when unset), for watches. */
  collectionPath(namespace?: string): string {
    return resourcePath(this.resource, { namespace });
  }

  private patch(
    ref: ObjectRef,
    body: unknown,
    contentType: string,
    options: WriteOptions,
    query: QueryParams = {},
  ): Promise<T> {
    return this.transport.request({
      method: "PATCH",
      path: this.pathOf(ref, options.subresource),
      query: { fieldManager: options.fieldManager ?? FIELD_MANAGER, ...query },
      body,
      contentType,
      signal: options.signal,
    });
  }

  private pathOf(ref: ObjectRef, subresource?: string): string {
    return resourcePath(this.resource, { namespace: ref.namespace, name: ref.name, subresource });
  }
}
