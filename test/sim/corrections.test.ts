// Round-2 corrections (issue 17 items 1-9): what real clients and real traffic showed the first
// simulator got wrong, each checked through the real SDK or on the wire (docs/arm-behaviour.md).
import type { ComputeManagementClient } from "@azure/arm-compute";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mintToken, type Simulator } from "../../tools/sim/index.js";
import { armRequest, computeClient, FAST_POLL, startTestSimulator } from "../support/sim.js";
import { galleryPath, MANAGED_IMAGE, OWNER, RG, SUBSCRIPTION, seedWorld, TENANT } from "./world.js";

let sim: Simulator;
let client: ComputeManagementClient;

beforeAll(async () => {
  sim = await startTestSimulator();
  client = computeClient(sim, OWNER, SUBSCRIPTION);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  seedWorld(sim);
});

const definition = (sku: string) => ({
  location: "westus",
  osType: "Linux" as const,
  osState: "Generalized" as const,
  identifier: { publisher: "p", offer: "o", sku },
});

async function galleryWithImage(): Promise<void> {
  await client.galleries.createOrUpdate(RG, "g1", { location: "westus" }, FAST_POLL);
  await client.galleryImages.createOrUpdate(RG, "g1", "image1", definition("s"), FAST_POLL);
}

async function firstVersion(): Promise<void> {
  await galleryWithImage();
  await client.galleryImageVersions.createOrUpdate(
    RG,
    "g1",
    "image1",
    "1.0.0",
    {
      location: "westus",
      publishingProfile: { targetRegions: [{ name: "westus" }] },
      storageProfile: { source: { id: MANAGED_IMAGE } },
    },
    FAST_POLL,
  );
}

function errorOf(body: string): { code: string; message: string; target?: string } {
  return (JSON.parse(body) as { error: { code: string; message: string; target?: string } }).error;
}

describe("image version updates and sources", () => {
  it("updates a version whose storageProfile names no source, as az sig image-version update sends it", async () => {
    await firstVersion();
    const versionPath = galleryPath("g1", "/images/image1/versions/1.0.0");
    const updated = await armRequest(sim, {
      method: "PUT",
      path: `${versionPath}?api-version=2023-07-03`,
      identity: OWNER,
      body: {
        location: "westus",
        properties: {
          publishingProfile: { targetRegions: [{ name: "westus" }, { name: "westus2" }] },
          storageProfile: {
            osDiskImage: { hostCaching: "ReadWrite" },
            dataDiskImages: [{ lun: 0, hostCaching: "None" }],
          },
        },
      },
    });
    expect(updated.status).toBe(200);
    expect(JSON.parse(updated.body).properties.provisioningState).toBe("Updating");
    const done = await client.galleryImageVersions.get(RG, "g1", "image1", "1.0.0");
    expect(done.storageProfile?.source?.id).toBe(MANAGED_IMAGE);
    expect(done.publishingProfile?.targetRegions?.map((r) => r.name)).toEqual(["West US", "West US 2"]);
  });

  it("still refuses to create a version without a source", async () => {
    await galleryWithImage();
    const refused = await armRequest(sim, {
      method: "PUT",
      path: `${galleryPath("g1", "/images/image1/versions/1.0.0")}?api-version=2023-07-03`,
      identity: OWNER,
      body: {
        location: "westus",
        properties: { storageProfile: { osDiskImage: { hostCaching: "ReadWrite" } } },
      },
    });
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body).target).toBe("galleryImageVersion.properties.storageProfile.source.id");
  });

  it("creates a version from another gallery image version", async () => {
    await firstVersion();
    await client.galleryImages.createOrUpdate(RG, "g1", "image2", definition("s2"), FAST_POLL);
    const sourceId = galleryPath("g1", "/images/image1/versions/1.0.0");
    const poller = client.galleryImageVersions.createOrUpdate(
      RG,
      "g1",
      "image2",
      "2.0.0",
      { location: "westus", storageProfile: { source: { id: sourceId } } },
      FAST_POLL,
    );
    const created = await poller;
    expect(created.provisioningState).toBe("Succeeded");
    expect(created.storageProfile?.source?.id).toBe(sourceId);
    expect(created.storageProfile?.dataDiskImages?.map((d) => d.lun)).toEqual([0]);
  });
});

describe("image definitions", () => {
  it("refuses a second definition with the same publisher, offer and SKU in one gallery", async () => {
    await galleryWithImage();
    await expect(
      client.galleryImages.createOrUpdate(RG, "g1", "image2", definition("s"), FAST_POLL),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: "Conflict",
      message:
        "Gallery image: image1 identified by (publisher:p, offer:o, sku:s) already exists. Choose a different publisher, offer, sku combination.",
    });
    // Another gallery may reuse them.
    await client.galleries.createOrUpdate(RG, "g2", { location: "westus" }, FAST_POLL);
    await client.galleryImages.createOrUpdate(RG, "g2", "image1", definition("s"), FAST_POLL);
  });
});

describe("PATCH", () => {
  it("updates a gallery, a definition and a version as long-running operations", async () => {
    await firstVersion();
    const gallery = await client.galleries.update(
      RG,
      "g1",
      { description: "patched", tags: { team: "a" } },
      FAST_POLL,
    );
    expect(gallery).toMatchObject({
      description: "patched",
      tags: { team: "a" },
      provisioningState: "Succeeded",
    });
    const image = await client.galleryImages.update(
      RG,
      "g1",
      "image1",
      { description: "image patched" },
      FAST_POLL,
    );
    expect(image).toMatchObject({ description: "image patched", identifier: { sku: "s" } });
    const version = await client.galleryImageVersions.update(
      RG,
      "g1",
      "image1",
      "1.0.0",
      { publishingProfile: { targetRegions: [{ name: "westus" }, { name: "eastus" }] } },
      FAST_POLL,
    );
    expect(version.publishingProfile?.targetRegions?.map((r) => r.name)).toEqual(["West US", "East US"]);
    expect(version.storageProfile?.source?.id).toBe(MANAGED_IMAGE);
    const patches = sim.requests().filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("answers 404 for a PATCH of something that does not exist", async () => {
    const missing = await armRequest(sim, {
      method: "PATCH",
      path: `${galleryPath("nope")}?api-version=2023-07-03`,
      identity: OWNER,
      body: { tags: {} },
    });
    expect([missing.status, errorOf(missing.body).code]).toEqual([404, "ResourceNotFound"]);
  });
});

describe("api-version", () => {
  it("refuses a malformed api-version and one the gallery types never had", async () => {
    await client.galleries.createOrUpdate(RG, "g1", { location: "westus" }, FAST_POLL);
    const malformed = await armRequest(sim, {
      path: `${galleryPath("g1")}?api-version=latest`,
      identity: OWNER,
    });
    expect([malformed.status, errorOf(malformed.body).code]).toEqual([400, "InvalidApiVersionParameter"]);
    const unknown = await armRequest(sim, {
      path: `${galleryPath("g1")}?api-version=1999-01-01`,
      identity: OWNER,
    });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown.body).code).toBe("NoRegisteredProviderFound");
    expect(errorOf(unknown.body).message).toMatch(
      /^No registered resource provider found for location 'westus' and API version '1999-01-01' for type 'galleries'\. The supported api-versions are '2026-03-03, 2025-12-03, .*2018-06-01'\./,
    );
    expect(unknown.body).not.toContain("\n");
    for (const good of ["2021-10-01", "2023-07-03", "2025-12-03"]) {
      expect(
        (await armRequest(sim, { path: `${galleryPath("g1")}?api-version=${good}`, identity: OWNER })).status,
      ).toBe(200);
    }
  });
});

describe("gallery updates", () => {
  it("answers Succeeded at once for a PUT that changes only the sharing permissions", async () => {
    await client.galleries.createOrUpdate(RG, "g1", { location: "westus" }, FAST_POLL);
    const path = `${galleryPath("g1")}?api-version=2021-10-01`;
    const toGroups = await armRequest(sim, {
      method: "PUT",
      path,
      identity: OWNER,
      body: { location: "westus", properties: { sharingProfile: { permissions: "Groups" } } },
    });
    expect(toGroups.status).toBe(200);
    expect(JSON.parse(toGroups.body).properties.provisioningState).toBe("Succeeded");
    expect(toGroups.headers["azure-asyncoperation"]).toContain("/capsOperations/");
    const retagged = await armRequest(sim, {
      method: "PUT",
      path,
      identity: OWNER,
      body: {
        location: "westus",
        tags: { a: "b" },
        properties: { sharingProfile: { permissions: "Groups" } },
      },
    });
    expect(JSON.parse(retagged.body).properties.provisioningState).toBe("Updating");
  });
});

describe("error texts", () => {
  it("refuses duplicate target regions with ARM's text", async () => {
    await galleryWithImage();
    await expect(
      client.galleryImageVersions.createOrUpdate(
        RG,
        "g1",
        "image1",
        "1.0.0",
        {
          location: "westus",
          publishingProfile: { targetRegions: [{ name: "westus" }, { name: "West US" }] },
          storageProfile: { source: { id: MANAGED_IMAGE } },
        },
        FAST_POLL,
      ),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: "Duplicate regions are not allowed in target publishing regions.",
    });
  });

  it("prints token expiry times the way the ARM gateway does", async () => {
    const expired = await armRequest(sim, {
      path: `${galleryPath("g1")}?api-version=2021-10-01`,
      authorization: `Bearer ${mintToken({ tid: TENANT }, -60)}`,
    });
    const time = "\\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d{2}:\\d{2} (AM|PM)";
    expect(errorOf(expired.body).message).toMatch(
      new RegExp(
        `^The access token expiry UTC time '${time}' is earlier than current UTC time '${time}'\\.$`,
      ),
    );
  });
});

describe("share limits under concurrency", () => {
  let manual: Simulator;
  beforeAll(async () => {
    manual = await startTestSimulator({ clock: "manual" });
  });
  afterAll(() => manual.close());

  it("fails the second of two accepted Adds whose sum passes 30 subscriptions, when it completes", async () => {
    seedWorld(manual);
    const path = `${galleryPath("g1")}?api-version=2023-07-03`;
    await armRequest(manual, {
      method: "PUT",
      path,
      identity: OWNER,
      body: { location: "westus", properties: { sharingProfile: { permissions: "Groups" } } },
    });
    manual.advance(60_000);
    const ids = (from: number) =>
      Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-8000-${String(from + i).padStart(12, "0")}`);
    const add = (from: number) =>
      armRequest(manual, {
        method: "POST",
        path: `${galleryPath("g1", "/share")}?api-version=2023-07-03`,
        identity: OWNER,
        body: { operationType: "Add", groups: [{ type: "Subscriptions", ids: ids(from) }] },
      });
    const first = await add(0);
    const second = await add(100);
    // Both fit when they arrive: neither has been applied yet.
    expect([first.status, second.status]).toEqual([202, 202]);
    manual.advance(60_000);
    const status = async (url: string | undefined) => {
      const { pathname, search } = new URL(url ?? "");
      const answer = await armRequest(manual, { path: `${pathname}${search}`, identity: OWNER });
      return JSON.parse(answer.body) as { status: string; error?: { code: string } };
    };
    expect((await status(first.headers["azure-asyncoperation"])).status).toBe("Succeeded");
    expect(await status(second.headers["azure-asyncoperation"])).toMatchObject({
      status: "Failed",
      error: { code: "InvalidParameter" },
    });
    const shared = manual.state().galleries.find((g) => g.name === "g1")?.sharing?.groups ?? [];
    expect(shared.flatMap((g) => g.ids)).toHaveLength(20);
  });
});
