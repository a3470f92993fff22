// Every rule of issue 4 item 5, through the real SDK: each answers ARM's error envelope with the
// expected status and code.
import type { ComputeManagementClient } from "@azure/arm-compute";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../tools/sim/index.js";
import { computeClient, FAST_POLL, shareAndWait, startTestSimulator } from "../support/sim.js";
import { MANAGED_IMAGE, OWNER, RG, SECOND_IMAGE, SUBSCRIPTION, seedWorld } from "./world.js";

let sim: Simulator;
let client: ComputeManagementClient;

beforeAll(async () => {
  // A Full replication of one second: long enough to collide with, short enough to wait for.
  sim = await startTestSimulator({ durations: { versionFullReplication: 1_000_000 } });
  client = computeClient(sim, OWNER, SUBSCRIPTION);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  seedWorld(sim);
});

interface ArmFailure {
  statusCode: number;
  code: string;
  message: string;
}

/** The status and code of the ARM error a call fails with. (The SDK's RestError drops the
 * envelope's `target`; test/sim/fidelity.test.ts checks targets on the wire.) */
async function failure(call: Promise<unknown>): Promise<ArmFailure> {
  try {
    await call;
  } catch (error) {
    const e = error as { statusCode: number; code: string; message: string };
    return { statusCode: e.statusCode, code: e.code, message: e.message };
  }
  throw new Error("expected the call to fail");
}

const definition = {
  location: "westus",
  osType: "Linux",
  osState: "Generalized",
  identifier: { publisher: "p", offer: "o", sku: "s" },
} as const;

function version(source = MANAGED_IMAGE, regions: string[] = ["westus"]) {
  return {
    location: "westus",
    publishingProfile: { targetRegions: regions.map((name) => ({ name })) },
    storageProfile: { source: { id: source } },
  };
}

async function galleryWithImage(name = "g1", permissions: "Private" | "Groups" = "Private"): Promise<void> {
  await client.galleries.createOrUpdate(
    RG,
    name,
    { location: "westus", sharingProfile: { permissions } },
    FAST_POLL,
  );
  await client.galleryImages.createOrUpdate(RG, name, "image1", definition, FAST_POLL);
}

describe("name rules", () => {
  it("takes gallery names of letters and digits with underscores and periods only in the middle", async () => {
    for (const name of ["my-gallery", "_gallery", "gallery.", "gallery_", ".gallery", "a".repeat(81)]) {
      const refused = await failure(
        client.galleries.createOrUpdate(RG, name, { location: "westus" }, FAST_POLL),
      );
      expect(refused, name).toMatchObject({
        statusCode: 400,
        code: "InvalidParameter",
        message:
          "Gallery name is invalid. Allowed characters are English alphanumeric characters, with underscores and periods allowed in the middle, up to 80 characters total. All other special characters, including dashes, are disallowed.",
      });
    }
    for (const name of ["gallery_000003", "my.gallery", "G", "a".repeat(80)]) {
      const created = await client.galleries.createOrUpdate(RG, name, { location: "westus" }, FAST_POLL);
      expect(created.provisioningState, name).toBe("Succeeded");
    }
  });
  it("takes image definition names with underscores, as real ARM did (def_x, img_x)", async () => {
    await client.galleries.createOrUpdate(RG, "g1", { location: "westus" }, FAST_POLL);
    for (const [name, sku] of [
      ["def_x", "s1"],
      ["img_x", "s2"],
      ["image_", "s3"],
      ["ubuntu-22.04_lts", "s4"],
    ] as const) {
      const created = await client.galleryImages.createOrUpdate(
        RG,
        "g1",
        name,
        { ...definition, identifier: { ...definition.identifier, sku } },
        FAST_POLL,
      );
      expect(created.name).toBe(name);
    }
    for (const name of ["_image", "-image", ".image", "image-", "image.", "my image", "a".repeat(81)]) {
      expect(
        await failure(client.galleryImages.createOrUpdate(RG, "g1", name, definition, FAST_POLL)),
        name,
      ).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
    }
  });
  it("refuses a version name that is not Major.Minor.Patch of int32", async () => {
    await galleryWithImage();
    for (const name of ["1.0", "1.0.0.0", "1.2147483648.0"]) {
      expect(
        await failure(
          client.galleryImageVersions.createOrUpdate(RG, "g1", "image1", name, version(), FAST_POLL),
        ),
      ).toMatchObject({
        statusCode: 400,
        code: "InvalidParameter",
        message: `The gallery image version name '${name}' is invalid. The version name must follow Major(int32).Minor(int32).Patch(int32) format, where int is between 0 and 2,147,483,647 (inclusive). e.g: 1.0.0, 2018.12.1 etc.`,
      });
    }
  });
  it("keeps gallery names unique per subscription", async () => {
    sim.seed({ resourceGroups: [{ subscriptionId: SUBSCRIPTION, name: "rg2", location: "westus" }] });
    await client.galleries.createOrUpdate(RG, "g1", { location: "westus" }, FAST_POLL);
    expect(
      await failure(client.galleries.createOrUpdate("rg2", "G1", { location: "westus" }, FAST_POLL)),
    ).toMatchObject({ statusCode: 409, code: "Conflict" });
  });
});

describe("unknown parents", () => {
  it("answers ResourceGroupNotFound for a gallery in a missing resource group", async () => {
    expect(
      await failure(client.galleries.createOrUpdate("nope", "g1", { location: "westus" }, FAST_POLL)),
    ).toMatchObject({
      statusCode: 404,
      code: "ResourceGroupNotFound",
    });
  });
  it("answers ParentResourceNotFound for a definition or version without its parent", async () => {
    expect(
      await failure(client.galleryImages.createOrUpdate(RG, "missing", "image1", definition, FAST_POLL)),
    ).toMatchObject({
      statusCode: 404,
      code: "ParentResourceNotFound",
    });
    await client.galleries.createOrUpdate(RG, "g1", { location: "westus" }, FAST_POLL);
    expect(
      await failure(
        client.galleryImageVersions.createOrUpdate(RG, "g1", "missing", "1.0.0", version(), FAST_POLL),
      ),
    ).toMatchObject({
      statusCode: 404,
      code: "ParentResourceNotFound",
    });
  });
  it("answers ResourceNotFound for a missing gallery, definition or version", async () => {
    expect(await failure(client.galleries.get(RG, "missing"))).toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
    await galleryWithImage();
    expect(await failure(client.galleryImages.get(RG, "g1", "missing"))).toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
    expect(await failure(client.galleryImageVersions.get(RG, "g1", "image1", "9.9.9"))).toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });
});

describe("deleting parents", () => {
  it("refuses to delete a gallery or definition that still has children", async () => {
    await galleryWithImage();
    await client.galleryImageVersions.createOrUpdate(RG, "g1", "image1", "1.0.0", version(), FAST_POLL);
    expect(await failure(client.galleries.delete(RG, "g1", FAST_POLL))).toMatchObject({
      statusCode: 409,
      code: "CannotDeleteResource",
    });
    expect(await failure(client.galleryImages.delete(RG, "g1", "image1", FAST_POLL))).toMatchObject({
      statusCode: 409,
      code: "CannotDeleteResource",
    });
  });
  it("refuses to delete a community gallery before Reset", async () => {
    await client.galleries.createOrUpdate(
      RG,
      "g1",
      {
        location: "westus",
        sharingProfile: {
          permissions: "Community",
          communityGalleryInfo: {
            publisherUri: "u",
            publisherContact: "c@x",
            eula: "e",
            publicNamePrefix: "p",
          },
        },
      },
      FAST_POLL,
    );
    expect(await failure(client.galleries.delete(RG, "g1", FAST_POLL))).toMatchObject({
      statusCode: 409,
      code: "OperationNotAllowed",
    });
  });
});

describe("image version sources", () => {
  it("needs exactly one source (the recorded DIFF #40 error)", async () => {
    await galleryWithImage();
    const answer = await failure(
      client.galleryImageVersions.createOrUpdate(
        RG,
        "g1",
        "image1",
        "1.0.0",
        { location: "westus", storageProfile: {} },
        FAST_POLL,
      ),
    );
    expect(answer).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
    expect(answer.message).toContain("One and only one source type");
  });
  it("needs the source to exist", async () => {
    await galleryWithImage();
    const missing = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/images/missing`;
    expect(
      await failure(
        client.galleryImageVersions.createOrUpdate(RG, "g1", "image1", "1.0.0", version(missing), FAST_POLL),
      ),
    ).toMatchObject({
      statusCode: 404,
      code: "NotFound",
    });
  });
  it("needs the source region among the target regions", async () => {
    await galleryWithImage();
    expect(
      await failure(
        client.galleryImageVersions.createOrUpdate(
          RG,
          "g1",
          "image1",
          "1.0.0",
          version(MANAGED_IMAGE, ["eastus"]),
          FAST_POLL,
        ),
      ),
    ).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
  });
  it("lets a managed image feed a second version only after the first has replicated", async () => {
    await galleryWithImage();
    const first = client.galleryImageVersions.createOrUpdate(
      RG,
      "g1",
      "image1",
      "1.0.0",
      version(),
      FAST_POLL,
    );
    await first.submitted();
    expect(
      await failure(
        client.galleryImageVersions.createOrUpdate(RG, "g1", "image1", "1.0.1", version(), FAST_POLL),
      ),
    ).toMatchObject({
      statusCode: 409,
      code: "OperationNotAllowed",
    });
    // Another managed image is fine meanwhile.
    await client.galleryImageVersions
      .createOrUpdate(RG, "g1", "image1", "2.0.0", version(SECOND_IMAGE), FAST_POLL)
      .submitted();
    await first;
    await client.galleryImageVersions
      .createOrUpdate(RG, "g1", "image1", "1.0.1", version(), FAST_POLL)
      .submitted();
  });
  it("refuses to change the source or a definition's identity", async () => {
    await galleryWithImage();
    await client.galleryImageVersions.createOrUpdate(RG, "g1", "image1", "1.0.0", version(), FAST_POLL);
    expect(
      await failure(
        client.galleryImageVersions.createOrUpdate(
          RG,
          "g1",
          "image1",
          "1.0.0",
          version(SECOND_IMAGE),
          FAST_POLL,
        ),
      ),
    ).toMatchObject({
      statusCode: 409,
      code: "PropertyChangeNotAllowed",
    });
    expect(
      await failure(
        client.galleryImages.createOrUpdate(
          RG,
          "g1",
          "image1",
          { ...definition, identifier: { publisher: "p", offer: "o", sku: "other" } },
          FAST_POLL,
        ),
      ),
    ).toMatchObject({ statusCode: 409, code: "PropertyChangeNotAllowed" });
  });
});

describe("sharing rules", () => {
  const subscriptions = (n: number) =>
    Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
  const tenants = (n: number) =>
    Array.from({ length: n }, (_, i) => `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

  it("shares directly with at most 30 subscriptions and 5 tenants", async () => {
    await client.galleries.createOrUpdate(
      RG,
      "g1",
      { location: "westus", sharingProfile: { permissions: "Groups" } },
      FAST_POLL,
    );
    await shareAndWait(client, RG, "g1", {
      operationType: "Add",
      groups: [
        { type: "Subscriptions", ids: subscriptions(30) },
        { type: "AADTenants", ids: tenants(5) },
      ],
    });
    const tooMany = [{ type: "Subscriptions", ids: ["ffffffff-0000-4000-8000-000000000000"] }];
    expect(
      await failure(shareAndWait(client, RG, "g1", { operationType: "Add", groups: tooMany })),
    ).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
    const oneTenantTooMany = [{ type: "AADTenants", ids: ["ffffffff-0000-4000-8000-000000000001"] }];
    expect(
      await failure(shareAndWait(client, RG, "g1", { operationType: "Add", groups: oneTenantTooMany })),
    ).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
  });
  it("keeps encrypted versions out of a directly shared gallery", async () => {
    await galleryWithImage("g1", "Groups");
    const encrypted = {
      location: "westus",
      publishingProfile: {
        targetRegions: [
          {
            name: "westus",
            encryption: {
              osDiskImage: {
                diskEncryptionSetId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/diskEncryptionSets/des1`,
              },
            },
          },
        ],
      },
      storageProfile: { source: { id: MANAGED_IMAGE } },
    };
    expect(
      await failure(
        client.galleryImageVersions.createOrUpdate(RG, "g1", "image1", "1.0.0", encrypted, FAST_POLL),
      ),
    ).toMatchObject({
      statusCode: 409,
      code: "OperationNotAllowed",
    });
    // A private gallery with an encrypted version cannot become a Groups gallery.
    await galleryWithImage("g2", "Private");
    await client.galleryImageVersions.createOrUpdate(RG, "g2", "image1", "1.0.0", encrypted, FAST_POLL);
    expect(
      await failure(
        client.galleries.createOrUpdate(
          RG,
          "g2",
          { location: "westus", sharingProfile: { permissions: "Groups" } },
          FAST_POLL,
        ),
      ),
    ).toMatchObject({
      statusCode: 409,
      code: "OperationNotAllowed",
    });
  });
  it("allows EnableCommunity only on a Community gallery and Add only on a Groups gallery", async () => {
    await client.galleries.createOrUpdate(
      RG,
      "g1",
      { location: "westus", sharingProfile: { permissions: "Groups" } },
      FAST_POLL,
    );
    expect(await failure(shareAndWait(client, RG, "g1", { operationType: "EnableCommunity" }))).toMatchObject(
      { statusCode: 409, code: "OperationNotAllowed" },
    );
    await client.galleries.createOrUpdate(RG, "g2", { location: "westus" }, FAST_POLL);
    expect(
      await failure(
        shareAndWait(client, RG, "g2", {
          operationType: "Add",
          groups: [{ type: "Subscriptions", ids: subscriptions(1) }],
        }),
      ),
    ).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
  });
});
