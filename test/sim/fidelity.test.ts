// Wire-level fidelity with the recorded ARM traffic (docs/arm-behaviour.md), with node:https and the
// simulator's CA: status codes, which headers are present, query-key order of operation URLs,
// body shapes down to key order and absent keys, CRLF pretty-printing, time-driven states under
// a manual clock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../tools/sim/index.js";
import { armRequest, type RawResponse, startTestSimulator } from "../support/sim.js";
import {
  CONSUMER,
  CONSUMER_SUBSCRIPTION,
  galleryPath,
  MANAGED_IMAGE,
  OWNER,
  put,
  RG,
  SUBSCRIPTION,
  seedWorld,
} from "./world.js";

let sim: Simulator;
beforeAll(async () => {
  // Real durations on a frozen clock: every state change happens only when a test advances time.
  sim = await startTestSimulator({ clock: "manual", timeScale: 1 });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  seedWorld(sim);
});

const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const ARM_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?\+00:00$/;

function json(response: RawResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

function get(path: string, identity = OWNER): Promise<RawResponse> {
  return armRequest(sim, { path, identity });
}

function relative(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

function queryKeys(url: string): string[] {
  return [...new URL(url).searchParams.keys()];
}

const definition = {
  location: "westus",
  tags: {},
  properties: {
    osType: "Linux",
    osState: "Generalized",
    hyperVGeneration: "V1",
    identifier: { publisher: "publisher1", offer: "offer1", sku: "sku1" },
    disallowed: {},
  },
};
const versionRequest = {
  location: "westus",
  tags: {},
  properties: {
    publishingProfile: { targetRegions: [{ name: "westus" }], replicaCount: 1 },
    storageProfile: { source: { id: MANAGED_IMAGE } },
  },
};

async function galleryImageAndVersion(gallery = "gellery000002"): Promise<RawResponse> {
  await put(sim, `${galleryPath(gallery)}?api-version=2021-10-01`, {
    location: "westus",
    tags: {},
    properties: { sharingProfile: { permissions: "Groups" } },
  });
  await put(sim, `${galleryPath(gallery, "/images/image1")}?api-version=2021-10-01`, definition);
  return put(
    sim,
    `${galleryPath(gallery, "/images/image1/versions/1.1.2")}?api-version=2023-07-03`,
    versionRequest,
  );
}

describe("long-running operations (docs/arm-behaviour.md#status-codes, #lro)", () => {
  it("PUT create: 201, only azure-asyncoperation, pretty CRLF body, Creating, exact shape", async () => {
    const created = await put(sim, `${galleryPath("gallery_000003")}?api-version=2021-10-01`, {
      location: "eastus2",
      tags: {},
    });
    expect(created.status).toBe(201);
    expect(created.headers["azure-asyncoperation"]).toBeDefined();
    expect(created.headers.location).toBeUndefined();
    expect(created.headers["retry-after"]).toBeUndefined();
    expect(created.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(created.body).toBe(
      [
        "{",
        '  "name": "gallery_000003",',
        `  "id": "${galleryPath("gallery_000003")}",`,
        '  "type": "Microsoft.Compute/galleries",',
        '  "location": "eastus2",',
        '  "tags": {},',
        '  "properties": {',
        '    "identifier": {',
        `      "uniqueName": "${SUBSCRIPTION}-GALLERY_000003"`,
        "    },",
        '    "provisioningState": "Creating"',
        "  }",
        "}",
      ].join("\r\n"),
    );
  });

  it("operation URL: capsOperations in the RP's location spelling, query keys api-version,t,c,s,h", async () => {
    const created = await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, {
      location: "westus",
      tags: {},
    });
    const url = created.headers["azure-asyncoperation"] ?? "";
    expect(new URL(url).pathname).toMatch(
      new RegExp(
        `^/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Compute/locations/westus/capsOperations/${GUID}$`,
      ),
    );
    expect(queryKeys(url)).toEqual(["api-version", "t", "c", "s", "h"]);
    expect(new URL(url).searchParams.get("api-version")).toBe("2021-10-01");
    expect(new URL(url).searchParams.get("t")).toMatch(/^\d{18}$/);
    for (const [location, spelling] of [
      ["centraluseuap", "CentralUSEUAP"],
      ["eastus2euap", "EastUS2EUAP"],
      ["eastus2", "eastus2"],
    ] as const) {
      const answer = await put(sim, `${galleryPath(`g_${location}`)}?api-version=2021-10-01`, {
        location,
        tags: {},
      });
      expect(new URL(answer.headers["azure-asyncoperation"] ?? "").pathname).toContain(
        `/locations/${spelling}/capsOperations/`,
      );
      expect(json(answer).location).toBe(location);
    }
  });

  it("status body is {startTime,status,name} then {startTime,endTime,status,name}", async () => {
    const created = await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, {
      location: "westus",
      tags: {},
    });
    const statusUrl = relative(created.headers["azure-asyncoperation"] ?? "");
    const opId = new URL(created.headers["azure-asyncoperation"] ?? "").pathname.split("/").pop();
    const running = await get(statusUrl);
    expect(Object.keys(json(running))).toEqual(["startTime", "status", "name"]);
    expect(json(running)).toMatchObject({ status: "InProgress", name: opId });
    expect(json(running).startTime).toMatch(ARM_TIME);
    expect(running.headers["x-ms-ratelimit-remaining-resource"]).toMatch(
      /^Microsoft\.Compute\/GetOperationStatus3Min;\d+,Microsoft\.Compute\/GetOperationStatus30Min;\d+$/,
    );
    expect(json(await get(galleryPath("g1", "?api-version=2021-10-01")))).toMatchObject({
      properties: { provisioningState: "Creating" },
    });
    sim.advance(1_000);
    const done = await get(statusUrl);
    expect(Object.keys(json(done))).toEqual(["startTime", "endTime", "status", "name"]);
    expect(json(done).status).toBe("Succeeded");
    expect(Date.parse(String(json(done).endTime)) - Date.parse(String(json(done).startTime))).toBe(1_000);
    expect(json(await get(galleryPath("g1", "?api-version=2021-10-01")))).toMatchObject({
      properties: { provisioningState: "Succeeded" },
    });
  });

  it("PUT update: 200, Updating, the requested change already in the body", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, {
      location: "westus",
      tags: {},
      properties: { softDeletePolicy: { isSoftDeleteEnabled: true } },
    });
    sim.advance(1_000);
    const updated = await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, {
      location: "westus",
      tags: {},
      properties: { softDeletePolicy: { isSoftDeleteEnabled: false } },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.location).toBeUndefined();
    expect(json(updated).properties).toEqual({
      identifier: { uniqueName: `${SUBSCRIPTION}-G1` },
      softDeletePolicy: { isSoftDeleteEnabled: false },
      provisioningState: "Updating",
    });
  });

  it("POST share and DELETE: 202, content-length 0, azure-asyncoperation and a monitor location", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, {
      location: "westus",
      tags: {},
      properties: { sharingProfile: { permissions: "Groups" } },
    });
    const share = await armRequest(sim, {
      method: "POST",
      path: galleryPath("g1", "/share?api-version=2023-07-03"),
      identity: OWNER,
      body: { operationType: "Add", groups: [{ type: "Subscriptions", ids: [CONSUMER_SUBSCRIPTION] }] },
    });
    expect(share.status).toBe(202);
    expect(share.headers["content-length"]).toBe("0");
    expect(share.headers["content-type"]).toBeUndefined();
    expect(share.body).toBe("");
    const status = share.headers["azure-asyncoperation"] ?? "";
    const monitor = share.headers.location ?? "";
    expect(queryKeys(monitor)).toEqual(["monitor", "api-version", "t", "c", "s", "h"]);
    expect(new URL(status).searchParams.get("api-version")).toBe("2023-07-03");
    expect(new URL(monitor).searchParams.get("c")).toBe(new URL(status).searchParams.get("c"));
    for (const key of ["t", "s", "h"])
      expect(new URL(monitor).searchParams.get(key)).not.toBe(new URL(status).searchParams.get(key));
    expect(share.headers["x-ms-ratelimit-remaining-resource"]).toBe(
      "Microsoft.Compute/PostShareGallery3Min;9,Microsoft.Compute/PostShareGallery30Min;59",
    );

    // Share takes about 45 s (docs/arm-behaviour.md#durations); the groups appear only then.
    expect((await get(relative(monitor))).status).toBe(202);
    sim.advance(44_000);
    expect(json(await get(relative(status))).status).toBe("InProgress");
    expect(json(await get(galleryPath("g1", "?api-version=2021-10-01&$select=Permissions")))).toMatchObject({
      properties: { sharingProfile: { permissions: "Groups" } },
    });
    sim.advance(1_000);
    expect(json(await get(relative(status))).status).toBe("Succeeded");
    const monitored = await get(relative(monitor));
    expect([monitored.status, monitored.headers["content-length"], monitored.body]).toEqual([200, "0", ""]);
    expect(monitored.headers["x-ms-ratelimit-remaining-resource"]).toContain("GetOperationStatus3Min");

    await armRequest(sim, {
      method: "POST",
      path: galleryPath("g1", "/share?api-version=2023-07-03"),
      identity: OWNER,
      body: { operationType: "Reset" },
    });
    sim.advance(45_000);
    const deleted = await armRequest(sim, {
      method: "DELETE",
      path: galleryPath("g1", "?api-version=2021-10-01"),
      identity: OWNER,
    });
    expect([deleted.status, deleted.headers["content-length"], deleted.body]).toEqual([202, "0", ""]);
    expect(deleted.headers["azure-asyncoperation"]).toBeDefined();
    expect(queryKeys(deleted.headers.location ?? "")[0]).toBe("monitor");
    expect(json(await get(galleryPath("g1", "?api-version=2021-10-01"))).properties).toMatchObject({
      provisioningState: "Deleting",
    });
    sim.advance(100);
    expect((await get(galleryPath("g1", "?api-version=2021-10-01"))).status).toBe(404);
    // Deleting what is gone answers 204.
    expect(
      (
        await armRequest(sim, {
          method: "DELETE",
          path: galleryPath("g1", "?api-version=2021-10-01"),
          identity: OWNER,
        })
      ).status,
    ).toBe(204);
  });
});

describe("gallery bodies (docs/arm-behaviour.md#gallery-body, #share)", () => {
  it("omits tags when none were sent and sharingProfile when none was set, even with the groups expand", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    const expanded = json(
      await get(galleryPath("g1", "?api-version=2021-10-01&$expand=sharingProfile%2FGroups")),
    );
    expect(Object.keys(expanded)).toEqual(["name", "id", "type", "location", "properties"]);
    expect(Object.keys(expanded.properties as object)).toEqual(["identifier", "provisioningState"]);
  });

  it("lists with the resource group upper-cased in ids and no nextLink", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus", tags: {} });
    const list = json(
      await get(
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/galleries?api-version=2021-10-01`,
      ),
    );
    expect(Object.keys(list)).toEqual(["value"]);
    expect((list.value as { id: string }[])[0]?.id).toBe(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG.toUpperCase()}/providers/Microsoft.Compute/galleries/g1`,
    );
  });

  it("shows groups with $select=Permissions, drops an emptied group on Remove and everything on Reset", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, {
      location: "westus",
      tags: {},
      properties: { sharingProfile: { permissions: "Groups" } },
    });
    const share = (body: unknown) =>
      armRequest(sim, {
        method: "POST",
        path: galleryPath("g1", "/share?api-version=2023-07-03"),
        identity: OWNER,
        body,
      });
    await share({
      operationType: "Add",
      groups: [
        { type: "Subscriptions", ids: [SUBSCRIPTION, CONSUMER_SUBSCRIPTION] },
        { type: "AADTenants", ids: ["2f4a9838-26b7-47ee-be60-ccc1fdec5953"] },
      ],
    });
    sim.advance(45_000);
    const select = `?$select=Permissions&api-version=2021-10-01`;
    expect(json(await get(galleryPath("g1", select))).properties).toMatchObject({
      sharingProfile: {
        permissions: "Groups",
        groups: [
          { type: "Subscriptions", ids: [SUBSCRIPTION, CONSUMER_SUBSCRIPTION] },
          { type: "AADTenants", ids: ["2f4a9838-26b7-47ee-be60-ccc1fdec5953"] },
        ],
      },
    });
    expect(json(await get(galleryPath("g1", "?api-version=2021-10-01"))).properties).toMatchObject({
      sharingProfile: { permissions: "Groups" },
    });
    expect(JSON.stringify(json(await get(galleryPath("g1", "?api-version=2021-10-01"))))).not.toContain(
      "groups",
    );
    await share({
      operationType: "Remove",
      groups: [
        { type: "Subscriptions", ids: [CONSUMER_SUBSCRIPTION] },
        { type: "AADTenants", ids: ["2f4a9838-26b7-47ee-be60-ccc1fdec5953"] },
      ],
    });
    sim.advance(45_000);
    expect(
      (json(await get(galleryPath("g1", select))).properties as { sharingProfile: unknown }).sharingProfile,
    ).toEqual({
      permissions: "Groups",
      groups: [{ type: "Subscriptions", ids: [SUBSCRIPTION] }],
    });
    await share({ groups: [], operationType: "Reset" });
    sim.advance(45_000);
    expect(
      (json(await get(galleryPath("g1", select))).properties as { sharingProfile: unknown }).sharingProfile,
    ).toEqual({ permissions: "Private" });
  });

  it("creates community info with a fresh public name and enables it only through EnableCommunity", async () => {
    const created = await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, {
      location: "centraluseuap",
      tags: {},
      properties: {
        sharingProfile: {
          permissions: "Community",
          communityGalleryInfo: {
            publisherUri: "puburi",
            publisherContact: "abc@123.com",
            eula: "eula",
            publicNamePrefix: "pubname",
          },
        },
      },
    });
    const info = (
      json(created).properties as { sharingProfile: { communityGalleryInfo: Record<string, unknown> } }
    ).sharingProfile.communityGalleryInfo;
    expect(Object.keys(info)).toEqual([
      "communityGalleryEnabled",
      "publisherUri",
      "publisherContact",
      "eula",
      "publicNamePrefix",
      "publicNames",
    ]);
    expect(info.communityGalleryEnabled).toBe(false);
    expect((info.publicNames as string[])[0]).toMatch(new RegExp(`^pubname-${GUID}$`));
    const enable = await armRequest(sim, {
      method: "POST",
      path: galleryPath("g1", "/share?api-version=2023-07-03"),
      identity: OWNER,
      body: { operationType: "EnableCommunity", groups: [] },
    });
    expect(enable.status).toBe(202);
    sim.advance(300);
    const publicName = (info.publicNames as string[])[0] ?? "";
    const community = await get(
      `/subscriptions/${CONSUMER_SUBSCRIPTION}/providers/Microsoft.Compute/locations/centraluseuap/communityGalleries/${publicName}?api-version=2022-01-03`,
      CONSUMER,
    );
    const metadata = {
      publisherUri: "puburi",
      publisherContact: "abc@123.com",
      eula: "eula",
      publicNames: [publicName],
    };
    expect(json(community)).toEqual({
      properties: { communityMetadata: metadata, disclaimer: "https://aka.ms/community-gallery-disclaimer" },
      communityMetadata: metadata,
      location: "CentralUSEUAP",
      name: publicName,
      identifier: { uniqueId: `/CommunityGalleries/${publicName}` },
    });
    expect(community.headers["x-ms-ratelimit-remaining-resource"]).toContain(
      "Microsoft.Compute/GetGallery3Min",
    );
  });
});

describe("image definition and version bodies (docs/arm-behaviour.md#image-definition)", () => {
  it("fills architecture x64 and drops an empty disallowed", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus", tags: {} });
    const created = await put(
      sim,
      `${galleryPath("g1", "/images/image1")}?api-version=2021-10-01`,
      definition,
    );
    expect(created.status).toBe(201);
    expect(json(created)).toEqual({
      name: "image1",
      id: galleryPath("g1", "/images/image1"),
      type: "Microsoft.Compute/galleries/images",
      location: "westus",
      tags: {},
      properties: {
        hyperVGeneration: "V1",
        architecture: "x64",
        osType: "Linux",
        osState: "Generalized",
        identifier: { publisher: "publisher1", offer: "offer1", sku: "sku1" },
        provisioningState: "Creating",
      },
    });
    expect(Object.keys(json(created).properties as object)).toEqual([
      "hyperVGeneration",
      "architecture",
      "osType",
      "osState",
      "identifier",
      "provisioningState",
    ]);
  });

  it("creates a version with display-name regions and defaults, disk images only after success", async () => {
    const created = await galleryImageAndVersion();
    expect(created.status).toBe(201);
    const body = json(created) as { properties: Record<string, unknown> };
    const publishing = body.properties.publishingProfile as Record<string, unknown>;
    expect(publishing).toMatchObject({
      targetRegions: [{ name: "West US", regionalReplicaCount: 1, storageAccountType: "Standard_LRS" }],
      replicaCount: 1,
      excludeFromLatest: false,
      storageAccountType: "Standard_LRS",
    });
    expect(Object.keys(publishing)).toEqual([
      "targetRegions",
      "replicaCount",
      "excludeFromLatest",
      "publishedDate",
      "storageAccountType",
    ]);
    expect(body.properties.storageProfile).toEqual({ source: { id: MANAGED_IMAGE } });
    expect(body.properties.safetyProfile).toEqual({
      reportedForPolicyViolation: false,
      allowDeletionOfReplicatedLocations: false,
    });
    expect(body.properties.provisioningState).toBe("Creating");
    // publishedDate is the operation's startTime.
    const status = json(await get(relative(created.headers["azure-asyncoperation"] ?? "")));
    expect(publishing.publishedDate).toBe(status.startTime);

    // Full replication takes 7 min 47 s; progress advances with the clock.
    const expand = galleryPath(
      "gellery000002",
      "/images/image1/versions/1.1.2?api-version=2023-07-03&$expand=ReplicationStatus",
    );
    sim.advance(233_500);
    expect((json(await get(expand)).properties as Record<string, unknown>).replicationStatus).toEqual({
      aggregatedState: "InProgress",
      summary: [{ region: "West US", state: "Replicating", details: "", progress: 50 }],
    });
    sim.advance(233_500);
    const done = json(await get(expand)) as { properties: Record<string, unknown> };
    expect(done.properties.provisioningState).toBe("Succeeded");
    expect(done.properties.replicationStatus).toEqual({
      aggregatedState: "Completed",
      summary: [{ region: "West US", state: "Completed", details: "", progress: 100 }],
    });
    expect(done.properties.storageProfile).toEqual({
      source: { id: MANAGED_IMAGE },
      osDiskImage: { sizeInGB: 30, hostCaching: "ReadWrite", source: {} },
      dataDiskImages: [{ lun: 0, sizeInGB: 10, hostCaching: "None" }],
    });
    const plain = json(
      await get(galleryPath("gellery000002", "/images/image1/versions/1.1.2?api-version=2023-07-03")),
    );
    expect(JSON.stringify(plain)).not.toContain("replicationStatus");
  });

  it("fails one region on an injected replication fault", async () => {
    sim.fault({
      kind: "replication",
      version: "/versions/1\\.1\\.2$",
      region: "eastus",
      atProgress: 25,
      details: "Disk copy failed.",
    });
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus", tags: {} });
    await put(sim, `${galleryPath("g1", "/images/image1")}?api-version=2021-10-01`, definition);
    const created = await put(
      sim,
      `${galleryPath("g1", "/images/image1/versions/1.1.2")}?api-version=2023-07-03`,
      {
        ...versionRequest,
        properties: {
          ...versionRequest.properties,
          publishingProfile: { targetRegions: [{ name: "westus" }, { name: "eastus" }] },
        },
      },
    );
    sim.advance(467_000);
    const version = json(
      await get(
        galleryPath("g1", "/images/image1/versions/1.1.2?api-version=2023-07-03&$expand=ReplicationStatus"),
      ),
    ) as {
      properties: Record<string, unknown>;
    };
    expect(version.properties.provisioningState).toBe("Failed");
    expect(version.properties.replicationStatus).toEqual({
      aggregatedState: "Failed",
      summary: [
        { region: "West US", state: "Completed", details: "", progress: 100 },
        { region: "East US", state: "Failed", details: "Disk copy failed.", progress: 25 },
      ],
    });
    const status = json(await get(relative(created.headers["azure-asyncoperation"] ?? "")));
    expect(Object.keys(status)).toEqual(["startTime", "endTime", "status", "error", "name"]);
    expect(status).toMatchObject({ status: "Failed", error: { code: "ReplicationFailed" } });
  });

  it("answers the recorded 400 for an empty storageProfile, pretty, with the RP and write headers", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus", tags: {} });
    await put(sim, `${galleryPath("g1", "/images/image1")}?api-version=2021-10-01`, definition);
    const refused = await put(
      sim,
      `${galleryPath("g1", "/images/image1/versions/1.0.0")}?api-version=2022-03-03`,
      { location: "westus", properties: { storageProfile: {} } },
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('{\r\n  "error": {\r\n    "code": "InvalidParameter",');
    expect(json(refused)).toEqual({
      error: {
        code: "InvalidParameter",
        message:
          "The gallery artifact version source can only be specified either directly under storageProfile or within individual OS or data disks. One and only one source type (user image, snapshot, disk, virtual machine) can be provided.",
        target: "galleryImageVersion.properties.storageProfile.source.id",
      },
    });
    expect(refused.headers["x-ms-ratelimit-remaining-resource"]).toMatch(
      /^Microsoft\.Compute\/CreateUpdateGalleryImageVersion3Min;\d+,/,
    );
    expect(refused.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBeDefined();
  });
});

describe("consumer views (docs/arm-behaviour.md#consumer-views)", () => {
  it("lists and reads a directly shared gallery with the recorded shapes", async () => {
    await galleryImageAndVersion();
    sim.advance(467_000);
    await armRequest(sim, {
      method: "POST",
      path: galleryPath("gellery000002", "/share?api-version=2023-07-03"),
      identity: OWNER,
      body: { operationType: "Add", groups: [{ type: "Subscriptions", ids: [CONSUMER_SUBSCRIPTION] }] },
    });
    const base = `/subscriptions/${CONSUMER_SUBSCRIPTION}/providers/Microsoft.Compute/locations/westus/sharedGalleries`;
    expect(json(await get(`${base}?api-version=2023-07-03`, CONSUMER))).toEqual({ value: [] });
    sim.advance(45_000);
    const unique = `${SUBSCRIPTION}-GELLERY000002`;
    const list = await get(`${base}?api-version=2023-07-03`, CONSUMER);
    expect(json(list)).toEqual({
      value: [{ location: "westus", name: unique, identifier: { uniqueId: `/SharedGalleries/${unique}` } }],
    });
    expect(list.headers["x-ms-ratelimit-remaining-resource"]).toBe(
      "Microsoft.Compute/ListGallery3Min;148,Microsoft.Compute/ListGallery30Min;998",
    );
    expect(json(await get(`${base}/${unique}?api-version=2022-01-03`, CONSUMER))).toEqual({
      properties: {},
      location: "westus",
      name: unique,
      identifier: { uniqueId: `/SharedGalleries/${unique}` },
    });
    expect(json(await get(`${base}/${unique}/images/image1?api-version=2022-01-03`, CONSUMER))).toEqual({
      properties: {
        osType: "Linux",
        osState: "Generalized",
        recommended: {},
        hyperVGeneration: "V1",
        architecture: "x64",
        identifier: { publisher: "publisher1", offer: "offer1", sku: "sku1" },
      },
      location: "westus",
      name: "image1",
      identifier: { uniqueId: `/SharedGalleries/${unique}/Images/image1` },
    });
    const version = json(
      await get(`${base}/${unique}/images/image1/versions/1.1.2?api-version=2022-01-03`, CONSUMER),
    );
    expect(version).toMatchObject({
      properties: {
        excludeFromLatest: false,
        storageProfile: {
          osDiskImage: { diskSizeGB: 30, hostCaching: "ReadWrite" },
          dataDiskImages: [{ lun: 0, diskSizeGB: 10, hostCaching: "None" }],
        },
      },
      location: "westus",
      name: "1.1.2",
      identifier: { uniqueId: `/SharedGalleries/${unique}/Images/image1/Versions/1.1.2` },
    });
    expect(Object.keys(version.properties as object)).toEqual([
      "publishedDate",
      "excludeFromLatest",
      "storageProfile",
    ]);
  });
});

describe("headers and gateway errors (docs/arm-behaviour.md#errors, #rate-limits)", () => {
  it("sends the 2024-2025 header set and request ids, echoing the client's correlation id", async () => {
    const answer = await armRequest(sim, {
      path: `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RG}?api-version=2021-04-01`,
      identity: OWNER,
      headers: { "x-ms-correlation-request-id": "c0ffee00-0000-4000-8000-000000000000" },
    });
    for (const name of [
      "cache-control",
      "pragma",
      "expires",
      "strict-transport-security",
      "x-content-type-options",
      "x-cache",
      "x-msedge-ref",
      "x-ms-request-id",
      "x-ms-routing-request-id",
    ]) {
      expect(answer.headers[name], name).toBeDefined();
    }
    for (const name of ["server", "vary", "transfer-encoding"])
      expect(answer.headers[name], name).toBeUndefined();
    expect(answer.headers["x-ms-correlation-request-id"]).toBe("c0ffee00-0000-4000-8000-000000000000");
    expect(answer.headers["x-ms-request-id"]).toMatch(new RegExp(`^${GUID}$`));
    expect(answer.headerNames.slice(0, 3)).toEqual(["cache-control", "pragma", "content-length"]);
  });

  it("answers a missing gallery with the compact gateway 404 and no RP rate-limit header", async () => {
    const missing = await get(galleryPath("nope", "?api-version=2021-10-01"));
    expect(missing.status).toBe(404);
    expect(missing.body).toBe(
      `{"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.Compute/galleries/nope' under resource group '${RG}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"}}`,
    );
    expect(missing.headers["x-ms-failure-cause"]).toBe("gateway");
    expect(missing.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(missing.headers["x-ms-ratelimit-remaining-resource"]).toBeUndefined();
  });

  it("reports GetGallery with both windows on a plain GET", async () => {
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    const answer = await get(galleryPath("g1", "?api-version=2021-10-01"));
    expect(answer.headers["x-ms-ratelimit-remaining-resource"]).toBe(
      "Microsoft.Compute/GetGallery3Min;349,Microsoft.Compute/GetGallery30Min;2499",
    );
  });

  it("requires an api-version", async () => {
    const answer = await get(galleryPath("g1"));
    expect([answer.status, json(answer).error]).toEqual([
      400,
      {
        code: "MissingApiVersionParameter",
        message: "The api-version query parameter (?api-version=) is required for all requests.",
      },
    ]);
  });
});
