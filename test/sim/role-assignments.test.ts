// Role assignments and role definitions through the real @azure/arm-authorization client.
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { READER_ROLE_ID, type Simulator } from "../../tools/sim/index.js";
import {
  armRequest,
  authorizationClient,
  computeClient,
  control,
  FAST_POLL,
  startTestSimulator,
} from "../support/sim.js";
import { FOREIGNER, galleryPath, OTHER_TENANT, OWNER, RG, SUBSCRIPTION, seedWorld, TENANT } from "./world.js";

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

describe("principals in the tenant's directory", () => {
  const known = principalId;
  const unknown = "7d0b5ec7-0000-4000-8000-0000000000ff";
  const reader = { roleDefinitionId: readerId, principalType: "User" as const };

  it("refuses a principal its tenant never declared with 400 PrincipalNotFound and creates nothing", async () => {
    const seeded = await control(sim, "POST", "fixtures", { tenants: [{ id: TENANT, principals: [known] }] });
    expect(seeded.status).toBe(200);
    await client.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000010", {
      ...reader,
      principalId: known,
    });
    const refused = await armRequest(sim, {
      method: "PUT",
      path: `${galleryScope}/providers/Microsoft.Authorization/roleAssignments/0f7c8a1d-0000-4000-8000-000000000011?api-version=2022-04-01`,
      identity: OWNER,
      body: { properties: { ...reader, principalId: unknown } },
    });
    expect(refused.status).toBe(400);
    // The Authorization RP's compact envelope; ARM writes the object id without dashes.
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        code: "PrincipalNotFound",
        message: `Principal ${unknown.replace(/-/g, "")} does not exist in the directory ${TENANT}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      },
    });
    expect(refused.body).not.toContain("\n");
    const atGallery = await collect(
      client.roleAssignments.listForScope(galleryScope, { filter: "atScope()" }),
    );
    expect(atGallery.map((a) => a.principalId)).toEqual([known]);
  });

  it("refuses a principal that only another tenant's directory holds", async () => {
    sim.seed({
      tenants: [
        { id: OTHER_TENANT, principals: [unknown] },
        { id: TENANT, principals: [known] },
      ],
    });
    await expect(
      client.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000012", {
        ...reader,
        principalId: unknown,
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
  });

  it("accepts any principal in a tenant that declared none (the lenient default)", async () => {
    const created = await client.roleAssignments.create(
      galleryScope,
      "0f7c8a1d-0000-4000-8000-000000000013",
      {
        ...reader,
        principalId: unknown,
      },
    );
    expect(created.principalId).toBe(unknown);
  });

  it("a counted principalNotFound fault fails the next PUTs naming a known principal, then lets it through", async () => {
    sim.seed({ tenants: [{ id: TENANT, principals: [known] }] });
    const registered = await control(sim, "POST", "faults", {
      kind: "principalNotFound",
      principalId: known.toUpperCase(),
      count: 2,
    });
    expect(registered.status).toBe(201);
    const create = () =>
      client.roleAssignments.create(galleryScope, "0f7c8a1d-0000-4000-8000-000000000014", {
        ...reader,
        principalId: known,
      });
    await expect(create()).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
    await expect(create()).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
    expect((await create()).principalId).toBe(known);
  });

  it("rejects fixtures and faults that name no principal", async () => {
    expect(
      (await control(sim, "POST", "fixtures", { tenants: [{ id: TENANT, principals: ["x"] }] })).status,
    ).toBe(400);
    expect((await control(sim, "POST", "faults", { kind: "principalNotFound" })).status).toBe(400);
  });
});

describe("principal replication delay on the manual clock", () => {
  let manual: Simulator;
  beforeAll(async () => {
    manual = await startTestSimulator({ clock: "manual" });
  });
  afterAll(() => manual.close());

  it("a timed principalNotFound fault hides a known principal until its window has passed", async () => {
    seedWorld(manual);
    manual.seed({ tenants: [{ id: TENANT, principals: [principalId] }] });
    manual.fault({ kind: "principalNotFound", principalId, forMs: 180_000 });
    const put = (name: string) =>
      armRequest(manual, {
        method: "PUT",
        path: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`,
        identity: OWNER,
        body: { properties: { roleDefinitionId: readerId, principalId, principalType: "ServicePrincipal" } },
      });
    expect((await put("0f7c8a1d-0000-4000-8000-000000000020")).status).toBe(400);
    manual.advance(179_000);
    const stillMissing = await put("0f7c8a1d-0000-4000-8000-000000000020");
    expect(JSON.parse(stillMissing.body).error.code).toBe("PrincipalNotFound");
    manual.advance(1_000);
    const created = await put("0f7c8a1d-0000-4000-8000-000000000020");
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body).properties.principalId).toBe(principalId);
    expect(manual.state().roleAssignments).toHaveLength(1);
  });
});
