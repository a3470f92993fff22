// Status writes against a real API server: through /status, only when changed, never touching spec.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setCondition } from "../../../src/kube/conditions.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { writeStatus } from "../../../src/kube/status.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { ensureTestCrds, WIDGETS, type Widget, type WidgetStatus, widget } from "../support/widgets.js";

describe("writeStatus", () => {
  let cluster: TestCluster;
  let namespace: string;
  let client: ResourceClient<Widget>;

  beforeAll(async () => {
    cluster = await testCluster();
    await ensureTestCrds(cluster);
    namespace = await cluster.newNamespace("kube-status");
    client = new ResourceClient<Widget>(new KubeTransport(cluster.kubeConfig), WIDGETS);
  });

  afterAll(async () => {
    await cluster?.kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  const statusOf = (
    obj: Widget,
    ready: "True" | "False",
    message: string,
    now: Date,
    extra: WidgetStatus = {},
  ) => ({
    ...extra,
    conditions: setCondition(
      obj.status?.conditions,
      { type: "Ready", status: ready, reason: ready === "True" ? "Provisioned" : "Provisioning", message },
      now,
    ),
  });

  it("writes a changed status with observedGeneration, and sends nothing when it is unchanged", async () => {
    const created = await client.create(widget(namespace, "steady", { size: 3 }));
    const first = await writeStatus(
      client,
      created,
      statusOf(created, "True", "ok", new Date(), { phase: "Done" }),
    );
    expect(first.written).toBe(true);
    expect(first.object.status).toMatchObject({ phase: "Done", observedGeneration: 1 });
    expect(first.object.status?.conditions?.[0]).toMatchObject({
      type: "Ready",
      status: "True",
      observedGeneration: 1,
    });

    // A later reconcile computes the same status (a new clock reading included): nothing is written.
    const later = new Date(Date.now() + 3_600_000);
    const again = await writeStatus(
      client,
      first.object,
      statusOf(first.object, "True", "ok", later, { phase: "Done" }),
    );
    expect(again.written).toBe(false);
    const reread = await client.get(created.metadata);
    expect(reread.metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
  });

  it("keeps lastTransitionTime on a new message, moves it on a flip", async () => {
    const created = await client.create(widget(namespace, "transitions"));
    const t0 = new Date("2025-01-01T00:00:00Z");
    const a = await writeStatus(client, created, statusOf(created, "False", "creating", t0));
    const b = await writeStatus(
      client,
      a.object,
      statusOf(a.object, "False", "replicating 50%", new Date("2025-01-02T00:00:00Z")),
    );
    expect(b.written).toBe(true);
    expect(b.object.status?.conditions?.[0]?.lastTransitionTime).toBe("2025-01-01T00:00:00Z");
    const c = await writeStatus(
      client,
      b.object,
      statusOf(b.object, "True", "done", new Date("2025-01-03T00:00:00Z")),
    );
    expect(c.object.status?.conditions?.[0]?.lastTransitionTime).toBe("2025-01-03T00:00:00Z");
  });

  it("never clobbers spec, even from a stale copy, and replaces the status whole", async () => {
    const stale = await client.create(widget(namespace, "stale", { size: 1 }));
    const first = await writeStatus(
      client,
      stale,
      statusOf(stale, "False", "x", new Date(), { phase: "A", size: 1 }),
    );
    await client.mergePatch(stale.metadata, { spec: { size: 5 } });

    const spoofed: Widget = { ...first.object, spec: { size: 999 } };
    const result = await writeStatus(
      client,
      spoofed,
      statusOf(first.object, "True", "y", new Date(), { phase: "B" }),
    );
    expect(result.written).toBe(true);
    const now = await client.get(stale.metadata);
    expect(now.spec?.size).toBe(5);
    expect(now.metadata.generation).toBe(2);
    // The status says which generation it was computed from: the stale one.
    expect(now.status?.observedGeneration).toBe(1);
    expect(now.status?.phase).toBe("B");
    expect(now.status?.size).toBeUndefined();
  });
});
