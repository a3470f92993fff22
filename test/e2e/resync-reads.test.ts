// What a resync costs ARM, counted by the simulator: one list per parent per resync period instead
// of one GET per object, while a change (a user's edit) is still judged on a GET of its own, and a
// change made outside the operator is still found and undone within two periods.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../../tools/sim/index.js";
import {
  definitionManifest,
  managedImageId,
  startImageOperator,
  versionManifest,
} from "../support/images.js";
import { galleryManifest, lastRequestSeq, type OperatorProcess } from "../support/operator.js";
import { computeClient } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

const RESYNC_MS = 2_000;
const VERSIONS = 4;
const GALLERY = "gal.listed";
const DEFINITION = "def-listed";

let world: World;
let operator: OperatorProcess;

beforeAll(async () => {
  world = await startWorld("e2e-resync-reads");
  world.sim.seed({
    sources: Array.from({ length: VERSIONS }, (_, i) => ({
      id: managedImageId(world.subscriptionId, world.resourceGroup, `src${i}`),
      location: world.location,
    })),
  });
  operator = await startImageOperator(world, { args: ["--resync-period", `${RESYNC_MS / 1000}s`] });
  await world.galleries.create(galleryManifest(world, GALLERY, { description: "ours" }));
  await world.imageDefinitions.create(definitionManifest(world, DEFINITION, GALLERY));
  for (let i = 0; i < VERSIONS; i++) {
    await world.imageVersions.create(
      versionManifest(world, `ver-${i}`, DEFINITION, {
        version: `1.0.${i}`,
        source: { managedImageId: managedImageId(world.subscriptionId, world.resourceGroup, `src${i}`) },
        targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" }],
      }),
    );
  }
  for (let i = 0; i < VERSIONS; i++)
    await waitForCondition(world.imageVersions, world.namespace, `ver-${i}`, { status: "True" }, 60_000);
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

const rg = () => `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}`.toLowerCase();
const galleryPath = () => `${rg()}/providers/microsoft.compute/galleries/${GALLERY}`;
const definitionPath = () => `${galleryPath()}/images/${DEFINITION}`;

/** Reads after `seq`, by what they read: a list of a parent's children, or one resource. */
function readsAfter(seq: number): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (what: string) => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  for (const r of world.sim.requests(seq)) {
    if (r.method !== "GET") continue;
    const path = r.path.toLowerCase();
    if (path === `${rg()}/providers/microsoft.compute/galleries`) add("list galleries");
    else if (path === `${galleryPath()}/images`) add("list definitions");
    else if (path === `${definitionPath()}/versions`) add("list versions");
    else if (path === galleryPath()) add("get gallery");
    else if (path === definitionPath()) add("get definition");
    else if (path.startsWith(`${definitionPath()}/versions/`)) add("get version");
  }
  return counts;
}

const writesAfter = (seq: number): RequestRecord[] =>
  world.sim.requests(seq).filter((r) => r.method !== "GET" && r.path.toLowerCase().startsWith(rg()));

describe("resync reads", () => {
  it("read each parent's list once per period and no object on its own", async () => {
    // Steady from here: a resync round has begun since the last version became Ready.
    const ready = lastRequestSeq(world.sim);
    await waitFor("a resync's list of versions", () => readsAfter(ready)["list versions"], {
      timeoutMs: 3 * RESYNC_MS + 10_000,
    });
    const settled = lastRequestSeq(world.sim);
    await new Promise((r) => setTimeout(r, 2.5 * RESYNC_MS));
    const reads = readsAfter(settled);
    // 2.5 periods (each 2 to 2.2 s): two or three rounds of resyncs, one list per parent each.
    for (const list of ["list galleries", "list definitions", "list versions"]) {
      expect(reads[list], `${list}: ${JSON.stringify(reads)}`).toBeGreaterThanOrEqual(2);
      expect(reads[list], `${list}: ${JSON.stringify(reads)}`).toBeLessThanOrEqual(3);
    }
    expect(reads["get version"] ?? 0, JSON.stringify(reads)).toBe(0);
    expect(reads["get definition"] ?? 0, JSON.stringify(reads)).toBe(0);
    expect(reads["get gallery"] ?? 0, JSON.stringify(reads)).toBe(0);
    expect(writesAfter(settled)).toEqual([]);
  });

  it("reads a user's change fresh: a GET of the object before its PUT", async () => {
    const before = lastRequestSeq(world.sim);
    await world.imageDefinitions.mergePatch(
      { namespace: world.namespace, name: DEFINITION },
      { spec: { description: "edited" } },
    );
    await waitFor("the edit in Azure", () =>
      world.sim.state().images?.find((i) => i.name === DEFINITION && i.properties.description === "edited"),
    );
    const onDefinition = world.sim
      .requests(before)
      .filter((r) => r.path.toLowerCase() === definitionPath())
      .map((r) => r.method);
    expect(onDefinition.slice(0, 2)).toEqual(["GET", "PUT"]);
  });

  it("finds a change made outside the operator within two periods and undoes it", async () => {
    await waitForCondition(world.imageDefinitions, world.namespace, DEFINITION, { status: "True" });
    const client = computeClient(
      world.sim,
      { tenantId: world.tenantId, objectId: randomUUID() },
      world.subscriptionId,
    );
    const current = await client.galleries.get(world.resourceGroup, GALLERY);
    const before = lastRequestSeq(world.sim);
    await client.galleries.beginCreateOrUpdateAndWait(world.resourceGroup, GALLERY, {
      ...current,
      description: "changed outside",
    });
    const changedAt = Date.now();
    await waitFor(
      "the operator to restore the description",
      () => {
        const gallery = world.sim.state().galleries?.find((g) => g.name === GALLERY);
        return gallery?.description === "ours" ? gallery : undefined;
      },
      { timeoutMs: 20_000 },
    );
    // Seen on the next list (at most a period old) of the next resync (at most a period away).
    expect(Date.now() - changedAt).toBeLessThan(2.2 * RESYNC_MS + 3_000);
    const puts = writesAfter(before).filter((r) => r.path.toLowerCase() === galleryPath());
    expect(puts.map((r) => r.method)).toEqual(["PUT", "PUT"]);
  });
});
