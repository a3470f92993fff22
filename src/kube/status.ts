// The one status writer: through the /status subresource, only when something changed, always with
// observedGeneration. Writing less means fewer watch events, fewer conflicts and an honest history.
import { type Condition, READY } from "./conditions.js";
import { jsonEqual } from "./equality.js";
import type { KubeObject } from "./resource.js";
import type { ResourceClient } from "./resource-client.js";

/** The status fields the writer manages; kinds add their own. */
export interface ManagedStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

/** An object whose status the writer manages. */
export type WithStatus<S extends ManagedStatus = ManagedStatus> = KubeObject & { status?: S };

/** The status type of an object type. */
export type StatusOf<T extends WithStatus> = NonNullable<T["status"]>;

export interface StatusWriteResult<T> {
  /** False when the status was already as desired and nothing was sent. */
  written: boolean;
  /** The object after the write (or the one given, when nothing was written). */
  object: T;
}

/**
 * Makes `obj`'s status equal `desired`, writing only if it differs.
 *
 * Expected flow:
 * 1. A reconciler computes the complete status it means (conditions via `setCondition`).
 * 2. `writeStatus` stamps `observedGeneration` (on the status, and on conditions that lack one) with
 *    the generation of `obj`, keeps each condition's `lastTransitionTime` when its status did not flip,
 *    and compares the result with `obj.status`.
 * 3. Equal: no request. Different: one JSON Patch replacing `/status` on the status subresource.
 *
 * Guarantees:
 * - Never touches spec or metadata: the status subresource ignores everything but status.
 * - A reconcile that changes nothing sends nothing, so the object's resourceVersion stays put and no
 *   watch event is caused.
 * - `desired` replaces the whole status: fields it leaves out are removed.
 *
 * Caveats: `obj` should be the freshest copy (the cache); a stale one only costs an extra write,
 * unless `requireCurrent` is set: then a stale copy fails the write with a 422 (retry from a fresh read).
 *
 * Errors: `TypeError` when `desired` has conditions but no `Ready` (every kind reports Ready);
 * `KubeApiError` from the write (404 when the object went away meanwhile).
 */
export async function writeStatus<T extends WithStatus>(
  client: ResourceClient<T>,
  obj: T,
  desired: StatusOf<T>,
  options: { requireCurrent?: boolean } = {},
): Promise<StatusWriteResult<T>> {
  const next = stampStatus(obj, desired);
  if (jsonEqual(obj.status, next)) return { written: false, object: obj };
  const rv = obj.metadata.resourceVersion;
  // With requireCurrent, a write computed from a stale copy fails (422) instead of replacing a
  // newer status, e.g. one that recorded a running operation.
  const guard =
    options.requireCurrent && rv
      ? [{ op: "test" as const, path: "/metadata/resourceVersion", value: rv }]
      : [];
  const object = await client.jsonPatch(
    obj.metadata,
    [...guard, { op: "add", path: "/status", value: next }],
    {
      subresource: "status",
    },
  );
  return { written: true, object };
}

/**
 * The status `writeStatus` would write for `obj`: `desired` with observedGeneration stamped and
 * unchanged conditions' transition times kept. Pure; exported for tests and dry runs.
 */
export function stampStatus<T extends WithStatus>(obj: T, desired: StatusOf<T>): StatusOf<T> {
  const generation = obj.metadata.generation;
  const previous = obj.status?.conditions ?? [];
  const next: StatusOf<T> = { ...desired };
  if (generation !== undefined) next.observedGeneration = generation;
  if (desired.conditions) {
    if (!desired.conditions.some((c) => c.type === READY)) {
      throw new TypeError(`status of ${obj.metadata.name} has conditions but no ${READY} condition`);
    }
    next.conditions = desired.conditions.map((c) => {
      const before = previous.find((p) => p.type === c.type);
      // A fresh timestamp on an unchanged status is bookkeeping noise, not a transition.
      const lastTransitionTime =
        before && before.status === c.status ? before.lastTransitionTime : c.lastTransitionTime;
      const observedGeneration = c.observedGeneration ?? generation;
      return observedGeneration === undefined
        ? { ...c, lastTransitionTime }
        : { ...c, lastTransitionTime, observedGeneration };
    });
  }
  return next;
}
