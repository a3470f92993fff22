// The ImageVersion body and diff: what a PUT sends, and which differences cost one.
import type { GalleryImageVersion } from "@azure/arm-compute";
import { describe, expect, it } from "vitest";
import type { ImageVersionSpec } from "../../src/api/index.js";
import { regionKey, sameInstant } from "../../src/reconcilers/driver/image-compare.js";
import {
  desiredVersionBody,
  sourceIdOf,
  versionDifferences,
} from "../../src/reconcilers/image-version/body.js";
import { knownRegionNames, regionDisplayName } from "../../tools/sim/regions.js";
import { versionManifest } from "../support/images.js";

const RG =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Compute";
const IMAGE = `${RG}/images/managedImage1`;

function spec(extra: Partial<ImageVersionSpec> = {}): ImageVersionSpec {
  const targetRegions = [{ name: "westus", storageAccountType: "Standard_LRS" as const }];
  return versionManifest({ namespace: "ns" }, "v", "def", {
    version: "1.0.0",
    source: { managedImageId: IMAGE },
    targetRegions,
    ...extra,
  }).spec;
}

/** The version as ARM answers a GET after a PUT of `body` (docs/arm-behaviour.md#image-version): display names, defaults. */
function echoed(body: GalleryImageVersion, displayNames: Record<string, string>): GalleryImageVersion {
  const copy = structuredClone(body);
  for (const region of copy.publishingProfile?.targetRegions ?? [])
    region.name = displayNames[region.name] ?? region.name;
  return { ...copy, provisioningState: "Succeeded" };
}

const DISPLAY = { westus: "West US", eastus2: "East US 2", westcentralus: "West Central US" };

describe("regionKey", () => {
  it("turns every display name ARM uses back into its programmatic name", () => {
    expect(regionKey("West Central US")).toBe("westcentralus");
    expect(regionKey("East US 2")).toBe("eastus2");
    expect(regionKey("Central US EUAP")).toBe("centraluseuap");
    // The simulator's table of display names (from `az account list-locations`) keys regions by
    // programmatic name: each display name must come back to the key it is listed under.
    for (const display of knownRegionNames()) expect(regionDisplayName(regionKey(display))).toBe(display);
  });
});

describe("sameInstant", () => {
  it("compares instants, not spellings", () => {
    expect(sameInstant("2027-06-30T00:00:00Z", new Date("2027-06-30T00:00:00.000Z"))).toBe(true);
    expect(sameInstant("2027-06-30T02:00:00+02:00", "2027-06-30T00:00:00.0000000+00:00")).toBe(true);
    expect(sameInstant(undefined, undefined)).toBe(true);
    expect(sameInstant("2027-06-30T00:00:00Z", undefined)).toBe(false);
  });
});

describe("desiredVersionBody", () => {
  it("sends the recorded create request, each region with its replica count spelled out", () => {
    const body = desiredVersionBody(
      spec({
        replicaCount: 2,
        targetRegions: [
          { name: "westus", storageAccountType: "Standard_LRS" },
          { name: "eastus2", storageAccountType: "Premium_LRS", regionalReplicaCount: 1 },
        ],
      }),
      "westus",
    );
    expect(body).toEqual({
      location: "westus",
      tags: {},
      publishingProfile: {
        targetRegions: [
          { name: "westus", regionalReplicaCount: 2, storageAccountType: "Standard_LRS" },
          { name: "eastus2", regionalReplicaCount: 1, storageAccountType: "Premium_LRS" },
        ],
        replicaCount: 2,
        excludeFromLatest: false,
      },
      storageProfile: { source: { id: IMAGE } },
    });
  });

  it("sends back the tags Azure has on an update (the spec names none), and never counts them as drift", () => {
    const tags = { CostCenter: "42" };
    expect(desiredVersionBody(spec(), "westus", tags).tags).toEqual(tags);
    const actual = { ...desiredVersionBody(spec(), "westus"), tags };
    expect(versionDifferences(spec(), actual)).toEqual([]);
  });

  it("puts each kind of source where ARM takes it", () => {
    const vm = `${RG}/virtualMachines/vm1`;
    const snapshot = `${RG}/snapshots/s1`;
    const disk = `${RG}/disks/d1`;
    expect(desiredVersionBody(spec({ source: { virtualMachineId: vm } }), "westus").storageProfile).toEqual({
      source: { virtualMachineId: vm },
    });
    expect(desiredVersionBody(spec({ source: { snapshotId: snapshot } }), "westus").storageProfile).toEqual({
      osDiskImage: { source: { id: snapshot } },
    });
    expect(desiredVersionBody(spec({ source: { diskId: disk } }), "westus").storageProfile).toEqual({
      osDiskImage: { source: { id: disk } },
    });
    expect(sourceIdOf({ diskId: disk })).toBe(disk);
  });

  it("sends replicationMode, end of life and encryption only when set", () => {
    const des = `${RG}/diskEncryptionSets/des1`;
    const body = desiredVersionBody(
      spec({
        replicationMode: "Shallow",
        endOfLifeDate: "2027-06-30T00:00:00Z",
        targetRegions: [
          {
            name: "westus",
            storageAccountType: "Standard_LRS",
            encryption: { osDiskImage: { diskEncryptionSetId: des } },
          },
        ],
      }),
      "westus",
    );
    expect(body.publishingProfile?.replicationMode).toBe("Shallow");
    expect(body.publishingProfile?.endOfLifeDate?.toISOString()).toBe("2027-06-30T00:00:00.000Z");
    expect(body.publishingProfile?.targetRegions?.[0]?.encryption).toEqual({
      osDiskImage: { diskEncryptionSetId: des },
    });
  });
});

describe("versionDifferences", () => {
  const settled = spec({
    replicaCount: 2,
    endOfLifeDate: "2027-06-30T00:00:00Z",
    targetRegions: [
      { name: "westus", storageAccountType: "Standard_LRS" },
      { name: "eastus2", storageAccountType: "Standard_LRS", regionalReplicaCount: 1 },
    ],
  });
  const actual = echoed(desiredVersionBody(settled, "westus"), DISPLAY);

  it("finds nothing to write when Azure holds the spec under display names", () => {
    expect(versionDifferences(settled, actual)).toEqual([]);
  });

  it("treats an absent replicationMode in Azure as Full", () => {
    expect(versionDifferences({ ...settled, replicationMode: "Full" }, actual)).toEqual([]);
    expect(versionDifferences({ ...settled, replicationMode: "Shallow" }, actual)).toEqual([
      "replicationMode → Shallow",
    ]);
  });

  it("names an added and a removed region", () => {
    const moved = {
      ...settled,
      targetRegions: [
        { name: "westus", storageAccountType: "Standard_LRS" as const },
        { name: "westcentralus", storageAccountType: "Standard_LRS" as const },
      ],
    };
    expect(versionDifferences(moved, actual)).toEqual(["add region westcentralus", "remove region eastus2"]);
  });

  it("names replica counts, storage, exclude-from-latest and end of life", () => {
    const changed: ImageVersionSpec = {
      ...settled,
      replicaCount: 3,
      excludeFromLatest: true,
      endOfLifeDate: "2028-01-01T00:00:00Z",
      targetRegions: [
        { name: "westus", storageAccountType: "Standard_ZRS" },
        { name: "eastus2", storageAccountType: "Standard_LRS", regionalReplicaCount: 1 },
      ],
    };
    expect(versionDifferences(changed, actual)).toEqual([
      "westus replicas 2 → 3",
      "westus storage Standard_LRS → Standard_ZRS",
      "replicaCount 2 → 3",
      "excludeFromLatest → true",
      "endOfLifeDate",
    ]);
  });

  it("compares encryption by disk encryption set id, in any case", () => {
    const des = `${RG}/diskEncryptionSets/des1`;
    const encrypted = spec({
      targetRegions: [
        {
          name: "westus",
          storageAccountType: "Standard_LRS",
          encryption: { osDiskImage: { diskEncryptionSetId: des } },
        },
      ],
    });
    const azure = echoed(desiredVersionBody(encrypted, "westus"), DISPLAY);
    const region = azure.publishingProfile?.targetRegions?.[0];
    if (region?.encryption?.osDiskImage)
      region.encryption.osDiskImage.diskEncryptionSetId = des.toUpperCase();
    expect(versionDifferences(encrypted, azure)).toEqual([]);
    expect(versionDifferences(spec(), azure)).toEqual(["westus encryption"]);
  });
});
