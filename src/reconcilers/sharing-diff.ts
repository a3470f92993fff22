// A gallery's direct and community sharing: what a GallerySharing asks for, what ARM holds, and
// the one `POST …/share` that brings ARM closer. Pure functions, so every decision that spends the
// scarcest ARM budget (PostShareGallery: 10 per 3 minutes per subscription) is unit-tested.
import type { Gallery as ArmGallery, SharingUpdate } from "@azure/arm-compute";
import type { GallerySharingSpec, GallerySharingStatus, SharingPermissions } from "../api/index.js";
import { permissionsOf } from "./gallery-body.js";

/** Who a gallery is shared with. Ids are lower case, unique and sorted, so lists compare as sets. */
export interface SharingSet {
  subscriptions: string[];
  tenants: string[];
  /** Public to every Azure user (EnableCommunity). */
  community: boolean;
}

/** The sharing ARM reports (`GET …?$select=Permissions`). */
export interface ActualSharing extends SharingSet {
  permissions: SharingPermissions;
  publicNames: string[];
}

/** One share action and what it is for, in words for events and logs. */
export interface ShareAction {
  update: SharingUpdate;
  note: string;
}

/** The spec asks for something the gallery's permissions cannot give; the user must change a spec. */
export interface ShareRefusal {
  refused: true;
  reason: string;
  message: string;
}

export const SHARE_REFUSALS = {
  /** Direct sharing needs `sharing.permissions: Groups` on the Gallery. */
  GalleryNotGroups: "GalleryNotGroups",
  /** Community sharing needs `sharing.permissions: Community` on the Gallery. */
  GalleryNotCommunity: "GalleryNotCommunity",
} as const;

/** Lower-cases, drops duplicates and sorts: ARM echoes GUIDs in whatever case it was sent them. */
export function idSet(ids: readonly string[] | undefined): string[] {
  return [...new Set((ids ?? []).map((id) => id.toLowerCase()))].sort();
}

export function desiredSharing(spec: GallerySharingSpec): SharingSet {
  return {
    subscriptions: idSet(spec.subscriptions),
    tenants: idSet(spec.tenants),
    community: spec.community?.enabled === true,
  };
}

/**
 * What ARM says the gallery is shared with. Groups only count on a Groups gallery and the
 * community switch only on a Community one: ARM drops both on the way to Private (facts §6).
 */
export function actualSharing(gallery: ArmGallery): ActualSharing {
  const permissions = permissionsOf(gallery);
  const groups = permissions === "Groups" ? (gallery.sharingProfile?.groups ?? []) : [];
  const idsOf = (type: string) =>
    idSet(groups.filter((g) => g.type?.toLowerCase() === type.toLowerCase()).flatMap((g) => g.ids ?? []));
  const info = permissions === "Community" ? gallery.sharingProfile?.communityGalleryInfo : undefined;
  return {
    permissions,
    subscriptions: idsOf("Subscriptions"),
    tenants: idsOf("AADTenants"),
    community: info?.communityGalleryEnabled === true,
    publicNames: info?.publicNames ?? [],
  };
}

/**
 * The next share action that makes ARM match `desired`; undefined when it already does.
 *
 * Expected flow, one action per call (ARM runs one share operation per gallery at a time, and
 * each costs a PostShareGallery call):
 * 1. Refuse what the gallery's permissions cannot give: direct sharing on a gallery that is not
 *    `Groups`, community sharing on one that is not `Community`.
 * 2. Nothing wanted, something shared → `Reset` (the only way back from community sharing).
 * 3. Community wanted and not yet public → `EnableCommunity`.
 * 4. Direct: ids wanted and missing → one `Add` of only those (both group types in one call);
 *    then ids shared and no longer wanted → one `Remove` of only those.
 * Guarantees: ids compare case-insensitively; a group type with no ids is left out of the body.
 */
export function planShare(
  desired: SharingSet,
  actual: ActualSharing,
): ShareAction | ShareRefusal | undefined {
  const refusal = refuse(desired, actual.permissions);
  if (refusal) return refusal;
  if (isEmpty(desired)) {
    return isEmpty(actual)
      ? undefined
      : { update: { operationType: "Reset" }, note: `stop sharing with ${describe(actual)} (Reset)` };
  }
  if (desired.community) {
    return actual.community
      ? undefined
      : {
          update: { operationType: "EnableCommunity", groups: [] },
          note: "share the community gallery with every Azure user (EnableCommunity)",
        };
  }
  const missing = minus(desired, actual);
  if (!isEmpty(missing)) return groupAction("Add", missing);
  const extra = minus(actual, desired);
  if (!isEmpty(extra)) return groupAction("Remove", extra);
  return undefined;
}

/**
 * The share action that states all of `desired` again though ARM holds it already (what a
 * "PUT everything each sync" policy does with a POST-only action): `EnableCommunity` for
 * community sharing, else one `Add` of every id; undefined when nothing is shared.
 */
export function reapplyShare(desired: SharingSet): ShareAction | undefined {
  if (desired.community) {
    return {
      update: { operationType: "EnableCommunity", groups: [] },
      note: "share the community gallery with every Azure user again (EnableCommunity)",
    };
  }
  return isEmpty(desired) ? undefined : groupAction("Add", desired);
}

/**
 * The next share action that undoes what a deleted GallerySharing shared; undefined when none
 * of it is left.
 *
 * Expected flow: 1. community sharing it switched on → `Reset` (ARM has no other way off);
 * 2. ids it shared that ARM still holds: all ARM holds → `Reset`, else one `Remove` of just those.
 * Guarantees: ids shared by someone else (not in `owned`) stay shared unless a Reset is the only
 * way to undo community sharing.
 */
export function planUnshare(owned: SharingSet, actual: ActualSharing): ShareAction | undefined {
  if (owned.community && actual.community) {
    return { update: { operationType: "Reset" }, note: "stop sharing with the community (Reset)" };
  }
  const ours = intersect(owned, actual);
  if (isEmpty(ours)) return undefined;
  if (isEmpty(minus(actual, owned))) {
    return { update: { operationType: "Reset" }, note: `stop sharing with ${describe(ours)} (Reset)` };
  }
  return groupAction("Remove", ours);
}

/**
 * What a GallerySharing answers for at deletion: its spec and what its status last saw shared
 * (which it had made match its spec), so that an edit not yet applied strands nothing.
 */
export function ownedSharing(spec: GallerySharingSpec, status: GallerySharingStatus | undefined): SharingSet {
  const desired = desiredSharing(spec);
  return {
    subscriptions: idSet([...desired.subscriptions, ...(status?.sharedWith?.subscriptions ?? [])]),
    tenants: idSet([...desired.tenants, ...(status?.sharedWith?.tenants ?? [])]),
    community: desired.community || status?.community?.enabled === true,
  };
}

export function isRefusal(value: unknown): value is ShareRefusal {
  return typeof value === "object" && value !== null && (value as ShareRefusal).refused === true;
}

/** "2 subscriptions and 1 tenant", "the community", "no one". */
export function describe(set: SharingSet): string {
  const parts: string[] = [];
  if (set.subscriptions.length > 0) parts.push(count(set.subscriptions.length, "subscription"));
  if (set.tenants.length > 0) parts.push(count(set.tenants.length, "tenant"));
  if (set.community) parts.push("the community");
  return parts.length > 0 ? parts.join(" and ") : "no one";
}

function refuse(desired: SharingSet, permissions: SharingPermissions): ShareRefusal | undefined {
  const direct = desired.subscriptions.length + desired.tenants.length > 0;
  if (direct && permissions !== "Groups") {
    return {
      refused: true,
      reason: SHARE_REFUSALS.GalleryNotGroups,
      message: `the gallery's sharing permissions are ${permissions} in Azure; sharing with subscriptions or tenants needs Groups: set spec.sharing.permissions to Groups on the Gallery`,
    };
  }
  if (desired.community && permissions !== "Community") {
    return {
      refused: true,
      reason: SHARE_REFUSALS.GalleryNotCommunity,
      message: `the gallery's sharing permissions are ${permissions} in Azure; community sharing needs Community: set spec.sharing.permissions to Community (with spec.sharing.community) on the Gallery`,
    };
  }
  return undefined;
}

function groupAction(operationType: "Add" | "Remove", ids: SharingSet): ShareAction {
  const groups: NonNullable<SharingUpdate["groups"]> = [];
  if (ids.subscriptions.length > 0) groups.push({ type: "Subscriptions", ids: ids.subscriptions });
  if (ids.tenants.length > 0) groups.push({ type: "AADTenants", ids: ids.tenants });
  const verb = operationType === "Add" ? "share with" : "stop sharing with";
  return { update: { operationType, groups }, note: `${verb} ${describe(ids)} (${operationType})` };
}

function isEmpty(set: SharingSet): boolean {
  return set.subscriptions.length === 0 && set.tenants.length === 0 && !set.community;
}

/** The ids of `a` not in `b` (community left out: it is no group). */
function minus(a: SharingSet, b: SharingSet): SharingSet {
  return {
    subscriptions: a.subscriptions.filter((id) => !b.subscriptions.includes(id)),
    tenants: a.tenants.filter((id) => !b.tenants.includes(id)),
    community: false,
  };
}

function intersect(a: SharingSet, b: SharingSet): SharingSet {
  return {
    subscriptions: a.subscriptions.filter((id) => b.subscriptions.includes(id)),
    tenants: a.tenants.filter((id) => b.tenants.includes(id)),
    community: false,
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
