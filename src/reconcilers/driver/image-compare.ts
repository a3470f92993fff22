// Comparisons the image kinds share when they diff a spec against what ARM returned: ARM answers
// in its own spellings (display-name regions, `Date` objects, ids in any case), so equality
// means "the same thing", not "the same characters".

/**
 * The programmatic name of a region, however ARM spells it: "West Central US" → "westcentralus",
 * "East US 2" → "eastus2". Display names are the programmatic name with spaces and capitals
 * (true of every public region, checked in test/unit/image-version-body.test.ts).
 */
export function regionKey(name: string): string {
  return name.replace(/\s+/g, "").toLowerCase();
}

/** Whether an RFC 3339 time from a spec and ARM's answer (a Date from the SDK) are the same instant; both absent counts as equal. */
export function sameInstant(spec: string | undefined, actual: Date | string | undefined): boolean {
  if (spec === undefined || actual === undefined) return spec === undefined && actual === undefined;
  return Date.parse(spec) === new Date(actual).getTime();
}
