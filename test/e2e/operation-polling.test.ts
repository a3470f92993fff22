// Operations Azure ends in a second are polled when they usually end, not after the operator's
// poll interval (docs/benchmarks.md, "Operation polling"): a gallery is Ready in about the time
// Azure takes to make it, and a child edited while its parent's update runs reaches ARM as soon
// as that update ends. The simulator runs at Azure's own speed (time scale 1: a gallery create
// takes 1 s, an update 0.5 s) and the poll interval is 10 s, so the old schedule cannot pass.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definitionManifest } from "../support/images.js";
import {
  galleryManifest,
  lastRequestSeq,
  type OperatorProcess,
  startOperatorProcess,
} from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

const POLL_INTERVAL_MS = 10_000;

let world: World;
let operator: OperatorProcess;

beforeAll(async () => {
  world = await startWorld("e2e-op-polling", { timeScale: 1 });
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", world.namespace, "--leader-elect", "false", "--poll-interval", "10s"],
  });
  await operator.waitForLine((l) => l.msg === "caches synced; reconciling", 60_000);
}, 90_000);

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

const isPoll = (path: string) => path.toLowerCase().includes("/capsoperations/");
const galleryPath = (gallery: string) =>
  `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/${gallery}`.toLowerCase();

describe("operation polling", () => {
  it("makes a gallery and its definition Ready in about Azure's time, not after the poll interval", async () => {
    const [GALLERY, DEFINITION] = ["gal.polled", "def-polled"];
    const before = lastRequestSeq(world.sim);
    const started = Date.now();
    await world.galleries.create(galleryManifest(world, GALLERY, { description: "first" }));
    await world.imageDefinitions.create(definitionManifest(world, DEFINITION, GALLERY));
    await waitForCondition(world.imageDefinitions, world.namespace, DEFINITION, { status: "True" }, 60_000);
    // Azure: 1 s for the gallery, 0.2 s for the definition; the old schedule took 2 × 10 s.
    expect(Date.now() - started).toBeLessThan(POLL_INTERVAL_MS / 2);
    // Polled when the operations usually end (one poll each here), then at twice their age: not a busy loop.
    const polls = world.sim.requests(before).filter((r) => r.method === "GET" && isPoll(r.path));
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.length).toBeLessThanOrEqual(4);
  });

  it("sends a child's change to ARM as soon as its parent's update ends", async () => {
    const [GALLERY, DEFINITION] = ["gal.parent", "def-child"];
    await world.galleries.create(galleryManifest(world, GALLERY, { description: "first" }));
    await world.imageDefinitions.create(definitionManifest(world, DEFINITION, GALLERY));
    await waitForCondition(world.imageDefinitions, world.namespace, DEFINITION, { status: "True" }, 60_000);
    const before = lastRequestSeq(world.sim);
    await world.galleries.mergePatch(
      { namespace: world.namespace, name: GALLERY },
      { spec: { description: "second" } },
    );
    // The gallery's update runs in Azure (its status says Provisioning, so the definition must wait).
    const put = await waitFor(
      "the gallery's PUT",
      () =>
        world.sim
          .requests(before)
          .find((r) => r.method === "PUT" && r.path.toLowerCase() === galleryPath(GALLERY)),
      { intervalMs: 5 },
    );
    await world.imageDefinitions.mergePatch(
      { namespace: world.namespace, name: DEFINITION },
      { spec: { description: "edited" } },
    );
    const edited = Date.now();
    const first = await waitFor(
      "the definition's first ARM request",
      () =>
        world.sim
          .requests(put.seq)
          .find((r) => r.path.toLowerCase() === `${galleryPath(GALLERY)}/images/${DEFINITION}`),
      { timeoutMs: 30_000 },
    );
    // The gallery's update takes 0.5 s in Azure; the old schedule polled it after 10 s.
    expect(Date.parse(first.time) - edited).toBeLessThan(POLL_INTERVAL_MS / 4);
    await waitFor("the edit in Azure", () =>
      world.sim.state().images?.find((i) => i.name === DEFINITION && i.properties.description === "edited"),
    );
  });
});
