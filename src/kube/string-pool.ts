// One copy of each repeated string in the cache. JSON.parse gives every object its own copy of
// each string value of 10 characters or more: 10,000 cached ImageVersions held 10,000 copies of
// their apiVersion and finalizer, 21,001 of "Standard_LRS" and 17,192 of a condition's reason and
// message, 10.3 MB of a 66.2 MB heap in a heap snapshot of the benchmark's footprint phase
// (docs/benchmarks.md, "Fifth round"). Property names need nothing: V8 shares those itself.

/** Entries per generation: two generations bound the pool at twice this many strings. */
const DEFAULT_GENERATION_SIZE = 4096;

/** V8's JSON.parse already shares shorter one-byte values (seen on Node 24): pooling them is waste. */
const MIN_LENGTH = 10;

/** Longer strings are seldom repeated verbatim (resume tokens, annotations written by tools). */
const MAX_LENGTH = 512;

/**
 * Fields whose values are unique per object or per write: pooling them only churns the pool.
 * Matched by key at any depth, so an owner reference's `uid` is left alone too.
 */
const UNIQUE_FIELDS = new Set(["uid", "resourceVersion", "creationTimestamp"]);

/**
 * A bounded pool of strings, kept as two generations: a string found in the older one moves to
 * the current one, and when the current one is full the older one is dropped. Strings in use by
 * every new object (apiVersion, reasons) stay pooled; one-off ones age out, so a cache of any
 * size costs the pool at most `2 × generationSize` strings. (A Map, not a Set: a Set cannot hand
 * back the copy it holds.)
 */
export class StringPool {
  private current = new Map<string, string>();
  private older = new Map<string, string>();

  constructor(private readonly generationSize = DEFAULT_GENERATION_SIZE) {}

  /** The pooled string equal to `value` (pooled now if it was not). */
  intern(value: string): string {
    const hit = this.current.get(value);
    if (hit !== undefined) return hit;
    const kept = this.older.get(value) ?? value;
    this.older.delete(value);
    if (this.current.size >= this.generationSize) {
      this.older = this.current;
      this.current = new Map();
    }
    this.current.set(kept, kept);
    return kept;
  }

  /** Strings held (for tests of the bound). */
  get size(): number {
    return this.current.size + this.older.size;
  }

  /** Whether `value` is pooled (for tests: which strings the pool keeps). */
  holds(value: string): boolean {
    return this.current.has(value) || this.older.has(value);
  }
}

/**
 * Replaces, in place, the string values of a freshly parsed JSON value (objects and arrays, at any
 * depth) with their pooled copies; returns `value`. Only for values nobody else holds yet: the
 * informer calls it on what the watch just decoded. Walks with a stack of its own, not recursion:
 * a kind that keeps unknown fields may nest deeper than the call stack goes.
 */
export function internStrings<V>(value: V, pool: StringPool): V {
  const pending: unknown[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Array.isArray(next)) {
      for (let i = 0; i < next.length; i++) {
        const item: unknown = next[i];
        if (typeof item === "string") next[i] = pooled(item, pool);
        else if (item !== null && typeof item === "object") pending.push(item);
      }
    } else if (next !== null && typeof next === "object") {
      const record = next as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const field = record[key];
        if (typeof field === "string") {
          if (!UNIQUE_FIELDS.has(key)) record[key] = pooled(field, pool);
        } else if (field !== null && typeof field === "object") pending.push(field);
      }
    }
  }
  return value;
}

function pooled(value: string, pool: StringPool): string {
  return value.length < MIN_LENGTH || value.length > MAX_LENGTH ? value : pool.intern(value);
}
