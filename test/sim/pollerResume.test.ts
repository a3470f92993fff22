// A long-running operation whose poller is serialized mid-way and resumed by a new client (and,
// with a state directory, by a new client after the simulator itself restarted).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restorePoller } from "@azure/arm-compute";
import { afterEach, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/index.js";
import { computeClient, FAST_POLL, startTestSimulator } from "../support/sim.js";
import { MANAGED_IMAGE, OWNER, RG, SUBSCRIPTION, seedWorld } from "./world.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: Parameters<typeof startTestSimulator>[0]): Promise<Simulator> {
  const sim = await startTestSimulator(options);
  cleanups.push(() => sim.close());
  return sim;
}

const versionBody = {
  location: "westus",
  publishingProfile: { targetRegions: [{ name: "westus" }, { name: "eastus" }] },
  storageProfile: { source: { id: MANAGED_IMAGE } },
};

async function galleryAndImage(sim: Simulator): Promise<void> {
  const client = computeClient(sim, OWNER, SUBSCRIPTION);
  await client.galleries.createOrUpdate(RG, "g1", { location: "westus" }, FAST_POLL);
  await client.galleryImages.createOrUpdate(
    RG,
    "g1",
    "image1",
    {
      location: "westus",
      osType: "Linux",
      osState: "Generalized",
      identifier: { publisher: "p", offer: "o", sku: "s" },
    },
    FAST_POLL,
  );
}

it("resumes a serialized image-version poller in a new client without a second PUT", async () => {
  const sim = await simulator({ durations: { versionFullReplication: 1_000_000 } });
  seedWorld(sim);
  await galleryAndImage(sim);
  const first = computeClient(sim, OWNER, SUBSCRIPTION);
  const poller = first.galleryImageVersions.createOrUpdate(
    RG,
    "g1",
    "image1",
    "1.0.0",
    versionBody,
    FAST_POLL,
  );
  await poller.submitted();
  await poller.poll();
  expect(poller.isDone).toBe(false);
  const saved = await poller.serialize();

  const second = computeClient(sim, OWNER, SUBSCRIPTION);
  const resumed = restorePoller(second, saved, second.galleryImageVersions.createOrUpdate, FAST_POLL);
  const version = await resumed.pollUntilDone();
  expect(version.provisioningState).toBe("Succeeded");
  expect(sim.requests().filter((r) => r.method === "PUT" && r.path.includes("/versions/"))).toHaveLength(1);
  expect(sim.requests().filter((r) => r.bucket === "GetOperationStatus").length).toBeGreaterThan(1);
});

it("resumes after the simulator restarted from its state directory", async () => {
  const stateDir = await mkdtemp(join(tmpdir(), "sim-resume-"));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const before = await startTestSimulator({ stateDir, durations: { versionFullReplication: 1_000_000 } });
  seedWorld(before);
  await galleryAndImage(before);
  const poller = computeClient(before, OWNER, SUBSCRIPTION).galleryImageVersions.createOrUpdate(
    RG,
    "g1",
    "image1",
    "1.0.0",
    versionBody,
    FAST_POLL,
  );
  await poller.submitted();
  const saved = await poller.serialize();
  const port = before.port;
  await before.close();

  // Same port, so the operation URLs handed out before the restart still point here.
  const after = await simulator({ stateDir, port, durations: { versionFullReplication: 1_000_000 } });
  const client = computeClient(after, OWNER, SUBSCRIPTION);
  const version = await restorePoller(
    client,
    saved,
    client.galleryImageVersions.createOrUpdate,
    FAST_POLL,
  ).pollUntilDone();
  expect(version.provisioningState).toBe("Succeeded");
  expect((await client.galleries.get(RG, "g1")).provisioningState).toBe("Succeeded");
});
