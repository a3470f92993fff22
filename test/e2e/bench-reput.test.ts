// The benchmark's baseline switch, `--bench-reput-each-resync` (Azure Service Operator's policy):
// every object of every kind is written to ARM again once per resync period, never once per
// reconcile. Without the switch the same settled objects cost reads only (gallery.test.ts and
// the benchmark's steady state check that side).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GallerySharing } from "../../src/api/index.js";
import type { RequestRecord } from "../../tools/sim/index.js";
import {
  definitionManifest,
  managedImageId,
  startImageOperator,
  versionManifest,
} from "../support/images.js";
import { galleryManifest, lastRequestSeq, type OperatorProcess } from "../support/operator.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

const RESYNC_MS = 2_000;
const WINDOW_MS = 7_000;

let world: World;
let operator: OperatorProcess;

beforeAll(async () => {
  world = await startWorld("e2e-reput");
  world.sim.seed({
    sources: [
      { id: managedImageId(world.subscriptionId, world.resourceGroup, "src"), location: world.location },
    ],
  });
  operator = await startImageOperator(world, {
    args: ["--resync-period", `${RESYNC_MS / 1000}s`, "--bench-reput-each-resync"],
  });
});

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

/** ARM writes after `seq`, by the object they wrote (gallery, definition, version, share). */
function writesByObject(after: number): Record<string, number> {
  const counts: Record<string, number> = {};
  const objectOf = (r: RequestRecord) => {
    const path = r.path.toLowerCase();
    if (path.endsWith("/share")) return "share";
    if (path.includes("/versions/")) return "version";
    if (path.includes("/images/")) return "definition";
    return "gallery";
  };
  for (const r of world.sim.requests(after)) {
    if (r.method === "GET" || !r.path.toLowerCase().includes("/galleries/")) continue;
    counts[objectOf(r)] = (counts[objectOf(r)] ?? 0) + 1;
  }
  return counts;
}

describe("--bench-reput-each-resync", () => {
  it("re-PUTs each object of all four kinds once per resync period", { timeout: 90_000 }, async () => {
    const ns = world.namespace;
    await world.galleries.create(galleryManifest(world, "gal.reput", { sharing: { permissions: "Groups" } }));
    await world.imageDefinitions.create(definitionManifest(world, "def-reput", "gal.reput"));
    await world.imageVersions.create(
      versionManifest(world, "ver-reput", "def-reput", {
        version: "1.0.0",
        source: { managedImageId: managedImageId(world.subscriptionId, world.resourceGroup, "src") },
        targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" }],
      }),
    );
    const sharing: GallerySharing = {
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name: "share-reput", namespace: ns },
      spec: { galleryRef: { name: "gal.reput" }, subscriptions: [randomUUID()], deletionPolicy: "Delete" },
    };
    await world.gallerySharings.create(sharing);
    await waitForCondition(world.imageVersions, ns, "ver-reput", { status: "True" }, 60_000);
    await waitForCondition(world.gallerySharings, ns, "share-reput", { status: "True" }, 60_000);

    const from = lastRequestSeq(world.sim);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const writes = writesByObject(from);
    // 7 s at a 2 s period (resyncs 2 to 2.2 s apart) holds 3 resyncs, and more reconciles than
    // that (each re-PUT's operation is polled): one write per resync, give or take one at an edge.
    for (const kind of ["gallery", "definition", "version", "share"]) {
      expect(
        writes[kind],
        `${kind} writes in ${WINDOW_MS} ms: ${JSON.stringify(writes)}`,
      ).toBeGreaterThanOrEqual(2);
      expect(
        writes[kind],
        `${kind} writes in ${WINDOW_MS} ms: ${JSON.stringify(writes)}`,
      ).toBeLessThanOrEqual(4);
    }
    // The baseline re-applies the spec; it does not break what the objects describe.
    await waitForCondition(world.gallerySharings, ns, "share-reput", { status: "True" }, 30_000);
  });
});
