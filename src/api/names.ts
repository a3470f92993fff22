// Azure's naming rules for what users type into a spec, written once as regular expressions that
// mean the same in RE2 (the API server's CEL `matches`) and in JavaScript (the helpers below).
// That shared subset has no flags, no backslashes (`[.]` instead of `\.`, which also keeps them
// free of escaping inside CEL string literals) and no look-arounds.

/**
 * Gallery names: letters, digits, dots and underscores, 1 to 80 characters; no dashes; dots and
 * underscores only in the middle (docs/arm-behaviour.md#names).
 */
export const GALLERY_NAME_PATTERN = "^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$";
export const GALLERY_NAME_RULE =
  "letters, digits, dots and underscores, starting and ending with a letter or digit, 1 to 80 characters (no dashes)";

/**
 * Image definition names: letters, digits, dots, dashes and underscores, 1 to 80 characters,
 * starting with a letter or digit and not ending with a dot or dash (docs/arm-behaviour.md#names:
 * real ARM accepted `def_…` and `img_…`).
 */
export const IMAGE_DEFINITION_NAME_PATTERN = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$";
export const IMAGE_DEFINITION_NAME_RULE =
  "letters, digits, dots, dashes and underscores, starting with a letter or digit and not ending with a dot or dash, 1 to 80 characters";

/**
 * Image versions: `Major.Minor.Patch`, three whole numbers without leading zeros. The pattern only
 * bounds each part to ten digits; that each fits in an int32 is a second check (`parseVersion`, and
 * a CEL rule in the CRD), because a regular expression for "at most 2147483647" is unreadable.
 */
export const VERSION_PATTERN = "^(0|[1-9][0-9]{0,9})[.](0|[1-9][0-9]{0,9})[.](0|[1-9][0-9]{0,9})$";
export const VERSION_RULE = "Major.Minor.Patch: three whole numbers without leading zeros, like 1.0.0";
export const MAX_VERSION_PART = 2147483647;

/**
 * Subscription, tenant and principal ids. Lower case only: the CRD keeps them in sets, and a set
 * that held the same GUID in two spellings would share twice in Kubernetes' eyes and once in Azure's.
 */
export const GUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
export const GUID_RULE = "a GUID in lower case, like 0b1f6471-1bf0-4dda-aec3-cb9272f09590";

/**
 * Azure regions by their programmatic name (`westcentralus`), not the display name
 * (`West Central US`): ARM accepts both and answers with display names, so allowing one spelling
 * is what makes "unique region" checkable and spec-vs-Azure comparisons exact.
 */
export const LOCATION_PATTERN = "^[a-z][a-z0-9]{1,49}$";
export const LOCATION_RULE =
  "a region's programmatic name in lower case without spaces, like eastus or westcentralus";

/**
 * Resource group names: 1 to 90 characters, letters, digits, dots, underscores, dashes and
 * parentheses, not ending with a dot. (Azure also allows non-ASCII letters; this API does not.)
 */
export const RESOURCE_GROUP_PATTERN = "^[-A-Za-z0-9._()]{0,89}[-A-Za-z0-9_()]$";
export const RESOURCE_GROUP_RULE =
  "letters, digits, dots, underscores, dashes and parentheses, 1 to 90 characters, not ending with a dot";

const galleryName = new RegExp(GALLERY_NAME_PATTERN);
const imageDefinitionName = new RegExp(IMAGE_DEFINITION_NAME_PATTERN);
const version = new RegExp(VERSION_PATTERN);
const guid = new RegExp(GUID_PATTERN);

export function isValidGalleryName(name: string): boolean {
  return galleryName.test(name);
}

export function isValidImageDefinitionName(name: string): boolean {
  return imageDefinitionName.test(name);
}

export function isGuid(value: string): boolean {
  return guid.test(value);
}

export interface ImageVersionNumber {
  major: number;
  minor: number;
  patch: number;
}

/** The parts of a `Major.Minor.Patch` version, or undefined when Azure would not accept it. */
export function parseVersion(text: string): ImageVersionNumber | undefined {
  if (!version.test(text)) return undefined;
  const [major = 0, minor = 0, patch = 0] = text.split(".").map(Number);
  if (Math.max(major, minor, patch) > MAX_VERSION_PART) return undefined;
  return { major, minor, patch };
}

/** Orders versions as Azure does for "latest": by major, then minor, then patch. */
export function compareVersions(a: ImageVersionNumber, b: ImageVersionNumber): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * The name a Gallery or ImageDefinition has in Azure: spec.azureName, or metadata.name when that is
 * absent (the CRD only lets it be absent when metadata.name is a valid Azure name).
 */
export function azureNameOf(obj: { metadata: { name: string }; spec: { azureName?: string } }): string {
  return obj.spec.azureName ?? obj.metadata.name;
}
