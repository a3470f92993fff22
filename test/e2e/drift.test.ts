// Living with real Azure (docs/api.md "Tags", docs/runtime.md "Drift" and "Failures"): tags
// added outside the operator survive its writes, a writer that keeps changing a field back is
// detected instead of fought, a parent's short outage leaves its children alone, and a write ARM
// refused is not sent again for the same spec. The operator runs as a process; everything is
// judged from the simulator's request log and state and from the API server.
import type { ComputeManagementClient } from "@azure/arm-compute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gallery } from "../../src/api/index.js";
import { OWNERSHIP_TAG } from "../../src/reconcilers/driver/ownership.js";
import type { RequestRecord } from "../../tools/sim/index.js";
import {
  definitionManifest,
  managedImageId,
  startImageOperator,
  versionManifest,
} from "../support/images.js";
import {
  galleryManifest,
  galleryRequests,
  lastRequestSeq,
  type OperatorProcess,
} from "../support/operator.js";
import { computeClient, FAST_POLL } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition } from "../support/world.js";

let world: World;
let operator: OperatorProcess;
/** Someone else writing to Azure: a person, a pipeline, an Azure Policy remediation. */
let outsider: ComputeManagementClient;

const OUTSIDER = "azure-policy";

function ref(name: string) {
  return { namespace: world.namespace, name };
}

function azureGallery(name: string) {
  return world.sim.state().galleries.find((g) => g.name === name);
}

/** Tags as the user set them: without the operator's ownership tag (docs/runtime.md). */
function withoutOwner(tags: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).filter(([key]) => key !== OWNERSHIP_TAG));
}

function byOperator(records: RequestRecord[]): RequestRecord[] {
  return records.filter((r) => r.identity?.objectId === "operator");
}

/** Adds (or sets) tag `key` on gallery `name` in Azure with a PUT of what is there, as someone else. */
async function tagGallery(name: string, key: string, value: string): Promise<void> {
  const current = await outsider.galleries.get(world.resourceGroup, name);
  const body = { ...current, tags: { ...current.tags, [key]: value } };
  await outsider.galleries.beginCreateOrUpdateAndWait(world.resourceGroup, name, body, FAST_POLL);
}

/**
 * An Azure Policy `modify` effect, emulated: whenever gallery `name` has settled in Azure without
 * tag `key` = `value`, it is put back within a few hundred milliseconds. Returns how to stop it.
 */
function modifyPolicy(name: string, key: string, value: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const gallery = azureGallery(name);
      if (gallery?.provisioningState === "Succeeded" && gallery.tags?.[key] !== value) {
        await tagGallery(name, key, value).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/**
 * Waits until the operator has looked at gallery `name` `times` more times since `after`: a GET
 * of it, or (a resync) a list of the resource group's galleries.
 */
function operatorReads(name: string, after: number, times: number) {
  const list =
    `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries`.toLowerCase();
  const lists = () =>
    byOperator(world.sim.requests(after)).filter((r) => r.method === "GET" && r.path.toLowerCase() === list);
  const gets = () => byOperator(galleryRequests(world, name, { after })).filter((r) => r.method === "GET");
  return waitFor(`${times} operator reads of ${name}`, () => lists().length + gets().length >= times, {
    timeoutMs: 60_000,
    intervalMs: 200,
  });
}

async function eventsOf(name: string): Promise<{ reason: string; note?: string }[]> {
  const listed = await world.cluster.kubectl([
    "get",
    "events.events.k8s.io",
    "-n",
    world.namespace,
    "-o",
    "json",
  ]);
  const items = (
    JSON.parse(listed.stdout) as { items: { reason: string; note?: string; regarding?: { name?: string } }[] }
  ).items;
  return items.filter((e) => e.regarding?.name === name);
}

beforeAll(async () => {
  // A Full replication takes about 23 s here: long enough to fault its gallery meanwhile.
  world = await startWorld("e2e-drift", { timeScale: 0.05 });
  world.sim.seed({
    sources: [
      { id: managedImageId(world.subscriptionId, world.resourceGroup, "base"), location: world.location },
    ],
  });
  outsider = computeClient(world.sim, { tenantId: world.tenantId, objectId: OUTSIDER }, world.subscriptionId);
  operator = await startImageOperator(world, { args: ["--resync-period", "2s"] });
});

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

describe("tags", () => {
  it("keeps tags added outside, removes only the keys it set", { timeout: 90_000 }, async () => {
    const name = "gal.tags";
    await world.galleries.create(galleryManifest(world, name, { tags: { team: "imaging", env: "dev" } }));
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    await tagGallery(name, "CostCenter", "42");

    await world.galleries.mergePatch(ref(name), { spec: { description: "second", tags: { env: null } } });
    await waitFor("the edit to reach Azure", () => azureGallery(name)?.description === "second", {
      timeoutMs: 30_000,
    });
    const settled = await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    expect(withoutOwner(azureGallery(name)?.tags)).toEqual({ team: "imaging", CostCenter: "42" });
    expect(settled.status?.managedTagKeys).toEqual(["team"]);

    // An image definition's update (its spec names no tags) keeps the tags found on it too.
    await world.imageDefinitions.create(definitionManifest(world, "def-tags", name));
    await waitForCondition(world.imageDefinitions, world.namespace, "def-tags", { status: "True" });
    const image = await outsider.galleryImages.get(world.resourceGroup, name, "def-tags");
    await outsider.galleryImages.beginCreateOrUpdateAndWait(
      world.resourceGroup,
      name,
      "def-tags",
      { ...image, tags: { owner: "platform" } },
      FAST_POLL,
    );
    await world.imageDefinitions.mergePatch(ref("def-tags"), { spec: { description: "edited" } });
    await waitFor("the definition edit to reach Azure", () => {
      const img = world.sim.state().images.find((i) => i.name === "def-tags");
      return img?.properties.description === "edited" ? img : undefined;
    });
    expect(withoutOwner(world.sim.state().images.find((i) => i.name === "def-tags")?.tags)).toEqual({
      owner: "platform",
    });
  });
});

describe("drift fights", () => {
  it("never writes for a tag the spec does not name", { timeout: 90_000 }, async () => {
    const name = "gal.foreigntag";
    await world.galleries.create(galleryManifest(world, name, { tags: { team: "imaging" } }));
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    const before = lastRequestSeq(world.sim);
    const stop = modifyPolicy(name, "CostCenter", "42");
    try {
      await waitFor("the policy to tag the gallery", () => azureGallery(name)?.tags?.CostCenter === "42");
      await operatorReads(name, before, 4);
    } finally {
      await stop();
    }
    expect(byOperator(galleryRequests(world, name, { after: before, writes: true }))).toEqual([]);
    expect(conditionOf(await world.galleries.get(ref(name)))?.status).toBe("True");
    expect(withoutOwner(azureGallery(name)?.tags)).toEqual({ team: "imaging", CostCenter: "42" });
  });

  it("corrects a tag the spec names at most once, then reports DriftFight", {
    timeout: 120_000,
  }, async () => {
    const name = "gal.fight";
    await world.galleries.create(galleryManifest(world, name, { tags: { CostCenter: "1" } }));
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    const before = lastRequestSeq(world.sim);
    const stop = modifyPolicy(name, "CostCenter", "2");
    let fought: Gallery;
    try {
      fought = await waitForCondition(world.galleries, world.namespace, name, {
        status: "False",
        reason: "DriftFight",
      });
      // It keeps reading at resync pace, and writes nothing more.
      const stopped = lastRequestSeq(world.sim);
      await operatorReads(name, stopped, 3);
      expect(byOperator(galleryRequests(world, name, { after: stopped, writes: true }))).toEqual([]);
    } finally {
      await stop();
    }
    const puts = byOperator(galleryRequests(world, name, { after: before, writes: true }));
    expect(puts.length).toBe(1);
    const message = conditionOf(fought)?.message ?? "";
    expect(message).toContain('tags.CostCenter: the spec has "1", Azure had "2"');
    const events = await eventsOf(name);
    expect(events.find((e) => e.reason === "DriftFight")?.note).toContain("tags.CostCenter");

    // The user agrees with the policy: the fight is over, nothing is written.
    const after = lastRequestSeq(world.sim);
    await world.galleries.mergePatch(ref(name), { spec: { tags: { CostCenter: "2" } } });
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    expect(byOperator(galleryRequests(world, name, { after, writes: true }))).toEqual([]);
  });
});

describe("a parent's transient failure", () => {
  it("leaves its children's polls running and their Ready unchanged during a 30 s 503", {
    timeout: 180_000,
  }, async () => {
    const gallery = "gal.outage";
    await world.galleries.create(galleryManifest(world, gallery));
    await world.imageDefinitions.create(definitionManifest(world, "def-outage", gallery));
    await waitForCondition(world.imageDefinitions, world.namespace, "def-outage", { status: "True" });
    const source = managedImageId(world.subscriptionId, world.resourceGroup, "base");
    await world.imageVersions.create(
      versionManifest(world, "ver-outage", "def-outage", {
        version: "1.0.0",
        source: { managedImageId: source },
        targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" }],
      }),
    );
    await waitFor("the version to replicate", async () => {
      const v = await world.imageVersions.get(ref("ver-outage"));
      return v.status?.operation && conditionOf(v, "Replicated")?.reason === "Replicating";
    });

    const galleryPath = `/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/gal\\.outage$`;
    world.sim.fault({
      method: "GET",
      path: galleryPath,
      count: -1,
      status: 503,
      body: { error: { code: "ServiceUnavailable", message: "The service is temporarily unavailable." } },
    });
    const faultStart = lastRequestSeq(world.sim);
    const started = Date.now();
    const seen = new Set<string>();
    try {
      // Something makes the gallery read Azure now (an edit), and its reads fail.
      await world.galleries.mergePatch(ref(gallery), { spec: { description: "edited during the outage" } });
      await waitForCondition(world.galleries, world.namespace, gallery, {
        status: "False",
        reason: "AzureError",
      });
      while (Date.now() - started < 30_000) {
        const d = conditionOf(await world.imageDefinitions.get(ref("def-outage")));
        const v = conditionOf(await world.imageVersions.get(ref("ver-outage")));
        seen.add(`definition ${d?.status} ${d?.reason}`);
        seen.add(`version ${v?.status} ${v?.reason}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const polls = byOperator(world.sim.requests(faultStart)).filter(
        (r) => r.method === "GET" && /\/versions\/1\.0\.0$|capsOperations|operations/i.test(r.path),
      );
      expect(polls.length).toBeGreaterThan(10);
    } finally {
      world.sim.clearFaults();
    }
    expect([...seen].filter((s) => s.startsWith("definition"))).toEqual(["definition True Succeeded"]);
    const versionStates = [...seen].filter((s) => s.startsWith("version"));
    expect(versionStates.every((s) => /version (False Replicating|True Succeeded)/.test(s))).toBe(true);
    // Replication (about 23 s) ended during the outage, and the version said so at once.
    expect(versionStates).toContain("version True Succeeded");
    await waitForCondition(world.galleries, world.namespace, gallery, { status: "True" });
  });
});

describe("failure memory", () => {
  it("does not send a refused spec again until it changes", { timeout: 90_000 }, async () => {
    const name = "gal.refused";
    const path = `/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/gal\\.refused$`;
    world.sim.fault({
      method: "PUT",
      path,
      count: -1,
      status: 400,
      body: {
        error: {
          code: "InvalidParameter",
          message: "The description is not allowed.",
          target: "description",
        },
      },
    });
    try {
      const before = lastRequestSeq(world.sim);
      await world.galleries.create(galleryManifest(world, name, { description: "refused" }));
      await waitForCondition(world.galleries, world.namespace, name, {
        status: "False",
        reason: "InvalidParameter",
      });
      // Woken again and again (an annotation, resyncs every 2 s): the same spec is not sent again.
      await world.galleries.mergePatch(ref(name), { metadata: { annotations: { poke: "1" } } });
      await waitFor("the refusal to be remembered", async () =>
        conditionOf(await world.galleries.get(ref(name)))?.message.includes("not sent again"),
      );
      await operatorReads(name, lastRequestSeq(world.sim), 3);
      // (Answers shaped by a fault carry no caller; nobody else writes to this gallery.)
      const puts = galleryRequests(world, name, { after: before, writes: true });
      expect(puts.map((r) => r.status)).toEqual([400]);

      // A new spec is a new question.
      await world.galleries.mergePatch(ref(name), { spec: { description: "second try" } });
      await waitFor(
        "a second PUT",
        () => galleryRequests(world, name, { after: before, writes: true }).length === 2,
      );
    } finally {
      world.sim.clearFaults();
    }
    await world.galleries.mergePatch(ref(name), { spec: { description: "accepted" } });
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
  });
});
