// The benchmark's re-PUT baseline (bench/aso-baseline.ts): Azure Service Operator's policy, run
// against the simulator in the operator's place. Judged from the simulator's request log and
// state: every object written at start and again once per period, never sooner, each write
// preceded by a read, a 429 tried again when ARM said, and nothing in Azure changed by it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AsoBaseline, shareAll } from "../../bench/aso-baseline.js";
import { nowMs, parseArmTime, pollUntil } from "../../bench/clock.js";
import { buildWorkload, type Workload, type WorkloadItem } from "../../bench/workload.js";
import type { GallerySharing, ImageVersion } from "../../src/api/index.js";
import type { RequestRecord, Simulator } from "../../tools/sim/index.js";
import { computeClient, FAST_POLL, shareAndWait, startTestSimulator } from "../support/sim.js";

const PERIOD_MS = 1_000;
const SHAPE = {
  galleries: 1,
  definitionsPerGallery: 1,
  versionsPerDefinition: 1,
  regions: ["westus"],
  subscriptions: 1,
  sharingSubscriptions: 2,
  sharingTenants: 1,
};

let sim: Simulator;
let workload: Workload;
let baseline: AsoBaseline | undefined;

/** Makes in Azure what the workload's objects describe, as the operator would have. */
async function createInAzure(): Promise<void> {
  const [subscriptionId] = workload.subscriptions;
  const client = computeClient(sim, { tenantId: workload.tenantId }, subscriptionId ?? "");
  const rg = workload.resourceGroup;
  const byKind = (kind: string) => workload.items.filter((item) => item.kind === kind);
  for (const item of byKind("Gallery")) {
    await client.galleries.createOrUpdate(
      rg,
      item.manifest.metadata.name,
      { location: "westus", description: "benchmark gallery", sharingProfile: { permissions: "Groups" } },
      FAST_POLL,
    );
  }
  for (const item of byKind("ImageDefinition")) {
    await client.galleryImages.createOrUpdate(
      rg,
      "g01",
      item.manifest.metadata.name,
      {
        location: "westus",
        osType: "Linux",
        osState: "Generalized",
        hyperVGeneration: "V2",
        identifier: { publisher: "bench", offer: "g01", sku: item.manifest.metadata.name },
      },
      FAST_POLL,
    );
  }
  for (const item of byKind("ImageVersion")) {
    const spec = (item.manifest as ImageVersion).spec;
    await client.galleryImageVersions.createOrUpdate(
      rg,
      "g01",
      "g01-d01",
      spec.version,
      {
        location: "westus",
        publishingProfile: { targetRegions: [{ name: "westus", regionalReplicaCount: 1 }] },
        storageProfile: { source: { id: spec.source.snapshotId ?? "" } },
      },
      FAST_POLL,
    );
  }
  for (const item of byKind("GallerySharing")) {
    const update = shareAll(item.manifest as GallerySharing);
    if (update) await shareAndWait(client, rg, "g01", update);
  }
}

/** The object a logged request is about: its workload item, by the ARM path it names. */
function itemOf(record: RequestRecord): WorkloadItem | undefined {
  const path = record.path.toLowerCase();
  if (path.endsWith("/share")) {
    return workload.items.find((i) => i.kind === "GallerySharing" && `${i.armPath}/share` === path);
  }
  return workload.items.find((i) => i.kind !== "GallerySharing" && i.armPath === path);
}

/** The baseline's writes (PUT, or the share POST) per object, with their arrival times. */
function writesByObject(after: number): Map<WorkloadItem, number[]> {
  const writes = new Map<WorkloadItem, number[]>();
  for (const record of sim.requests(after)) {
    if (record.method !== "PUT" && record.method !== "POST") continue;
    const item = itemOf(record);
    if (!item) continue;
    writes.set(item, [...(writes.get(item) ?? []), parseArmTime(record.time)]);
  }
  return writes;
}

function startBaseline(periodMs = PERIOD_MS): AsoBaseline {
  baseline = new AsoBaseline({
    sim,
    tenantId: workload.tenantId,
    items: workload.items,
    periodMs,
    pollIntervalMs: 20,
    concurrency: 2,
  });
  baseline.start();
  return baseline;
}

beforeEach(async () => {
  sim = await startTestSimulator();
  workload = buildWorkload(SHAPE, "bench");
  sim.seed(workload.fixtures);
  await createInAzure();
});

afterEach(async () => {
  await baseline?.stop();
  baseline = undefined;
  await sim?.close();
});

describe("the re-PUT baseline (Azure Service Operator's policy)", () => {
  it("writes every object at start and once per period after, each write after a read of it", async () => {
    const after = sim.requests().at(-1)?.seq ?? 0;
    const began = nowMs();
    startBaseline();
    const enough = await pollUntil(() => {
      const writes = writesByObject(after);
      return workload.items.every((item) => (writes.get(item)?.length ?? 0) >= 3) ? writes : undefined;
    }, 20_000);
    await baseline?.stop();
    expect(enough, "every object written three times").toBeDefined();
    const writes = writesByObject(after);
    expect([...writes.keys()].map((i) => i.kind).sort()).toEqual(
      ["Gallery", "GallerySharing", "ImageDefinition", "ImageVersion"].sort(),
    );
    for (const [item, times] of writes) {
      // The start-up pass: every object within the first period.
      expect(times[0] ?? Number.POSITIVE_INFINITY, item.kind).toBeLessThan(began + PERIOD_MS);
      // Never sooner than a period after the last (its pass ends after its write is sent).
      for (let i = 1; i < times.length; i++) {
        expect((times[i] ?? 0) - (times[i - 1] ?? 0), `${item.kind} write ${i}`).toBeGreaterThanOrEqual(
          PERIOD_MS,
        );
      }
    }
    // Each write follows a GET of the resource (a sharing: of its gallery).
    const log = sim.requests(after);
    for (const [index, record] of log.entries()) {
      if (record.method !== "PUT" && record.method !== "POST") continue;
      const item = itemOf(record);
      if (!item) continue;
      const read = log
        .slice(0, index)
        .findLast((r) => r.method === "GET" && r.path.toLowerCase() === item.armPath);
      expect(read, `a GET before ${record.method} ${record.path}`).toBeDefined();
    }
  });

  it("leaves Azure as it found it", async () => {
    const after = sim.requests().at(-1)?.seq ?? 0;
    startBaseline();
    await pollUntil(() => {
      const writes = writesByObject(after);
      return workload.items.every((item) => (writes.get(item)?.length ?? 0) >= 2) ? true : undefined;
    }, 20_000);
    await baseline?.stop();
    const client = computeClient(sim, { tenantId: workload.tenantId }, workload.subscriptions[0] ?? "");
    const gallery = await client.galleries.get(workload.resourceGroup, "g01", { select: "Permissions" });
    const sharing = workload.items.find((i) => i.kind === "GallerySharing")?.manifest as GallerySharing;
    const shared = gallery.sharingProfile?.groups?.flatMap((g) => g.ids ?? []) ?? [];
    expect(shared.sort()).toEqual(
      [...(sharing.spec.subscriptions ?? []), ...(sharing.spec.tenants ?? [])].sort(),
    );
    expect(gallery.description).toBe("benchmark gallery");
    const version = await client.galleryImageVersions.get(workload.resourceGroup, "g01", "g01-d01", "1.0.1");
    const source = (
      workload.items.find((i) => i.kind === "ImageVersion")?.manifest as ImageVersion | undefined
    )?.spec.source.snapshotId;
    expect(version.storageProfile?.source?.id?.toLowerCase()).toBe(source?.toLowerCase());
    const definition = await client.galleryImages.get(workload.resourceGroup, "g01", "g01-d01");
    expect(definition.identifier).toEqual({ publisher: "bench", offer: "g01", sku: "g01-d01" });
  });

  it("tries a refused write again when ARM's Retry-After says, not a period later", async () => {
    const version = workload.items.find((i) => i.kind === "ImageVersion");
    if (!version) throw new Error("the workload has a version");
    sim.fault({
      method: "PUT",
      path: `${version.armPath}$`,
      status: 429,
      headers: { "retry-after": "1" },
      body: { error: { code: "OperationNotAllowed", message: "too many requests" } },
    });
    const after = sim.requests().at(-1)?.seq ?? 0;
    // A period well beyond the Retry-After, so a retry a period later would show.
    startBaseline(5_000);
    const puts = await pollUntil(() => {
      const answered = sim
        .requests(after)
        .filter((r) => r.method === "PUT" && r.path.toLowerCase() === version.armPath);
      return answered.length >= 2 ? answered : undefined;
    }, 20_000);
    await baseline?.stop();
    const [refused, retried] = puts ?? [];
    expect(refused?.status).toBe(429);
    expect(retried?.status).toBeLessThan(300);
    const gap = parseArmTime(retried?.time ?? "") - parseArmTime(refused?.time ?? "");
    // One second, as ARM said: not sooner, and not the 5 s period.
    expect(gap).toBeGreaterThanOrEqual(1_000);
    expect(gap).toBeLessThan(2_000);
  });
});

describe("shareAll", () => {
  const sharing = (spec: Partial<GallerySharing["spec"]>): GallerySharing => ({
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GallerySharing",
    metadata: { name: "s" },
    spec: { galleryRef: { name: "g" }, deletionPolicy: "Delete", ...spec },
  });

  it("adds every id again in one call, enables community again, and posts nothing for nothing", () => {
    expect(shareAll(sharing({ subscriptions: ["s1", "s2"], tenants: ["t1"] }))).toEqual({
      operationType: "Add",
      groups: [
        { type: "Subscriptions", ids: ["s1", "s2"] },
        { type: "AADTenants", ids: ["t1"] },
      ],
    });
    expect(shareAll(sharing({ community: { enabled: true } }))?.operationType).toBe("EnableCommunity");
    expect(shareAll(sharing({ community: { enabled: false } }))).toBeUndefined();
    expect(shareAll(sharing({}))).toBeUndefined();
  });
});
