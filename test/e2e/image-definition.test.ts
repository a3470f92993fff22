// ImageDefinition end to end: the operator as a real process, a real API server, the ARM simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINALIZER, LABELS } from "../../src/api/index.js";
import { beforeFirstStatus, recordHistory } from "../support/history.js";
import {
  definitionManifest,
  managedImageId,
  requestsOn,
  startImageOperator,
  versionManifest,
  waitForReadsOn,
} from "../support/images.js";
import { galleryManifest, lastRequestSeq, type OperatorProcess } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition, waitForGone } from "../support/world.js";

const GALLERY = "gal.defs";

let world: World;
let operator: OperatorProcess;

function definitionId(name: string, gallery = GALLERY): string {
  return `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/${gallery}/images/${name}`;
}

function ref(name: string) {
  return { namespace: world.namespace, name };
}

function azureImage(name: string) {
  return world.sim.state().images?.find((i) => i.gallery === GALLERY && i.name === name);
}

beforeAll(async () => {
  world = await startWorld("e2e-imgdef");
  world.sim.seed({
    sources: ["base-a", "base-b"].map((n) => ({
      id: managedImageId(world.subscriptionId, world.resourceGroup, n),
      location: world.location,
    })),
  });
  operator = await startImageOperator(world);
  await world.galleries.create(galleryManifest(world, GALLERY));
  await waitForCondition(world.galleries, world.namespace, GALLERY, { status: "True" });
});

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

describe("ImageDefinition", () => {
  it("creates the definition in its gallery's region with one PUT, labels it, then only reads", async () => {
    await world.imageDefinitions.create(
      definitionManifest(world, "ubuntu", GALLERY, { description: "first" }),
    );
    const ready = await waitForCondition(world.imageDefinitions, world.namespace, "ubuntu", {
      status: "True",
    });
    expect(ready.status?.id?.toLowerCase()).toBe(definitionId("ubuntu").toLowerCase());
    expect(ready.status?.azureName).toBe("ubuntu");
    expect(ready.metadata.labels?.[LABELS.gallery]).toBe(GALLERY);
    expect(ready.metadata.finalizers).toContain("gallery.azure.dev/finalizer");
    expect(azureImage("ubuntu")).toMatchObject({
      location: world.location,
      properties: { osType: "Linux", architecture: "x64", description: "first" },
    });
    expect(requestsOn(world.sim, definitionId("ubuntu"), { writes: true }).map((r) => r.method)).toEqual([
      "PUT",
    ]);

    // Several resyncs (the period is 1 s): reads only, the gallery's list of
    // definitions among them (resync-reads.test.ts counts what a resync reads).
    // Three reads of the list are at least two whole resyncs.
    const settled = lastRequestSeq(world.sim);
    const list = definitionId("ubuntu").replace(/\/ubuntu$/, "");
    await waitForReadsOn(world.sim, list, settled, 3);
    expect(requestsOn(world.sim, definitionId("ubuntu"), { after: settled, writes: true })).toEqual([]);
    expect(requestsOn(world.sim, list, { after: settled, writes: true })).toEqual([]);
  });

  it("gives a new gallery, definition and version their finalizer and labels in one metadata write", async () => {
    const [gallery, definition, version] = ["gal.meta", "meta", "meta-1.0.0"];
    const galleryHistory = await recordHistory(world.galleries, world.namespace, gallery);
    const definitionHistory = await recordHistory(world.imageDefinitions, world.namespace, definition);
    const versionHistory = await recordHistory(world.imageVersions, world.namespace, version);
    const histories = [galleryHistory, definitionHistory, versionHistory];
    try {
      await world.galleries.create(galleryManifest(world, gallery));
      // A label of the user's own: the operator adds its labels beside it.
      const labelled = definitionManifest(world, definition, gallery);
      await world.imageDefinitions.create({
        ...labelled,
        metadata: { ...labelled.metadata, labels: { team: "images" } },
      });
      // The version's gallery label comes from its definition: wait until the operator has seen it.
      await waitFor("the definition's finalizer", async () =>
        (await world.imageDefinitions.get(ref(definition))).metadata.finalizers?.includes(FINALIZER),
      );
      await world.imageVersions.create(
        versionManifest(world, version, definition, {
          version: "1.0.0",
          source: { managedImageId: managedImageId(world.subscriptionId, world.resourceGroup, "base-a") },
          targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" }],
          replicationMode: "Shallow",
        }),
      );
      for (const history of histories) {
        await waitFor("a first status", () => history.versions.some((v) => v.status !== undefined));
      }
    } finally {
      await Promise.all(histories.map((h) => h.stop()));
    }

    // Before its first status each object was written twice: created (by the test), then one patch.
    const written = histories.map((h) => beforeFirstStatus(h.versions));
    for (const writes of written) {
      expect(writes).toHaveLength(2);
      expect(writes[0]?.metadata.finalizers).toBeUndefined();
      expect(writes[1]?.metadata.finalizers).toEqual([FINALIZER]);
    }
    const labels = written.map((writes) => writes[1]?.metadata.labels);
    expect(labels).toEqual([
      undefined,
      { team: "images", [LABELS.gallery]: gallery },
      { [LABELS.imageDefinition]: definition, [LABELS.gallery]: gallery },
    ]);
  });

  it("sends exactly one PUT for a change of the fields Azure lets change", async () => {
    await world.imageDefinitions.create(
      definitionManifest(world, "editable", GALLERY, { description: "first" }),
    );
    await waitForCondition(world.imageDefinitions, world.namespace, "editable", { status: "True" });
    const before = lastRequestSeq(world.sim);
    await world.imageDefinitions.mergePatch(ref("editable"), {
      spec: {
        description: "second",
        eula: "https://example.com/eula",
        endOfLifeDate: "2030-01-01T00:00:00Z",
        features: [{ name: "IsAcceleratedNetworkSupported", value: "True" }],
      },
    });
    await waitFor("the change in Azure", () => azureImage("editable")?.properties.description === "second");
    await waitForCondition(world.imageDefinitions, world.namespace, "editable", { status: "True" });
    expect(azureImage("editable")?.properties).toMatchObject({
      eula: "https://example.com/eula",
      features: [{ name: "IsAcceleratedNetworkSupported", value: "True" }],
    });
    expect(Date.parse(azureImage("editable")?.properties.endOfLifeDate ?? "")).toBe(
      Date.parse("2030-01-01T00:00:00Z"),
    );
    // Two resyncs after Ready (each reads the gallery's list of definitions): no further PUT.
    const settled = lastRequestSeq(world.sim);
    await waitForReadsOn(world.sim, definitionId("editable").replace(/\/editable$/, ""), settled, 3);
    expect(
      requestsOn(world.sim, definitionId("editable"), { writes: true, after: before }).map((r) => r.method),
    ).toEqual(["PUT"]);
  });

  it("waits for a missing gallery, then for a gallery that is not Ready, then converges", async () => {
    await world.imageDefinitions.create(definitionManifest(world, "later", "gal.later"));
    const missing = await waitForCondition(world.imageDefinitions, world.namespace, "later", {
      status: "False",
      reason: "GalleryNotFound",
    });
    expect(conditionOf(missing)?.message).toMatch(/gal\.later/);

    // The gallery's resource group does not exist yet: the gallery fails, the definition waits for it.
    await world.galleries.create(galleryManifest(world, "gal.later", { resourceGroup: "rg-later" }));
    await waitForCondition(world.imageDefinitions, world.namespace, "later", {
      status: "False",
      reason: "GalleryNotReady",
    });
    expect(world.sim.state().images?.find((i) => i.name === "later")).toBeUndefined();

    world.sim.seed({
      resourceGroups: [{ subscriptionId: world.subscriptionId, name: "rg-later", location: world.location }],
    });
    await world.galleries.mergePatch(ref("gal.later"), { spec: { description: "retry" } });
    await waitForCondition(world.galleries, world.namespace, "gal.later", { status: "True" });
    const ready = await waitForCondition(world.imageDefinitions, world.namespace, "later", {
      status: "True",
    });
    expect(ready.status?.id).toMatch(
      /\/resourceGroups\/rg-later\/.*\/galleries\/gal\.later\/images\/later$/i,
    );
  });

  it("deletes a definition only after its versions: the condition names them", {
    timeout: 90_000,
  }, async () => {
    await world.imageDefinitions.create(definitionManifest(world, "parent", GALLERY));
    await waitForCondition(world.imageDefinitions, world.namespace, "parent", { status: "True" });
    for (const [name, source] of [
      ["parent-1.0.0", "base-a"],
      ["parent-1.0.1", "base-b"],
    ] as const) {
      await world.imageVersions.create(
        versionManifest(world, name, "parent", {
          version: name.slice("parent-".length),
          source: { managedImageId: managedImageId(world.subscriptionId, world.resourceGroup, source) },
          targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" }],
          replicationMode: "Shallow",
        }),
      );
    }
    for (const name of ["parent-1.0.0", "parent-1.0.1"]) {
      const version = await waitForCondition(world.imageVersions, world.namespace, name, { status: "True" });
      expect(version.metadata.labels).toMatchObject({
        [LABELS.imageDefinition]: "parent",
        [LABELS.gallery]: GALLERY,
      });
    }

    await world.imageDefinitions.delete(ref("parent"));
    const blocked = await waitForCondition(world.imageDefinitions, world.namespace, "parent", {
      status: "False",
      reason: "DeletionBlocked",
    });
    expect(conditionOf(blocked)?.message).toContain("parent-1.0.0, parent-1.0.1");
    expect(azureImage("parent")).toBeDefined();

    await world.imageVersions.delete(ref("parent-1.0.0"));
    await world.imageVersions.delete(ref("parent-1.0.1"));
    await waitForGone(world.imageDefinitions, world.namespace, "parent");
    expect(azureImage("parent")).toBeUndefined();
    expect(world.sim.state().versions?.filter((v) => v.image === "parent")).toEqual([]);
    expect(requestsOn(world.sim, definitionId("parent"), { writes: true }).map((r) => r.method)).toEqual([
      "PUT",
      "DELETE",
    ]);
  });

  it("leaves the definition in Azure with deletionPolicy Orphan", async () => {
    await world.imageDefinitions.create(
      definitionManifest(world, "kept", GALLERY, { deletionPolicy: "Orphan" }),
    );
    await waitForCondition(world.imageDefinitions, world.namespace, "kept", { status: "True" });
    await world.imageDefinitions.delete(ref("kept"));
    await waitForGone(world.imageDefinitions, world.namespace, "kept");
    expect(azureImage("kept")).toBeDefined();
  });
});
