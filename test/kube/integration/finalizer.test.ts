// Finalizer patches against a real API server: they never clobber a concurrent edit of the list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isNotFound } from "../../../src/kube/errors.js";
import {
  addFinalizer,
  FinalizerError,
  reconcileWithFinalizer,
  removeFinalizer,
} from "../../../src/kube/finalizer.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { ensureTestCrds, WIDGETS, type Widget, widget } from "../support/widgets.js";

const OURS = "test.azure.dev/cleanup";
const THEIRS = "someone.else/protect";

describe("finalizers", () => {
  let cluster: TestCluster;
  let namespace: string;
  let client: ResourceClient<Widget>;

  beforeAll(async () => {
    cluster = await testCluster();
    await ensureTestCrds(cluster);
    namespace = await cluster.newNamespace("kube-finalizer");
    client = new ResourceClient<Widget>(new KubeTransport(cluster.kubeConfig), WIDGETS);
  });

  afterAll(async () => {
    await cluster?.kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  async function setFinalizersBehindOurBack(name: string, finalizers: string[]): Promise<void> {
    const patch = JSON.stringify({ metadata: { finalizers } });
    const out = await cluster.kubectl([
      "-n",
      namespace,
      "patch",
      "widgets.test.azure.dev",
      name,
      "--type=merge",
      "-p",
      patch,
    ]);
    expect(out.code, out.stderr).toBe(0);
  }

  it("add fails instead of overwriting a finalizer added concurrently, and succeeds on a fresh read", async () => {
    const stale = await client.create(widget(namespace, "add-race"));
    await setFinalizersBehindOurBack("add-race", [THEIRS]);

    const error = await addFinalizer(client, stale, OURS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FinalizerError);
    expect((error as FinalizerError).step).toBe("AddFinalizer");
    expect((await client.get(stale.metadata)).metadata.finalizers).toEqual([THEIRS]);

    const fresh = await client.get(stale.metadata);
    const updated = await addFinalizer(client, fresh, OURS);
    expect(updated.metadata.finalizers).toEqual([THEIRS, OURS]);
    expect(await addFinalizer(client, updated, OURS)).toBe(updated);
  });

  it("remove fails when a concurrent edit moved our finalizer, and never removes someone else's", async () => {
    const created = await client.create(widget(namespace, "remove-race"));
    const stale = await addFinalizer(client, created, OURS);
    // Someone puts their finalizer first: ours moves from index 0 to 1.
    await setFinalizersBehindOurBack("remove-race", [THEIRS, OURS]);

    const error = await removeFinalizer(client, stale, OURS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FinalizerError);
    expect((await client.get(stale.metadata)).metadata.finalizers).toEqual([THEIRS, OURS]);

    const fresh = await client.get(stale.metadata);
    const updated = await removeFinalizer(client, fresh, OURS);
    expect(updated?.metadata.finalizers).toEqual([THEIRS]);
  });

  it("reconcileWithFinalizer adds, applies, cleans up and lets the object go", async () => {
    const calls: string[] = [];
    const handlers = {
      apply: async (w: Widget) => {
        calls.push(`apply ${w.metadata.name}`);
        return undefined;
      },
      cleanup: async (w: Widget) => {
        calls.push(`cleanup ${w.metadata.name}`);
        return undefined;
      },
    };
    const ref = { namespace, name: "lifecycle" };
    await client.create(widget(namespace, "lifecycle"));

    await reconcileWithFinalizer(client, OURS, await client.get(ref), handlers);
    expect(calls).toEqual([]);
    expect((await client.get(ref)).metadata.finalizers).toEqual([OURS]);

    await reconcileWithFinalizer(client, OURS, await client.get(ref), handlers);
    expect(calls).toEqual(["apply lifecycle"]);

    await client.delete(ref);
    const deleting = await client.get(ref);
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    await reconcileWithFinalizer(client, OURS, deleting, handlers);
    expect(calls).toEqual(["apply lifecycle", "cleanup lifecycle"]);
    const gone = await client.get(ref).catch((e: unknown) => e);
    expect(isNotFound(gone)).toBe(true);
  });

  it("keeps the finalizer while cleanup asks to look again later", async () => {
    const ref = { namespace, name: "slow-cleanup" };
    const created = await client.create(widget(namespace, "slow-cleanup"));
    await addFinalizer(client, created, OURS);
    await client.delete(ref);
    const handlers = { apply: async () => undefined, cleanup: async () => ({ requeueAfter: 1_000 }) };
    const result = await reconcileWithFinalizer(client, OURS, await client.get(ref), handlers);
    expect(result).toEqual({ requeueAfter: 1_000 });
    expect((await client.get(ref)).metadata.finalizers).toEqual([OURS]);
    await removeFinalizer(client, await client.get(ref), OURS);
  });
});
