// The watcher against a real API server: changes arrive, and keep arriving after the connection is
// cut, after it goes silent, and after the server says the resourceVersion is gone (410).
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { Store } from "../../../src/kube/store.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import {
  type RestartReason,
  Watcher,
  type WatcherEvent,
  type WatcherOptions,
} from "../../../src/kube/watcher.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { ensureTestCrds, eventually, WIDGETS, type Widget, widget, withServer } from "../support/widgets.js";

const logger = pino({ level: "silent" });

interface Observed {
  watcher: Watcher<Widget>;
  store: Store<Widget>;
  events: WatcherEvent<Widget>[];
  restarts: RestartReason[];
}

describe("Watcher", () => {
  let cluster: TestCluster;
  let namespace: string;
  let admin: ResourceClient<Widget>;
  let proxy: TcpProxy | undefined;
  const running: Watcher<Widget>[] = [];

  beforeAll(async () => {
    cluster = await testCluster();
    await ensureTestCrds(cluster);
    namespace = await cluster.newNamespace("kube-watch");
    admin = new ResourceClient<Widget>(new KubeTransport(cluster.kubeConfig), WIDGETS);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.stop()));
    await proxy?.close();
    proxy = undefined;
  });

  afterAll(async () => {
    await cluster?.kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  function watch(transport: KubeTransport, options: WatcherOptions = {}): Observed {
    const store = new Store<Widget>();
    const events: WatcherEvent<Widget>[] = [];
    const restarts: RestartReason[] = [];
    const watcher = new Watcher<Widget>(
      new ResourceClient<Widget>(transport, WIDGETS),
      (event) => {
        events.push(event);
        if (event.type === "Listed") store.replace(event.objects);
        else if (event.type === "Applied") store.apply(event.object);
        else store.delete(event.object);
      },
      { namespace, logger, ...options, onRestart: (reason) => restarts.push(reason) },
    );
    watcher.start();
    running.push(watcher);
    return { watcher, store, events, restarts };
  }

  async function viaProxy(): Promise<KubeTransport> {
    const server = new URL(cluster.kubeConfig.getCurrentCluster()?.server ?? "");
    proxy = await startTcpProxy(server.hostname, Number(server.port));
    return new KubeTransport(withServer(cluster.kubeConfig, proxy.url));
  }

  it("lists what exists, then sees adds, updates and deletes", async () => {
    await admin.create(widget(namespace, "pre-existing"));
    const seen = watch(new KubeTransport(cluster.kubeConfig));
    await seen.watcher.synced;
    expect(seen.events[0]?.type).toBe("Listed");
    expect(seen.store.get({ namespace, name: "pre-existing" })).toBeDefined();

    await admin.create(widget(namespace, "w1", { size: 1 }));
    await eventually("add", () => seen.store.get({ namespace, name: "w1" }));
    await admin.mergePatch({ namespace, name: "w1" }, { spec: { size: 2 } });
    await eventually("update", () => seen.store.get({ namespace, name: "w1" })?.spec?.size === 2);
    await admin.delete({ namespace, name: "w1" });
    await eventually("delete", () => !seen.store.get({ namespace, name: "w1" }));
    const kinds = seen.events
      .filter((e) => e.type !== "Listed" && e.object.metadata.name === "w1")
      .map((e) => e.type);
    expect(kinds).toEqual(["Applied", "Applied", "Deleted"]);
  });

  it("resumes from its last resourceVersion after the connection is cut", async () => {
    const seen = watch(await viaProxy(), { backoff: { baseMs: 50, capMs: 200, jitter: 0 } });
    await seen.watcher.synced;
    await admin.create(widget(namespace, "before-cut"));
    await eventually("event before the cut", () => seen.store.get({ namespace, name: "before-cut" }));
    const listsBefore = seen.events.filter((e) => e.type === "Listed").length;

    proxy?.cutAll();
    await admin.create(widget(namespace, "after-cut"));
    await eventually("event after the cut", () => seen.store.get({ namespace, name: "after-cut" }));
    expect(seen.restarts).toContain("error");
    // Resumed, not relisted: the change made while disconnected came as a watch event.
    expect(seen.events.filter((e) => e.type === "Listed").length).toBe(listsBefore);
  });

  it("detects a silent watch and restarts it", async () => {
    const seen = watch(await viaProxy(), {
      idleTimeoutMs: 1_500,
      backoff: { baseMs: 50, capMs: 200, jitter: 0 },
    });
    await seen.watcher.synced;
    // Give the watch request time to be connected before freezing it.
    await admin.create(widget(namespace, "before-freeze"));
    await eventually("event before the freeze", () => seen.store.get({ namespace, name: "before-freeze" }));

    proxy?.freezeAll();
    await admin.create(widget(namespace, "during-freeze"));
    await eventually(
      "event after the idle restart",
      () => seen.store.get({ namespace, name: "during-freeze" }),
      15_000,
    );
    expect(seen.restarts).toContain("idle");
  });

  it("lists again when the server answers 410 Gone", async () => {
    await admin.create(widget(namespace, "listed-after-410"));
    // resourceVersion 1 is long compacted away from the watch cache: the server answers 410.
    const seen = watch(new KubeTransport(cluster.kubeConfig), { resumeFrom: "1" });
    await seen.watcher.synced;
    expect(seen.restarts[0]).toBe("gone");
    expect(seen.store.get({ namespace, name: "listed-after-410" })).toBeDefined();
    await admin.create(widget(namespace, "after-410"));
    await eventually("event after relist", () => seen.store.get({ namespace, name: "after-410" }));
  });
});
