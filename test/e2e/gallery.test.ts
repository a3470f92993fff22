// Gallery end to end: the operator as a real process, a real API server, the ARM simulator.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gallery } from "../../src/api/index.js";
import { OWNERSHIP_TAG } from "../../src/reconcilers/driver/ownership.js";
import { waitForReadsOn } from "../support/images.js";
import {
  galleryManifest,
  galleryRequests,
  lastRequestSeq,
  type OperatorProcess,
  startOperatorProcess,
} from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition, waitForGone } from "../support/world.js";

let world: World;
let operator: OperatorProcess;

const gallery = (name: string, spec: Partial<Gallery["spec"]> = {}) => galleryManifest(world, name, spec);
const requestsFor = (name: string, opts: { writes?: boolean; after?: number } = {}) =>
  galleryRequests(world, name, opts);
const lastSeq = () => lastRequestSeq(world.sim);

beforeAll(async () => {
  world = await startWorld("e2e-gallery");
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", world.namespace, "--leader-elect", "false", "--resync-period", "1s"],
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `Gallery@${world.namespace}`,
  );
});

afterAll(async () => {
  await operator?.stop();
  await world?.close();
});

describe("Gallery", () => {
  it("creates the gallery and reports its ARM id and unique name", async () => {
    await world.galleries.create(gallery("gal.create", { description: "first" }));
    const ready = await waitForCondition(world.galleries, world.namespace, "gal.create", { status: "True" });
    expect(ready.status?.id).toMatch(/\/providers\/Microsoft.Compute\/galleries\/gal.create$/i);
    expect(ready.status?.uniqueName).toBe(`${world.subscriptionId}-GAL.CREATE`);
    expect(ready.status?.azureName).toBe("gal.create");
    expect(ready.status?.observedGeneration).toBe(ready.metadata.generation);
    expect(ready.metadata.finalizers).toContain("gallery.azure.dev/finalizer");
    const puts = requestsFor("gal.create", { writes: true });
    expect(puts.map((r) => r.method)).toEqual(["PUT"]);
  });

  it("sends exactly one PUT for a description change, and none while nothing changes", async () => {
    await world.galleries.create(gallery("gal.edit", { description: "first" }));
    await waitForCondition(world.galleries, world.namespace, "gal.edit", { status: "True" });
    const before = lastSeq();
    await world.galleries.mergePatch(
      { namespace: world.namespace, name: "gal.edit" },
      { spec: { description: "second" } },
    );
    await waitFor("description in Azure", () =>
      world.sim.state().galleries?.find((g) => g.name === "gal.edit" && g.description === "second"),
    );
    await waitForCondition(world.galleries, world.namespace, "gal.edit", { status: "True" });
    expect(requestsFor("gal.edit", { writes: true, after: before }).map((r) => r.method)).toEqual(["PUT"]);

    // Several resyncs (the period is 1 s): reads only, the resource group's list of
    // galleries among them (resync-reads.test.ts counts what a resync reads).
    // Three reads of the list are at least two whole resyncs.
    const settled = lastSeq();
    const list = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries`;
    await waitForReadsOn(world.sim, list, settled, 3);
    expect(requestsFor("gal.edit", { after: settled }).filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("moves sharing Private → Groups → Community → Private, going through Reset as ARM does", async () => {
    await world.galleries.create(gallery("gal.sharing"));
    await waitForCondition(world.galleries, world.namespace, "gal.sharing", { status: "True" });
    const ref = { namespace: world.namespace, name: "gal.sharing" };

    let before = lastSeq();
    await world.galleries.mergePatch(ref, { spec: { sharing: { permissions: "Groups" } } });
    await waitFor("Groups in Azure", () =>
      world.sim
        .state()
        .galleries?.find((g) => g.name === "gal.sharing" && g.sharing?.permissions === "Groups"),
    );
    expect(requestsFor("gal.sharing", { writes: true, after: before }).map((r) => r.method)).toEqual(["PUT"]);

    before = lastSeq();
    const community = {
      publisherUri: "https://example.com",
      publisherContact: "images@example.com",
      eula: "https://example.com/eula",
      publicNamePrefix: "contoso",
    };
    await world.galleries.mergePatch(ref, { spec: { sharing: { permissions: "Community", community } } });
    const shared = await waitFor("Community Ready", async () => {
      const g = await world.galleries.get(ref);
      return g.status?.publicNames?.length && conditionOf(g)?.status === "True" ? g : undefined;
    });
    expect(shared.status?.publicNames?.[0]).toMatch(/^contoso-[0-9a-f-]{36}$/);
    expect(shared.status?.communityEnabled).toBe(false);
    const writes = requestsFor("gal.sharing", { writes: true, after: before }).map(
      (r) => `${r.method} ${r.path.endsWith("/share") ? "share" : "gallery"}`,
    );
    expect(writes).toEqual(["POST share", "PUT gallery"]);

    before = lastSeq();
    await world.galleries.mergePatch(ref, { spec: { sharing: { permissions: "Private", community: null } } });
    await waitFor("Private in Azure", () =>
      world.sim
        .state()
        .galleries?.find(
          (g) => g.name === "gal.sharing" && (g.sharing?.permissions ?? "Private") === "Private",
        ),
    );
    const back = await waitForCondition(world.galleries, world.namespace, "gal.sharing", { status: "True" });
    expect(back.status?.publicNames).toBeUndefined();
    expect(requestsFor("gal.sharing", { writes: true, after: before }).map((r) => r.method)).toEqual([
      "POST",
    ]);
  });

  it("reports an ARM user error as Ready=False with ARM's code, then converges once fixed", async () => {
    await world.galleries.create(gallery("gal.norg", { resourceGroup: "rg-missing" }));
    const failed = await waitForCondition(world.galleries, world.namespace, "gal.norg", {
      status: "False",
      reason: "ResourceGroupNotFound",
    });
    expect(conditionOf(failed)?.message).toMatch(/rg-missing/);
    world.sim.seed({
      resourceGroups: [
        { subscriptionId: world.subscriptionId, name: "rg-missing", location: world.location },
      ],
    });
    // The user error is looked at again after a while; an edit (any spec change) retries at once.
    await world.galleries.mergePatch(
      { namespace: world.namespace, name: "gal.norg" },
      { spec: { description: "retry" } },
    );
    await waitForCondition(world.galleries, world.namespace, "gal.norg", { status: "True" });
  });

  it("deletes the gallery in Azure, then lets the object go", async () => {
    await world.galleries.create(gallery("gal.delete"));
    await waitForCondition(world.galleries, world.namespace, "gal.delete", { status: "True" });
    await world.galleries.delete({ namespace: world.namespace, name: "gal.delete" });
    await waitForGone(world.galleries, world.namespace, "gal.delete");
    expect(world.sim.state().galleries?.find((g) => g.name === "gal.delete")).toBeUndefined();
    expect(requestsFor("gal.delete", { writes: true }).map((r) => r.method)).toEqual(["PUT", "DELETE"]);
  });

  it("leaves the gallery in Azure with deletionPolicy Orphan", async () => {
    await world.galleries.create(gallery("gal.orphan", { deletionPolicy: "Orphan" }));
    await waitForCondition(world.galleries, world.namespace, "gal.orphan", { status: "True" });
    await world.galleries.delete({ namespace: world.namespace, name: "gal.orphan" });
    await waitForGone(world.galleries, world.namespace, "gal.orphan");
    const left = world.sim.state().galleries?.find((g) => g.name === "gal.orphan");
    expect(left).toBeDefined();
    // The create, then one PUT taking the ownership tag off so that someone else may adopt it.
    expect(left?.tags?.[OWNERSHIP_TAG]).toBeUndefined();
    expect(requestsFor("gal.orphan", { writes: true }).map((r) => r.method)).toEqual(["PUT", "PUT"]);
  });

  it("never logs the ARM token", () => {
    expect(operator.output()).not.toContain(process.env.AGO_ARM_TOKEN ?? "eyJ");
  });
});
