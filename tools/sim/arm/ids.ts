// ARM resource ids. ARM compares ids case-insensitively, so lookups use the lower-cased id as the
// key while records keep the spelling their creator used.
import type { SourceKind } from "../state/model.js";

export const COMPUTE = "Microsoft.Compute";

export function idKey(id: string): string {
  return id.toLowerCase();
}

/** Whether `value` is a GUID (object ids, role assignment names), in any case. */
export function isGuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

export function galleryId(subscriptionId: string, resourceGroup: string, gallery: string): string {
  return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/${COMPUTE}/galleries/${gallery}`;
}

export function imageId(
  subscriptionId: string,
  resourceGroup: string,
  gallery: string,
  image: string,
): string {
  return `${galleryId(subscriptionId, resourceGroup, gallery)}/images/${image}`;
}

export function versionId(
  subscriptionId: string,
  resourceGroup: string,
  gallery: string,
  image: string,
  version: string,
): string {
  return `${imageId(subscriptionId, resourceGroup, gallery, image)}/versions/${version}`;
}

/** The same id with its resource-group segment upper-cased, as ARM's list responses spell it. */
export function withUpperCaseResourceGroup(id: string): string {
  return id.replace(
    /^(\/subscriptions\/[^/]+\/resourceGroups\/)([^/]+)/i,
    (_, prefix: string, rg: string) => `${prefix}${rg.toUpperCase()}`,
  );
}

export interface SourceIdParts {
  subscriptionId: string;
  resourceGroup: string;
  kind: SourceKind;
  name: string;
}

const SOURCE_KINDS: Record<string, SourceKind> = {
  images: "images",
  virtualmachines: "virtualMachines",
  snapshots: "snapshots",
  disks: "disks",
};

/** Splits the id of a managed image, VM, snapshot or disk; undefined for anything else. */
export function parseSourceId(id: string): SourceIdParts | undefined {
  const match =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/([^/]+)\/([^/]+)$/i.exec(
      id.trim(),
    );
  if (!match) return undefined;
  const [, subscriptionId = "", resourceGroup = "", type = "", name = ""] = match;
  const kind = SOURCE_KINDS[type.toLowerCase()];
  return kind ? { subscriptionId, resourceGroup, kind, name } : undefined;
}

/** The subscription an ARM id or scope belongs to, if it names one. */
export function subscriptionOf(scope: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
}

/** The resource group an ARM id or scope belongs to, if it names one. */
export function resourceGroupOf(scope: string): string | undefined {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)/i.exec(scope)?.[1];
}
