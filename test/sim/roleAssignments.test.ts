// Role assignments and role definitions through the real @azure/arm-authorization client.
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { READER_ROLE_ID, type Simulator } from "../../src/sim/index.js";
import { authorizationClient, computeClient, FAST_POLL, startTestSimulator } from "../support/sim.js";
import { FOREIGNER, galleryPath, OWNER, RG, SUBSCRIPTION, seedWorld, TENANT } from "./world.js";

let sim: Simulator;
let client: AuthorizationManagementClient;
const galleryScope = galleryPath("g1");
const readerId = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${READER_ROLE_ID}`;
const principalId = "7d0b5ec7-0000-4000-8000-0000000000aa";

beforeAll(async () => {
  sim = await startTestSimulator();
  client = authorizationClient(sim, OWNER, SUBSCRIPTION);
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.reset();
  seedWorld(sim);
  await computeClient(sim, OWNER, SUBSCRIPTION).galleries.createOrUpdate(
    RG,
    "g1",
    { location: "westus" },
    FAST_POLL,
  );
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

it("knows the real Reader role definition", async () => {
  const reader = await client.roleDefinitions.get(galleryScope, READER_ROLE_ID);
  expect(reader).toMatchObject({
    roleName: "Reader",
    roleType: "BuiltInRole",
    name: READER_ROLE_ID,
    id: readerId,
  });
  const byName = await collect(
    client.roleDefinitions.list(`/subscriptions/${SUBSCRIPTION}`, { filter: "roleName eq 'Reader'" }),
  );
  expect(byName.map((role) => role.name)).toEqual([READER_ROLE_ID]);
});

it("creates, reads, lists at scope and deletes an assignment", async () => {
  const name = "0f7c8a1d-0000-4000-8000-000000000001";
  const created = await client.roleAssignments.create(galleryScope, name, {
    roleDefinitionId: readerId,
    principalId,
    principalType: "ServicePrincipal",
  });
  expect(created).toMatchObject({
    name,
    id: `${galleryScope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    type: "Microsoft.Authorization/roleAssignments",
    roleDefinitionId: readerId,
    principalId,
    principalType: "ServicePrincipal",
    scope: galleryScope,
    createdBy: OWNER.objectId,
  });
  expect((await client.roleAssignments.get(galleryScope, name)).principalId).toBe(principalId);

  // A subscription-level assignment applies at the gallery too (atScope lists scope and above).
  await client.roleAssignments.create(
    `/subscriptions/${SUBSCRIPTION}`,
    "0f7c8a1d-0000-4000-8000-000000000002",
    {
      roleDefinitionId: readerId,
      principalId: "7d0b5ec7-0000-4000-8000-0000000000bb",
    },
  );
  const atGallery = await collect(client.roleAssignments.listForScope(galleryScope, { filter: "atScope()" }));
  expect(atGallery.map((a) => a.name).sort()).toEqual([name, "0f7c8a1d-0000-4000-8000-000000000002"]);
  const atSubscription = await collect(
    client.roleAssignments.listForScope(`/subscriptions/${SUBSCRIPTION}`, { filter: "atScope()" }),
  );
  expect(atSubscription.map((a) => a.name)).toEqual(["0f7c8a1d-0000-4000-8000-000000000002"]);
  const forPrincipal = await collect(
    client.roleAssignments.listForScope(`/subscriptions/${SUBSCRIPTION}`, {
      filter: `principalId eq '${principalId}'`,
    }),
  );
  expect(forPrincipal.map((a) => a.name)).toEqual([name]);

  await client.roleAssignments.delete(galleryScope, name);
  await expect(client.roleAssignments.get(galleryScope, name)).rejects.toMatchObject({
    statusCode: 404,
    code: "RoleAssignmentNotFound",
  });
  expect(
    sim
      .requests()
      .filter((r) => r.path.includes("roleAssignments"))
      .every((r) => r.identity?.tenantId === TENANT),
  ).toBe(true);
});

it("answers 409 RoleAssignmentExists for the same principal, role and scope under another name", async () => {
  const grant = { roleDefinitionId: readerId, principalId, principalType: "Group" as const };
  await client.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000003", grant);
  // Re-sending the identical assignment is idempotent.
  await client.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000003", grant);
  await expect(
    client.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000004", grant),
  ).rejects.toMatchObject({
    statusCode: 409,
    code: "RoleAssignmentExists",
  });
});

it("validates names, role definitions and tenancy", async () => {
  await expect(
    client.roleAssignments.create(galleryScope, "not-a-guid", { roleDefinitionId: readerId, principalId }),
  ).rejects.toMatchObject({
    statusCode: 400,
    code: "InvalidRoleAssignmentId",
  });
  const unknownRole = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-000000000000`;
  await expect(
    client.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000005", {
      roleDefinitionId: unknownRole,
      principalId,
    }),
  ).rejects.toMatchObject({ statusCode: 400, code: "RoleDefinitionDoesNotExist" });
  const foreign = authorizationClient(sim, FOREIGNER, SUBSCRIPTION);
  await expect(
    foreign.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000006", {
      roleDefinitionId: readerId,
      principalId,
    }),
  ).rejects.toMatchObject({
    statusCode: 401,
    code: "InvalidAuthenticationTokenTenant",
  });
});
