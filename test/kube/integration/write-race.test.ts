// Which API errors are the operator's own optimistic-concurrency guards losing a race (logged at
// debug and retried) and which are real failures, as the real API server answers them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isWriteRace } from "../../../src/kube/errors.js";
import { addFinalizer } from "../../../src/kube/finalizer.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { ensureTestCrds, WIDGETS, type Widget, widget } from "../support/widgets.js";

describe("isWriteRace", () => {
  let cluster: TestCluster;
  let namespace: string;
  let client: ResourceClient<Widget>;

  beforeAll(async () => {
    cluster = await testCluster();
    await ensureTestCrds(cluster);
    namespace = await cluster.newNamespace("kube-write-race");
    client = new ResourceClient<Widget>(new KubeTransport(cluster.kubeConfig), WIDGETS);
  });

  afterAll(async () => {
    await cluster?.kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  it("is true for a JSON Patch whose test failed (422) and for a stale resourceVersion (409)", async () => {
    const stale = await client.create(widget(namespace, "race"));
    await client.mergePatch(stale.metadata, { spec: { size: 2 } });
    const failedTest = await client
      .jsonPatch(stale.metadata, [
        { op: "test", path: "/spec/size", value: 1 },
        { op: "replace", path: "/spec/size", value: 3 },
      ])
      .catch((e: unknown) => e);
    expect(failedTest).toMatchObject({ code: 422 });
    expect(isWriteRace(failedTest)).toBe(true);
    const staleReplace = await client.replace(stale).catch((e: unknown) => e);
    expect(staleReplace).toMatchObject({ code: 409 });
    expect(isWriteRace(staleReplace)).toBe(true);
  });

  it("sees through an error that wraps the race (a finalizer patch)", async () => {
    const stale = await client.create(widget(namespace, "finalizer-race"));
    await client.mergePatch(stale.metadata, { metadata: { finalizers: ["someone.else/keep"] } });
    const error = await addFinalizer(client, stale, "test.azure.dev/ours").catch((e: unknown) => e);
    expect(isWriteRace(error)).toBe(true);
    await client.mergePatch(stale.metadata, { metadata: { finalizers: null } });
  });

  it("is false for a request the server finds invalid (422) and for a missing object", async () => {
    const invalid = await client.create(widget(namespace, "Not_A_Name")).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 422 });
    expect(isWriteRace(invalid)).toBe(false);
    const missing = await client.get({ namespace, name: "absent" }).catch((e: unknown) => e);
    expect(isWriteRace(missing)).toBe(false);
    expect(isWriteRace(new Error("anything else"))).toBe(false);
  });
});
