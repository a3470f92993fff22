// Shared informers against a real API server: one watch and one cache per kind however many
// controllers listen, the cache updated before anyone hears of a change, managedFields dropped.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InformerEvent, InformerSet } from "../../../src/kube/informer.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { KubeTransport, type QueryParams, type StreamOptions } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { ensureTestCrds, eventually, WIDGETS, type Widget, widget } from "../support/widgets.js";

const logger = pino({ level: "silent" });

/** A transport that counts the watch streams it opens. */
class CountingTransport extends KubeTransport {
  streams = 0;
  override stream(
    path: string,
    query: QueryParams,
    onLine: (line: string) => void,
    opts: StreamOptions,
  ): Promise<void> {
    this.streams++;
    return super.stream(path, query, onLine, opts);
  }
}

describe("InformerSet", () => {
  let cluster: TestCluster;
  let namespace: string;
  let admin: ResourceClient<Widget>;

  beforeAll(async () => {
    cluster = await testCluster();
    await ensureTestCrds(cluster);
    namespace = await cluster.newNamespace("kube-informer");
    admin = new ResourceClient<Widget>(new KubeTransport(cluster.kubeConfig), WIDGETS);
    await admin.create(widget(namespace, "w-before"));
  });

  afterAll(async () => {
    await cluster?.kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  it("shares one watch and one cache between subscribers; late ones hear the cache as a list", async () => {
    const transport = new CountingTransport(cluster.kubeConfig);
    const informers = new InformerSet(transport, { namespace, logger });
    const informer = informers.informer<Widget>(WIDGETS);
    expect(informers.informer<Widget>(WIDGETS)).toBe(informer);

    const first: InformerEvent<Widget>[] = [];
    // What the cache held when each event was heard: it must already hold the change.
    const seenInCache: (Widget | undefined)[] = [];
    const a = informer.subscribe({
      onEvent: (e) => {
        first.push(e);
        if (e.type === "Applied")
          seenInCache.push(informer.store.get(`${namespace}/${e.object.metadata.name}`));
      },
    });
    await a.synced;
    expect(first[0]).toMatchObject({ type: "Listed", removed: [] });
    expect(informer.store.get(`${namespace}/w-before`)).toBeDefined();

    const second: InformerEvent<Widget>[] = [];
    const b = informer.subscribe({ onEvent: (e) => second.push(e) });
    await b.synced;
    expect(second).toHaveLength(1);
    expect(second[0]?.type === "Listed" && second[0].objects.map((w) => w.metadata.name)).toEqual([
      "w-before",
    ]);

    await admin.create(widget(namespace, "w-after"));
    await eventually("both subscribers hear the create", () =>
      [first, second].every((events) =>
        events.some((e) => e.type === "Applied" && e.object.metadata.name === "w-after"),
      ),
    );
    expect(seenInCache.map((w) => w?.metadata.name)).toContain("w-after");
    expect(transport.streams).toBe(1);

    // The API server records managedFields on every object it serves; the cache keeps none.
    const served = await admin.get({ namespace, name: "w-after" });
    expect(served.metadata.managedFields?.length).toBeGreaterThan(0);
    for (const cached of informer.store.list()) expect(cached.metadata.managedFields).toBeUndefined();

    // The watch stops with its last subscriber, and the cache empties.
    await a.unsubscribe();
    expect(informer.store.size).toBe(2);
    await b.unsubscribe();
    expect(informer.store.size).toBe(0);
    const streamsAfterStop = transport.streams;
    // A witness watching the same namespace hears the new object by its watch: an informer still
    // watching would have heard it too.
    const witness = new InformerSet(new KubeTransport(cluster.kubeConfig), {
      namespace,
      logger,
    }).informer<Widget>(WIDGETS);
    const witnessed: string[] = [];
    const watching = witness.subscribe({
      onEvent: (e) => {
        if (e.type === "Applied") witnessed.push(e.object.metadata.name);
      },
    });
    await watching.synced;
    await admin.create(widget(namespace, "w-unwatched"));
    await eventually("the witness to hear of w-unwatched", () => witnessed.includes("w-unwatched"));
    await watching.unsubscribe();
    expect(transport.streams).toBe(streamsAfterStop);
    expect(first.some((e) => e.type === "Applied" && e.object.metadata.name === "w-unwatched")).toBe(false);

    // A new subscriber lists afresh.
    const c = informer.subscribe({ onEvent: () => {} });
    await c.synced;
    expect(informer.store.size).toBe(3);
    await c.unsubscribe();
  });
});
