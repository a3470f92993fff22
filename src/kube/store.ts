// The cache a watcher fills and reconcilers read: the latest object seen per key. Reads come from
// here, never from the API server, so a reconcile costs no request until it writes.
import { type KubeObject, keyOf, type ObjectRef, objectKey } from "./resource.js";

/** What reconcilers may do with a cache: read. */
export interface ReadonlyStore<T extends KubeObject> {
  get(ref: ObjectRef | string): T | undefined;
  list(): T[];
  readonly size: number;
}

/**
 * Objects of one kind by `namespace/name`.
 *
 * Guarantees: holds at most one object per key, the one last applied. resourceVersions are opaque, so
 * the store trusts the watcher's order rather than comparing them.
 *
 * Caveats: objects are shared, not copied; callers must treat them as read-only.
 */
export class Store<T extends KubeObject> implements ReadonlyStore<T> {
  private readonly objects = new Map<string, T>();

  get(ref: ObjectRef | string): T | undefined {
    return this.objects.get(typeof ref === "string" ? ref : objectKey(ref));
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  get size(): number {
    return this.objects.size;
  }

  /** Inserts or updates `obj`; returns what was cached before. */
  apply(obj: T): T | undefined {
    const key = keyOf(obj);
    const previous = this.objects.get(key);
    this.objects.set(key, obj);
    return previous;
  }

  /** Removes the object with `obj`'s key; returns what was cached. */
  delete(obj: KubeObject): T | undefined {
    const key = keyOf(obj);
    const current = this.objects.get(key);
    this.objects.delete(key);
    return current;
  }

  /**
   * Replaces the whole content with a fresh list (after a relist).
   *
   * Guarantees: returns the objects that were cached but are not in `objects`: they were deleted
   * while the watch was down, and their controllers must hear of it.
   */
  replace(objects: readonly T[]): T[] {
    const fresh = new Map(objects.map((o) => [keyOf(o), o] as const));
    const removed = [...this.objects.entries()].filter(([key]) => !fresh.has(key)).map(([, o]) => o);
    this.objects.clear();
    for (const [key, obj] of fresh) this.objects.set(key, obj);
    return removed;
  }
}
