// What GitOps tools see (docs/gitops.md): kstatus (the real sigs.k8s.io/cli-utils library, as Flux
// and kpt use it) and our Argo CD health check (run by a real Lua 5.1) on objects in each state, and
// the reconcile-policy annotation judged from the simulator's request log. The operator runs as a
// real process; the simulator's clock is manual, so an operation stays running until time moves.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Gallery } from "../../src/api/index.js";
import { eventsAbout } from "../support/events.js";
import { ARGOCD_HEALTH_LUA, argoHealthOf, kstatusOf } from "../support/gitops.js";
import { definitionManifest } from "../support/images.js";
import {
  galleryManifest,
  galleryRequests,
  lastRequestSeq,
  type OperatorProcess,
} from "../support/operator.js";
import { operatorWorldPerFile } from "../support/operator-world.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, type World, waitForCondition, waitForGone } from "../support/world.js";

let world: World;
let operator: OperatorProcess;

const POLICY = "gallery.azure.dev/reconcile-policy";

operatorWorldPerFile("e2e-gitops", { sim: { clock: "manual" }, args: ["--resync-period", "2s"] }, (w, o) => {
  world = w;
  operator = o;
});

const ref = (name: string) => ({ namespace: world.namespace, name });
const get = (name: string) => world.galleries.get(ref(name));

/** Moves the simulator's clock until `name` is Ready (its operations finish). */
async function readyGallery(name: string, spec: Partial<Gallery["spec"]> = {}, annotations = {}) {
  const manifest = galleryManifest(world, name, spec);
  manifest.metadata.annotations = annotations;
  await world.galleries.create(manifest);
  return waitFor(`${name} Ready`, async () => {
    world.sim.advance(60_000);
    const g = await get(name);
    return conditionOf(g)?.status === "True" && g.status?.observedGeneration === g.metadata.generation
      ? g
      : undefined;
  });
}

describe("kstatus and Argo CD health", () => {
  it("docs/gitops.md shows the health check the tests run, verbatim", async () => {
    const doc = await readFile(join(import.meta.dirname, "..", "..", "docs", "gitops.md"), "utf8");
    const script = await readFile(ARGOCD_HEALTH_LUA, "utf8");
    expect(doc).toContain(`\`\`\`lua\n${script}\`\`\``);
  });

  it("tell in progress, ready, stalled, deleting and paused apart", { timeout: 120_000 }, async () => {
    // In progress: the create was accepted and the frozen clock keeps it running.
    await world.galleries.create(galleryManifest(world, "gal.progress"));
    const progressing = await waitFor("gal.progress Provisioning", async () => {
      const g = await get("gal.progress");
      return g.status?.operation?.acceptedAt ? g : undefined;
    });
    expect(conditionOf(progressing, "Reconciling")).toMatchObject({ status: "True", reason: "Provisioning" });
    expect(conditionOf(progressing, "Stalled")).toBeUndefined();
    // The running operation's resume token (a signed URL, about 2 kB) stays out of kubectl describe.
    const token = progressing.metadata.annotations?.["gallery.azure.dev/operation-token"] ?? "";
    expect(token.length).toBeGreaterThan(500);
    const described = await world.cluster.kubectl([
      "describe",
      "gallery",
      "gal.progress",
      "-n",
      world.namespace,
    ]);
    expect(described.stdout).toMatch(/Operation:\s+Accepted At:/);
    expect(described.stdout).not.toContain(token.slice(0, 200));
    expect(Math.max(...described.stdout.split("\n").map((l) => l.length))).toBeLessThan(300);

    // Stalled: Azure refuses the spec (the resource group does not exist) until the user fixes it.
    await world.galleries.create(galleryManifest(world, "gal.stalled", { resourceGroup: "rg-typo" }));
    const stalled = await waitForCondition(world.galleries, world.namespace, "gal.stalled", {
      type: "Stalled",
      status: "True",
      reason: "ResourceGroupNotFound",
    });
    expect(conditionOf(stalled, "Reconciling")).toBeUndefined();
    expect(conditionOf(stalled)).toMatchObject({ status: "False", reason: "ResourceGroupNotFound" });

    // Ready: both abnormal-true conditions are gone.
    const ready = await readyGallery("gal.ready");
    expect(conditionOf(ready, "Reconciling")).toBeUndefined();
    expect(conditionOf(ready, "Stalled")).toBeUndefined();

    // Deleting: a gallery that still holds an image definition waits for it.
    await readyGallery("gal.deleting");
    await world.imageDefinitions.create(definitionManifest(world, "def-keep", "gal.deleting"));
    await waitFor("def-keep Ready", async () => {
      world.sim.advance(60_000);
      const d = await world.imageDefinitions.get(ref("def-keep"));
      return conditionOf(d)?.status === "True" ? d : undefined;
    });
    await world.galleries.delete(ref("gal.deleting"));
    const deleting = await waitFor("gal.deleting DeletionBlocked", async () => {
      const g = await get("gal.deleting");
      return conditionOf(g)?.reason === "DeletionBlocked" ? g : undefined;
    });

    // Paused: the operator makes no Azure call for it.
    await readyGallery("gal.paused");
    await world.galleries.mergePatch(ref("gal.paused"), { metadata: { annotations: { [POLICY]: "skip" } } });
    const pausedNow = await waitFor("gal.paused Paused", async () => {
      const g = await get("gal.paused");
      return conditionOf(g)?.reason === "Paused" ? g : undefined;
    });

    const objects = [progressing, ready, stalled, deleting, pausedNow];
    const kstatus = await kstatusOf(objects);
    expect(kstatus.map((v) => v.status)).toEqual([
      "InProgress",
      "Current",
      "Failed",
      "Terminating",
      "Current",
    ]);
    expect(kstatus[2]?.message).toMatch(/rg-typo/);
    const argo = await argoHealthOf(objects);
    expect(argo.map((v) => v.status)).toEqual([
      "Progressing",
      "Healthy",
      "Degraded",
      "Progressing",
      "Suspended",
    ]);
    expect(argo[2]?.message).toMatch(/^ResourceGroupNotFound: .*rg-typo/);

    // A spec change the operator has not acted on yet is in progress for both.
    const bumped = {
      ...ready,
      metadata: { ...ready.metadata, generation: (ready.metadata.generation ?? 1) + 1 },
    };
    expect((await kstatusOf([bumped]))[0]?.status).toBe("InProgress");
    expect((await argoHealthOf([bumped]))[0]?.status).toBe("Progressing");

    // Clean up what holds the deleting gallery, so it goes.
    await world.imageDefinitions.delete(ref("def-keep"));
    await waitFor("gal.deleting gone", async () => {
      world.sim.advance(60_000);
      return waitForGone(world.galleries, world.namespace, "gal.deleting", 1000).catch(() => undefined);
    });
  });
});

describe("gallery.azure.dev/reconcile-policy", () => {
  it("skip: no ARM request at all while paused, Ready reason Paused; manage resumes", {
    timeout: 90_000,
  }, async () => {
    await readyGallery("gal.skip");
    await world.galleries.mergePatch(ref("gal.skip"), { metadata: { annotations: { [POLICY]: "skip" } } });
    await waitFor("gal.skip Paused", async () => conditionOf(await get("gal.skip"))?.reason === "Paused");
    const pausedAt = lastRequestSeq(world.sim);

    // A spec change while paused reaches nothing in Azure; Ready is no longer True (this spec never
    // reached Azure) and several resyncs (2 s) pass without one request.
    await world.galleries.mergePatch(ref("gal.skip"), { spec: { description: "while paused" } });
    const changed = await waitForCondition(world.galleries, world.namespace, "gal.skip", {
      status: "False",
      reason: "Paused",
    });
    expect(conditionOf(changed)?.message).toMatch(/reconcile-policy is skip.*set it to manage/);
    const seen = operator.lines.length;
    await waitFor(
      "three resyncs of gal.skip",
      () => {
        const lines = operator.lines
          .slice(seen)
          .filter((l) => l.msg === "reconciled" && l.name === "gal.skip");
        return lines.length >= 3 ? lines : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(galleryRequests(world, "gal.skip", { after: pausedAt })).toEqual([]);
    const events = await eventsAbout(world.cluster, world.namespace, "gal.skip");
    expect(events.map((e) => e.reason)).toContain("Paused");

    // manage: the change goes to Azure.
    await world.galleries.mergePatch(ref("gal.skip"), { metadata: { annotations: { [POLICY]: "manage" } } });
    await waitFor("description in Azure", () => {
      world.sim.advance(60_000);
      return world.sim
        .state()
        .galleries?.find((g) => g.name === "gal.skip" && g.description === "while paused");
    });
  });

  it("skip and detach-on-delete: deleting the object leaves Azure as it is", {
    timeout: 90_000,
  }, async () => {
    for (const policy of ["skip", "detach-on-delete"]) {
      const name = `gal.detach.${policy.replace(/-/g, "")}`;
      await readyGallery(name, {}, { [POLICY]: policy === "skip" ? "manage" : policy });
      if (policy === "skip") {
        await world.galleries.mergePatch(ref(name), { metadata: { annotations: { [POLICY]: "skip" } } });
        await waitFor(`${name} Paused`, async () => conditionOf(await get(name))?.reason === "Paused");
      }
      const before = lastRequestSeq(world.sim);
      await world.galleries.delete(ref(name));
      await waitForGone(world.galleries, world.namespace, name);
      expect(galleryRequests(world, name, { after: before, writes: true })).toEqual([]);
      expect(world.sim.state().galleries?.some((g) => g.name === name)).toBe(true);
    }
  });

  it("an unknown value is reported and neither writes nor deletes in Azure", {
    timeout: 60_000,
  }, async () => {
    await readyGallery("gal.typo");
    await world.galleries.mergePatch(ref("gal.typo"), { metadata: { annotations: { [POLICY]: "Skip" } } });
    const typo = await waitFor("InvalidReconcilePolicy", async () => {
      const g = await get("gal.typo");
      return conditionOf(g)?.reason === "InvalidReconcilePolicy" ? g : undefined;
    });
    expect(conditionOf(typo)?.message).toMatch(/"Skip"; use one of manage, skip, detach-on-delete/);
    expect(conditionOf(typo, "Stalled")?.status).toBe("True");
    const before = lastRequestSeq(world.sim);
    await world.galleries.delete(ref("gal.typo"));
    await waitFor("deletion held", async () => (await get("gal.typo")).metadata.deletionTimestamp);
    world.sim.advance(60_000);
    expect(galleryRequests(world, "gal.typo", { after: before, writes: true })).toEqual([]);
    // Fixing the value lets the deletion go on (as `manage`: the gallery is deleted in Azure).
    await world.galleries.mergePatch(ref("gal.typo"), { metadata: { annotations: { [POLICY]: "manage" } } });
    await waitFor("gal.typo gone", async () => {
      world.sim.advance(60_000);
      return waitForGone(world.galleries, world.namespace, "gal.typo", 1000).catch(() => undefined);
    });
    expect(world.sim.state().galleries?.some((g) => g.name === "gal.typo")).toBe(false);
  });
});
