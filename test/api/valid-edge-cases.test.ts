// The edges of every rule are accepted, the API server fills in the defaults, and the fields Azure
// can change stay changeable.
import { beforeAll, describe, expect, it } from "vitest";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { apply, expectAccepted, installCrds } from "./support/api-server.js";
import {
  armId,
  communityGallery,
  gallery,
  gallerySharing,
  guids,
  imageDefinition,
  imageVersion,
  type Manifest,
  withChanges,
} from "./support/fixtures.js";

/** 80 characters of every kind a gallery name may hold. */
const GALLERY_NAME_80 = `My.Gallery_${"x".repeat(68)}9`;
const IMAGE_NAME_80 = `Ubuntu-22.04_LTS-${"x".repeat(62)}1`;

const edgeCases: [string, Manifest][] = [
  ["a gallery azureName of 80 characters", withChanges(gallery(), { "spec.azureName": GALLERY_NAME_80 })],
  ["a gallery azureName of 1 character", withChanges(gallery(), { "spec.azureName": "g" })],
  [
    "no gallery azureName when metadata.name (80 characters) is a valid gallery name",
    withChanges(gallery("g".repeat(80)), { "spec.azureName": undefined }),
  ],
  [
    "no gallery azureName when metadata.name holds dots",
    withChanges(gallery("my.gallery"), { "spec.azureName": undefined }),
  ],
  [
    "an image definition azureName of 80 characters",
    withChanges(imageDefinition(), { "spec.azureName": IMAGE_NAME_80 }),
  ],
  [
    "an image definition azureName with underscores, as real ARM accepts (def_x, ending in _)",
    withChanges(imageDefinition(), { "spec.azureName": "def_x_" }),
  ],
  [
    "no image definition azureName when metadata.name (80 characters, with dashes) is valid",
    withChanges(imageDefinition(`my-image-${"i".repeat(71)}`), { "spec.azureName": undefined }),
  ],
  ["version 0.0.0", withChanges(imageVersion(), { "spec.version": "0.0.0" })],
  ["version 2147483647.0.0", withChanges(imageVersion(), { "spec.version": "2147483647.0.0" })],
  [
    "version 2147483647.2147483647.2147483647",
    withChanges(imageVersion(), { "spec.version": "2147483647.2147483647.2147483647" }),
  ],
  [
    "exactly 30 subscriptions and 5 tenants",
    withChanges(gallerySharing(), { "spec.subscriptions": guids(30), "spec.tenants": guids(5, "eeee") }),
  ],
  [
    "no one to share with (share nothing)",
    withChanges(gallerySharing(), {
      "spec.subscriptions": undefined,
      "spec.tenants": undefined,
      "spec.roleAssignments": undefined,
    }),
  ],
  [
    "community sharing with no subscriptions or tenants",
    withChanges(gallerySharing(), {
      "spec.subscriptions": [],
      "spec.tenants": undefined,
      "spec.community": { enabled: true },
    }),
  ],
  [
    "a role by definition GUID and a role name with spaces",
    withChanges(gallerySharing(), {
      "spec.roleAssignments": [
        {
          principalId: guids(1)[0],
          principalType: "ServicePrincipal",
          role: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        },
        {
          principalId: guids(1)[0],
          principalType: "ServicePrincipal",
          role: "Compute Gallery Sharing Admin",
        },
      ],
    }),
  ],
  ["a community gallery", communityGallery()],
  [
    "50 replicas in a region, every storage account type, and encryption",
    withChanges(imageVersion(), {
      "spec.targetRegions": [
        { name: "westcentralus", regionalReplicaCount: 50, storageAccountType: "Premium_LRS" },
        { name: "eastus", storageAccountType: "Standard_ZRS" },
        {
          name: "southcentralus",
          storageAccountType: "Standard_LRS",
          encryption: {
            osDiskImage: { diskEncryptionSetId: armId("diskEncryptionSets", "des1") },
            dataDiskImages: [{ lun: 0, diskEncryptionSetId: armId("diskEncryptionSets", "des1") }],
          },
        },
      ],
    }),
  ],
  ...(["virtualMachineId", "snapshotId", "diskId"] as const).map((field): [string, Manifest] => [
    `a version made from ${field}`,
    withChanges(imageVersion(), {
      "spec.source": {
        [field]: armId(
          { virtualMachineId: "virtualMachines", snapshotId: "snapshots", diskId: "disks" }[field],
          "src",
        ),
      },
    }),
  ]),
  [
    "ARM ids with resourcegroups in lower case",
    withChanges(imageVersion(), {
      "spec.source.managedImageId": armId("images", "img").replace("resourceGroups", "resourcegroups"),
    }),
  ],
  [
    "an image definition with features, recommendations and an end-of-life date",
    withChanges(imageDefinition(), {
      "spec.features": [
        { name: "SecurityType", value: "TrustedLaunch" },
        { name: "IsAcceleratedNetworkSupported", value: "True" },
      ],
      "spec.recommended": { vCPUs: { min: 2, max: 2 }, memory: { min: 4 } },
      "spec.endOfLifeDate": "2030-12-31T00:00:00Z",
      "spec.hyperVGeneration": "V2",
      "spec.architecture": "Arm64",
    }),
  ],
];

describe("the API server accepts valid edge cases", () => {
  let cluster: TestCluster;
  let namespace: string;

  beforeAll(async () => {
    cluster = await testCluster();
    await installCrds(cluster);
    namespace = await cluster.newNamespace("api-valid");
  });

  it.each(edgeCases)("%s", async (_, manifest) => {
    expectAccepted(await apply(cluster, namespace, manifest, { dryRun: true }));
  });

  it("fills in the defaults the reconcilers rely on", async () => {
    const objects = [
      gallery("defaults-gallery"),
      imageDefinition("defaults-image"),
      imageVersion("defaults-version"),
      withChanges(gallerySharing("defaults-sharing"), {
        "spec.roleAssignments": [{ principalId: guids(1)[0], principalType: "Group" }],
      }),
    ];
    const result = await cluster.kubectl(
      ["apply", "--server-side", "-n", namespace, "-f", "-", "-o", "json"],
      { input: objects.map((o) => JSON.stringify(o)).join("\n") },
    );
    expectAccepted(result);
    const specs = Object.fromEntries(
      (JSON.parse(result.stdout).items as { kind: string; spec: Record<string, unknown> }[]).map((o) => [
        o.kind,
        o.spec,
      ]),
    );
    expect(specs.Gallery).toMatchObject({ sharing: { permissions: "Private" }, deletionPolicy: "Delete" });
    expect(specs.ImageDefinition).toMatchObject({
      hyperVGeneration: "V1",
      architecture: "x64",
      deletionPolicy: "Delete",
    });
    expect(specs.ImageVersion).toMatchObject({
      replicaCount: 1,
      excludeFromLatest: false,
      deletionPolicy: "Delete",
      targetRegions: [
        { name: "westcentralus", storageAccountType: "Standard_LRS" },
        { name: "eastus", storageAccountType: "Standard_LRS", regionalReplicaCount: 2 },
      ],
    });
    expect(specs.GallerySharing).toMatchObject({
      roleAssignments: [{ role: "Reader" }],
      deletionPolicy: "Delete",
    });
  });

  it("lets sharing permissions change, as Azure does", async () => {
    const before = gallery("permissions-change");
    expectAccepted(await apply(cluster, namespace, before));
    expectAccepted(
      await apply(cluster, namespace, withChanges(before, { "spec.sharing": { permissions: "Groups" } })),
    );
    const community = withChanges(communityGallery(), { "metadata.name": "permissions-change" });
    expectAccepted(await apply(cluster, namespace, community));
    expectAccepted(await apply(cluster, namespace, before));
  });

  it("lets the Azure name be spelled out when it equals metadata.name", async () => {
    const before = withChanges(gallery("spelledout"), { "spec.azureName": undefined });
    expectAccepted(await apply(cluster, namespace, before));
    expectAccepted(await apply(cluster, namespace, withChanges(before, { "spec.azureName": "spelledout" })));
  });

  it("lets the fields Azure updates change", async () => {
    const version = imageVersion("mutable-version");
    expectAccepted(await apply(cluster, namespace, version));
    const changed = withChanges(version, {
      "spec.targetRegions": [{ name: "westcentralus", regionalReplicaCount: 3 }, { name: "westus" }],
      "spec.excludeFromLatest": true,
      "spec.endOfLifeDate": "2031-01-01T00:00:00Z",
      "spec.replicaCount": 2,
    });
    expectAccepted(await apply(cluster, namespace, changed));

    const sharing = gallerySharing("mutable-sharing");
    expectAccepted(await apply(cluster, namespace, sharing));
    expectAccepted(
      await apply(
        cluster,
        namespace,
        withChanges(sharing, { "spec.subscriptions": guids(3, "ffff"), "spec.tenants": [] }),
      ),
    );

    const definition = imageDefinition("mutable-definition");
    expectAccepted(await apply(cluster, namespace, definition));
    expectAccepted(
      await apply(
        cluster,
        namespace,
        withChanges(definition, { "spec.description": "now described", "spec.eula": "x" }),
      ),
    );
  });
});
