// What real clients need from a local ARM besides the resource APIs: discovery without a token,
// the subscription list, a managed-identity token endpoint that azure-identity uses unchanged, and
// lists long enough to page (issue 17, "Beyond"). Each is driven through the real client library.
import { ComputeManagementClient } from "@azure/arm-compute";
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, simClientOptions } from "../../tools/sim/index.js";
import { armRequest, computeClient, FAST_POLL, startTestSimulator } from "../support/sim.js";
import {
  CONSUMER_SUBSCRIPTION,
  OTHER_TENANT_SUBSCRIPTION,
  OWNER,
  RG,
  SUBSCRIPTION,
  seedWorld,
  TENANT,
} from "./world.js";

const IDENTITY = {
  tenantId: TENANT,
  objectId: "6f4b3a1e-0000-4000-8000-0000000000c1",
  clientId: "6f4b3a1e-0000-4000-8000-0000000000c2",
};

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ listPageSize: 2, managedIdentities: [IDENTITY] });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  seedWorld(sim);
});

describe("discovery", () => {
  it("serves /metadata/endpoints without a token, naming itself as the resource manager", async () => {
    // 2022-09-01 (what az cloud register reads) describes one cloud; 2019-05-01 lists clouds.
    const one = await armRequest(sim, { path: "/metadata/endpoints?api-version=2022-09-01" });
    expect(one.status).toBe(200);
    const cloud = JSON.parse(one.body) as {
      resourceManager: string;
      authentication: { audiences: string[] };
    };
    expect(cloud.resourceManager).toBe(`${sim.endpoint}/`);
    expect(cloud.authentication.audiences).toContain("https://management.azure.com/");
    const list = await armRequest(sim, { path: "/metadata/endpoints?api-version=2019-05-01" });
    expect((JSON.parse(list.body) as { resourceManager: string }[]).map((c) => c.resourceManager)).toEqual([
      `${sim.endpoint}/`,
    ]);
  });

  it("lists the caller's tenant's subscriptions and gets one", async () => {
    const list = await armRequest(sim, { path: "/subscriptions?api-version=2022-12-01", identity: OWNER });
    expect(list.status).toBe(200);
    const body = JSON.parse(list.body) as {
      value: { subscriptionId: string; tenantId: string; state: string }[];
      nextLink?: string;
      count: { value: number };
    };
    // Two per page (listPageSize 2): the owner's tenant has exactly two subscriptions.
    expect(body.value.map((s) => s.subscriptionId).sort()).toEqual(
      [CONSUMER_SUBSCRIPTION, SUBSCRIPTION].sort(),
    );
    expect(body.value.every((s) => s.tenantId === TENANT && s.state === "Enabled")).toBe(true);
    expect(body.value.map((s) => s.subscriptionId)).not.toContain(OTHER_TENANT_SUBSCRIPTION);
    expect(body.nextLink).toBeUndefined();
    const one = await armRequest(sim, {
      path: `/subscriptions/${SUBSCRIPTION}?api-version=2022-12-01`,
      identity: OWNER,
    });
    expect(JSON.parse(one.body)).toMatchObject({ id: `/subscriptions/${SUBSCRIPTION}`, tenantId: TENANT });
  });
});

describe("managed identity", () => {
  it("gives @azure/identity's ManagedIdentityCredential a token the real arm-compute client uses", async () => {
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
    process.env.IDENTITY_HEADER = sim.identityHeader;
    try {
      const credential = new ManagedIdentityCredential();
      const client = new ComputeManagementClient(credential, SUBSCRIPTION, simClientOptions(sim));
      const gallery = await client.galleries.createOrUpdate(
        RG,
        "mi_gallery",
        { location: "westus" },
        FAST_POLL,
      );
      expect(gallery.provisioningState).toBe("Succeeded");
    } finally {
      process.env.IDENTITY_ENDPOINT = saved.endpoint;
      process.env.IDENTITY_HEADER = saved.header;
      if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
      if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    }
    const put = sim.requests().find((r) => r.method === "PUT" && r.path.endsWith("/galleries/mi_gallery"));
    expect(put?.identity).toEqual({
      tenantId: TENANT,
      objectId: IDENTITY.objectId,
      appId: IDENTITY.clientId,
    });
  });

  it("refuses a token request without the IDENTITY_HEADER secret", async () => {
    const url = `${sim.identityEndpoint}?resource=${encodeURIComponent("https://management.azure.com")}&api-version=2019-08-01`;
    expect((await fetch(url)).status).toBe(401);
    const wrong = await fetch(url, { headers: { "X-IDENTITY-HEADER": "nope" } });
    expect(wrong.status).toBe(401);
    const right = await fetch(url, { headers: { "X-IDENTITY-HEADER": sim.identityHeader } });
    expect(right.status).toBe(200);
    const token = (await right.json()) as { token_type: string; expires_on: string; client_id: string };
    expect(token.token_type).toBe("Bearer");
    expect(Number(token.expires_on)).toBeGreaterThan(Date.now() / 1000);
    expect(token.client_id).toBe(IDENTITY.clientId);
  });
});

describe("paging", () => {
  it("pages long lists with nextLink and the SDK's pager follows it", async () => {
    const client = computeClient(sim, OWNER, SUBSCRIPTION);
    const names = ["g1", "g2", "g3", "g4", "g5"];
    for (const name of names)
      await client.galleries.createOrUpdate(RG, name, { location: "westus" }, FAST_POLL);
    const seen: string[] = [];
    for await (const gallery of client.galleries.listByResourceGroup(RG)) seen.push(gallery.name ?? "");
    expect(seen.sort()).toEqual(names);
    const lists = sim.requests().filter((r) => r.method === "GET" && r.path.endsWith("/galleries"));
    expect(lists.map((r) => new URLSearchParams(r.query).get("$skiptoken"))).toEqual([null, "2", "4"]);
  });
});
