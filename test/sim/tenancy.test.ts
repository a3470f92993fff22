// Tenants own subscriptions: a token from another tenant is refused, a source in another
// tenant's subscription needs that tenant's auxiliary token, and the request log records who
// made each call.
import { auxiliaryAuthenticationHeaderPolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mintToken, type Simulator } from "../../tools/sim/index.js";
import {
  armRequest,
  computeClient,
  FAST_POLL,
  shareAndWait,
  startTestSimulator,
  staticCredential,
} from "../support/sim.js";
import {
  FOREIGN_IMAGE,
  FOREIGNER,
  galleryPath,
  OTHER_TENANT,
  OTHER_TENANT_SUBSCRIPTION,
  OWNER,
  RG,
  SUBSCRIPTION,
  seedWorld,
  TENANT,
} from "./world.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  seedWorld(sim);
});

async function galleryAndImage(): Promise<void> {
  const client = computeClient(sim, OWNER, SUBSCRIPTION);
  await client.galleries.createOrUpdate(
    RG,
    "g1",
    { location: "westus", sharingProfile: { permissions: "Groups" } },
    FAST_POLL,
  );
  await client.galleryImages.createOrUpdate(
    RG,
    "g1",
    "image1",
    {
      location: "westus",
      osType: "Linux",
      osState: "Generalized",
      identifier: { publisher: "p", offer: "o", sku: "s" },
    },
    FAST_POLL,
  );
}

const foreignVersion = { location: "westus", storageProfile: { source: { id: FOREIGN_IMAGE } } };

describe("authentication", () => {
  it("refuses requests without a usable bearer token", async () => {
    const path = `${galleryPath("g1")}?api-version=2021-10-01`;
    const missing = await armRequest(sim, { path });
    expect([missing.status, JSON.parse(missing.body).error.code]).toEqual([401, "AuthenticationFailed"]);
    const garbage = await armRequest(sim, { path, authorization: "Bearer not-a-jwt" });
    expect([garbage.status, JSON.parse(garbage.body).error.code]).toEqual([
      401,
      "InvalidAuthenticationToken",
    ]);
    const expired = await armRequest(sim, {
      path,
      authorization: `Bearer ${mintToken({ tid: TENANT }, -60)}`,
    });
    expect([expired.status, JSON.parse(expired.body).error.code]).toEqual([
      401,
      "ExpiredAuthenticationToken",
    ]);
  });

  it("refuses a token from another tenant than the subscription's, as ARM does", async () => {
    const foreign = computeClient(sim, FOREIGNER, SUBSCRIPTION);
    await expect(foreign.galleries.get(RG, "g1")).rejects.toMatchObject({
      statusCode: 401,
      code: "InvalidAuthenticationTokenTenant",
    });
    const raw = await armRequest(sim, {
      path: `${galleryPath("g1")}?api-version=2021-10-01`,
      identity: FOREIGNER,
    });
    expect(raw.headers["www-authenticate"]).toContain(
      `authorization_uri="https://login.windows.net/${TENANT}"`,
    );
  });

  it("adopts an unknown subscription into its first caller's tenant", async () => {
    const stranger = "99999999-0000-4000-8000-000000000009";
    const created = await armRequest(sim, {
      method: "PUT",
      path: `/subscriptions/${stranger}/resourcegroups/rg1?api-version=2021-04-01`,
      body: { location: "westus" },
      identity: FOREIGNER,
    });
    expect(created.status).toBe(201);
    const owner = await armRequest(sim, {
      path: `/subscriptions/${stranger}/resourcegroups/rg1?api-version=2021-04-01`,
      identity: OWNER,
    });
    expect(owner.status).toBe(401);
    expect(sim.state().subscriptions.find((s) => s.id === stranger)).toMatchObject({
      tenantId: OTHER_TENANT,
      declared: false,
    });
  });
});

describe("cross-tenant image sources", () => {
  it("answers 403 LinkedAuthorizationFailed without an auxiliary token for the source's tenant", async () => {
    await galleryAndImage();
    const client = computeClient(sim, OWNER, SUBSCRIPTION);
    await expect(
      client.galleryImageVersions.createOrUpdate(RG, "g1", "image1", "1.0.0", foreignVersion, FAST_POLL),
    ).rejects.toMatchObject({
      statusCode: 403,
      code: "LinkedAuthorizationFailed",
    });
    // A token for the wrong tenant does not help either.
    const wrongAux = await armRequest(sim, {
      method: "PUT",
      path: `${galleryPath("g1", "/images/image1/versions/1.0.0")}?api-version=2023-07-03`,
      body: { location: "westus", properties: { storageProfile: { source: { id: FOREIGN_IMAGE } } } },
      identity: OWNER,
      headers: { "x-ms-authorization-auxiliary": `Bearer ${mintToken({ tid: TENANT })}` },
    });
    expect(wrongAux.status, wrongAux.body).toBe(403);
    expect(JSON.parse(wrongAux.body).error.message).toContain(OTHER_TENANT_SUBSCRIPTION);
  });

  it("creates the version with the other tenant's token in x-ms-authorization-auxiliary", async () => {
    await galleryAndImage();
    const client = computeClient(sim, OWNER, SUBSCRIPTION);
    client.pipeline.addPolicy(
      auxiliaryAuthenticationHeaderPolicy({
        credentials: [staticCredential(FOREIGNER)],
        scopes: "https://management.azure.com/.default",
      }),
    );
    const version = await client.galleryImageVersions.createOrUpdate(
      RG,
      "g1",
      "image1",
      "1.0.0",
      foreignVersion,
      FAST_POLL,
    );
    expect(version.provisioningState).toBe("Succeeded");
    const create = sim.requests().find((r) => r.method === "PUT" && r.path.endsWith("/versions/1.0.0"));
    expect(create).toMatchObject({
      status: 201,
      identity: { tenantId: TENANT, objectId: OWNER.objectId, appId: OWNER.appId },
      auxiliaryTenants: [OTHER_TENANT],
    });
  });
});

describe("consumers in other tenants", () => {
  it("see a gallery shared with their tenant through sharedTo=tenant", async () => {
    await galleryAndImage();
    const owner = computeClient(sim, OWNER, SUBSCRIPTION);
    await shareAndWait(owner, RG, "g1", {
      operationType: "Add",
      groups: [{ type: "AADTenants", ids: [OTHER_TENANT] }],
    });
    const consumer = computeClient(sim, FOREIGNER, OTHER_TENANT_SUBSCRIPTION);
    const bySubscription = [];
    for await (const gallery of consumer.sharedGalleries.list("westus")) bySubscription.push(gallery);
    expect(bySubscription).toEqual([]);
    const byTenant = [];
    for await (const gallery of consumer.sharedGalleries.list("westus", { sharedTo: "tenant" }))
      byTenant.push(gallery.name);
    expect(byTenant).toEqual([`${SUBSCRIPTION}-G1`]);
    const log = sim.requests().filter((r) => r.path.includes("/sharedGalleries"));
    expect(
      log.every(
        (r) => r.identity?.tenantId === OTHER_TENANT && r.subscriptionId === OTHER_TENANT_SUBSCRIPTION,
      ),
    ).toBe(true);
  });
});
