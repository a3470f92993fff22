// Gallery spec → the ARM body to PUT, and the comparison that decides whether a PUT is needed.
// Pure functions: the reconciler's decisions are unit-tested here without Kubernetes or ARM.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import type { GallerySpec, SharingPermissions } from "../../api/index.js";
import type { FieldDifference } from "../driver/arm-kind.js";
import { tagDifferences, tagsToPut } from "../driver/tags.js";

/**
 * The full body a PUT sends (ARM replaces the gallery with it; PATCH is not used, as the CLI
 * doesn't). Tags: the spec's over those found in Azure (`actual`), less the keys the operator set
 * before (`managed`) and the spec dropped (tags.ts).
 */
export function desiredGalleryBody(
  spec: GallerySpec,
  actual?: ArmGallery,
  managed: readonly string[] = [],
): ArmGallery {
  const body: ArmGallery = {
    location: spec.location,
    tags: tagsToPut(spec.tags, actual?.tags, managed),
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

/**
 * What differs between the spec and Azure in what the operator owns, field by field; empty when
 * in sync. Tags count only for the keys the operator owns (`managed`: those it set before).
 */
export function galleryDifferences(
  spec: GallerySpec,
  actual: ArmGallery,
  managed: readonly string[] = [],
): FieldDifference[] {
  const diffs: FieldDifference[] = [];
  if ((spec.description ?? "") !== (actual.description ?? "")) {
    diffs.push({ field: "description", want: spec.description, have: actual.description });
  }
  diffs.push(...tagDifferences(spec.tags, actual.tags, managed));
  const softDelete = actual.softDeletePolicy?.isSoftDeleteEnabled ?? false;
  if (spec.softDelete !== undefined && spec.softDelete !== softDelete) {
    diffs.push({ field: "softDelete", want: String(spec.softDelete), have: String(softDelete) });
  }
  const actualPermissions = permissionsOf(actual);
  if (spec.sharing.permissions !== actualPermissions) {
    // A GallerySharing's Reset sets it back to Private on purpose (its Gallery restores the mode).
    const field = "sharing.permissions";
    diffs.push({ field, want: spec.sharing.permissions, have: actualPermissions, shared: true });
  } else if (spec.sharing.permissions === "Community" && spec.sharing.community) {
    const info = actual.sharingProfile?.communityGalleryInfo ?? {};
    const fields = ["publisherUri", "publisherContact", "eula", "publicNamePrefix"] as const;
    for (const f of fields) {
      const want = spec.sharing.community[f];
      if (want !== info[f]) diffs.push({ field: `sharing.community.${f}`, want, have: info[f] });
    }
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
