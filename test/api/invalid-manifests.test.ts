// Bad input is rejected at `kubectl apply` time by the real API server, with an error that names
// the field and says the rule. Each case is a valid manifest with one thing wrong.
import { beforeAll, describe, expect, it } from "vitest";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { apply, expectAccepted, expectRejected, installCrds, setStatus } from "./support/api-server.js";
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

interface InvalidCase {
  title: string;
  manifest: Manifest;
  /** The field path the error must name. */
  path: string;
  /** Text the error for that field must contain. */
  message: string;
}

const GALLERY_NAME = "must be a valid gallery name";
const GUID = "must be a GUID in lower case";
const VERSION_SHAPE = "must be Major.Minor.Patch";
const VERSION_RANGE = "each part of the version must be at most 2147483647";
const ONE_SOURCE = "set exactly one of managedImageId, virtualMachineId, snapshotId, diskId";

function version(v: string): Manifest {
  return withChanges(imageVersion(), { "spec.version": v });
}

const createCases: InvalidCase[] = [
  // Gallery
  {
    title: "gallery azureName with a dash",
    manifest: withChanges(gallery(), { "spec.azureName": "my-gallery" }),
    path: "spec.azureName",
    message: GALLERY_NAME,
  },
  {
    title: "gallery azureName starting with an underscore",
    manifest: withChanges(gallery(), { "spec.azureName": "_gallery" }),
    path: "spec.azureName",
    message: GALLERY_NAME,
  },
  {
    title: "gallery azureName of 81 characters",
    manifest: withChanges(gallery(), { "spec.azureName": "g".repeat(81) }),
    path: "spec.azureName",
    message: "Too long: may not be more than 80",
  },
  {
    title: "no azureName while metadata.name has a dash",
    manifest: withChanges(gallery("my-gallery"), { "spec.azureName": undefined }),
    path: "spec.azureName",
    message: "spec.azureName is required because metadata.name is not a valid gallery name",
  },
  {
    title: "no azureName while metadata.name is longer than 80",
    manifest: withChanges(gallery("g".repeat(81)), { "spec.azureName": undefined }),
    path: "spec.azureName",
    message: "spec.azureName is required because metadata.name is not a valid gallery name",
  },
  {
    title: "subscriptionId in upper case",
    manifest: withChanges(gallery(), { "spec.subscriptionId": "0B1F6471-1BF0-4DDA-AEC3-CB9272F09590" }),
    path: "spec.subscriptionId",
    message: GUID,
  },
  {
    title: "no subscriptionId",
    manifest: withChanges(gallery(), { "spec.subscriptionId": undefined }),
    path: "spec.subscriptionId",
    message: "Required value",
  },
  {
    title: "location as a display name",
    manifest: withChanges(gallery(), { "spec.location": "West Central US" }),
    path: "spec.location",
    message: "must be a region's programmatic name",
  },
  {
    title: "resource group ending with a dot",
    manifest: withChanges(gallery(), { "spec.resourceGroup": "myGalleryRG." }),
    path: "spec.resourceGroup",
    message: "not ending with a dot",
  },
  {
    title: "unknown sharing permissions",
    manifest: withChanges(gallery(), { "spec.sharing": { permissions: "Public" } }),
    path: "spec.sharing.permissions",
    message: 'Unsupported value: "Public"',
  },
  {
    title: "Community permissions without community details",
    manifest: withChanges(gallery(), { "spec.sharing": { permissions: "Community" } }),
    path: "spec.sharing.community",
    message: "sharing.community is required when permissions is Community",
  },
  {
    title: "community details on a Groups gallery",
    manifest: withChanges(communityGallery(), { "spec.sharing.permissions": "Groups" }),
    path: "spec.sharing.community",
    message: "sharing.community is only allowed when permissions is Community",
  },
  {
    title: "community gallery without a EULA",
    manifest: withChanges(communityGallery(), { "spec.sharing.community.eula": undefined }),
    path: "spec.sharing.community.eula",
    message: "Required value",
  },
  {
    title: "community publisher contact that is not an e-mail address",
    manifest: withChanges(communityGallery(), {
      "spec.sharing.community.publisherContact": "contoso support",
    }),
    path: "spec.sharing.community.publisherContact",
    message: "must be of type email",
  },
  {
    title: "unknown deletion policy",
    manifest: withChanges(gallery(), { "spec.deletionPolicy": "Keep" }),
    path: "spec.deletionPolicy",
    message: 'supported values: "Delete", "Orphan"',
  },
  // ImageDefinition
  {
    title: "image definition azureName with a slash",
    manifest: withChanges(imageDefinition(), { "spec.azureName": "ubuntu/22.04" }),
    path: "spec.azureName",
    message: "must be a valid image definition name",
  },
  {
    title: "no image azureName while metadata.name is longer than 80",
    manifest: withChanges(imageDefinition("i".repeat(81)), { "spec.azureName": undefined }),
    path: "spec.azureName",
    message: "spec.azureName is required because metadata.name is not a valid image definition name",
  },
  {
    title: "no galleryRef",
    manifest: withChanges(imageDefinition(), { "spec.galleryRef": undefined }),
    path: "spec.galleryRef",
    message: "Required value",
  },
  {
    title: "unknown osType",
    manifest: withChanges(imageDefinition(), { "spec.osType": "MacOS" }),
    path: "spec.osType",
    message: 'supported values: "Windows", "Linux"',
  },
  {
    title: "no osState",
    manifest: withChanges(imageDefinition(), { "spec.osState": undefined }),
    path: "spec.osState",
    message: "Required value",
  },
  {
    title: "unknown hyperVGeneration",
    manifest: withChanges(imageDefinition(), { "spec.hyperVGeneration": "V3" }),
    path: "spec.hyperVGeneration",
    message: 'supported values: "V1", "V2"',
  },
  {
    title: "architecture in the wrong case",
    manifest: withChanges(imageDefinition(), { "spec.architecture": "arm64" }),
    path: "spec.architecture",
    message: 'supported values: "x64", "Arm64"',
  },
  {
    title: "identifier without sku",
    manifest: withChanges(imageDefinition(), { "spec.identifier.sku": undefined }),
    path: "spec.identifier.sku",
    message: "Required value",
  },
  {
    title: "empty publisher",
    manifest: withChanges(imageDefinition(), { "spec.identifier.publisher": "" }),
    path: "spec.identifier.publisher",
    message: "should be at least 1 chars long",
  },
  {
    title: "recommended vCPUs with min above max",
    manifest: withChanges(imageDefinition(), { "spec.recommended": { vCPUs: { min: 8, max: 2 } } }),
    path: "spec.recommended.vCPUs",
    message: "min must not be greater than max",
  },
  {
    title: "end-of-life date that is not a date-time",
    manifest: withChanges(imageDefinition(), { "spec.endOfLifeDate": "2030-12-31" }),
    path: "spec.endOfLifeDate",
    message: "must be of type date-time",
  },
  // ImageVersion
  { title: "version 1.0", manifest: version("1.0"), path: "spec.version", message: VERSION_SHAPE },
  { title: "version 1.0.0.0", manifest: version("1.0.0.0"), path: "spec.version", message: VERSION_SHAPE },
  { title: "version 01.0.0", manifest: version("01.0.0"), path: "spec.version", message: VERSION_SHAPE },
  { title: "version 1.x.0", manifest: version("1.x.0"), path: "spec.version", message: VERSION_SHAPE },
  {
    title: "version 1.2.4294967296",
    manifest: version("1.2.4294967296"),
    path: "spec.version",
    message: VERSION_RANGE,
  },
  {
    title: "version 2147483648.0.0",
    manifest: version("2147483648.0.0"),
    path: "spec.version",
    message: VERSION_RANGE,
  },
  {
    title: "two sources",
    manifest: withChanges(imageVersion(), { "spec.source.snapshotId": armId("snapshots", "osdisk") }),
    path: "spec.source",
    message: ONE_SOURCE,
  },
  {
    title: "no source id at all",
    manifest: withChanges(imageVersion(), { "spec.source": {} }),
    path: "spec.source",
    message: ONE_SOURCE,
  },
  {
    title: "managed image id that names a disk",
    manifest: withChanges(imageVersion(), { "spec.source.managedImageId": armId("disks", "osdisk") }),
    path: "spec.source.managedImageId",
    message: "must be the id of a Microsoft.Compute/images resource",
  },
  {
    title: "no target regions",
    manifest: withChanges(imageVersion(), { "spec.targetRegions": [] }),
    path: "spec.targetRegions",
    message: "should have at least 1 items",
  },
  {
    title: "the same target region twice",
    manifest: withChanges(imageVersion(), { "spec.targetRegions": [{ name: "eastus" }, { name: "eastus" }] }),
    path: "spec.targetRegions",
    message: 'duplicate entries for key [name="eastus"]',
  },
  {
    title: "target region as a display name",
    manifest: withChanges(imageVersion(), { "spec.targetRegions": [{ name: "East US" }] }),
    path: "spec.targetRegions[0].name",
    message: "must be a region's programmatic name",
  },
  {
    title: "zero replicas in a region",
    manifest: withChanges(imageVersion(), {
      "spec.targetRegions": [{ name: "eastus", regionalReplicaCount: 0 }],
    }),
    path: "spec.targetRegions[0].regionalReplicaCount",
    message: "should be greater than or equal to 1",
  },
  {
    title: "51 replicas in a region",
    manifest: withChanges(imageVersion(), {
      "spec.targetRegions": [{ name: "eastus", regionalReplicaCount: 51 }],
    }),
    path: "spec.targetRegions[0].regionalReplicaCount",
    message: "should be less than or equal to 50",
  },
  {
    title: "unknown storage account type",
    manifest: withChanges(imageVersion(), {
      "spec.targetRegions": [{ name: "eastus", storageAccountType: "Premium_ZRS" }],
    }),
    path: "spec.targetRegions[0].storageAccountType",
    message: 'supported values: "Standard_LRS", "Standard_ZRS", "Premium_LRS"',
  },
  {
    title: "default replica count of 0",
    manifest: withChanges(imageVersion(), { "spec.replicaCount": 0 }),
    path: "spec.replicaCount",
    message: "should be greater than or equal to 1",
  },
  {
    title: "version end-of-life date that is not a date-time",
    manifest: withChanges(imageVersion(), { "spec.endOfLifeDate": "next year" }),
    path: "spec.endOfLifeDate",
    message: "must be of type date-time",
  },
  {
    title: "unknown replication mode",
    manifest: withChanges(imageVersion(), { "spec.replicationMode": "Deep" }),
    path: "spec.replicationMode",
    message: 'supported values: "Full", "Shallow"',
  },
  // GallerySharing
  {
    title: "subscription that is not a GUID",
    manifest: withChanges(gallerySharing(), { "spec.subscriptions": ["my-subscription"] }),
    path: "spec.subscriptions[0]",
    message: GUID,
  },
  {
    title: "31 subscriptions",
    manifest: withChanges(gallerySharing(), { "spec.subscriptions": guids(31) }),
    path: "spec.subscriptions",
    message: "must have at most 30 items",
  },
  {
    title: "6 tenants",
    manifest: withChanges(gallerySharing(), { "spec.tenants": guids(6) }),
    path: "spec.tenants",
    message: "must have at most 5 items",
  },
  {
    title: "the same subscription twice",
    manifest: withChanges(gallerySharing(), { "spec.subscriptions": [...guids(1), ...guids(1)] }),
    path: "spec.subscriptions",
    message: "duplicate entries",
  },
  {
    title: "tenant in upper case",
    manifest: withChanges(gallerySharing(), { "spec.tenants": ["2F4A9838-26B7-47EE-BE60-CCC1FDEC5953"] }),
    path: "spec.tenants[0]",
    message: GUID,
  },
  {
    title: "community sharing together with subscriptions",
    manifest: withChanges(gallerySharing(), { "spec.community": { enabled: true } }),
    path: "spec.community",
    message: "community sharing cannot be combined with subscriptions or tenants",
  },
  {
    title: "role assignment to an unknown principal type",
    manifest: withChanges(gallerySharing(), {
      "spec.roleAssignments": [{ principalId: guids(1)[0], principalType: "Application" }],
    }),
    path: "spec.roleAssignments[0].principalType",
    message: 'supported values: "User", "Group", "ServicePrincipal"',
  },
  {
    title: "role assignment to an e-mail address",
    manifest: withChanges(gallerySharing(), {
      "spec.roleAssignments": [{ principalId: "someone@contoso.com", principalType: "User" }],
    }),
    path: "spec.roleAssignments[0].principalId",
    message: GUID,
  },
  {
    title: "role name with a wildcard",
    manifest: withChanges(gallerySharing(), {
      "spec.roleAssignments": [{ principalId: guids(1)[0], principalType: "User", role: "Reader*" }],
    }),
    path: "spec.roleAssignments[0].role",
    message: "must be a role name",
  },
  {
    title: "the same role for the same principal twice",
    manifest: withChanges(gallerySharing(), {
      "spec.roleAssignments": [
        { principalId: guids(1)[0], principalType: "User" },
        { principalId: guids(1)[0], principalType: "User", role: "Reader" },
      ],
    }),
    path: "spec.roleAssignments",
    message: "duplicate entries",
  },
];

interface ImmutableCase {
  title: string;
  /** Created for real first. */
  before: Manifest;
  /** Then applied as an update: must be rejected. */
  after: Manifest;
  path: string;
  message: string;
}

const NEW_OBJECT = "create a new";

function immutable(
  title: string,
  before: Manifest,
  changes: Record<string, unknown>,
  path: string,
): ImmutableCase {
  return { title, before, after: withChanges(before, changes), path, message: NEW_OBJECT };
}

const immutableCases: ImmutableCase[] = [
  immutable("gallery location", gallery("imm-location"), { "spec.location": "eastus" }, "spec.location"),
  immutable(
    "gallery resource group",
    gallery("imm-rg"),
    { "spec.resourceGroup": "otherRG" },
    "spec.resourceGroup",
  ),
  immutable(
    "gallery subscription",
    gallery("imm-sub"),
    { "spec.subscriptionId": guids(1)[0] },
    "spec.subscriptionId",
  ),
  immutable("gallery azureName", gallery("imm-name"), { "spec.azureName": "otherGallery" }, "spec.azureName"),
  immutable(
    "gallery azureName set where metadata.name was the Azure name",
    withChanges(gallery("immdefaulted"), { "spec.azureName": undefined }),
    { "spec.azureName": "otherGallery" },
    "spec.azureName",
  ),
  immutable(
    "image definition identifier",
    imageDefinition("imm-identifier"),
    { "spec.identifier.sku": "otherSKU" },
    "spec.identifier",
  ),
  immutable(
    "image definition osType",
    imageDefinition("imm-ostype"),
    { "spec.osType": "Windows" },
    "spec.osType",
  ),
  immutable(
    "image definition osState",
    imageDefinition("imm-osstate"),
    { "spec.osState": "Specialized" },
    "spec.osState",
  ),
  immutable(
    "image definition hyperVGeneration",
    imageDefinition("imm-hyperv"),
    { "spec.hyperVGeneration": "V2" },
    "spec.hyperVGeneration",
  ),
  immutable(
    "image definition gallery",
    imageDefinition("imm-galleryref"),
    { "spec.galleryRef": { name: "other-gallery" } },
    "spec.galleryRef",
  ),
  immutable(
    "image version source",
    imageVersion("imm-source"),
    { "spec.source": { virtualMachineId: armId("virtualMachines", "myVM") } },
    "spec.source",
  ),
  immutable("image version number", imageVersion("imm-version"), { "spec.version": "1.0.1" }, "spec.version"),
  immutable(
    "image version definition",
    imageVersion("imm-defref"),
    { "spec.imageDefinitionRef": { name: "other-image" } },
    "spec.imageDefinitionRef",
  ),
  immutable(
    "sharing gallery",
    gallerySharing("imm-sharing"),
    { "spec.galleryRef": { name: "other-gallery" } },
    "spec.galleryRef",
  ),
];

describe("the API server rejects invalid manifests", () => {
  let cluster: TestCluster;
  let namespace: string;

  beforeAll(async () => {
    cluster = await testCluster();
    await installCrds(cluster);
    namespace = await cluster.newNamespace("api-invalid");
  });

  it("has at least 30 invalid manifests and covers every kind", () => {
    expect(createCases.length + immutableCases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(createCases.map((c) => c.manifest.kind)).size).toBe(4);
  });

  it.each(createCases.map((c) => [c.title, c] as const))("on create: %s", async (_, c) => {
    expectRejected(await apply(cluster, namespace, c.manifest, { dryRun: true }), c.path, c.message);
  });

  it.each(immutableCases.map((c) => [c.title, c] as const))("on update: %s is immutable", async (_, c) => {
    expectAccepted(await apply(cluster, namespace, c.before));
    // As the operator leaves it once the object exists in Azure.
    expectAccepted(
      await setStatus(cluster, namespace, c.before, { id: `/subscriptions/x/${c.before.metadata.name}` }),
    );
    const result = await apply(cluster, namespace, c.after, { dryRun: true });
    expectRejected(result, c.path, c.message);
    expectRejected(result, c.path, "is immutable");
  });
});

// Where an object lives in Azure (subscription, resource group, location, Azure name) may be fixed
// while nothing exists there yet: `status.id` unset and no write in `status.operation` (saved
// there before the write is sent).
const createdOnlyFields = immutableCases.filter((c) =>
  /^(gallery (location|resource group|subscription|azureName)|image version number)/.test(c.title),
);

describe("typos in where an object lives can be fixed until it exists in Azure", () => {
  let cluster: TestCluster;
  let namespace: string;

  beforeAll(async () => {
    cluster = await testCluster();
    await installCrds(cluster);
    namespace = await cluster.newNamespace("api-typo");
  });

  it("covers location, resource group, subscription, Azure names and the version number", () => {
    expect(createdOnlyFields.length).toBe(6);
  });

  it.each(createdOnlyFields.map((c) => [c.title, c] as const))(
    "%s: changes while status has no id",
    async (_, c) => {
      expectAccepted(await apply(cluster, namespace, c.before));
      // The operator tried and Azure refused (a Ready=False status without an id): still fixable.
      expectAccepted(
        await setStatus(cluster, namespace, c.before, {
          conditions: [
            {
              type: "Ready",
              status: "False",
              reason: "LocationNotAvailableForResourceType",
              message: "refused",
              lastTransitionTime: "2026-01-01T00:00:00Z",
            },
          ],
        }),
      );
      expectAccepted(await apply(cluster, namespace, c.after, { dryRun: true }));
    },
  );

  it.each(createdOnlyFields.map((c) => [c.title, c] as const))(
    "%s: immutable while an operation runs",
    async (_, c) => {
      const before = withChanges(c.before, { "metadata.name": `${c.before.metadata.name}op` });
      const after = withChanges(c.after, { "metadata.name": `${c.before.metadata.name}op` });
      expectAccepted(await apply(cluster, namespace, before));
      const operation = {
        action: "CreateOrUpdate",
        resumeToken: "{}",
        startedAt: "2026-01-01T00:00:00Z",
        generation: 1,
      };
      expectAccepted(await setStatus(cluster, namespace, before, { operation }));
      const result = await apply(cluster, namespace, after, { dryRun: true });
      expectRejected(result, c.path, "is immutable");
    },
  );
});
