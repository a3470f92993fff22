// A long-running operation whose poller is serialized mid-way and resumed by a new client (and,
// with a state directory, by a new client after the simulator itself restarted).
//
// The manual clock makes "still running" and "finished" facts rather than races: a loaded CI
// machine can take longer than any real-time duration between two steps of a test.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restorePoller } from "@azure/arm-compute";
import { afterEach, expect, it } from "vitest";
import { formatArmTime } from "../../tools/sim/clock.js";
import type { Simulator, SimulatorOptions, StateSnapshot } from "../../tools/sim/index.js";
import { armRequest, computeClient, FAST_POLL, startTestSimulator } from "../support/sim.js";
import { MANAGED_IMAGE, OWNER, RG, SUBSCRIPTION, seedWorld } from "./world.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: SimulatorOptions): Promise<Simulator> {
  const sim = await startTestSimulator(options);
  cleanups.push(() => sim.close());
  return sim;
}

async function stateDirectory(): Promise<string> {
  const stateDir = await mkdtemp(join(tmpdir(), "sim-resume-"));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  return stateDir;
}

/** Virtual milliseconds the version's replication takes (1_000_000 scaled by the test 0.001). */
const REPLICATION_MS = 1_000;
/** Gallery and image complete at once, so their pollers finish while the manual clock stands. */
const MANUAL: SimulatorOptions = {
  clock: "manual",
  durations: { galleryCreate: 0, imageCreate: 0, versionFullReplication: REPLICATION_MS * 1_000 },
};

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

/** Starts the version PUT and returns its serialized poller (nothing polled yet). */
async function startVersion(sim: Simulator): Promise<string> {
  const poller = computeClient(sim, OWNER, SUBSCRIPTION).galleryImageVersions.createOrUpdate(
    RG,
    "g1",
    "image1",
    "1.0.0",
    versionBody,
    FAST_POLL,
  );
  await poller.submitted();
  return poller.serialize();
}

type OperationRecord = StateSnapshot["operations"][number];

function versionOperation(state: StateSnapshot): OperationRecord {
  const operation = state.operations.find((o) => o.resource === "version" && o.kind === "put");
  if (!operation) throw new Error("no version operation in the state");
  return operation;
}

/** GETs an operation's status URL directly (the SDK hides the body of a finished one). */
async function operationStatus(sim: Simulator, operation: OperationRecord) {
  const { location, id, apiVersion } = operation;
  const answer = await armRequest(sim, {
    path: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Compute/locations/${location}/capsOperations/${id}?api-version=${apiVersion}`,
    identity: OWNER,
  });
  return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
}

function versionPuts(sim: Simulator) {
  return sim.requests().filter((r) => r.method === "PUT" && r.path.includes("/versions/"));
}

it("resumes a serialized image-version poller in a new client without a second PUT", async () => {
  const sim = await simulator(MANUAL);
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

  sim.advance(REPLICATION_MS);
  const second = computeClient(sim, OWNER, SUBSCRIPTION);
  const resumed = restorePoller(second, saved, second.galleryImageVersions.createOrUpdate, FAST_POLL);
  const version = await resumed.pollUntilDone();
  expect(version.provisioningState).toBe("Succeeded");
  expect(versionPuts(sim)).toHaveLength(1);
  expect(sim.requests().filter((r) => r.bucket === "GetOperationStatus").length).toBeGreaterThan(1);
});

it("resumes after the simulator restarted from its state directory", async () => {
  const stateDir = await stateDirectory();
  const before = await startTestSimulator({ ...MANUAL, stateDir });
  seedWorld(before);
  await galleryAndImage(before);
  const saved = await startVersion(before);
  const port = before.port;
  await before.close();

  // Same port, so the operation URLs handed out before the restart still point here.
  const after = await simulator({ ...MANUAL, stateDir, port });
  // The manual clock resumed where it stopped: the operation is provably still running.
  expect(versionOperation(after.state()).status).toBe("InProgress");
  const client = computeClient(after, OWNER, SUBSCRIPTION);
  const resumed = restorePoller(client, saved, client.galleryImageVersions.createOrUpdate, FAST_POLL);
  await resumed.poll();
  expect(resumed.isDone).toBe(false);

  after.advance(REPLICATION_MS);
  const version = await resumed.pollUntilDone();
  expect(version.provisioningState).toBe("Succeeded");
  expect(versionPuts(after)).toHaveLength(0);
  expect((await client.galleries.get(RG, "g1")).provisioningState).toBe("Succeeded");
});

it("still answers Succeeded for an operation that finished before a restart", async () => {
  const stateDir = await stateDirectory();
  const before = await startTestSimulator({ ...MANUAL, stateDir });
  seedWorld(before);
  await galleryAndImage(before);
  const saved = await startVersion(before);
  before.advance(REPLICATION_MS);
  const finished = versionOperation(before.state());
  expect(finished.status).toBe("Succeeded");
  const port = before.port;
  await before.close();

  const after = await simulator({ ...MANUAL, stateDir, port });
  const status = await operationStatus(after, finished);
  expect(status.status).toBe(200);
  expect(status.body).toMatchObject({ status: "Succeeded", name: finished.id });
  expect(status.body.endTime).toBe(formatArmTime(finished.endAt ?? Number.NaN));
  // A poller serialized while the operation ran, resumed only now, still completes.
  const client = computeClient(after, OWNER, SUBSCRIPTION);
  const version = await restorePoller(
    client,
    saved,
    client.galleryImageVersions.createOrUpdate,
    FAST_POLL,
  ).pollUntilDone();
  expect(version.provisioningState).toBe("Succeeded");
  expect(versionPuts(after)).toHaveLength(0);
});

it("completes on restart an operation whose due time passed while the simulator was down", async () => {
  const stateDir = await stateDirectory();
  // Real clock: the downtime must count. 3 s leaves a loaded machine ample time to close.
  const options: SimulatorOptions = { stateDir, durations: { versionFullReplication: 3_000_000 } };
  const before = await startTestSimulator(options);
  seedWorld(before);
  await galleryAndImage(before);
  await startVersion(before);
  const port = before.port;
  await before.close();

  const written = JSON.parse(await readFile(join(stateDir, "state.json"), "utf8")) as StateSnapshot;
  const operation = versionOperation(written);
  expect(operation.status).toBe("InProgress");
  expect(operation.dueAt).toBeGreaterThan(written.now); // it was still running when saved
  // Stay down until the operation is past due (with a margin for clock drift).
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, operation.dueAt - Date.now()) + 100));

  const after = await simulator({ ...options, port });
  const status = await operationStatus(after, operation);
  expect(status.status).toBe(200);
  expect(status.body).toMatchObject({ status: "Succeeded", name: operation.id });
  // It finished at its due time, while the simulator was down, not when it came back.
  expect(status.body.endTime).toBe(formatArmTime(operation.dueAt));
  const client = computeClient(after, OWNER, SUBSCRIPTION);
  const version = await client.galleryImageVersions.get(RG, "g1", "image1", "1.0.0");
  expect(version.provisioningState).toBe("Succeeded");
});
