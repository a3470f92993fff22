// A gallery's direct and community sharing: what a GallerySharing asks for, what ARM holds, and
// the one `POST …/share` that brings ARM closer. Pure functions, so every decision that spends the
// scarcest ARM budget (PostShareGallery: 10 per 3 minutes per subscription) is unit-tested.
import type { Gallery as ArmGallery, SharingUpdate } from "@azure/arm-compute";
import {
  type GallerySharingSpec,
  type GallerySharingStatus,
  SHARING_LIMITS,
  type SharingPermissions,
  type SharingStepAction,
} from "../../api/index.js";
import { permissionsOf } from "../gallery/body.js";

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
  /** The step it is, for status (`ShareAdd`, `ShareRemove`, …). */
  action: ShareStepAction;
  update: SharingUpdate;
  /** The ids it carries (none for Reset and EnableCommunity). */
  ids: SharingSet;
  note: string;
}

export type ShareStepAction = Extract<SharingStepAction, `Share${string}`>;

/**
 * The share actions that make ARM match a GallerySharing's spec: at most one removal and one
 * addition, each a single `POST …/share`.
 */
export interface SharePlan {
  /** Ids shared and no longer wanted (Remove), or community sharing to end (Reset). */
  removal?: ShareAction;
  /** Ids wanted and missing (Add), or community sharing to start (EnableCommunity). */
  addition?: ShareAction;
  /** The addition would take the gallery past ARM's limits before the removal: it goes after it. */
  additionWaitsForRemoval?: boolean;
  /** The addition needs a sharing mode the gallery does not have. */
  refusal?: ShareRefusal;
}

/** The spec asks for something the gallery's permissions cannot give; the user must change a spec. */
export interface ShareRefusal {
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
 * community switch only on a Community one: ARM drops both on the way to Private (docs/arm-behaviour.md#share).
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
 * The share actions that make ARM match `desired`; an empty plan when it already does.
 *
 * Expected flow (the caller sends the removal before the addition, and neither waits for the
 * other's failure):
 * 1. Removal: community sharing on and not wanted → `Reset` (ARM's only way off, §6); else ids
 *    shared and not wanted → one `Remove` of only those (both group types in one call). Never a
 *    Reset on a Groups gallery: its sharing mode belongs to the Gallery (docs/api.md).
 * 2. Addition: refused when the gallery's permissions cannot give it (direct sharing needs
 *    `Groups`, community `Community`); community wanted and off → `EnableCommunity`; ids wanted
 *    and missing → one `Add` of only those, marked as waiting for the removal when ARM would
 *    refuse it before (more than 30 subscriptions or 5 tenants at once).
 * Guarantees: ids compare case-insensitively; a group type with no ids is left out of the body;
 * when `desired` fits ARM's limits the Add fits once the removal is done.
 */
export function planShare(desired: SharingSet, actual: ActualSharing): SharePlan {
  const plan: SharePlan = {};
  const extra = minus(actual, desired);
  if (actual.community && !desired.community) {
    plan.removal = {
      action: "ShareReset",
      update: { operationType: "Reset" },
      ids: none(),
      note: "stop sharing with the community (Reset)",
    };
  } else if (!isEmpty(extra)) {
    plan.removal = groupAction("Remove", extra);
  }
  if (desired.community ? actual.community : isEmpty(minus(desired, actual))) return plan;
  const refusal = refuse(desired, actual.permissions);
  if (refusal) return { ...plan, refusal };
  if (desired.community) {
    plan.addition = {
      action: "ShareEnableCommunity",
      update: { operationType: "EnableCommunity", groups: [] },
      ids: none(),
      note: "share the community gallery with every Azure user (EnableCommunity)",
    };
    return plan;
  }
  const missing = minus(desired, actual);
  plan.addition = groupAction("Add", missing);
  if (!fitsLimits(union(actual, missing))) plan.additionWaitsForRemoval = true;
  return plan;
}

/**
 * The next share action that undoes what a deleted GallerySharing shared; undefined when none
 * of it is left.
 *
 * Expected flow: 1. community sharing it switched on → `Reset` (ARM has no other way off);
 * 2. ids it shared that ARM still holds → one `Remove` of just those (never a Reset: the
 * gallery keeps the sharing mode its Gallery spec gives it).
 * Guarantees: ids shared by someone else (not in `owned`) stay shared unless a Reset is the only
 * way to undo community sharing.
 */
export function planUnshare(owned: SharingSet, actual: ActualSharing): ShareAction | undefined {
  if (owned.community && actual.community) {
    return {
      action: "ShareReset",
      update: { operationType: "Reset" },
      ids: none(),
      note: "stop sharing with the community (Reset)",
    };
  }
  const ours = intersect(owned, actual);
  return isEmpty(ours) ? undefined : groupAction("Remove", ours);
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
      reason: SHARE_REFUSALS.GalleryNotGroups,
      message: `the gallery's sharing permissions are ${permissions} in Azure; sharing with subscriptions or tenants needs Groups: set spec.sharing.permissions to Groups on the Gallery`,
    };
  }
  if (desired.community && permissions !== "Community") {
    return {
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
  return {
    action: operationType === "Add" ? "ShareAdd" : "ShareRemove",
    update: { operationType, groups },
    ids,
    note: `${verb} ${describe(ids)} (${operationType})`,
  };
}

function fitsLimits(set: SharingSet): boolean {
  return (
    set.subscriptions.length <= SHARING_LIMITS.subscriptions && set.tenants.length <= SHARING_LIMITS.tenants
  );
}

function none(): SharingSet {
  return { subscriptions: [], tenants: [], community: false };
}

function union(a: SharingSet, b: SharingSet): SharingSet {
  return {
    subscriptions: idSet([...a.subscriptions, ...b.subscriptions]),
    tenants: idSet([...a.tenants, ...b.tenants]),
    community: a.community || b.community,
  };
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
