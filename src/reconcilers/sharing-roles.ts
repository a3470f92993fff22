// RBAC sharing of a gallery (seeds 002/003): the role assignments a GallerySharing asks for, which
// of those at the gallery's scope it made, and the next create or delete. Pure functions.
//
// Which assignments are ours is read from ARM, not remembered: the operator names each one it
// creates from (scope, principal, role) (src/azure roleAssignmentName), and no one else does, so
// an assignment at the gallery whose name is that hash is ours and any other is not. That
// survives a crash between the create and the status write, and needs no status to be trusted.
import {
  type GallerySharingSpec,
  isGuid,
  type PrincipalType,
  type RoleAssignmentStatus,
} from "../api/index.js";
import {
  BUILTIN_ROLES,
  type RoleAssignment,
  resolveRoleDefinitionId,
  roleAssignmentName,
} from "../azure/index.js";

/** A role assignment the spec asks for, with its role resolved. */
export interface WantedRole {
  principalId: string;
  principalType: PrincipalType;
  /** As the spec wrote it (a name or a GUID), for status. */
  role: string;
  /** The role definition GUID (lower case). */
  roleGuid: string;
}

export interface UnknownRole {
  unknown: true;
  message: string;
}

/** The next role-assignment write: create one the spec wants, or delete one of ours it no longer wants. */
export type RoleStep =
  | { create: WantedRole; note: string }
  | { remove: { name: string; id: string }; note: string };

export const UNKNOWN_ROLE_REASON = "UnknownRole";

/**
 * The spec's role assignments with their roles resolved (built-in names case-insensitively).
 * Errors (returned, not thrown): UnknownRole naming every role that is neither a built-in name
 * nor a role definition GUID.
 */
export function wantedRoles(spec: GallerySharingSpec): WantedRole[] | UnknownRole {
  const wanted: WantedRole[] = [];
  const unknown: string[] = [];
  for (const entry of spec.roleAssignments ?? []) {
    const roleGuid = roleGuidOf(entry.role);
    if (roleGuid === undefined) unknown.push(entry.role);
    else wanted.push({ ...entry, principalId: entry.principalId.toLowerCase(), roleGuid });
  }
  if (unknown.length === 0) return wanted;
  return {
    unknown: true,
    message: `unknown role ${unknown.map((r) => `"${r}"`).join(", ")}: give a built-in role name (${Object.keys(BUILTIN_ROLES).join(", ")}) or the role definition's GUID`,
  };
}

export function isUnknownRole(value: unknown): value is UnknownRole {
  return typeof value === "object" && value !== null && (value as UnknownRole).unknown === true;
}

/**
 * Whether the operator made `assignment` at `scope` (see the file comment).
 * Guarantees: false for any assignment whose name was not derived by the operator, so a
 * foreign assignment is never deleted.
 */
export function isOwnAssignment(scope: string, subscriptionId: string, assignment: RoleAssignment): boolean {
  const guid = roleGuidOfDefinition(assignment.roleDefinitionId);
  if (!assignment.name || !assignment.principalId || !guid) return false;
  const expected = roleAssignmentName(
    scope,
    assignment.principalId,
    resolveRoleDefinitionId(subscriptionId, guid),
  );
  return expected === assignment.name.toLowerCase();
}

/**
 * The next write that makes the assignments at `scope` match `wanted`; undefined when they do.
 *
 * Expected flow: 1. create the first wanted (principal, role) that no assignment at the scope
 * grants (one made outside the operator counts: ARM would answer RoleAssignmentExists); 2. then
 * delete the first assignment of ours that nothing in `wanted` asks for.
 * Guarantees: never deletes an assignment the operator did not make.
 */
export function planRoles(
  scope: string,
  subscriptionId: string,
  wanted: readonly WantedRole[],
  actual: readonly RoleAssignment[],
): RoleStep | undefined {
  const missing = wanted.find((w) => !actual.some((a) => grants(a, w)));
  if (missing) {
    return {
      create: missing,
      note: `assign ${missing.role} on the gallery to ${missing.principalType} ${missing.principalId}`,
    };
  }
  const unwanted = actual.find(
    (a) => isOwnAssignment(scope, subscriptionId, a) && !wanted.some((w) => grants(a, w)),
  );
  return unwanted ? removal(unwanted) : undefined;
}

/** The next assignment of ours to delete when the GallerySharing goes; undefined when none is left. */
export function planRoleCleanup(
  scope: string,
  subscriptionId: string,
  actual: readonly RoleAssignment[],
): RoleStep | undefined {
  const ours = actual.find((a) => isOwnAssignment(scope, subscriptionId, a));
  return ours ? removal(ours) : undefined;
}

/** Status: each wanted assignment that is in place, with the ARM id of the one granting it. */
export function rolesInPlace(
  wanted: readonly WantedRole[],
  actual: readonly RoleAssignment[],
): RoleAssignmentStatus[] {
  return wanted.flatMap((w) => {
    const found = actual.find((a) => grants(a, w));
    if (!found) return [];
    return [
      {
        principalId: w.principalId,
        role: w.role,
        ...(found.roleDefinitionId ? { roleDefinitionId: found.roleDefinitionId } : {}),
        ...(found.id ? { id: found.id } : {}),
      },
    ];
  });
}

function removal(a: RoleAssignment): RoleStep {
  const name = a.name ?? "";
  return {
    remove: { name, id: a.id ?? name },
    note: `remove role assignment ${name} (role ${roleGuidOfDefinition(a.roleDefinitionId) ?? "?"} for ${a.principalId ?? "?"}) from the gallery`,
  };
}

function grants(a: RoleAssignment, w: WantedRole): boolean {
  return (
    a.principalId?.toLowerCase() === w.principalId && roleGuidOfDefinition(a.roleDefinitionId) === w.roleGuid
  );
}

function roleGuidOf(role: string): string | undefined {
  const builtin = Object.entries(BUILTIN_ROLES).find(([name]) => name.toLowerCase() === role.toLowerCase());
  if (builtin) return builtin[1];
  const lower = role.toLowerCase();
  return isGuid(lower) ? lower : undefined;
}

/** `/subscriptions/…/roleDefinitions/{guid}` → the GUID, lower case. */
function roleGuidOfDefinition(id: string | undefined): string | undefined {
  const guid = id?.split("/").pop()?.toLowerCase();
  return guid && isGuid(guid) ? guid : undefined;
}
