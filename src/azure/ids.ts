// ARM resource ids for the things the operator touches: build them from typed references, parse
// them back, and compare them the way ARM does (case-insensitively: list results upper-case the
// resource-group segment, docs/arm-behaviour.md#gallery-body).

const COMPUTE = "Microsoft.Compute";
const AUTHORIZATION = "Microsoft.Authorization";

export interface ResourceGroupRef {
  subscriptionId: string;
  resourceGroup: string;
}

export interface GalleryRef extends ResourceGroupRef {
  gallery: string;
}

export interface ImageRef extends GalleryRef {
  image: string;
}

export interface VersionRef extends ImageRef {
  version: string;
}

export interface RoleAssignmentRef {
  /** The id the assignment hangs on (a gallery id, a resource group id, ...). */
  scope: string;
  /** The assignment's own name: a GUID. */
  name: string;
}

/** A resource id that does not have the shape the caller asked for. */
export class InvalidArmIdError extends Error {
  override name = "InvalidArmIdError";
  constructor(
    readonly id: string,
    readonly expected: string,
  ) {
    super(`"${id}" is not ${expected} id`);
  }
}

/** One `{type}/{name}` pair below a provider namespace. */
export interface ArmIdSegment {
  type: string;
  name: string;
}

/** What any ARM id is made of. Only the parts present in the id are set. */
export interface ParsedArmId {
  subscriptionId?: string;
  resourceGroup?: string;
  /** The last provider namespace in the id, e.g. `Microsoft.Compute`. */
  provider?: string;
  /** The `{type}/{name}` pairs after the last provider namespace. */
  segments: ArmIdSegment[];
  /** The id up to (not including) the last `/providers/`: the scope of an extension resource. */
  parentScope: string;
}

/**
 * Splits any ARM id (or the path of an ARM URL) into its parts.
 *
 * Guarantees: names are URI-decoded; keywords (`subscriptions`, `resourceGroups`, `providers`)
 * match in any case. An odd trailing segment (a collection or an action such as `/share`)
 * becomes a segment with an empty name.
 * Errors: InvalidArmIdError when the id does not start with `/`.
 */
export function parseArmId(id: string): ParsedArmId {
  if (!id.startsWith("/")) throw new InvalidArmIdError(id, "an ARM");
  const parts = id.split("/").filter((p) => p.length > 0);
  const result: ParsedArmId = { segments: [], parentScope: "" };
  let lastProvider = -1;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]?.toLowerCase() === "providers") lastProvider = i;
  }
  const lower = parts.map((p) => p.toLowerCase());
  if (lower[0] === "subscriptions" && parts[1]) {
    result.subscriptionId = decodeURIComponent(parts[1]);
    if (lower[2] === "resourcegroups" && parts[3]) result.resourceGroup = decodeURIComponent(parts[3]);
  }
  if (lastProvider >= 0 && parts[lastProvider + 1]) {
    result.provider = parts[lastProvider + 1];
    result.parentScope = `/${parts.slice(0, lastProvider).join("/")}`;
    const rest = parts.slice(lastProvider + 2);
    for (let i = 0; i < rest.length; i += 2) {
      result.segments.push({ type: rest[i] as string, name: decodeURIComponent(rest[i + 1] ?? "") });
    }
  } else {
    result.parentScope = `/${parts.join("/")}`;
  }
  return result;
}

/** `/subscriptions/{sub}/resourceGroups/{rg}` */
export function resourceGroupId(ref: ResourceGroupRef): string {
  return `/subscriptions/${enc(ref.subscriptionId)}/resourceGroups/${enc(ref.resourceGroup)}`;
}

export function galleryId(ref: GalleryRef): string {
  return `${resourceGroupId(ref)}/providers/${COMPUTE}/galleries/${enc(ref.gallery)}`;
}

export function imageId(ref: ImageRef): string {
  return `${galleryId(ref)}/images/${enc(ref.image)}`;
}

export function versionId(ref: VersionRef): string {
  return `${imageId(ref)}/versions/${enc(ref.version)}`;
}

export function roleAssignmentId(ref: RoleAssignmentRef): string {
  return `${trimSlash(ref.scope)}/providers/${AUTHORIZATION}/roleAssignments/${enc(ref.name)}`;
}

/** `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{roleGuid}` */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return `/subscriptions/${enc(subscriptionId)}/providers/${AUTHORIZATION}/roleDefinitions/${enc(roleGuid)}`;
}

/** Errors: InvalidArmIdError unless the id is exactly a Microsoft.Compute gallery. */
export function parseGalleryId(id: string): GalleryRef {
  const { group, names } = computeRef(id, ["galleries"], "a gallery");
  return { ...group, gallery: names[0] as string };
}

/** Errors: InvalidArmIdError unless the id is exactly a gallery image definition. */
export function parseImageId(id: string): ImageRef {
  const { group, names } = computeRef(id, ["galleries", "images"], "an image definition");
  return { ...group, gallery: names[0] as string, image: names[1] as string };
}

/** Errors: InvalidArmIdError unless the id is exactly a gallery image version. */
export function parseVersionId(id: string): VersionRef {
  const { group, names } = computeRef(id, ["galleries", "images", "versions"], "an image version");
  return { ...group, gallery: names[0] as string, image: names[1] as string, version: names[2] as string };
}

/** Errors: InvalidArmIdError unless the id ends in `/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function parseRoleAssignmentId(id: string): RoleAssignmentRef {
  const parsed = parseArmId(id);
  const [segment, ...extra] = parsed.segments;
  if (!eq(parsed.provider, AUTHORIZATION) || !segment || extra.length > 0) {
    throw new InvalidArmIdError(id, "a role assignment");
  }
  if (!eq(segment.type, "roleAssignments") || !segment.name)
    throw new InvalidArmIdError(id, "a role assignment");
  return { scope: parsed.parentScope, name: segment.name };
}

/**
 * True when two ids name the same resource.
 * Why case-insensitive: ARM treats names and keywords case-insensitively and echoes them back
 * in whatever case it stored (list results upper-case resource groups).
 */
export function sameArmId(a: string, b: string): boolean {
  return normalizeArmId(a) === normalizeArmId(b);
}

/** A canonical form for use as a map key: lower case, no trailing slash. */
export function normalizeArmId(id: string): string {
  return trimSlash(id).toLowerCase();
}

// The names are validated present, one per entry of `types`, in nesting order.
function computeRef(
  id: string,
  types: readonly string[],
  what: string,
): { group: ResourceGroupRef; names: string[] } {
  const parsed = parseArmId(id);
  const ok =
    parsed.subscriptionId !== undefined &&
    parsed.resourceGroup !== undefined &&
    eq(parsed.provider, COMPUTE) &&
    parsed.segments.length === types.length &&
    parsed.segments.every((s, i) => eq(s.type, types[i]) && s.name.length > 0);
  if (!ok) throw new InvalidArmIdError(id, what);
  return {
    group: { subscriptionId: parsed.subscriptionId as string, resourceGroup: parsed.resourceGroup as string },
    names: parsed.segments.map((s) => s.name),
  };
}

function eq(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function enc(name: string): string {
  return encodeURIComponent(name);
}

function trimSlash(id: string): string {
  return id.endsWith("/") ? id.slice(0, -1) : id;
}
