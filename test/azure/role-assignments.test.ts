// Role assignments on a gallery through the classic @azure/arm-authorization client, against the
// simulator: create is repeatable, listing keeps only the scope's own assignments, delete is
// idempotent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientFactory } from "../../src/azure/clients.js";
import { galleryId, resourceGroupId, sameArmId } from "../../src/azure/ids.js";
import { type ArmApi, createArmApi } from "../../src/azure/index.js";
import { BUILTIN_ROLES } from "../../src/azure/role-assignments.js";
import type { Simulator } from "../../tools/sim/index.js";
import { startTestSimulator } from "../support/sim.js";
import { appIdentity, SUB_A, simFactory, TENANT_A } from "./helpers.js";

const PRINCIPAL = "eeeeeeee-0000-4000-8000-0000000000ee";
const rg = { subscriptionId: SUB_A, resourceGroup: "rg" };

describe("role assignments", () => {
  let sim: Simulator;
  let factory: ClientFactory;
  let arm: ArmApi;
  const scope = galleryId({ ...rg, gallery: "rbac" });

  beforeAll(async () => {
    sim = await startTestSimulator();
    sim.seed({
      tenants: [{ id: TENANT_A, subscriptions: [SUB_A] }],
      resourceGroups: [{ ...rg, name: "rg", location: "westus" }],
    });
    factory = simFactory(sim, { retry: { maxRetries: 0 } });
    arm = createArmApi(factory.clientsFor(appIdentity(TENANT_A)));
    const created = await arm.galleries.put({ ...rg, gallery: "rbac" }, { location: "westus" });
    expect(created.status).not.toBe("failed");
  });
  afterAll(async () => {
    factory?.close();
    await sim?.close();
  });

  it("creates, lists exactly at the scope, and deletes", async () => {
    const inherited = await arm.roleAssignments.create(resourceGroupId(rg), {
      principalId: PRINCIPAL,
      principalType: "ServicePrincipal",
      role: "Contributor",
    });
    const reader = await arm.roleAssignments.create(scope, {
      principalId: PRINCIPAL,
      principalType: "ServicePrincipal",
      role: "Reader",
    });
    expect(reader.roleDefinitionId?.endsWith(BUILTIN_ROLES.Reader)).toBe(true);
    expect(sameArmId(reader.scope ?? "", scope)).toBe(true);

    // The same create again is the same PUT (same derived name), not a second assignment.
    const again = await arm.roleAssignments.create(scope, {
      principalId: PRINCIPAL,
      role: BUILTIN_ROLES.Reader,
    });
    expect(again.name).toBe(reader.name);

    const atScope = await arm.roleAssignments.listAtScope(scope);
    expect(atScope.map((a) => a.name)).toEqual([reader.name]);

    await arm.roleAssignments.delete(scope, reader.name as string);
    await arm.roleAssignments.delete(scope, reader.name as string);
    expect(await arm.roleAssignments.listAtScope(scope)).toEqual([]);
    await arm.roleAssignments.delete(resourceGroupId(rg), inherited.name as string);
  });

  it("reports an assignment made elsewhere under another name as a Conflict", async () => {
    const client = factory.authorization(appIdentity(TENANT_A), SUB_A);
    const elsewhere = "0f0f0f0f-0000-4000-8000-000000000001";
    await client.roleAssignments.create(scope.slice(1), elsewhere, {
      principalId: PRINCIPAL,
      roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES.Reader}`,
    });
    try {
      const error = await arm.roleAssignments
        .create(scope, { principalId: PRINCIPAL, role: "Reader" })
        .catch((e) => e);
      expect(error).toMatchObject({ kind: "Conflict", status: 409, code: "RoleAssignmentExists" });
    } finally {
      // The other tests here assign the same principal the same role at this scope.
      await client.roleAssignments.delete(scope.slice(1), elsewhere);
    }
  });

  it("reads a bad role as a UserError", async () => {
    const error = await arm.roleAssignments
      .create(scope, { principalId: PRINCIPAL, role: "00000000-0000-4000-8000-000000000000" })
      .catch((e) => e);
    expect(error).toMatchObject({ kind: "UserError", status: 400, code: "RoleDefinitionDoesNotExist" });
  });
});
