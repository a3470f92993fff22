import { describe, expect, it } from "vitest";
import { describeResumeToken, InvalidResumeTokenError } from "../../../src/azure/lro.js";
import { resolveRoleDefinitionId, roleAssignmentName } from "../../../src/azure/role-assignments.js";

// A token core-lro really makes is read in test/azure/lro.test.ts; here only what is not one.
describe("resume tokens", () => {
  it("reject anything else", () => {
    expect(() => describeResumeToken("not json")).toThrow(InvalidResumeTokenError);
    expect(() => describeResumeToken(JSON.stringify({ state: { status: "running", config: {} } }))).toThrow(
      InvalidResumeTokenError,
    );
  });
});

describe("role assignment names", () => {
  const scope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g";
  it("are stable GUIDs derived from scope, principal and role", () => {
    const name = roleAssignmentName(scope, "p1", "r1");
    expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(roleAssignmentName(scope.toUpperCase(), "P1", "R1")).toBe(name);
    expect(roleAssignmentName(scope, "p2", "r1")).not.toBe(name);
  });

  it("resolve built-in names and GUIDs to role definition ids", () => {
    expect(resolveRoleDefinitionId("s", "Reader")).toBe(
      "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
    );
    expect(resolveRoleDefinitionId("s", "b24988ac-6180-42a0-ab88-20f7382dd24c")).toBe(
      "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
    );
    expect(resolveRoleDefinitionId("s", "/providers/x")).toBe("/providers/x");
  });
});
