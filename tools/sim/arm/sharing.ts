// Gallery sharing rules: what `POST .../share` accepts and what it does to the sharing profile
// (docs/arm-behaviour.md#share). The handler validates when the request arrives; the operation engine
// applies the change when the operation completes, re-checking the limits then.
import { randomUUID } from "node:crypto";
import { type ArmError, invalidParameter, operationNotAllowed } from "../errors.js";
import { isObject, type JsonObject } from "../json.js";
import type { GalleryRecord, GroupType, ShareChange, SharingGroup, SharingState } from "../state/model.js";

export const MAX_SHARED_SUBSCRIPTIONS = 30;
export const MAX_SHARED_TENANTS = 5;

const OPERATION_TYPES = ["Add", "Remove", "Reset", "EnableCommunity"] as const;
const GROUP_TYPES: Record<string, GroupType> = { subscriptions: "Subscriptions", aadtenants: "AADTenants" };

/** Reads a SharingUpdate body (`operationType`, `groups`), with ARM's case-insensitive enums. */
export function parseShareRequest(body: JsonObject): ShareChange {
  const requested = typeof body.operationType === "string" ? body.operationType : "";
  const operationType = OPERATION_TYPES.find((type) => type.toLowerCase() === requested.toLowerCase());
  if (!operationType) {
    throw invalidParameter(
      `The value '${requested}' of parameter 'sharingUpdate.operationType' is invalid. Allowed values are 'Add', 'Remove', 'Reset', 'EnableCommunity'.`,
      "sharingUpdate.operationType",
    );
  }
  const rawGroups = body.groups === undefined || body.groups === null ? [] : body.groups;
  if (!Array.isArray(rawGroups))
    throw invalidParameter("The 'groups' value must be a list.", "sharingUpdate.groups");
  const groups: SharingGroup[] = rawGroups.map((group, index) => {
    const type =
      isObject(group) && typeof group.type === "string" ? GROUP_TYPES[group.type.toLowerCase()] : undefined;
    const ids = isObject(group) && Array.isArray(group.ids) ? group.ids : undefined;
    if (!type || !ids?.every((id) => typeof id === "string" && id !== "")) {
      throw invalidParameter(
        `Group ${index} must have a 'type' of 'Subscriptions' or 'AADTenants' and a list of 'ids'.`,
        `sharingUpdate.groups[${index}]`,
      );
    }
    return { type, ids: ids as string[] };
  });
  if (
    (operationType === "Add" || operationType === "Remove") &&
    groups.every((group) => group.ids.length === 0)
  ) {
    throw invalidParameter(
      `Operation '${operationType}' needs at least one subscription or tenant id.`,
      "sharingUpdate.groups",
    );
  }
  return { operationType, groups };
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Groups after adding, in the order ARM keeps: existing groups first, ids appended. */
function addGroups(existing: SharingGroup[], added: SharingGroup[]): SharingGroup[] {
  const result = existing.map((group) => ({ type: group.type, ids: [...group.ids] }));
  for (const group of added) {
    let target = result.find((candidate) => candidate.type === group.type);
    if (!target) {
      target = { type: group.type, ids: [] };
      result.push(target);
    }
    for (const id of group.ids) if (!target.ids.some((known) => sameId(known, id))) target.ids.push(id);
  }
  return result.filter((group) => group.ids.length > 0);
}

/** Groups after removing; a group left without ids disappears (SG #70). */
function removeGroups(existing: SharingGroup[], removed: SharingGroup[]): SharingGroup[] {
  return existing
    .map((group) => {
      const gone = removed.filter((r) => r.type === group.type).flatMap((r) => r.ids);
      return { type: group.type, ids: group.ids.filter((id) => !gone.some((g) => sameId(g, id))) };
    })
    .filter((group) => group.ids.length > 0);
}

function countIds(groups: SharingGroup[], type: GroupType): number {
  return groups.filter((group) => group.type === type).reduce((sum, group) => sum + group.ids.length, 0);
}

function checkLimits(groups: SharingGroup[]): ArmError | undefined {
  const subscriptions = countIds(groups, "Subscriptions");
  const tenants = countIds(groups, "AADTenants");
  if (subscriptions <= MAX_SHARED_SUBSCRIPTIONS && tenants <= MAX_SHARED_TENANTS) return undefined;
  return invalidParameter(
    `A gallery can be directly shared with at most ${MAX_SHARED_SUBSCRIPTIONS} subscriptions and ${MAX_SHARED_TENANTS} tenants; this request would share it with ${subscriptions} subscriptions and ${tenants} tenants.`,
    "sharingUpdate.groups",
  );
}

/**
 * Refuses a share request the RP would refuse: Add/Remove on a gallery whose permissions are not
 * `Groups`, Add beyond 30 subscriptions / 5 tenants or into a gallery holding encrypted
 * versions, EnableCommunity on a gallery whose permissions are not `Community`.
 */
export function checkShareAllowed(
  gallery: GalleryRecord,
  change: ShareChange,
  holdsEncryptedVersions: boolean,
): void {
  const permissions = gallery.sharing?.permissions ?? "Private";
  switch (change.operationType) {
    case "Add":
    case "Remove": {
      if (permissions !== "Groups") {
        throw operationNotAllowed(
          `Gallery '${gallery.name}' has sharing permissions '${permissions}'. Operation '${change.operationType}' needs a gallery created or updated with sharingProfile.permissions 'Groups'.`,
        );
      }
      if (change.operationType === "Add") {
        if (holdsEncryptedVersions) {
          throw operationNotAllowed(
            `Gallery '${gallery.name}' holds image versions encrypted with customer-managed keys, which cannot be shared directly with subscriptions or tenants.`,
          );
        }
        const limitError = checkLimits(addGroups(gallery.sharing?.groups ?? [], change.groups));
        if (limitError) throw limitError;
      }
      return;
    }
    case "EnableCommunity": {
      if (permissions !== "Community") {
        throw operationNotAllowed(
          `Gallery '${gallery.name}' has sharing permissions '${permissions}'. Operation 'EnableCommunity' needs a gallery created or updated with sharingProfile.permissions 'Community'.`,
        );
      }
      return;
    }
    case "Reset":
      return;
  }
}

/**
 * Applies a share change to the gallery. Returns an error (and changes nothing) when it would
 * break a limit that held when the request was accepted but no longer does.
 */
export function applyShare(gallery: GalleryRecord, change: ShareChange): ArmError | undefined {
  const current: SharingState = gallery.sharing ?? { permissions: "Private", groups: [] };
  switch (change.operationType) {
    case "Add": {
      const groups = addGroups(current.groups, change.groups);
      const limitError = checkLimits(groups);
      if (limitError) return limitError;
      gallery.sharing = { ...current, groups };
      return undefined;
    }
    case "Remove":
      gallery.sharing = { ...current, groups: removeGroups(current.groups, change.groups) };
      return undefined;
    case "Reset":
      // Reset turns Groups and Community galleries alike to Private (docs/arm-behaviour.md#share).
      gallery.sharing = { permissions: "Private", groups: [] };
      return undefined;
    case "EnableCommunity":
      if (current.community)
        gallery.sharing = { ...current, community: { ...current.community, enabled: true } };
      return undefined;
  }
}

/** Whether a consumer (by subscription or by tenant) can see a directly shared gallery. */
export function isSharedWith(
  gallery: GalleryRecord,
  subscriptionId: string,
  tenantId: string,
  byTenant: boolean,
): boolean {
  const sharing = gallery.sharing;
  if (sharing?.permissions !== "Groups") return false;
  const type: GroupType = byTenant ? "AADTenants" : "Subscriptions";
  const wanted = byTenant ? tenantId : subscriptionId;
  return sharing.groups.some((group) => group.type === type && group.ids.some((id) => sameId(id, wanted)));
}

/** `{publicNamePrefix}-{lower-case GUID}`, new on every Community PUT (docs/arm-behaviour.md#community). */
export function newPublicName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** `{subscriptionId}-{GALLERY NAME IN UPPER CASE}` (docs/arm-behaviour.md#unique-name). */
export function uniqueNameOf(gallery: GalleryRecord): string {
  return `${gallery.subscriptionId}-${gallery.name.toUpperCase()}`;
}
