// The cache a watcher fills and reconcilers read: the latest object seen per key. Reads come from
// here, never from the API server, so a reconcile costs no request until it writes.
import { type KubeObject, keyOf, type ObjectRef, objectKey } from "./resource.js";

/** The values an object is found by in one index (e.g. the `namespace/name` of the parent it names). */
export type IndexFn<T> = (obj: T) => readonly string[];

/** What reconcilers may do with a cache: read. */
export interface ReadonlyStore<T extends KubeObject> {
  get(ref: ObjectRef | string): T | undefined;
  list(): T[];
  /**
   * The objects whose index `name` (see `Store.addIndex`) holds `value`, in no particular order.
   * Errors: no index of that name was added (a wiring mistake, not a runtime condition).
   */
  byIndex(name: string, value: string): T[];
  /** How many objects `byIndex(name, value)` would return, without building the list. */
  countByIndex(name: string, value: string): number;
  readonly size: number;
}

interface Index<T> {
  valuesOf: IndexFn<T>;
  /** value → keys of the objects holding it. */
  keys: Map<string, Set<string>>;
}

/**
 * Objects of one kind by `namespace/name`, with optional indexes by other values (as client-go's
 * indexers): "which objects name this one" costs a map lookup instead of a scan of the cache,
 * which on a relist, when every object is reconciled, would be quadratic.
 *
 * Guarantees: holds at most one object per key, the one last applied; every index matches the
 * objects held after each call. resourceVersions are opaque, so the store trusts the watcher's
 * order rather than comparing them.
 *
 * Caveats: objects are shared, not copied; callers must treat them as read-only.
 */
export class Store<T extends KubeObject> implements ReadonlyStore<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  /** `indexes`: the indexes to keep from the start, by name (more can be added: `addIndex`). */
  constructor(indexes: Readonly<Record<string, IndexFn<T>>> = {}) {
    for (const [name, valuesOf] of Object.entries(indexes)) this.addIndex(name, valuesOf);
  }

  get(ref: ObjectRef | string): T | undefined {
    return this.objects.get(typeof ref === "string" ? ref : objectKey(ref));
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  byIndex(name: string, value: string): T[] {
    return [...(this.index(name).keys.get(value) ?? [])].flatMap((key) => this.objects.get(key) ?? []);
  }

  countByIndex(name: string, value: string): number {
    return this.index(name).keys.get(value)?.size ?? 0;
  }

  get size(): number {
    return this.objects.size;
  }

  /**
   * Adds the index `name`, built at once from what the store holds. Adding a name again keeps the
   * first: every reader of a shared cache means the same index by one name.
   */
  addIndex(name: string, valuesOf: IndexFn<T>): void {
    if (this.indexes.has(name)) return;
    const index: Index<T> = { valuesOf, keys: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.objects) enter(index, key, obj);
  }

  private index(name: string): Index<T> {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`the cache has no index ${name}`);
    return index;
  }

  /** Inserts or updates `obj`; returns what was cached before. */
  apply(obj: T): T | undefined {
    const key = keyOf(obj);
    const previous = this.objects.get(key);
    this.objects.set(key, obj);
    for (const index of this.indexes.values()) {
      if (previous) leave(index, key, previous);
      enter(index, key, obj);
    }
    return previous;
  }

  /** Removes the object with `obj`'s key; returns what was cached. */
  delete(obj: KubeObject): T | undefined {
    const key = keyOf(obj);
    const current = this.objects.get(key);
    this.objects.delete(key);
    if (current) for (const index of this.indexes.values()) leave(index, key, current);
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
    for (const index of this.indexes.values()) index.keys.clear();
    for (const [key, obj] of fresh) {
      this.objects.set(key, obj);
      for (const index of this.indexes.values()) enter(index, key, obj);
    }
    return removed;
  }
}

function enter<T>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.valuesOf(obj)) {
    const keys = index.keys.get(value);
    if (keys) keys.add(key);
    else index.keys.set(value, new Set([key]));
  }
}

function leave<T>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.valuesOf(obj)) {
    const keys = index.keys.get(value);
    keys?.delete(key);
    if (keys?.size === 0) index.keys.delete(value);
  }
}
