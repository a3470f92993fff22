// The operator against an API server that goes away: connections cut under it, and the API server
// (with etcd) restarted on the same data, after which the operator's resourceVersion is older than
// anything the new server's watch cache holds (410 Gone: it must list again). Either way, a Gallery
// created afterwards must still reach Ready. This needs a control plane of its own (the shared one
// cannot be restarted under other test files); the operator reaches it through a TCP proxy, so its
// kubeconfig stays valid whatever port the restarted API server gets.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gallery } from "../../src/api/index.js";
import { KubeTransport, ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import { type ControlPlane, startControlPlane } from "../../tools/control-plane/index.js";
import type { Simulator } from "../../tools/sim/index.js";
import { startTcpProxy, type TcpProxy } from "../kube/support/tcp-proxy.js";
import { testBinDir } from "../support/cluster.js";
import { installCrds } from "../support/crds.js";
import {
  galleryManifest,
  type OperatorProcess,
  startOperatorProcess,
  writeKubeconfigVia,
} from "../support/operator.js";
import { startTestSimulator } from "../support/sim.js";
import { waitForCondition } from "../support/world.js";

const namespace = "galleries";
const GALLERY_WATCH = "galleries.gallery.azure.dev";

let dataDir: string;
let plane: ControlPlane | undefined;
let proxy: TcpProxy;
let sim: Simulator;
let operator: OperatorProcess | undefined;
let galleries: ResourceClient<Gallery>;
const azure = {
  namespace,
  tenantId: randomUUID(),
  subscriptionId: randomUUID(),
  resourceGroup: "rg-images",
  location: "westus",
};

const apiserverPort = (p: ControlPlane) => Number(new URL(p.server).port);

/** Messages the operator logged about its Gallery watch (one, shared by the controllers) since line `from`. */
function galleryWatchLog(from = 0): string[] {
  return (operator?.lines ?? [])
    .slice(from)
    .filter((l) => l.watch === GALLERY_WATCH)
    .map((l) => `${l.msg}${l.reason ? ` (${String(l.reason)})` : ""}`);
}

async function createAndWaitReady(name: string): Promise<Gallery> {
  await galleries.create(galleryManifest(azure, name));
  return waitForCondition(galleries, namespace, name, { status: "True" }, 90_000);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "e2e-op-apiserver-"));
  plane = await startControlPlane({ dataDir, keepDataDir: true, binDir: testBinDir() });
  await installCrds(plane);
  const created = await plane.kubectl(["create", "namespace", namespace]);
  if (created.code !== 0) throw new Error(`creating namespace: ${created.stderr}`);
  proxy = await startTcpProxy("127.0.0.1", apiserverPort(plane));
  const viaProxy = await writeKubeconfigVia(
    plane.kubeconfigPath,
    proxy.url,
    join(dataDir, "via-proxy.kubeconfig"),
  );
  // The test's own client goes through the proxy too: one address across the restart.
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(viaProxy);
  galleries = new ResourceClient<Gallery>(new KubeTransport(kubeConfig), descriptorOf("Gallery"));

  sim = await startTestSimulator();
  sim.seed({
    tenants: [{ id: azure.tenantId, subscriptions: [azure.subscriptionId] }],
    resourceGroups: [
      { subscriptionId: azure.subscriptionId, name: azure.resourceGroup, location: azure.location },
    ],
  });
  operator = startOperatorProcess({
    kubeconfigPath: viaProxy,
    sim,
    tenantId: azure.tenantId,
    args: ["--namespaces", namespace, "--leader-elect", "false"],
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `Gallery@${namespace}`,
  );
}, 240_000);

afterAll(async () => {
  await operator?.stop();
  await proxy?.close();
  await plane?.stop();
  await sim?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("operator and a failing API server", () => {
  it("resumes its watches after every connection was cut", { timeout: 90_000 }, async () => {
    await createAndWaitReady("gal.beforecut");
    const from = operator?.lines.length ?? 0;
    proxy.cutAll();
    await createAndWaitReady("gal.aftercut");
    expect(galleryWatchLog(from).some((m) => /^watch (restarting|ended; resuming)/.test(m))).toBe(true);
    // Resumed where it was: the cut alone is no reason to list everything again.
    expect(galleryWatchLog(from)).not.toContain("watch resourceVersion expired; listing again (gone)");
  });

  it("lists again after the restarted API server answers 410 Gone, and reconciles new objects", {
    timeout: 240_000,
  }, async () => {
    if (!plane) throw new Error("no control plane");
    await createAndWaitReady("gal.beforerestart");
    // Any write after the operator's last Gallery event moves etcd's revision past the operator's
    // resourceVersion; the restarted server's watch cache starts at the newer revision and so
    // answers the operator's resumed watch with 410.
    const bumped = await plane.kubectl(["-n", namespace, "create", "configmap", "revision-bump"]);
    expect(bumped.code).toBe(0);
    const from = operator?.lines.length ?? 0;

    await plane.stop();
    plane = undefined;
    plane = await startControlPlane({ dataDir, keepDataDir: true, binDir: testBinDir() });
    proxy.setUpstream("127.0.0.1", apiserverPort(plane));

    const after = await createAndWaitReady("gal.afterrestart");
    expect(after.status?.id).toMatch(/\/galleries\/gal\.afterrestart$/i);
    const watchLog = galleryWatchLog(from);
    expect(watchLog).toContain("watch restarting (error)");
    expect(watchLog).toContain("watch resourceVersion expired; listing again (gone)");
    // What existed before the restart is still known (the relist brought it back) and settled.
    const before = await waitForCondition(galleries, namespace, "gal.beforerestart", { status: "True" });
    expect(before.status?.observedGeneration).toBe(before.metadata.generation);
  });
});
