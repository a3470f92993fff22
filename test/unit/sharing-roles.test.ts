// RBAC decisions of a GallerySharing: which assignment to create or delete next, and which are ours.
import type { RoleAssignment } from "@azure/arm-authorization";
import { describe, expect, it } from "vitest";
import type { GallerySharingSpec } from "../../src/api/index.js";
import { BUILTIN_ROLES, resolveRoleDefinitionId, roleAssignmentName } from "../../src/azure/index.js";
import {
  isOwnAssignment,
  planRoles,
  rolesInPlace,
  unknownRoleMessage,
  type WantedRole,
  wantedRoles,
} from "../../src/reconcilers/gallery-sharing/roles.js";

const SUB = "00000000-0000-0000-0000-0000000000aa";
const SCOPE = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1`;
const USER = "44444444-4444-4444-4444-444444444444";
const GROUP = "55555555-5555-5555-5555-555555555555";
const READER = BUILTIN_ROLES.Reader;
const CONTRIBUTOR = BUILTIN_ROLES.Contributor;

function spec(roleAssignments: GallerySharingSpec["roleAssignments"]): GallerySharingSpec {
  return { galleryRef: { name: "g" }, roleAssignments, deletionPolicy: "Delete" };
}

function wanted(principalId: string, roleGuid: string = READER, role = "Reader"): WantedRole {
  return { principalId, principalType: "User", role, roleGuid };
}

/** An assignment as ARM lists it; ours when named the way the operator names them. */
function assignment(principalId: string, roleGuid: string, ours: boolean): RoleAssignment {
  const roleDefinitionId = resolveRoleDefinitionId(SUB, roleGuid);
  const name = ours
    ? roleAssignmentName(SCOPE, principalId, roleDefinitionId)
    : "9f1c2d3e-aaaa-4bbb-8ccc-000000000001";
  return {
    id: `${SCOPE}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope: SCOPE,
    roleDefinitionId,
    principalId,
  };
}

describe("wantedRoles", () => {
  it("resolves built-in names case-insensitively and GUIDs in any case", () => {
    const resolved = wantedRoles(
      spec([
        { principalId: USER.toUpperCase(), principalType: "User", role: "reader" },
        { principalId: GROUP, principalType: "Group", role: CONTRIBUTOR.toUpperCase() },
      ]),
    );
    expect(resolved).toEqual({
      wanted: [
        { principalId: USER, principalType: "User", role: "reader", roleGuid: READER },
        {
          principalId: GROUP,
          principalType: "Group",
          role: CONTRIBUTOR.toUpperCase(),
          roleGuid: CONTRIBUTOR,
        },
      ],
      unknown: [],
    });
  });

  it("keeps the entries it can resolve apart from those it cannot", () => {
    const resolved = wantedRoles(
      spec([
        { principalId: USER, principalType: "User", role: "Virtual Machine Contributor" },
        { principalId: GROUP, principalType: "Group", role: "Reader" },
      ]),
    );
    expect(resolved.wanted).toEqual([
      { principalId: GROUP, principalType: "Group", role: "Reader", roleGuid: READER },
    ]);
    expect(resolved.unknown).toEqual([
      { principalId: USER, principalType: "User", role: "Virtual Machine Contributor" },
    ]);
    expect(unknownRoleMessage("Virtual Machine Contributor")).toMatch(/"Virtual Machine Contributor".*GUID/);
  });
});

describe("isOwnAssignment", () => {
  it("recognises the operator's deterministic names, whatever the case ARM echoes", () => {
    const ours = assignment(USER, READER, true);
    expect(isOwnAssignment(SCOPE, SUB, ours)).toBe(true);
    expect(isOwnAssignment(SCOPE.toUpperCase(), SUB, { ...ours, name: ours.name?.toUpperCase() })).toBe(true);
    expect(isOwnAssignment(SCOPE, SUB, assignment(USER, READER, false))).toBe(false);
  });
});

describe("planRoles", () => {
  it("creates what is missing", () => {
    const steps = planRoles(SCOPE, SUB, [wanted(USER), wanted(GROUP)], [assignment(USER, READER, true)]);
    expect(steps).toMatchObject([{ create: { principalId: GROUP, roleGuid: READER } }]);
  });

  it("costs nothing when every wanted grant is in place, even one made outside the operator", () => {
    const actual = [assignment(USER, READER, true), assignment(GROUP, READER, false)];
    expect(planRoles(SCOPE, SUB, [wanted(USER), wanted(GROUP)], actual)).toEqual([]);
  });

  it("deletes its own assignments no longer wanted, never foreign ones", () => {
    const ours = assignment(GROUP, READER, true);
    const foreign = assignment(USER, CONTRIBUTOR, false);
    expect(planRoles(SCOPE, SUB, [], [foreign, ours])).toMatchObject([
      { remove: { name: ours.name, principalId: GROUP, roleGuid: READER } },
    ]);
    expect(planRoles(SCOPE, SUB, [], [foreign])).toEqual([]);
  });

  it("lists deletions before creations: a changed role revokes the old one first", () => {
    const old = assignment(USER, READER, true);
    expect(
      planRoles(SCOPE, SUB, [wanted(GROUP), wanted(USER, CONTRIBUTOR, "Contributor")], [old]),
    ).toMatchObject([
      { remove: { name: old.name } },
      { create: { principalId: GROUP, roleGuid: READER } },
      { create: { principalId: USER, roleGuid: CONTRIBUTOR } },
    ]);
  });
});

describe("planRoles at deletion (nothing wanted) and rolesInPlace", () => {
  it("deletes only its own assignments at deletion", () => {
    const ours = assignment(USER, READER, true);
    const foreign = assignment(GROUP, READER, false);
    expect(planRoles(SCOPE, SUB, [], [foreign, ours])).toMatchObject([{ remove: { name: ours.name } }]);
    expect(planRoles(SCOPE, SUB, [], [foreign])).toEqual([]);
  });

  it("reports each wanted grant in place with the id of the assignment that grants it", () => {
    const ours = assignment(USER, READER, true);
    expect(rolesInPlace([wanted(USER), wanted(GROUP)], [ours])).toEqual([
      { principalId: USER, role: "Reader", roleDefinitionId: ours.roleDefinitionId, id: ours.id },
    ]);
  });
});
