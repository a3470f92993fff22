// The JSON Patch that adds labels to an object without touching the labels it has: a caller's
// metadata, sent on its own or alongside the finalizer (finalizer.ts, `FinalizerHandlers.metadata`).
import type { KubeObject } from "./resource.js";
import type { JsonPatchOp } from "./resource-client.js";

/**
 * The ops that give `obj` every label of `wanted` it lacks or has with another value; none when it
 * has them all. Guarantees: labels `wanted` does not name are never removed or changed. An object
 * with no labels at all gets the whole map after a `test` that it still has none, so a concurrent
 * label edit fails the patch (422) instead of being overwritten; otherwise each key is added on its
 * own, beside whatever labels are there by then.
 */
export function addLabelsOps(obj: KubeObject, wanted: Readonly<Record<string, string>>): JsonPatchOp[] {
  const current = obj.metadata.labels;
  const missing = Object.entries(wanted).filter(([key, value]) => current?.[key] !== value);
  if (missing.length === 0) return [];
  if (!current) {
    return [
      // A missing map tests as null, so "still no labels" is checked.
      { op: "test", path: "/metadata/labels", value: null },
      { op: "add", path: "/metadata/labels", value: Object.fromEntries(missing) },
    ];
  }
  return missing.map(([key, value]) => ({
    op: "add",
    path: `/metadata/labels/${escapePointer(key)}`,
    value,
  }));
}

/** A JSON Pointer token (RFC 6901): label keys hold `/` (`gallery.azure.dev/gallery`). */
function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}
