// One owner per Azure resource. A second Gallery naming a gallery another object manages (another
// namespace of this cluster, or another cluster's tag) is refused and changes nothing in Azure,
// also when it is deleted; a gallery that exists and nobody owns is taken only on the adopt
// annotation; deletionPolicy Orphan takes the ownership tag off so that someone else may adopt.
// Judged from the simulator's request log and state, and from the API server.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADOPT_ANNOTATION, OWNERSHIP_TAG } from "../../src/reconcilers/driver/ownership.js";
import { definitionManifest, managedImageId, requestsOn, versionManifest } from "../support/images.js";
import {
  galleryManifest,
  galleryRequests,
  lastRequestSeq,
  type OperatorProcess,
  startOperatorProcess,
} from "../support/operator.js";
import { computeClient } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition, waitForGone } from "../support/world.js";

const CLUSTER = "one-owner-test";
let world: World;
let other: string;
let operator: OperatorProcess;

beforeAll(async () => {
  world = await startWorld("e2e-one-owner");
  other = await world.cluster.newNamespace("e2e-one-owner-b");
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", `${world.namespace},${other}`, "--cluster-id", CLUSTER, "--resync-period", "2s"],
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `Gallery@${other}`,
    60_000,
  );
});

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

function armGallery(name: string) {
  return world.sim.state().galleries.find((g) => g.name === name);
}

/** Makes a gallery in Azure the way someone outside this cluster would, with `tags`. */
async function outsideGallery(name: string, tags: Record<string, string>): Promise<void> {
  const client = computeClient(
    world.sim,
    { tenantId: world.tenantId, objectId: randomUUID() },
    world.subscriptionId,
  );
  await client.galleries.createOrUpdate(world.resourceGroup, name, { location: world.location, tags });
}

describe("one owner per Azure resource", () => {
  it("refuses a second Gallery in another namespace: no write, and its deletion deletes nothing", {
    timeout: 120_000,
  }, async () => {
    const name = "gal.contested";
    await world.galleries.create(galleryManifest(world, name, { description: "team a" }));
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    expect(armGallery(name)?.tags?.[OWNERSHIP_TAG]).toBe(`${CLUSTER}/${world.namespace}/Gallery/${name}`);

    const before = lastRequestSeq(world.sim);
    await world.galleries.create(
      galleryManifest({ ...world, namespace: other }, name, { description: "team b" }),
    );
    const refused = await waitForCondition(world.galleries, other, name, {
      status: "False",
      reason: "OwnedByAnother",
    });
    expect(conditionOf(refused)?.message).toContain(`Gallery ${world.namespace}/${name}`);
    // An edit of the refused object changes nothing either.
    await world.galleries.mergePatch({ namespace: other, name }, { spec: { description: "team b again" } });
    await waitFor("the edit to be judged", async () => {
      const g = await world.galleries.get({ namespace: other, name });
      return conditionOf(g)?.observedGeneration === g.metadata.generation ? g : undefined;
    });
    await world.galleries.delete({ namespace: other, name });
    await waitForGone(world.galleries, other, name);
    expect(galleryRequests(world, name, { after: before, writes: true })).toEqual([]);
    expect(armGallery(name)?.description).toBe("team a");
    const owner = await world.galleries.get({ namespace: world.namespace, name });
    expect(conditionOf(owner)?.status).toBe("True");
  });

  it("refuses a second ImageVersion naming a version another object manages; its deletion deletes nothing", {
    timeout: 120_000,
  }, async () => {
    const source = managedImageId(world.subscriptionId, world.resourceGroup, "image-owned");
    world.sim.seed({ sources: [{ id: source, location: world.location }] });
    await world.galleries.create(galleryManifest(world, "gal.versions"));
    await waitForCondition(world.galleries, world.namespace, "gal.versions", { status: "True" });
    await world.imageDefinitions.create(definitionManifest(world, "def-owned", "gal.versions"));
    await waitForCondition(world.imageDefinitions, world.namespace, "def-owned", { status: "True" });
    const spec = {
      version: "1.0.0",
      source: { managedImageId: source },
      targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" as const }],
    };
    await world.imageVersions.create(versionManifest(world, "ver-first", "def-owned", spec));
    await waitForCondition(world.imageVersions, world.namespace, "ver-first", { status: "True" }, 90_000);
    const id = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/gal.versions/images/def-owned/versions/1.0.0`;
    const before = lastRequestSeq(world.sim);
    await world.imageVersions.create(
      versionManifest(world, "ver-second", "def-owned", { ...spec, replicaCount: 2 }),
    );
    const refused = await waitForCondition(world.imageVersions, world.namespace, "ver-second", {
      status: "False",
      reason: "OwnedByAnother",
    });
    expect(conditionOf(refused)?.message).toContain(`ImageVersion ${world.namespace}/ver-first`);
    expect(refused.status?.replication).toBeUndefined();
    await world.imageVersions.delete({ namespace: world.namespace, name: "ver-second" });
    await waitForGone(world.imageVersions, world.namespace, "ver-second");
    expect(requestsOn(world.sim, id, { after: before, writes: true })).toEqual([]);
    expect(world.sim.state().versions.find((v) => v.image === "def-owned")?.publishing.replicaCount).toBe(1);
    const first = await world.imageVersions.get({ namespace: world.namespace, name: "ver-first" });
    expect(conditionOf(first)?.status).toBe("True");
  });

  it("never lets a second namespace's GallerySharing delete the owner's role assignment", {
    timeout: 120_000,
  }, async () => {
    const name = "gal.rbac";
    const principal = randomUUID();
    const sharing = (namespace: string) => ({
      apiVersion: "gallery.azure.dev/v1alpha1" as const,
      kind: "GallerySharing" as const,
      metadata: { name: "readers", namespace },
      spec: {
        galleryRef: { name },
        deletionPolicy: "Delete" as const,
        roleAssignments: [{ principalId: principal, principalType: "User" as const, role: "Reader" }],
      },
    });
    const assignments = () =>
      world.sim.state().roleAssignments.filter((a) => a.scope.toLowerCase().endsWith(`/galleries/${name}`));
    await world.galleries.create(galleryManifest(world, name));
    await world.gallerySharings.create(sharing(world.namespace));
    await waitForCondition(world.gallerySharings, world.namespace, "readers", { status: "True" });
    expect(assignments()).toHaveLength(1);

    const before = lastRequestSeq(world.sim);
    await world.galleries.create(galleryManifest({ ...world, namespace: other }, name));
    await world.gallerySharings.create(sharing(other));
    await waitForCondition(world.galleries, other, name, { status: "False", reason: "OwnedByAnother" });
    const waiting = await waitForCondition(world.gallerySharings, other, "readers", { status: "False" });
    expect(conditionOf(waiting)?.message).toContain(name);
    await world.gallerySharings.delete({ namespace: other, name: "readers" });
    await waitForGone(world.gallerySharings, other, "readers");
    await world.galleries.delete({ namespace: other, name });
    await waitForGone(world.galleries, other, name);
    expect(assignments()).toHaveLength(1);
    expect(galleryRequests(world, name, { after: before, writes: true })).toEqual([]);
  });

  it("refuses a gallery another cluster's operator owns, naming that owner", {
    timeout: 60_000,
  }, async () => {
    const name = "gal.theirs";
    await outsideGallery(name, { [OWNERSHIP_TAG]: "their-cluster/images/Gallery/shared" });
    const before = lastRequestSeq(world.sim);
    await world.galleries.create(galleryManifest(world, name));
    const refused = await waitForCondition(world.galleries, world.namespace, name, {
      status: "False",
      reason: "OwnedByAnother",
    });
    expect(conditionOf(refused)?.message).toContain("Gallery images/shared (cluster their-cluster)");
    await world.galleries.delete({ namespace: world.namespace, name });
    await waitForGone(world.galleries, world.namespace, name);
    expect(galleryRequests(world, name, { after: before, writes: true })).toEqual([]);
    expect(armGallery(name)?.tags?.[OWNERSHIP_TAG]).toBe("their-cluster/images/Gallery/shared");
  });

  it("takes an existing gallery nobody owns only on the adopt annotation", { timeout: 60_000 }, async () => {
    const name = "gal.unowned";
    await outsideGallery(name, { team: "platform" });
    const before = lastRequestSeq(world.sim);
    await world.galleries.create(galleryManifest(world, name, { tags: { team: "platform" } }));
    const waiting = await waitForCondition(world.galleries, world.namespace, name, {
      status: "False",
      reason: "AdoptionRequired",
    });
    expect(conditionOf(waiting)?.message).toContain(`${ADOPT_ANNOTATION}="true"`);
    expect(galleryRequests(world, name, { after: before, writes: true })).toEqual([]);

    await world.galleries.mergePatch(
      { namespace: world.namespace, name },
      { metadata: { annotations: { [ADOPT_ANNOTATION]: "true" } } },
    );
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    await waitFor("the ownership tag in Azure", () =>
      armGallery(name)?.tags?.[OWNERSHIP_TAG] === `${CLUSTER}/${world.namespace}/Gallery/${name}`
        ? true
        : undefined,
    );
    expect(armGallery(name)?.tags?.team).toBe("platform");
    expect(galleryRequests(world, name, { after: before, writes: true }).map((r) => r.method)).toEqual([
      "PUT",
    ]);
  });

  it("takes the ownership tag off on delete under deletionPolicy Orphan, and leaves the gallery (one PUT)", {
    timeout: 60_000,
  }, async () => {
    const name = "gal.let.go";
    await world.galleries.create(
      galleryManifest(world, name, { deletionPolicy: "Orphan", tags: { team: "a" } }),
    );
    await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    expect(armGallery(name)?.tags?.[OWNERSHIP_TAG]).toBeDefined();
    const before = lastRequestSeq(world.sim);
    await world.galleries.delete({ namespace: world.namespace, name });
    await waitForGone(world.galleries, world.namespace, name);
    expect(armGallery(name)?.tags).toEqual({ team: "a" });
    expect(galleryRequests(world, name, { after: before, writes: true }).map((r) => r.method)).toEqual([
      "PUT",
    ]);
  });
});
