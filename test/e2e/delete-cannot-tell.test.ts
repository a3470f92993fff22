// Deleting while Azure will not say whether the resource exists. A 404 `SubscriptionNotFound` (a
// moved subscription, a misconfigured identity) is not "gone": the object must keep its finalizer,
// say what to fix, send no DELETE, and delete the resource once Azure answers again. Judged from
// the simulator's request log and state, and from the API server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINALIZER } from "../../src/api/index.js";
import type { KubeObject, ResourceClient } from "../../src/kube/index.js";
import {
  definitionManifest,
  managedImageId,
  requestsOn,
  startImageOperator,
  versionManifest,
} from "../support/images.js";
import { galleryManifest, lastRequestSeq, type OperatorProcess } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { startWorld, type World, waitForCondition, waitForGone } from "../support/world.js";

let world: World;
let operator: OperatorProcess;

const SOURCE = "image-unknowable";

beforeAll(async () => {
  world = await startWorld("e2e-del-unknown", { timeScale: 0.012 });
  world.sim.seed({
    sources: [
      { id: managedImageId(world.subscriptionId, world.resourceGroup, SOURCE), location: world.location },
    ],
  });
  operator = await startImageOperator(world);
});

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

function galleryArmId(gallery: string): string {
  return `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/${gallery}`;
}

/** A pattern for exactly `id` in a fault (case-insensitive regular expression). */
function exactly(id: string): string {
  return `${id.replace(/\./g, "\\.")}$`;
}

interface Case {
  client: ResourceClient<
    KubeObject & {
      status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
    }
  >;
  name: string;
  armId: string;
  /** Whether the simulator still holds the Azure resource. */
  inAzure(): boolean;
}

/**
 * Deletes the object while every GET of its Azure resource answers 404 SubscriptionNotFound, checks
 * that it waits (finalizer kept, Ready=False saying what to fix, a Warning event, retries with no
 * DELETE), then lets Azure answer and checks that exactly one DELETE removes the resource.
 */
async function deleteWhileAzureCannotTell(c: Case): Promise<void> {
  const key = { namespace: world.namespace, name: c.name };
  const before = lastRequestSeq(world.sim);
  world.sim.fault({
    method: "GET",
    path: exactly(c.armId),
    count: -1,
    status: 404,
    body: {
      error: {
        code: "SubscriptionNotFound",
        message: `The subscription '${world.subscriptionId}' could not be found.`,
      },
    },
  });
  try {
    await c.client.delete(key);
    const waiting = await waitForCondition(c.client, world.namespace, c.name, {
      status: "False",
      reason: "SubscriptionNotFound",
    });
    const message = waiting.status?.conditions?.find((cond) => cond.type === "Ready")?.message;
    expect(message).toMatch(/cannot tell whether the Azure resource exists/);
    expect(message).toMatch(/spec\.subscriptionId/);
    // It keeps asking (backoff), and never deletes meanwhile.
    await waitFor(
      "three refused reads",
      () =>
        requestsOn(world.sim, c.armId, { after: before }).filter((r) => r.status === 404).length >= 3
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
    const held = await c.client.get(key);
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toContain(FINALIZER);
    expect(requestsOn(world.sim, c.armId, { after: before, writes: true })).toEqual([]);
    expect(c.inAzure()).toBe(true);
    const events = await world.cluster.kubectl([
      "get",
      "events.events.k8s.io",
      "-n",
      world.namespace,
      "-o",
      "json",
    ]);
    const warned = (
      JSON.parse(events.stdout) as {
        items: { reason?: string; type?: string; regarding?: { name?: string } }[];
      }
    ).items.filter((e) => e.regarding?.name === c.name && e.reason === "SubscriptionNotFound");
    expect(warned.map((e) => e.type)).toContain("Warning");
  } finally {
    world.sim.clearFaults();
  }
  await waitForGone(c.client, world.namespace, c.name, 90_000);
  const writes = requestsOn(world.sim, c.armId, { after: before, writes: true });
  expect(writes.map((r) => `${r.method} ${r.status}`)).toEqual(["DELETE 202"]);
  await waitFor("the Azure resource to be deleted", () => (c.inAzure() ? undefined : true));
}

async function readyGallery(name: string): Promise<void> {
  await world.galleries.create(galleryManifest(world, name));
  await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
}

async function readyDefinition(name: string, gallery: string): Promise<void> {
  await world.imageDefinitions.create(definitionManifest(world, name, gallery));
  await waitForCondition(world.imageDefinitions, world.namespace, name, { status: "True" });
}

describe("deleting while Azure answers 404 SubscriptionNotFound", () => {
  it("a Gallery keeps its finalizer and is deleted in Azure once Azure answers", {
    timeout: 180_000,
  }, async () => {
    const gallery = "gal.unknowable";
    await readyGallery(gallery);
    await deleteWhileAzureCannotTell({
      client: world.galleries,
      name: gallery,
      armId: galleryArmId(gallery),
      inAzure: () => world.sim.state().galleries.some((g) => g.name === gallery),
    });
  });

  it("an ImageDefinition keeps its finalizer and is deleted in Azure once Azure answers", {
    timeout: 180_000,
  }, async () => {
    const gallery = "gal.unknowable.def";
    await readyGallery(gallery);
    await readyDefinition("def-unknowable", gallery);
    await deleteWhileAzureCannotTell({
      client: world.imageDefinitions,
      name: "def-unknowable",
      armId: `${galleryArmId(gallery)}/images/def-unknowable`,
      inAzure: () =>
        world.sim.state().images.some((i) => i.gallery === gallery && i.name === "def-unknowable"),
    });
  });

  it("an ImageVersion keeps its finalizer and is deleted in Azure once Azure answers", {
    timeout: 240_000,
  }, async () => {
    const gallery = "gal.unknowable.ver";
    await readyGallery(gallery);
    await readyDefinition("def-unknowable-ver", gallery);
    await world.imageVersions.create(
      versionManifest(world, "ver-unknowable", "def-unknowable-ver", {
        version: "1.0.0",
        source: { managedImageId: managedImageId(world.subscriptionId, world.resourceGroup, SOURCE) },
        targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" }],
      }),
    );
    await waitForCondition(
      world.imageVersions,
      world.namespace,
      "ver-unknowable",
      { status: "True" },
      120_000,
    );
    await deleteWhileAzureCannotTell({
      client: world.imageVersions,
      name: "ver-unknowable",
      armId: `${galleryArmId(gallery)}/images/def-unknowable-ver/versions/1.0.0`,
      inAzure: () =>
        world.sim.state().versions.some((v) => v.gallery === gallery && v.image === "def-unknowable-ver"),
    });
  });
});
