// The lifecycles of docs/arm-behaviour.md sections 2-8, driven through the real @azure/arm-compute
// client against the simulator.
import type { ComputeManagementClient } from "@azure/arm-compute";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../tools/sim/index.js";
import { computeClient, FAST_POLL, shareAndWait, startTestSimulator } from "../support/sim.js";
import {
  CONSUMER,
  CONSUMER_SUBSCRIPTION,
  MANAGED_IMAGE,
  OTHER_TENANT,
  OWNER,
  RG,
  SECOND_IMAGE,
  SUBSCRIPTION,
  seedWorld,
} from "./world.js";

let sim: Simulator;
let owner: ComputeManagementClient;
let consumer: ComputeManagementClient;

beforeAll(async () => {
  sim = await startTestSimulator();
  owner = computeClient(sim, OWNER, SUBSCRIPTION);
  consumer = computeClient(sim, CONSUMER, CONSUMER_SUBSCRIPTION);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  seedWorld(sim);
});

const imageDefinition = {
  location: "westus",
  tags: {},
  osType: "Linux",
  osState: "Generalized",
  hyperVGeneration: "V1",
  identifier: { publisher: "publisher1", offer: "offer1", sku: "sku1" },
  disallowed: {},
} as const;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe("private gallery (docs/arm-behaviour.md#gallery-body)", () => {
  it("creates, lists, reads, updates and deletes", async () => {
    const created = await owner.galleries.createOrUpdate(
      RG,
      "gallery_000003",
      { location: "eastus2", tags: {} },
      FAST_POLL,
    );
    expect(created.provisioningState).toBe("Succeeded");
    expect(created.identifier?.uniqueName).toBe(`${SUBSCRIPTION}-GALLERY_000003`);
    expect(created.sharingProfile).toBeUndefined();

    const expanded = await owner.galleries.get(RG, "gallery_000003", { expand: "SharingProfile/Groups" });
    expect(expanded.sharingProfile).toBeUndefined();

    const listed = await collect(owner.galleries.listByResourceGroup(RG));
    expect(listed.map((g) => g.id)).toEqual([
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG.toUpperCase()}/providers/Microsoft.Compute/galleries/gallery_000003`,
    ]);
    expect(await collect(owner.galleries.list())).toHaveLength(1);

    const updated = await owner.galleries.createOrUpdate(
      RG,
      "gallery_000003",
      {
        location: "eastus2",
        tags: {},
        description: "updated",
        softDeletePolicy: { isSoftDeleteEnabled: false },
      },
      FAST_POLL,
    );
    expect(updated.description).toBe("updated");
    expect(updated.softDeletePolicy).toEqual({ isSoftDeleteEnabled: false });

    await owner.galleries.delete(RG, "gallery_000003", FAST_POLL);
    await expect(owner.galleries.get(RG, "gallery_000003")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });
});

describe("image definition and version (docs/arm-behaviour.md#image-definition)", () => {
  it("creates a definition with server defaults and a version that replicates", async () => {
    await owner.galleries.createOrUpdate(RG, "gallery1", { location: "westus", tags: {} }, FAST_POLL);
    const image = await owner.galleryImages.createOrUpdate(
      RG,
      "gallery1",
      "image1",
      imageDefinition,
      FAST_POLL,
    );
    expect(image).toMatchObject({
      architecture: "x64",
      osType: "Linux",
      osState: "Generalized",
      provisioningState: "Succeeded",
    });
    expect(image.disallowed).toBeUndefined();

    const version = await owner.galleryImageVersions.createOrUpdate(
      RG,
      "gallery1",
      "image1",
      "1.1.2",
      {
        location: "westus",
        tags: {},
        publishingProfile: { targetRegions: [{ name: "westus" }], replicaCount: 1 },
        storageProfile: { source: { id: MANAGED_IMAGE } },
      },
      FAST_POLL,
    );
    expect(version.provisioningState).toBe("Succeeded");
    expect(version.publishingProfile?.targetRegions).toEqual([
      { name: "West US", regionalReplicaCount: 1, storageAccountType: "Standard_LRS" },
    ]);
    expect(version.storageProfile?.osDiskImage).toMatchObject({ sizeInGB: 30, hostCaching: "ReadWrite" });
    expect(version.storageProfile?.dataDiskImages).toEqual([{ lun: 0, sizeInGB: 10, hostCaching: "None" }]);

    const status = await owner.galleryImageVersions.get(RG, "gallery1", "image1", "1.1.2", {
      expand: "ReplicationStatus",
    });
    expect(status.replicationStatus).toEqual({
      aggregatedState: "Completed",
      summary: [{ region: "West US", state: "Completed", details: "", progress: 100 }],
    });

    // Update adding a region: only the new one replicates; replicaCount becomes the default count.
    const poller = owner.galleryImageVersions.createOrUpdate(
      RG,
      "gallery1",
      "image1",
      "1.1.2",
      {
        location: "westus",
        publishingProfile: {
          targetRegions: [{ name: "westus" }, { name: "westus2", regionalReplicaCount: 1 }],
          replicaCount: 2,
        },
        storageProfile: { source: { id: MANAGED_IMAGE } },
      },
      FAST_POLL,
    );
    await poller.submitted();
    const during = await owner.galleryImageVersions.get(RG, "gallery1", "image1", "1.1.2", {
      expand: "ReplicationStatus",
    });
    expect(during.provisioningState).toBe("Updating");
    expect(during.replicationStatus?.aggregatedState).toBe("InProgress");
    expect(during.replicationStatus?.summary?.[0]).toMatchObject({
      region: "West US",
      state: "Completed",
      progress: 100,
    });
    expect(during.replicationStatus?.summary?.[1]).toMatchObject({
      region: "West US 2",
      state: "Replicating",
    });
    const after = await poller;
    expect(after.publishingProfile?.targetRegions?.map((r) => [r.name, r.regionalReplicaCount])).toEqual([
      ["West US", 2],
      ["West US 2", 1],
    ]);

    expect(
      await collect(owner.galleryImageVersions.listByGalleryImage(RG, "gallery1", "image1")),
    ).toHaveLength(1);
    expect(await collect(owner.galleryImages.listByGallery(RG, "gallery1"))).toHaveLength(1);

    await owner.galleryImageVersions.delete(RG, "gallery1", "image1", "1.1.2", FAST_POLL);
    await owner.galleryImages.delete(RG, "gallery1", "image1", FAST_POLL);
    await owner.galleries.delete(RG, "gallery1", FAST_POLL);
    expect(await collect(owner.galleries.listByResourceGroup(RG))).toEqual([]);
  });

  it("accepts a VM as source and echoes replicationMode only when sent", async () => {
    await owner.galleries.createOrUpdate(RG, "gallery1", { location: "westus" }, FAST_POLL);
    await owner.galleryImages.createOrUpdate(
      RG,
      "gallery1",
      "image1",
      { ...imageDefinition, osState: "Specialized" },
      FAST_POLL,
    );
    const shallow = await owner.galleryImageVersions.createOrUpdate(
      RG,
      "gallery1",
      "image1",
      "1.0.0",
      {
        location: "westus",
        publishingProfile: { replicationMode: "Shallow" },
        storageProfile: {
          source: {
            virtualMachineId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/vm1`,
          },
        },
      },
      FAST_POLL,
    );
    expect(shallow.publishingProfile?.replicationMode).toBe("Shallow");
    expect(shallow.storageProfile?.source?.virtualMachineId).toContain("/virtualMachines/vm1");
    const full = await owner.galleryImageVersions.createOrUpdate(
      RG,
      "gallery1",
      "image1",
      "1.0.1",
      { location: "westus", storageProfile: { source: { id: SECOND_IMAGE } } },
      FAST_POLL,
    );
    expect(full.publishingProfile?.replicationMode).toBeUndefined();
  });
});

describe("direct sharing (docs/arm-behaviour.md#direct-sharing, #share, #consumer-views)", () => {
  it("Add, Remove and Reset change the groups and what consumers see", async () => {
    await owner.galleries.createOrUpdate(
      RG,
      "gellery000002",
      { location: "westus", tags: {}, sharingProfile: { permissions: "Groups" } },
      FAST_POLL,
    );
    await owner.galleryImages.createOrUpdate(RG, "gellery000002", "image1", imageDefinition, FAST_POLL);
    await owner.galleryImageVersions.createOrUpdate(
      RG,
      "gellery000002",
      "image1",
      "1.1.2",
      {
        location: "westus",
        publishingProfile: { targetRegions: [{ name: "westus" }], replicaCount: 1 },
        storageProfile: { source: { id: MANAGED_IMAGE } },
      },
      FAST_POLL,
    );
    const uniqueName = `${SUBSCRIPTION}-GELLERY000002`;

    // Before sharing the consumer sees nothing.
    expect(await collect(consumer.sharedGalleries.list("westus"))).toEqual([]);
    await expect(consumer.sharedGalleries.get("westus", uniqueName)).rejects.toMatchObject({
      statusCode: 404,
    });

    await shareAndWait(owner, RG, "gellery000002", {
      operationType: "Add",
      groups: [
        { type: "Subscriptions", ids: [SUBSCRIPTION, CONSUMER_SUBSCRIPTION] },
        { type: "AADTenants", ids: [OTHER_TENANT] },
      ],
    });
    const shared = await owner.galleries.get(RG, "gellery000002", { select: "Permissions" });
    expect(shared.sharingProfile).toMatchObject({
      permissions: "Groups",
      groups: [
        { type: "Subscriptions", ids: [SUBSCRIPTION, CONSUMER_SUBSCRIPTION] },
        { type: "AADTenants", ids: [OTHER_TENANT] },
      ],
    });

    const galleries = await collect(consumer.sharedGalleries.list("westus"));
    expect(galleries.map((g) => g.name)).toEqual([uniqueName]);
    expect(galleries[0]?.uniqueId).toBe(`/SharedGalleries/${uniqueName}`);
    expect((await consumer.sharedGalleries.get("westus", uniqueName)).name).toBe(uniqueName);
    const images = await collect(consumer.sharedGalleryImages.list("westus", uniqueName));
    expect(images.map((i) => i.identifier)).toEqual([
      { publisher: "publisher1", offer: "offer1", sku: "sku1" },
    ]);
    const image = await consumer.sharedGalleryImages.get("westus", uniqueName, "image1");
    expect(image.osType).toBe("Linux");
    const versions = await collect(consumer.sharedGalleryImageVersions.list("westus", uniqueName, "image1"));
    expect(versions.map((v) => v.name)).toEqual(["1.1.2"]);
    const version = await consumer.sharedGalleryImageVersions.get("westus", uniqueName, "image1", "1.1.2");
    expect(version.storageProfile?.osDiskImage).toMatchObject({ diskSizeGB: 30, hostCaching: "ReadWrite" });

    await shareAndWait(owner, RG, "gellery000002", {
      operationType: "Remove",
      groups: [
        { type: "Subscriptions", ids: [CONSUMER_SUBSCRIPTION] },
        { type: "AADTenants", ids: [OTHER_TENANT] },
      ],
    });
    const removed = await owner.galleries.get(RG, "gellery000002", { select: "Permissions" });
    expect(removed.sharingProfile?.groups).toEqual([{ type: "Subscriptions", ids: [SUBSCRIPTION] }]);
    expect(await collect(consumer.sharedGalleries.list("westus"))).toEqual([]);

    await shareAndWait(owner, RG, "gellery000002", { operationType: "Reset" });
    const reset = await owner.galleries.get(RG, "gellery000002", { select: "Permissions" });
    expect(reset.sharingProfile).toEqual({ permissions: "Private" });
  });
});

describe("community gallery (docs/arm-behaviour.md#community, #share, #consumer-views)", () => {
  it("creates with a public name, enables community, is visible, resets and deletes", async () => {
    const created = await owner.galleries.createOrUpdate(
      RG,
      "gallery1",
      {
        location: "centraluseuap",
        tags: {},
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
      FAST_POLL,
    );
    const info = created.sharingProfile?.communityGalleryInfo;
    expect(info?.communityGalleryEnabled).toBe(false);
    expect(info?.publicNames?.[0]).toMatch(
      /^pubname-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const publicName = info?.publicNames?.[0] ?? "";

    await expect(consumer.communityGalleries.get("centraluseuap", publicName)).rejects.toMatchObject({
      statusCode: 404,
    });
    await shareAndWait(owner, RG, "gallery1", { operationType: "EnableCommunity", groups: [] });
    const enabled = await owner.galleries.get(RG, "gallery1", { select: "Permissions" });
    expect(enabled.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(true);

    await owner.galleryImages.createOrUpdate(
      RG,
      "gallery1",
      "image1",
      { ...imageDefinition, location: "centraluseuap" },
      FAST_POLL,
    );
    const community = await consumer.communityGalleries.get("centraluseuap", publicName);
    expect(community).toMatchObject({ name: publicName, location: "CentralUSEUAP" });
    const image = await consumer.communityGalleryImages.get("centraluseuap", publicName, "image1");
    expect(image.identifier).toEqual({ publisher: "", offer: "", sku: "" });
    expect(await collect(consumer.communityGalleryImages.list("centraluseuap", publicName))).toHaveLength(1);
    expect(
      await collect(consumer.communityGalleryImageVersions.list("centraluseuap", publicName, "image1")),
    ).toEqual([]);

    // A new Community PUT makes a new public name (PERM23 #1/#9).
    const again = await owner.galleries.createOrUpdate(
      RG,
      "gallery1",
      {
        location: "centraluseuap",
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
      FAST_POLL,
    );
    expect(again.sharingProfile?.communityGalleryInfo?.publicNames?.[0]).not.toBe(publicName);

    await shareAndWait(owner, RG, "gallery1", { operationType: "Reset" });
    const reset = await owner.galleries.get(RG, "gallery1", { select: "Permissions" });
    expect(reset.sharingProfile).toEqual({ permissions: "Private" });

    await owner.galleryImages.delete(RG, "gallery1", "image1", FAST_POLL);
    await owner.galleries.delete(RG, "gallery1", FAST_POLL);
  });
});
