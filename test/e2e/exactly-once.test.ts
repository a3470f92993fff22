// Exactly one ARM write per decision, across a crash in the worst window: ARM has taken the write
// and the API server does not answer, so the operator cannot record ARM's answer; then it dies
// (SIGKILL) and a new process takes over. For each kind of write (gallery PUT, image version PUT,
// DELETE, share POST, role assignment PUT and DELETE) the simulator's request log must show it once.
//
// How the window is hit without racing: a delay fault holds the write in the simulator for a
// moment after it arrived (the fault is used up on arrival); the test then stops the API server
// (SIGSTOP) so that no answer can be saved, waits until the simulator logs its answer, kills the
// operator and resumes the API server. The control plane is this file's own, so that freezing it
// stalls no other test file. The simulator's clock is manual: Azure operations finish only when
// the test moves it on, after the new process had every chance to write again.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion } from "../../src/api/index.js";
import { type KubeObject, KubeTransport, loadKubeConfig, ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import { type ControlPlane, startControlPlane } from "../../tools/control-plane/index.js";
import type { Simulator } from "../../tools/sim/index.js";
import { testBinDir } from "../support/cluster.js";
import { installCrds } from "../support/crds.js";
import { definitionManifest, managedImageId, versionManifest } from "../support/images.js";
import {
  galleryManifest,
  lastRequestSeq,
  type OperatorProcess,
  startOperatorProcess,
} from "../support/operator.js";
import { faultUsedUp, startTestSimulator } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, waitForGone } from "../support/world.js";

const namespace = "exactly-once";
const azure = {
  namespace,
  tenantId: randomUUID(),
  subscriptionId: randomUUID(),
  resourceGroup: "rg-once",
  location: "westus",
};
const CONSUMER = randomUUID();
const SOURCE = managedImageId(azure.subscriptionId, azure.resourceGroup, "image-once");

let plane: ControlPlane;
let sim: Simulator;
let operator: OperatorProcess | undefined;
let galleries: ResourceClient<Gallery>;
let definitions: ResourceClient<ImageDefinition>;
let versions: ResourceClient<ImageVersion>;
let sharings: ResourceClient<GallerySharing>;

beforeAll(async () => {
  plane = await startControlPlane({ binDir: testBinDir() });
  await installCrds(plane);
  const created = await plane.kubectl(["create", "namespace", namespace]);
  if (created.code !== 0) throw new Error(`creating namespace: ${created.stderr}`);
  const transport = new KubeTransport(loadKubeConfig({ path: plane.kubeconfigPath }).kubeConfig);
  galleries = new ResourceClient(transport, descriptorOf("Gallery"));
  definitions = new ResourceClient(transport, descriptorOf("ImageDefinition"));
  versions = new ResourceClient(transport, descriptorOf("ImageVersion"));
  sharings = new ResourceClient(transport, descriptorOf("GallerySharing"));
  sim = await startTestSimulator({ clock: "manual" });
  sim.seed({
    tenants: [{ id: azure.tenantId, subscriptions: [azure.subscriptionId, CONSUMER] }],
    resourceGroups: [
      { subscriptionId: azure.subscriptionId, name: azure.resourceGroup, location: azure.location },
    ],
    sources: [{ id: SOURCE, location: azure.location }],
  });
}, 180_000);

afterEach(async () => {
  await operator?.stop();
  operator = undefined;
});

afterAll(async () => {
  await operator?.kill();
  await sim?.close();
  await plane?.stop();
});

async function startOperator(): Promise<void> {
  operator = startOperatorProcess({
    kubeconfigPath: plane.kubeconfigPath,
    sim,
    tenantId: azure.tenantId,
    args: ["--namespaces", namespace, "--resync-period", "2s"],
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `GallerySharing@${namespace}`,
    60_000,
  );
}

function apiserverPid(): number {
  const pid = plane.processes.find((p) => p.name === "kube-apiserver")?.pid;
  if (pid === undefined) throw new Error("no kube-apiserver process");
  return pid;
}

function galleryPath(name: string): string {
  return `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}/providers/Microsoft.Compute/galleries/${name}`;
}

/** A case-insensitive regular expression for exactly `path`, or for everything under it. */
function pattern(path: string, under = false): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return under ? `^${escaped}/` : `^${escaped}$`;
}

/** `METHOD status` of the writes the simulator logged on `path` (or under it) after `after`. */
function writes(method: string, path: string, after: number, under = false): string[] {
  const re = new RegExp(pattern(path, under), "i");
  return sim
    .requests(after)
    .filter((r) => r.method === method && re.test(r.path))
    .map((r) => `${r.method} ${r.status}`);
}

/**
 * Runs `act` (which makes the operator send one `method` on `path`), hits the window between ARM
 * taking the write and the operator recording it, kills the operator there, and starts a new one.
 * Returns the request-log position from before the write.
 */
async function crashAfterArmTakes(
  method: string,
  path: string,
  act: () => Promise<unknown>,
  under = false,
): Promise<number> {
  const before = lastRequestSeq(sim);
  const { id } = sim.fault({ kind: "delay", method, path: pattern(path, under), delayMs: 1_500 });
  await act();
  await faultUsedUp(sim, id, `the ${method} to reach ARM`);
  process.kill(apiserverPid(), "SIGSTOP");
  try {
    await waitFor(`ARM to answer the ${method}`, () => writes(method, path, before, under).length > 0, {
      intervalMs: 20,
    });
    await operator?.kill();
  } finally {
    process.kill(apiserverPid(), "SIGCONT");
  }
  expect(writes(method, path, before, under)).toHaveLength(1);
  await startOperator();
  return before;
}

type Conditioned = KubeObject & {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
};

/** Moves the simulator's clock on until `name` is Ready=True for its current spec with no operation pending. */
function advanceUntilReady<T extends Conditioned & { status?: { operation?: unknown } }>(
  client: ResourceClient<T>,
  name: string,
  stepMs = 10_000,
): Promise<T> {
  return waitFor(
    `${name} Ready`,
    async () => {
      const obj = await client.get({ namespace, name });
      const ready = conditionOf(obj);
      if (ready?.status === "True" && !obj.status?.operation) return obj;
      sim.advance(stepMs);
      return undefined;
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
}

/** The path under which ARM keeps the role assignments made at `scope`. */
function roleAssignmentsOf(scope: string): string {
  return `${scope}/providers/Microsoft.Authorization/roleAssignments`;
}

/** The principals (sorted) of the role assignments the simulator holds at exactly `scope`. */
function principalsAt(scope: string): string[] {
  return sim
    .state()
    .roleAssignments.filter((a) => a.scope.toLowerCase() === scope.toLowerCase())
    .map((a) => a.principalId)
    .sort();
}

/** A GallerySharing granting Reader on `gallery` to each of `principals`. */
function roleSharing(name: string, gallery: string, principals: string[]): GallerySharing {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GallerySharing",
    metadata: { name, namespace },
    spec: {
      galleryRef: { name: gallery },
      deletionPolicy: "Delete",
      roleAssignments: principals.map((principalId) => ({
        principalId,
        principalType: "User",
        role: "Reader",
      })),
    },
  };
}

async function readyGallery(name: string, spec: Partial<Gallery["spec"]> = {}): Promise<void> {
  await galleries.create(galleryManifest(azure, name, spec));
  await advanceUntilReady(galleries, name);
}

describe("one ARM write across a crash before its answer is recorded", () => {
  it("gallery PUT", { timeout: 240_000 }, async () => {
    await startOperator();
    const before = await crashAfterArmTakes("PUT", galleryPath("gal.once.put"), () =>
      galleries.create(galleryManifest(azure, "gal.once.put")),
    );
    await advanceUntilReady(galleries, "gal.once.put");
    expect(writes("PUT", galleryPath("gal.once.put"), before)).toEqual(["PUT 201"]);
  });

  it("image version PUT", { timeout: 300_000 }, async () => {
    await startOperator();
    await readyGallery("gal.once.ver");
    await definitions.create({ ...definitionManifest(azure, "def-once", "gal.once.ver") });
    await advanceUntilReady(definitions, "def-once");
    const path = `${galleryPath("gal.once.ver")}/images/def-once/versions/1.0.0`;
    const before = await crashAfterArmTakes("PUT", path, () =>
      versions.create(
        versionManifest(azure, "ver-once", "def-once", {
          version: "1.0.0",
          source: { managedImageId: SOURCE },
          targetRegions: [{ name: azure.location, storageAccountType: "Standard_LRS" }],
        }),
      ),
    );
    await advanceUntilReady(versions, "ver-once", 30_000);
    expect(writes("PUT", path, before)).toEqual(["PUT 201"]);
  });

  it("gallery DELETE", { timeout: 240_000 }, async () => {
    await startOperator();
    await readyGallery("gal.once.del");
    const path = galleryPath("gal.once.del");
    const before = await crashAfterArmTakes("DELETE", path, () =>
      galleries.delete({ namespace, name: "gal.once.del" }),
    );
    await waitFor(
      "the Gallery to be gone",
      async () => {
        sim.advance(10_000);
        return (await galleries.list({ namespace })).items.every((g) => g.metadata.name !== "gal.once.del");
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    await waitForGone(galleries, namespace, "gal.once.del");
    expect(sim.state().galleries.some((g) => g.name === "gal.once.del")).toBe(false);
    expect(writes("DELETE", path, before)).toEqual(["DELETE 202"]);
  });

  it("share POST (Add)", { timeout: 240_000 }, async () => {
    await startOperator();
    await readyGallery("gal.once.share", { sharing: { permissions: "Groups" } });
    const path = `${galleryPath("gal.once.share")}/share`;
    const sharing: GallerySharing = {
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name: "share-once", namespace },
      spec: { galleryRef: { name: "gal.once.share" }, deletionPolicy: "Delete", subscriptions: [CONSUMER] },
    };
    const before = await crashAfterArmTakes("POST", path, () => sharings.create(sharing));
    // The new process reads the gallery before the share shows (the clock stands still): it must
    // wait for the share it cannot tell was sent, not send it again.
    const waiting = await waitFor(
      "the new operator to wait for the earlier share",
      async () => {
        const obj = await sharings.get({ namespace, name: "share-once" });
        return /did not record Azure's answer/.test(conditionOf(obj)?.message ?? "") ? obj : undefined;
      },
      { timeoutMs: 80_000, intervalMs: 100 },
    );
    expect(conditionOf(waiting)?.status).toBe("False");
    expect(writes("POST", path, before)).toEqual(["POST 202"]);
    const done = await advanceUntilReady(sharings, "share-once");
    expect(done.status?.sharedWith?.subscriptions).toEqual([CONSUMER]);
    expect(writes("POST", path, before)).toEqual(["POST 202"]);
  });

  it("role assignment PUT", { timeout: 240_000 }, async () => {
    await startOperator();
    await readyGallery("gal.once.role");
    const scope = `${galleryPath("gal.once.role")}/providers/Microsoft.Authorization/roleAssignments`;
    const sharing: GallerySharing = {
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name: "role-once", namespace },
      spec: {
        galleryRef: { name: "gal.once.role" },
        deletionPolicy: "Delete",
        roleAssignments: [{ principalId: randomUUID(), principalType: "User", role: "Reader" }],
      },
    };
    const before = await crashAfterArmTakes("PUT", scope, () => sharings.create(sharing), true);
    const done = await advanceUntilReady(sharings, "role-once");
    expect(done.status?.roleAssignmentCount).toBe(1);
    expect(writes("PUT", scope, before, true)).toEqual(["PUT 201"]);
  });

  // A role assignment DELETE is synchronous and a second one would only answer 404, which the
  // operator takes as "already gone": the request log is the only place a repeat shows.
  it("role assignment DELETE (assignment dropped from the spec)", { timeout: 240_000 }, async () => {
    await startOperator();
    await readyGallery("gal.once.unrole");
    const scope = galleryPath("gal.once.unrole");
    const [kept, dropped] = [randomUUID(), randomUUID()];
    await sharings.create(roleSharing("unrole-once", "gal.once.unrole", [kept, dropped]));
    await advanceUntilReady(sharings, "unrole-once");
    expect(principalsAt(scope)).toEqual([kept, dropped].sort());
    const before = await crashAfterArmTakes(
      "DELETE",
      roleAssignmentsOf(scope),
      async () => {
        const current = await sharings.get({ namespace, name: "unrole-once" });
        const roleAssignments = current.spec.roleAssignments?.filter((r) => r.principalId === kept);
        await sharings.replace({ ...current, spec: { ...current.spec, roleAssignments } });
      },
      true,
    );
    const done = await advanceUntilReady(sharings, "unrole-once");
    expect(done.status?.roleAssignmentCount).toBe(1);
    expect(principalsAt(scope)).toEqual([kept]);
    expect(writes("DELETE", roleAssignmentsOf(scope), before, true)).toEqual(["DELETE 200"]);
  });

  it("role assignment DELETE (GallerySharing deleted)", { timeout: 240_000 }, async () => {
    await startOperator();
    await readyGallery("gal.once.unshare");
    const scope = galleryPath("gal.once.unshare");
    await sharings.create(roleSharing("unshare-once", "gal.once.unshare", [randomUUID()]));
    await advanceUntilReady(sharings, "unshare-once");
    expect(principalsAt(scope)).toHaveLength(1);
    const before = await crashAfterArmTakes(
      "DELETE",
      roleAssignmentsOf(scope),
      () => sharings.delete({ namespace, name: "unshare-once" }),
      true,
    );
    await waitForGone(sharings, namespace, "unshare-once");
    expect(principalsAt(scope)).toEqual([]);
    expect(writes("DELETE", roleAssignmentsOf(scope), before, true)).toEqual(["DELETE 200"]);
  });
});
