// ImageVersion end to end: the operator as a real process, a real API server, the ARM simulator
// (time scaled so that a Full replication takes about 5.6 s instead of 7 min 47 s).
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Gallery, ImageDefinition, ImageVersion } from "../../src/api/index.js";
import { mintToken } from "../../tools/sim/index.js";
import {
  definitionManifest,
  managedImageId,
  requestsOn,
  startImageOperator,
  versionManifest,
  waitForReadsOn,
} from "../support/images.js";
import { lastRequestSeq, type OperatorProcess } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition, waitForGone } from "../support/world.js";

const EXAMPLE = join(import.meta.dirname, "..", "..", "examples", "private-gallery");
const PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
/** The example's gallery, definition and first version (examples/private-gallery). */
const RG = "myGalleryRG";
const REGION = "westcentralus";
const DEFINITION = "my-image-definition";
const FIRST = "my-image-definition-1.0.0";

let world: World;
let operator: OperatorProcess;

function ref(name: string) {
  return { namespace: world.namespace, name };
}

function imageId(name: string): string {
  return managedImageId(world.subscriptionId, RG, name);
}

function versionArmId(
  version: string,
  image = "myImageDefinition",
  gallery = "myGallery",
  sub = world.subscriptionId,
): string {
  return `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/galleries/${gallery}/images/${image}/versions/${version}`;
}

function putsOn(id: string, after?: number): string[] {
  return requestsOn(world.sim, id, { writes: true, after }).map((r) => `${r.method} ${r.status}`);
}

function azureVersion(name: string) {
  return world.sim.state().versions?.find((v) => v.image === "myImageDefinition" && v.name === name);
}

/** A version of `definition` (the example's by default), replicated to the gallery's region unless `spec` says otherwise. */
function version(
  name: string,
  number: string,
  sourceId: string,
  spec: Partial<ImageVersion["spec"]> = {},
  definition = DEFINITION,
) {
  return versionManifest(world, name, definition, {
    version: number,
    source: { managedImageId: sourceId },
    targetRegions: [{ name: REGION, storageAccountType: "Standard_LRS" }],
    ...spec,
  });
}

/** Deletes versions and waits until they are gone (keeps the read budget for the tests that follow). */
async function deleteVersions(...names: string[]): Promise<void> {
  for (const name of names) await world.imageVersions.delete(ref(name));
  for (const name of names) await waitForGone(world.imageVersions, world.namespace, name);
}

async function restartOperator(extra: { args?: string[]; env?: Record<string, string> } = {}, kill = false) {
  await (kill ? operator.kill() : operator.stop());
  operator = await startImageOperator(world, extra);
}

/**
 * Applies examples/private-gallery's objects of the given kinds as a user would, with the world's
 * subscription for the placeholder.
 */
async function applyExample(kinds: readonly string[]): Promise<void> {
  const files = readdirSync(EXAMPLE).filter((f) => f.endsWith(".yaml"));
  for (const file of files) {
    const text = readFileSync(join(EXAMPLE, file), "utf8").replaceAll(
      PLACEHOLDER_SUBSCRIPTION,
      world.subscriptionId,
    );
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJS() as Gallery | ImageDefinition | ImageVersion;
      if (!kinds.includes(obj.kind)) continue;
      obj.metadata.namespace = world.namespace;
      if (obj.kind === "Gallery") await world.galleries.create(obj);
      else if (obj.kind === "ImageDefinition") await world.imageDefinitions.create(obj);
      else await world.imageVersions.create(obj);
    }
  }
}

beforeAll(async () => {
  world = await startWorld("e2e-imgver", { timeScale: 0.012 });
  world.sim.seed({
    resourceGroups: [{ subscriptionId: world.subscriptionId, name: RG, location: REGION }],
    sources: [
      "myManagedImage",
      "image-quiet",
      "image-regions",
      "image-kill",
      "image-delete",
      "image-busy",
      "image-fail",
      "image-misc",
    ].map((n) => ({
      id: imageId(n),
      location: REGION,
    })),
  });
  operator = await startImageOperator(world);
  // The example's gallery and definition are every test's parents; each test makes its own versions.
  await applyExample(["Gallery", "ImageDefinition"]);
  await waitForCondition(world.imageDefinitions, world.namespace, DEFINITION, { status: "True" }, 60_000);
});

/** Creates a version of the example's definition from its own source and waits until it is Ready. */
async function readyVersion(name: string, number: string, source: string): Promise<ImageVersion> {
  await world.imageVersions.create(version(name, number, imageId(source)));
  return waitForCondition(world.imageVersions, world.namespace, name, { status: "True" }, 60_000);
}

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

describe("ImageVersion", () => {
  it("brings the private-gallery example to Ready, showing replication progress on the way", {
    timeout: 90_000,
  }, async () => {
    await applyExample(["ImageVersion"]);
    const seen: number[] = [];
    const reasons = new Set<string>();
    const ready = await waitFor(
      "the example's version Ready",
      async () => {
        const v = await world.imageVersions.get(ref(FIRST));
        const progress = v.status?.replication?.progress;
        if (progress !== undefined && progress !== seen.at(-1)) seen.push(progress);
        const c = conditionOf(v);
        if (c) reasons.add(c.reason);
        return c?.status === "True" ? v : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(100);
    expect(reasons).toContain("Replicating");
    expect(conditionOf(ready, "Replicated")).toMatchObject({ status: "True" });
    expect(ready.status?.replication).toMatchObject({ aggregatedState: "Completed", progress: 100 });
    // Programmatic names, as the spec writes them (ARM answers with display names).
    expect(ready.status?.replication?.regions?.map((r) => r.region).sort()).toEqual([
      "eastus",
      "southcentralus",
      "westcentralus",
    ]);
    expect(ready.status?.publishedDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(ready.status?.id?.toLowerCase()).toBe(versionArmId("1.0.0").toLowerCase());
    expect(putsOn(versionArmId("1.0.0"))).toEqual(["PUT 201"]);

    const table = await world.cluster.kubectl(["get", "imageversions", "-n", world.namespace]);
    expect(table.stdout).toMatch(/PROGRESS/);
    expect(table.stdout).toMatch(
      new RegExp(`${FIRST}\\s+True\\s+Succeeded\\s+${DEFINITION}\\s+1\\.0\\.0\\s+100`),
    );
  });

  it("makes no ARM write for the definition or the version over several resyncs", async () => {
    await readyVersion("v-quiet", "1.2.0", "image-quiet");
    const settled = lastRequestSeq(world.sim);
    // Resyncs read the parents' lists (resync-reads.test.ts counts what a resync reads): three
    // reads of each list are at least two whole resyncs; then no writes.
    const definition = versionArmId("1.2.0").replace(/\/versions\/.*$/, "");
    for (const list of [definition.replace(/\/[^/]+$/, ""), `${definition}/versions`]) {
      await waitForReadsOn(world.sim, list, settled, 3);
      expect(requestsOn(world.sim, list, { after: settled, writes: true }), list).toEqual([]);
    }
    for (const id of [definition, versionArmId("1.2.0")]) {
      expect(requestsOn(world.sim, id, { after: settled, writes: true }), id).toEqual([]);
    }
    await deleteVersions("v-quiet");
  });

  it("adds a region with exactly one PUT, replicating only that region; excludeFromLatest is one more PUT", {
    timeout: 90_000,
  }, async () => {
    await readyVersion("v-regions", "1.3.0", "image-regions");
    const before = lastRequestSeq(world.sim);
    const startedBefore = new Map(azureVersion("1.3.0")?.replication.map((r) => [r.region, r.startAt]));
    const current = await world.imageVersions.get(ref("v-regions"));
    await world.imageVersions.mergePatch(ref("v-regions"), {
      spec: {
        targetRegions: [
          ...current.spec.targetRegions,
          { name: "westus2", storageAccountType: "Standard_LRS" },
        ],
      },
    });
    // While the new region copies, the old ones stay at 100%.
    const midway = await waitFor("westus2 replicating", async () => {
      const v = await world.imageVersions.get(ref("v-regions"));
      const added = v.status?.replication?.regions?.find((r) => r.region === "westus2");
      return added && (added.progress ?? 0) < 100 ? v : undefined;
    });
    expect(conditionOf(midway)?.reason).toBe("Replicating");
    expect(
      midway.status?.replication?.regions?.filter((r) => r.region !== "westus2").map((r) => r.progress),
    ).toEqual([100]);
    await waitForCondition(world.imageVersions, world.namespace, "v-regions", { status: "True" }, 60_000);
    const after = azureVersion("1.3.0")?.replication ?? [];
    for (const [region, startAt] of startedBefore)
      expect(after.find((r) => r.region === region)?.startAt).toBe(startAt);
    expect(after.map((r) => r.region)).toContain("westus2");
    expect(putsOn(versionArmId("1.3.0"), before)).toEqual(["PUT 200"]);

    const second = lastRequestSeq(world.sim);
    await world.imageVersions.mergePatch(ref("v-regions"), { spec: { excludeFromLatest: true } });
    await waitFor(
      "excludeFromLatest in Azure",
      () => azureVersion("1.3.0")?.publishing.excludeFromLatest === true,
    );
    await waitForCondition(world.imageVersions, world.namespace, "v-regions", { status: "True" });
    // Two resyncs after Ready (each reads the definition's list of versions): no further PUT.
    const settled = lastRequestSeq(world.sim);
    await waitForReadsOn(world.sim, versionArmId("1.3.0").replace(/\/[^/]+$/, ""), settled, 3);
    expect(putsOn(versionArmId("1.3.0"), second)).toEqual(["PUT 200"]);
    await deleteVersions("v-regions");
  });

  it("resumes a replication after the operator is killed: one PUT in all", { timeout: 120_000 }, async () => {
    await world.imageVersions.create(
      version("v-kill", "1.1.0", imageId("image-kill"), {
        targetRegions: [
          { name: REGION, storageAccountType: "Standard_LRS" },
          { name: "eastus", storageAccountType: "Standard_LRS", regionalReplicaCount: 2 },
        ],
      }),
    );
    const midway = await waitFor("replication under way", async () => {
      const v = await world.imageVersions.get(ref("v-kill"));
      const progress = v.status?.replication?.progress ?? 0;
      return v.status?.operation && progress > 0 && progress < 100 ? v : undefined;
    });
    expect(midway.status?.operation?.action).toBe("CreateOrUpdate");
    await restartOperator({}, true);
    const ready = await waitForCondition(
      world.imageVersions,
      world.namespace,
      "v-kill",
      { status: "True" },
      60_000,
    );
    expect(ready.status?.operation).toBeUndefined();
    expect(putsOn(versionArmId("1.1.0"))).toEqual(["PUT 201"]);
    await deleteVersions("v-kill");
  });

  it("deletes a version with one DELETE, also when the operator is killed meanwhile", {
    timeout: 90_000,
  }, async () => {
    await readyVersion("v-delete", "1.4.0", "image-delete");
    await world.imageVersions.delete(ref("v-delete"));
    await waitFor("the delete saved in status", async () => {
      const v = await world.imageVersions.get(ref("v-delete"));
      return v.status?.operation?.action === "Delete" ? v : undefined;
    });
    await restartOperator({}, true);
    await waitForGone(world.imageVersions, world.namespace, "v-delete");
    expect(azureVersion("1.4.0")).toBeUndefined();
    expect(requestsOn(world.sim, versionArmId("1.4.0"), { writes: true }).map((r) => r.method)).toEqual([
      "PUT",
      "DELETE",
    ]);
  });

  it("lets a second version of the same managed image wait (SourceBusy) until the first has replicated", {
    timeout: 90_000,
  }, async () => {
    await world.imageVersions.create(version("v-busy-a", "2.0.0", imageId("image-busy")));
    await world.imageVersions.create(version("v-busy-b", "2.0.1", imageId("image-busy")));
    const waiting = await waitForCondition(world.imageVersions, world.namespace, "v-busy-b", {
      status: "False",
      reason: "SourceBusy",
    });
    expect(conditionOf(waiting)?.message).toContain("v-busy-a");
    await waitForCondition(world.imageVersions, world.namespace, "v-busy-a", { status: "True" }, 60_000);
    await waitForCondition(world.imageVersions, world.namespace, "v-busy-b", { status: "True" }, 60_000);
    expect(putsOn(versionArmId("2.0.0"))).toEqual(["PUT 201"]);
    expect(putsOn(versionArmId("2.0.1"))).toEqual(["PUT 201"]);
    await deleteVersions("v-busy-a", "v-busy-b");
  });

  it("reports a failed region with Azure's details (ReplicationFailed), and converges once the spec drops it", {
    timeout: 90_000,
  }, async () => {
    world.sim.fault({
      kind: "replication",
      version: "/versions/3\\.0\\.0$",
      region: "southcentralus",
      atProgress: 30,
      code: "ReplicationFailed",
      details: "Disk copy failed.",
    });
    await world.imageVersions.create(
      version("v-fail", "3.0.0", imageId("image-fail"), {
        targetRegions: [
          { name: REGION, storageAccountType: "Standard_LRS" },
          { name: "southcentralus", storageAccountType: "Standard_LRS" },
        ],
      }),
    );
    const failed = await waitForCondition(world.imageVersions, world.namespace, "v-fail", {
      status: "False",
      reason: "ReplicationFailed",
    });
    expect(conditionOf(failed)?.message).toMatch(/southcentralus \(Disk copy failed\.\)/);
    // Programmatic names, as in the spec (ARM answers "South Central US").
    expect(failed.status?.replication?.regions?.find((r) => r.region === "southcentralus")).toMatchObject({
      state: "Failed",
      details: "Disk copy failed.",
    });
    // Settled on the failure: no retry storm while the spec stays as it is.
    await waitFor(
      "the operation over",
      async () => !(await world.imageVersions.get(ref("v-fail"))).status?.operation,
    );
    const settled = lastRequestSeq(world.sim);
    // Two resyncs later (each reads the version with its replication status: it is not settled),
    // still no PUT.
    await waitForReadsOn(world.sim, versionArmId("3.0.0"), settled, 3);
    expect(putsOn(versionArmId("3.0.0"), settled)).toEqual([]);
    const stillFailed = await world.imageVersions.get(ref("v-fail"));
    expect(conditionOf(stillFailed)?.reason).toBe("ReplicationFailed");
    expect(conditionOf(stillFailed, "Replicated")?.reason).toBe("ReplicationFailed");

    await world.imageVersions.mergePatch(ref("v-fail"), {
      spec: { targetRegions: [{ name: REGION, storageAccountType: "Standard_LRS" }] },
    });
    await waitForCondition(world.imageVersions, world.namespace, "v-fail", { status: "True" }, 60_000);
    expect(putsOn(versionArmId("3.0.0"), settled)).toEqual(["PUT 200"]);
    await deleteVersions("v-fail");
  });

  it("waits for a missing definition (ImageDefinitionNotFound), then converges", {
    timeout: 60_000,
  }, async () => {
    await world.imageVersions.create(
      version("v-orphan", "4.0.0", imageId("image-misc"), { replicationMode: "Shallow" }, "def-later"),
    );
    const missing = await waitForCondition(world.imageVersions, world.namespace, "v-orphan", {
      status: "False",
      reason: "ImageDefinitionNotFound",
    });
    expect(conditionOf(missing)?.message).toMatch(/def-later/);
    await world.imageDefinitions.create(definitionManifest(world, "def-later", "my-gallery"));
    await waitForCondition(world.imageVersions, world.namespace, "v-orphan", { status: "True" }, 30_000);
    await deleteVersions("v-orphan");
  });

  it("refuses what Azure would refuse: a target list without the gallery's region, encryption in a directly shared gallery", {
    timeout: 60_000,
  }, async () => {
    const before = lastRequestSeq(world.sim);
    await world.imageVersions.create(
      version("v-rules", "5.0.0", imageId("image-misc"), {
        targetRegions: [{ name: "eastus", storageAccountType: "Standard_LRS" }],
        replicationMode: "Shallow",
      }),
    );
    const untargeted = await waitForCondition(world.imageVersions, world.namespace, "v-rules", {
      status: "False",
      reason: "SourceRegionNotTargeted",
    });
    expect(conditionOf(untargeted)?.message).toMatch(/must include westcentralus/);

    // Direct sharing and customer-managed keys do not mix: the gallery moves to Groups.
    await world.galleries.mergePatch(ref("my-gallery"), { spec: { sharing: { permissions: "Groups" } } });
    await waitFor("Groups in Azure", () =>
      world.sim.state().galleries?.find((g) => g.name === "myGallery" && g.sharing?.permissions === "Groups"),
    );
    const des = `/subscriptions/${world.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/diskEncryptionSets/des1`;
    await world.imageVersions.mergePatch(ref("v-rules"), {
      spec: {
        targetRegions: [
          {
            name: REGION,
            storageAccountType: "Standard_LRS",
            encryption: { osDiskImage: { diskEncryptionSetId: des } },
          },
        ],
      },
    });
    const encrypted = await waitForCondition(world.imageVersions, world.namespace, "v-rules", {
      status: "False",
      reason: "EncryptionNotAllowedInSharedGallery",
    });
    expect(conditionOf(encrypted)?.message).toMatch(/my-gallery/);
    expect(putsOn(versionArmId("5.0.0"), before)).toEqual([]);

    // The gallery goes private again (its change wakes the version), and the version is made.
    await world.galleries.mergePatch(ref("my-gallery"), { spec: { sharing: { permissions: "Private" } } });
    await waitForCondition(world.imageVersions, world.namespace, "v-rules", { status: "True" }, 30_000);
    expect(putsOn(versionArmId("5.0.0"), before)).toEqual(["PUT 201"]);
    await deleteVersions("v-rules");
  });

  it("needs the source's tenant as an auxiliary tenant for a cross-tenant source (LinkedAuthorizationFailed)", {
    timeout: 120_000,
  }, async () => {
    const otherTenant = randomUUID();
    const otherSubscription = randomUUID();
    const source = managedImageId(otherSubscription, "rg-source", "shared-image");
    world.sim.seed({
      tenants: [{ id: otherTenant, subscriptions: [otherSubscription] }],
      sources: [{ id: source, location: REGION }],
    });
    await world.imageVersions.create(version("v-tenant", "6.0.0", source, { replicationMode: "Shallow" }));
    const refused = await waitForCondition(world.imageVersions, world.namespace, "v-tenant", {
      status: "False",
      reason: "LinkedAuthorizationFailed",
    });
    const message = conditionOf(refused)?.message ?? "";
    expect(message).toContain(`subscription ${otherSubscription}`);
    expect(message).toContain("--auxiliary-tenants");
    expect(message).toContain(world.tenantId);

    await restartOperator({
      args: ["--auxiliary-tenants", otherTenant],
      env: {
        AGO_ARM_TENANT_TOKENS: JSON.stringify({
          [otherTenant]: mintToken({ tid: otherTenant, oid: "operator" }),
        }),
      },
    });
    await waitForCondition(world.imageVersions, world.namespace, "v-tenant", { status: "True" }, 60_000);
    const puts = requestsOn(world.sim, versionArmId("6.0.0"), { writes: true });
    expect(puts.at(-1)).toMatchObject({ method: "PUT", status: 201, auxiliaryTenants: [otherTenant] });
    await deleteVersions("v-tenant");
    // The tests that follow in a shuffled order expect the operator as beforeAll started it.
    await restartOperator();
  });
});
