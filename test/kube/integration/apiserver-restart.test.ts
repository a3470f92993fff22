// A watch cut the hard way: the API server (and etcd) stop and start again on the same data. The
// watcher, reached through a proxy that follows the server to its new port, sees changes made after.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { Store } from "../../../src/kube/store.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type RestartReason, Watcher } from "../../../src/kube/watcher.js";
import { type ControlPlane, startControlPlane } from "../../../tools/control-plane/index.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { ensureTestCrds, eventually, WIDGETS, type Widget, widget, withServer } from "../support/widgets.js";

describe("Watcher across an API server restart", () => {
  let dataDir: string | undefined;
  let plane: ControlPlane | undefined;
  let proxy: TcpProxy | undefined;
  let watcher: Watcher<Widget> | undefined;

  afterAll(async () => {
    await watcher?.stop();
    await proxy?.close();
    await plane?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps seeing changes after etcd and kube-apiserver restart on the same data", {
    timeout: 300_000,
  }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), "kube-restart-"));
    plane = await startControlPlane({ dataDir, keepDataDir: true });
    await ensureTestCrds(plane);
    const namespace = "default";
    const port = (p: ControlPlane) => Number(new URL(p.server).port);
    const adminOf = (p: ControlPlane) => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(p.kubeconfigPath);
      return { kubeConfig, client: new ResourceClient<Widget>(new KubeTransport(kubeConfig), WIDGETS) };
    };
    const first = adminOf(plane);
    proxy = await startTcpProxy("127.0.0.1", port(plane));

    const store = new Store<Widget>();
    const restarts: RestartReason[] = [];
    const viaProxy = new KubeTransport(withServer(first.kubeConfig, proxy.url));
    watcher = new Watcher<Widget>(
      new ResourceClient<Widget>(viaProxy, WIDGETS),
      (event) => {
        if (event.type === "Listed") store.replace(event.objects);
        else if (event.type === "Applied") store.apply(event.object);
        else store.delete(event.object);
      },
      {
        namespace,
        logger: pino({ level: "silent" }),
        backoff: { baseMs: 200, capMs: 1_000, jitter: 0 },
        onRestart: (reason) => restarts.push(reason),
      },
    );
    watcher.start();
    await watcher.synced;
    await first.client.create(widget(namespace, "before-restart"));
    await eventually("event before the restart", () => store.get({ namespace, name: "before-restart" }));

    await plane.stop();
    plane = await startControlPlane({ dataDir, keepDataDir: true });
    proxy.setUpstream("127.0.0.1", port(plane));
    const second = adminOf(plane);
    await second.client.create(widget(namespace, "after-restart"));
    await eventually(
      "event after the restart",
      () => store.get({ namespace, name: "after-restart" }),
      60_000,
    );
    expect(store.get({ namespace, name: "before-restart" })).toBeDefined();
    expect(restarts.some((r) => r === "error" || r === "closed")).toBe(true);
  });
});
