// Gallery spec → the ARM body to PUT, and the comparison that decides whether a PUT is needed.
// Pure functions: the reconciler's decisions are unit-tested here without Kubernetes or ARM.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import type { GallerySpec, SharingPermissions } from "../api/index.js";
import { withoutOwnerTag } from "./ownership.js";

/** The full body a PUT sends (ARM replaces the gallery with it; PATCH is not used, as the CLI doesn't). */
export function desiredGalleryBody(spec: GallerySpec): ArmGallery {
  const body: ArmGallery = {
    location: spec.location,
    tags: { ...(spec.tags ?? {}) },
    sharingProfile: {
      permissions: spec.sharing.permissions,
      ...(spec.sharing.permissions === "Community" && spec.sharing.community
        ? { communityGalleryInfo: { ...spec.sharing.community } }
        : {}),
    },
  };
  if (spec.description) body.description = spec.description;
  if (spec.softDelete !== undefined) body.softDeletePolicy = { isSoftDeleteEnabled: spec.softDelete };
  return body;
}

/** What differs between the spec and Azure, as short phrases for events; empty when in sync. */
export function galleryDifferences(spec: GallerySpec, actual: ArmGallery): string[] {
  const diffs: string[] = [];
  if ((spec.description ?? "") !== (actual.description ?? "")) diffs.push("description");
  if (!sameTags(spec.tags ?? {}, withoutOwnerTag(actual.tags))) diffs.push("tags");
  if (
    spec.softDelete !== undefined &&
    spec.softDelete !== (actual.softDeletePolicy?.isSoftDeleteEnabled ?? false)
  ) {
    diffs.push("softDelete");
  }
  const actualPermissions = permissionsOf(actual);
  if (spec.sharing.permissions !== actualPermissions) {
    diffs.push(`sharing.permissions ${actualPermissions} → ${spec.sharing.permissions}`);
  } else if (spec.sharing.permissions === "Community" && spec.sharing.community) {
    const info = actual.sharingProfile?.communityGalleryInfo ?? {};
    const fields = ["publisherUri", "publisherContact", "eula", "publicNamePrefix"] as const;
    const changed = fields.filter((f) => spec.sharing.community?.[f] !== info[f]);
    if (changed.length > 0) diffs.push(`sharing.community ${changed.join(", ")}`);
  }
  return diffs;
}

/** A gallery without a sharing profile is private (ARM omits the key: docs/arm-behaviour.md#gallery-body). */
export function permissionsOf(actual: ArmGallery): SharingPermissions {
  const p = actual.sharingProfile?.permissions;
  return p === "Groups" || p === "Community" ? p : "Private";
}

/**
 * Whether moving to the spec's permissions needs a `Reset` first. ARM moves a shared gallery back
 * to Private only through the share action's Reset (which also drops its groups and community
 * info, §6); going from one shared mode to the other goes through Private the same way, and
 * the PUT that follows sets the new mode.
 */
export function needsReset(spec: GallerySpec, actual: ArmGallery): boolean {
  const current = permissionsOf(actual);
  return current !== "Private" && current !== spec.sharing.permissions;
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
