// Structural equality of JSON values, the way the API server would see them: key order does not
// matter, array order does, and an absent key equals one set to undefined.

/**
 * Whether `a` and `b` hold the same JSON data.
 *
 * Guarantees: ignores object key order and keys whose value is undefined (JSON drops them); compares
 * arrays element by element; numbers by value.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = definedEntries(a as Record<string, unknown>);
  const right = definedEntries(b as Record<string, unknown>);
  if (left.size !== right.size) return false;
  for (const [key, value] of left) {
    if (!right.has(key) || !jsonEqual(value, right.get(key))) return false;
  }
  return true;
}

function definedEntries(obj: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(obj).filter(([, value]) => value !== undefined));
}
