// What `$expand=ReplicationStatus` turns into in status, and how often progress is read.
import type { GalleryImageVersion } from "@azure/arm-compute";
import { describe, expect, it } from "vitest";
import {
  budgetFloorMs,
  MAX_SLOWDOWN,
  nextPollInterval,
  ProgressPacer,
  VERSION_READ_BUDGET,
} from "../../src/reconcilers/image-version/polling.js";
import {
  replicatedCondition,
  summarizeReplication,
} from "../../src/reconcilers/image-version/replication.js";

type Summary = NonNullable<GalleryImageVersion["replicationStatus"]>["summary"];

function version(
  provisioningState: string,
  aggregatedState: string | undefined,
  summary: Summary,
  regions: { name: string; regionalReplicaCount?: number }[] = [],
): GalleryImageVersion {
  return {
    location: "westus",
    provisioningState: provisioningState as GalleryImageVersion["provisioningState"],
    publishingProfile: { targetRegions: regions, replicaCount: 1 },
    ...(aggregatedState || summary
      ? { replicationStatus: { aggregatedState: aggregatedState as "InProgress", summary } }
      : {}),
  } as GalleryImageVersion;
}

describe("summarizeReplication", () => {
  it("weighs each region by its replica count", () => {
    const s = summarizeReplication(
      version(
        "Creating",
        "InProgress",
        [
          { region: "West US", state: "Completed", progress: 100 },
          { region: "East US 2", state: "Replicating", progress: 20 },
        ],
        [
          { name: "West US", regionalReplicaCount: 1 },
          { name: "East US 2", regionalReplicaCount: 3 },
        ],
      ),
    );
    expect(s.phase).toBe("Replicating");
    // (100·1 + 20·3) / 4 = 40
    expect(s.status).toEqual({
      aggregatedState: "InProgress",
      progress: 40,
      regions: [
        { region: "westus", state: "Completed", progress: 100 },
        { region: "eastus2", state: "Replicating", progress: 20 },
      ],
    });
    expect(replicatedCondition(s, "1.0.0")).toEqual({
      status: "False",
      reason: "Replicating",
      message: "Replicating version 1.0.0: 40% (westus 100%, eastus2 20%)",
    });
  });

  it("is Completed at 100% once Azure says so", () => {
    const s = summarizeReplication(
      version("Succeeded", "Completed", [
        { region: "West US", state: "Completed", progress: 100, details: "" },
      ]),
    );
    expect(s.phase).toBe("Completed");
    expect(s.status.progress).toBe(100);
    // ARM's display name becomes the programmatic name the spec uses.
    expect(s.status.regions?.[0]).toEqual({ region: "westus", state: "Completed", progress: 100 });
    expect(replicatedCondition(s, "1.0.0").status).toBe("True");
  });

  it("fails as soon as one region fails, with Azure's details, while others still copy", () => {
    const s = summarizeReplication(
      version("Creating", "InProgress", [
        { region: "West US", state: "Replicating", progress: 70 },
        { region: "East US", state: "Failed", progress: 30, details: "Disk copy failed." },
      ]),
    );
    expect(s.phase).toBe("Failed");
    expect(s.failed).toEqual([
      { region: "eastus", state: "Failed", progress: 30, details: "Disk copy failed." },
    ]);
    expect(replicatedCondition(s, "2.0.0")).toMatchObject({
      status: "False",
      reason: "ReplicationFailed",
      message: expect.stringContaining("eastus (Disk copy failed.)"),
    });
  });

  it("follows provisioningState without a replication status", () => {
    expect(summarizeReplication(version("Succeeded", undefined, undefined)).phase).toBe("Completed");
    expect(summarizeReplication(version("Succeeded", undefined, undefined)).status.progress).toBe(100);
    expect(summarizeReplication(version("Creating", undefined, undefined)).phase).toBe("Replicating");
    expect(summarizeReplication(version("Failed", undefined, undefined)).phase).toBe("Failed");
    expect(summarizeReplication(version("Deleting", undefined, undefined)).phase).toBe("Unknown");
  });
});

describe("polling pace", () => {
  it("polls at the base interval while progress moves, slows down to 6× while it does not", () => {
    expect(nextPollInterval(undefined, false, 10_000)).toBe(10_000);
    expect(nextPollInterval(10_000, false, 10_000)).toBe(20_000);
    expect(nextPollInterval(40_000, false, 10_000)).toBe(60_000);
    expect(nextPollInterval(60_000, false, 10_000)).toBe(10_000 * MAX_SLOWDOWN);
    expect(nextPollInterval(60_000, true, 10_000)).toBe(10_000);
  });

  it("keeps the versions of one subscription within half of ARM's GetGalleryImageVersion budget", () => {
    for (const replicating of [1, 10, 100, 1000]) {
      const interval = budgetFloorMs(replicating);
      const readsPerWindow = (replicating * VERSION_READ_BUDGET.windowMs) / interval;
      expect(readsPerWindow).toBeLessThanOrEqual(VERSION_READ_BUDGET.requests / 2);
    }
    // 100 versions at the 10 s default would read 1800 times in 3 minutes; the floor slows them.
    expect(nextPollInterval(undefined, true, 10_000, budgetFloorMs(100))).toBe(18_000);
    // Against a simulator whose 3-minute window lasts 18 s, the floor is ten times lower.
    expect(budgetFloorMs(100, 0.1)).toBe(1_800);
  });

  it("remembers each version's pace until it is forgotten", () => {
    const pacer = new ProgressPacer();
    expect(pacer.next("a", false, 100, 0)).toBe(100);
    expect(pacer.next("a", false, 100, 0)).toBe(200);
    expect(pacer.next("b", false, 100, 0)).toBe(100);
    pacer.forget("a");
    expect(pacer.next("a", false, 100, 0)).toBe(100);
  });
});
