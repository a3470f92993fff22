// RBAC sharing of a gallery (seeds 002/003): the role assignments a GallerySharing asks for, which
// of those at the gallery's scope it made, and the next create or delete. Pure functions.
//
// Which assignments are ours is read from ARM, not remembered: the operator names each one it
// creates from (scope, principal, role) (src/azure roleAssignmentName), and no one else does, so
// an assignment at the gallery whose name is that hash is ours and any other is not. That
// survives a crash between the create and the status write, and needs no status to be trusted.
import {
  type GalleryRoleAssignment,
  type GallerySharingSpec,
  isGuid,
  type PrincipalType,
  type RoleAssignmentStatus,
} from "../../api/index.js";
import {
  BUILTIN_ROLES,
  type RoleAssignment,
  resolveRoleDefinitionId,
  roleAssignmentName,
} from "../../azure/index.js";

/** A role assignment the spec asks for, with its role resolved. */
export interface WantedRole {
  principalId: string;
  principalType: PrincipalType;
  /** As the spec wrote it (a name or a GUID), for status. */
  role: string;
  /** The role definition GUID (lower case). */
  roleGuid: string;
}

/** The spec's role assignments: those whose role resolved, and those naming no known role. */
export interface WantedRoles {
  wanted: WantedRole[];
  unknown: GalleryRoleAssignment[];
}

/** A role-assignment write: create one the spec wants, or delete one of ours it no longer wants. */
export type RoleStep =
  | { create: WantedRole; note: string }
  | { remove: { name: string; id: string; principalId: string; roleGuid: string }; note: string };

export const UNKNOWN_ROLE_REASON = "UnknownRole";

/** The spec's role assignments with their roles resolved (built-in names case-insensitively). */
export function wantedRoles(spec: GallerySharingSpec): WantedRoles {
  const wanted: WantedRole[] = [];
  const unknown: GalleryRoleAssignment[] = [];
  for (const entry of spec.roleAssignments ?? []) {
    const roleGuid = roleGuidOf(entry.role);
    if (roleGuid === undefined) unknown.push(entry);
    else wanted.push({ ...entry, principalId: entry.principalId.toLowerCase(), roleGuid });
  }
  return { wanted, unknown };
}

/** What to tell the user about a role name that is neither built in nor a GUID. */
export function unknownRoleMessage(role: string): string {
  return `unknown role "${role}": give a built-in role name (${Object.keys(BUILTIN_ROLES).join(", ")}) or the role definition's GUID`;
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
 * The writes that make the assignments at `scope` match `wanted`, removals first.
 *
 * Expected flow: 1. delete each assignment of ours that nothing in `wanted` asks for; 2. create
 * each wanted (principal, role) that no assignment at the scope grants (one made outside the
 * operator counts: ARM would answer RoleAssignmentExists).
 * Guarantees: never deletes an assignment the operator did not make.
 */
export function planRoles(
  scope: string,
  subscriptionId: string,
  wanted: readonly WantedRole[],
  actual: readonly RoleAssignment[],
): RoleStep[] {
  const removals = actual
    .filter((a) => isOwnAssignment(scope, subscriptionId, a) && !wanted.some((w) => grants(a, w)))
    .map(removal);
  const creations = wanted
    .filter((w) => !actual.some((a) => grants(a, w)))
    .map((w) => ({
      create: w,
      note: `assign ${w.role} on the gallery to ${w.principalType} ${w.principalId}`,
    }));
  return [...removals, ...creations];
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
  const principalId = a.principalId?.toLowerCase() ?? "";
  const roleGuid = roleGuidOfDefinition(a.roleDefinitionId) ?? "";
  return {
    remove: { name, id: a.id ?? name, principalId, roleGuid },
    note: `remove role assignment ${name} (role ${roleGuid || "?"} for ${principalId || "?"}) from the gallery`,
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
