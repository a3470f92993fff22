// Which Azure tags are the operator's (docs/api.md, "Tags"): the keys the spec names. (The
// ownership tag, which every kind's PUT adds itself, is ownership.ts's business: never drift here.)
// Every other key found in Azure belongs to someone else
// (an Azure Policy `modify` effect, a cost tool, a person in the portal): it is sent back unchanged
// in every PUT (ARM replaces the whole tag map) and never counts as drift. A key the spec no longer
// names is removed from Azure only when the operator set it: status remembers those keys.
//
// Tag names are case-insensitive in ARM, values are not (Microsoft Learn, "Use tags to organize
// your Azure resources": "Tag names are case-insensitive for operations"), so keys are matched
// without regard to case and values exactly.
import type { FieldDifference } from "./arm-kind.js";

export type Tags = Readonly<Record<string, string>>;

/**
 * The tag map a PUT sends: what Azure holds (someone else's keys kept), minus the keys the
 * operator set before and the spec no longer names, with the spec's values over it. A create
 * (`actual` undefined) sends the spec's tags only.
 */
export function tagsToPut(
  spec: Tags | undefined,
  actual: Tags | undefined,
  managed: readonly string[],
): Tags {
  const owned = { ...spec };
  const drop = new Set([...managed, ...Object.keys(owned)].map(fold));
  const kept = Object.entries(actual ?? {}).filter(([key]) => !drop.has(fold(key)));
  return { ...Object.fromEntries(kept), ...owned };
}

/**
 * Where Azure differs in what the operator owns: a spec (or operator) key with another value or
 * missing, and a key the operator set before that the spec dropped and Azure still has. Keys
 * someone else added never differ.
 */
export function tagDifferences(
  spec: Tags | undefined,
  actual: Tags | undefined,
  managed: readonly string[],
): FieldDifference[] {
  const have = new Map(Object.entries(actual ?? {}).map(([key, value]) => [fold(key), value]));
  const owned = { ...spec };
  const diffs: FieldDifference[] = Object.entries(owned)
    .filter(([key, want]) => have.get(fold(key)) !== want)
    .map(([key, want]) => ({ field: `tags.${key}`, want, have: have.get(fold(key)) }));
  const ownedKeys = new Set(Object.keys(owned).map(fold));
  for (const key of managed) {
    if (ownedKeys.has(fold(key)) || !have.has(fold(key))) continue;
    diffs.push({ field: `tags.${key}`, want: undefined, have: have.get(fold(key)) });
  }
  return diffs;
}

/**
 * The keys status remembers as set by the operator. After a write: those it sent plus those it
 * remembered (the write may not have happened yet when status is read again). Once Azure matches
 * the spec (no owned difference left), the dropped keys are gone and only the owned ones remain.
 */
export function managedTagKeys(spec: Tags | undefined, previous: readonly string[] = []): string[] {
  const keys = new Map([...previous, ...Object.keys(spec ?? {}).sort()].map((k) => [fold(k), k]));
  return [...keys.values()].sort();
}

function fold(key: string): string {
  return key.toLowerCase();
}
