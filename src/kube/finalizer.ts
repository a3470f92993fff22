// Finalizers: how a controller gets to clean up outside Kubernetes (in Azure) before an object goes.
// The state is computed from the object, and each of its four cases has one branch.
import type { ReconcileResult } from "./controller.js";
import { isNotFound } from "./errors.js";
import type { KubeObject } from "./resource.js";
import type { JsonPatchOp, ResourceClient } from "./resource-client.js";

/**
 * Where an object stands with respect to our finalizer:
 * - `Missing`: alive, no finalizer yet: add it before creating anything outside the cluster.
 * - `Present`: alive with our finalizer: reconcile normally.
 * - `Cleanup`: being deleted with our finalizer: clean up, then remove the finalizer.
 * - `Released`: being deleted without our finalizer: nothing left for us to do.
 */
export type FinalizerState =
  | { phase: "Missing" }
  | { phase: "Present"; index: number }
  | { phase: "Cleanup"; index: number }
  | { phase: "Released" };

/** Which finalizer step failed; the patch that lost a race is retried by the caller's backoff. */
export class FinalizerError extends Error {
  override readonly name = "FinalizerError";

  constructor(
    readonly step: "AddFinalizer" | "RemoveFinalizer",
    readonly finalizer: string,
    readonly object: string,
    override readonly cause: unknown,
  ) {
    super(`${step} ${finalizer} on ${object}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Computes the state of `finalizer` on `obj`. Pure. */
export function finalizerState(obj: KubeObject, finalizer: string): FinalizerState {
  const index = obj.metadata.finalizers?.indexOf(finalizer) ?? -1;
  const deleting = Boolean(obj.metadata.deletionTimestamp);
  if (index < 0) return deleting ? { phase: "Released" } : { phase: "Missing" };
  return deleting ? { phase: "Cleanup", index } : { phase: "Present", index };
}

/**
 * Adds `finalizer` to `obj` unless it has it, with `alongside` (the caller's own metadata ops, such
 * as labels: `addLabelsOps`) in the same patch, so a new object costs one write. When `obj` has the
 * finalizer already, nothing is sent (`alongside` included).
 *
 * Guarantees: the patch tests the finalizer list it was computed from, so a concurrent change of the
 * list (another controller adding or removing its own) makes it fail instead of overwriting that
 * change; the patch is all or nothing, so `alongside`'s own `test` ops guard it the same way. Other
 * finalizers are never removed.
 *
 * Errors: `FinalizerError` (step `AddFinalizer`) carrying the API error; a lost race is a 422 (`test`
 * failed). Retry from a fresh read.
 */
export async function addFinalizer<T extends KubeObject>(
  client: ResourceClient<T>,
  obj: T,
  finalizer: string,
  alongside: readonly JsonPatchOp[] = [],
): Promise<T> {
  const current = obj.metadata.finalizers ?? [];
  if (current.includes(finalizer)) return obj;
  const ops: JsonPatchOp[] =
    current.length === 0
      ? // A missing list tests as null, so "still no finalizers" is checked too.
        [
          { op: "test", path: "/metadata/finalizers", value: null },
          { op: "add", path: "/metadata/finalizers", value: [finalizer] },
        ]
      : [
          { op: "test", path: "/metadata/finalizers", value: current },
          { op: "add", path: "/metadata/finalizers/-", value: finalizer },
        ];
  try {
    return await client.jsonPatch(obj.metadata, [...ops, ...alongside]);
  } catch (err) {
    throw new FinalizerError("AddFinalizer", finalizer, describe(obj), err);
  }
}

/**
 * Removes `finalizer` from `obj` if it has it.
 *
 * Guarantees: removes by index after testing that the index still holds our finalizer, so a concurrent
 * edit that shifted the list fails the patch rather than removing someone else's finalizer.
 *
 * Errors: `FinalizerError` (step `RemoveFinalizer`); a 404 is not an error (the object is gone, which is
 * what removing the last finalizer of a deleted object leads to anyway).
 */
export async function removeFinalizer<T extends KubeObject>(
  client: ResourceClient<T>,
  obj: T,
  finalizer: string,
): Promise<T | undefined> {
  const index = obj.metadata.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return obj;
  const ops: JsonPatchOp[] = [
    { op: "test", path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: "remove", path: `/metadata/finalizers/${index}` },
  ];
  try {
    return await client.jsonPatch(obj.metadata, ops);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new FinalizerError("RemoveFinalizer", finalizer, describe(obj), err);
  }
}

export interface FinalizerHandlers<T> {
  /** The object is alive and carries our finalizer: make the world match it. */
  apply(obj: T): Promise<ReconcileResult | undefined>;
  /**
   * The object is being deleted: undo what `apply` made. Return normally only when cleanup is complete;
   * return `{ requeueAfter }` while it is still in progress (the finalizer stays), throw on failure.
   */
  cleanup(obj: T): Promise<ReconcileResult | undefined>;
  /**
   * Optional: JSON Patch ops for other metadata a live object must carry before `apply` runs
   * (labels, say: `addLabelsOps`), computed from `obj`; none when it carries it already. Each op
   * brings its own `test` guard. They go in the finalizer's patch when the finalizer is missing too.
   */
  metadata?(obj: T): JsonPatchOp[];
}

/**
 * Runs a reconcile under a finalizer, kube-rs style.
 *
 * Expected flow:
 * 1. New object (`Missing`): add the finalizer, and the caller's `metadata`, in one patch and
 *    return; the change wakes the object again.
 * 2. Live object (`Present`): if `metadata` is still missing, patch it alone and return (the
 *    change wakes the object again); else `apply`.
 * 3. Deleted object (`Cleanup`): `cleanup`; when it returns without `requeueAfter`, remove the
 *    finalizer so Kubernetes can finish the deletion.
 * 4. Deleted, finalizer gone (`Released`): nothing.
 *
 * Guarantees: `apply` never runs on an object without our finalizer, so nothing outside the cluster is
 * created that a deletion could leak; `apply` sees the caller's `metadata` in place; one metadata
 * write per reconcile at most; the finalizer is removed only after a complete cleanup.
 *
 * Errors: what `apply`/`cleanup` throw, unchanged; `FinalizerError` for the finalizer patches; the
 * API error of a `metadata`-only patch (a lost race is a 422: retry from a fresh read).
 */
export async function reconcileWithFinalizer<T extends KubeObject>(
  client: ResourceClient<T>,
  finalizer: string,
  obj: T,
  handlers: FinalizerHandlers<T>,
): Promise<ReconcileResult | undefined> {
  const state = finalizerState(obj, finalizer);
  switch (state.phase) {
    case "Missing":
      await addFinalizer(client, obj, finalizer, handlers.metadata?.(obj));
      return undefined;
    case "Present": {
      const missing = handlers.metadata?.(obj) ?? [];
      if (missing.length === 0) return handlers.apply(obj);
      await client.jsonPatch(obj.metadata, missing);
      return undefined;
    }
    case "Cleanup": {
      const result = await handlers.cleanup(obj);
      if (result?.requeueAfter !== undefined) return result;
      await removeFinalizer(client, obj, finalizer);
      return undefined;
    }
    case "Released":
      return undefined;
  }
}

function describe(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return `${obj.kind ?? "object"} ${namespace ? `${namespace}/` : ""}${name}`;
}
