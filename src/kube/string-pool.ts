// One copy of each repeated string in the cache. JSON.parse gives every object its own copy of
// each string value: 10,000 cached ImageVersions held 10,000 copies of their apiVersion, their
// namespace, the finalizer, "Standard_LRS", each condition's reason and message, about 10 MB of a
// 66 MB heap in a heap snapshot of the benchmark's footprint phase (docs/benchmarks.md, "Fifth
// round"). Keys need nothing: V8 internalizes property names itself.

/** Entries per generation: two generations bound the pool at twice this many strings. */
const DEFAULT_GENERATION_SIZE = 4096;

/** Longer strings are seldom repeated verbatim (resume tokens, annotations written by tools). */
const MAX_LENGTH = 512;

/** Fields whose values are unique per object or per write: pooling them only churns the pool. */
const UNIQUE_FIELDS = new Set(["uid", "resourceVersion", "creationTimestamp"]);

/**
 * A bounded pool of strings, kept as two generations: a string found in the older one moves to
 * the current one, and when the current one is full the older one is dropped. Strings in use by
 * every new object (apiVersion, namespace, reasons) stay pooled; one-off ones age out, so a cache
 * of any size costs the pool at most `2 × generationSize` entries.
 */
export class StringPool {
  private current = new Map<string, string>();
  private older = new Map<string, string>();

  constructor(private readonly generationSize = DEFAULT_GENERATION_SIZE) {}

  /** The pooled string equal to `value` (pooled now if it was not). */
  intern(value: string): string {
    const pooled = this.current.get(value);
    if (pooled !== undefined) return pooled;
    const kept = this.older.get(value) ?? value;
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
 * informer calls it on what the watch just decoded.
 */
export function internStrings<V>(value: V, pool: StringPool): V {
  internIn(value, pool);
  return value;
}

function internIn(value: unknown, pool: StringPool): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "string") value[i] = pooled(item, pool);
      else internIn(item, pool);
    }
    return;
  }
  if (value === null || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const field = record[key];
    if (typeof field === "string") {
      if (!UNIQUE_FIELDS.has(key)) record[key] = pooled(field, pool);
    } else internIn(field, pool);
  }
}

function pooled(value: string, pool: StringPool): string {
  return value.length > MAX_LENGTH ? value : pool.intern(value);
}
