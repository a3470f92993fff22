// Finalizer patches against a real API server: they never clobber a concurrent edit of the list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isNotFound, isWriteRace } from "../../../src/kube/errors.js";
import {
  addFinalizer,
  FinalizerError,
  reconcileWithFinalizer,
  removeFinalizer,
} from "../../../src/kube/finalizer.js";
import { addLabelsOps } from "../../../src/kube/labels.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { recordHistory } from "../../support/history.js";
import { ensureTestCrds, eventually, WIDGETS, type Widget, widget } from "../support/widgets.js";

const OURS = "test.azure.dev/cleanup";
const THEIRS = "someone.else/protect";
/** A label of ours, with a `/` the JSON Pointer must escape. */
const LINK = { "test.azure.dev/parent": "p" };

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

  async function editBehindOurBack(name: string, metadata: Partial<Widget["metadata"]>): Promise<void> {
    const patch = JSON.stringify({ metadata });
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
    await editBehindOurBack("add-race", { finalizers: [THEIRS] });

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
    await editBehindOurBack("remove-race", { finalizers: [THEIRS, OURS] });

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

  describe("with the caller's metadata (labels)", () => {
    const applied: string[] = [];
    const handlers = {
      metadata: (w: Widget) => addLabelsOps(w, LINK),
      apply: async (w: Widget) => {
        applied.push(w.metadata.name);
        return undefined;
      },
      cleanup: async () => undefined,
    };

    it("adds the finalizer and the labels in one write, beside the others' finalizers and labels", async () => {
      const ref = { namespace, name: "one-write" };
      const history = await recordHistory(client, namespace, ref.name);
      try {
        const created = await client.create({
          ...widget(namespace, ref.name),
          metadata: { ...ref, finalizers: [THEIRS], labels: { team: "a" } },
        });
        await reconcileWithFinalizer(client, OURS, created, handlers);
        const patched = await client.get(ref);
        expect(patched.metadata.finalizers).toEqual([THEIRS, OURS]);
        expect(patched.metadata.labels).toEqual({ team: "a", ...LINK });
        expect(applied).not.toContain(ref.name);

        // Everything in place: apply runs, and nothing is written.
        await reconcileWithFinalizer(client, OURS, patched, handlers);
        expect(applied).toContain(ref.name);
        expect((await client.get(ref)).metadata.resourceVersion).toBe(patched.metadata.resourceVersion);
        // The watch lags the write a little; every write is one version.
        await eventually("the patch on the watch", () =>
          history.versions.some((v) => v.metadata.resourceVersion === patched.metadata.resourceVersion),
        );
        expect(history.versions.map((v) => v.metadata.resourceVersion)).toEqual([
          created.metadata.resourceVersion,
          patched.metadata.resourceVersion,
        ]);
      } finally {
        await history.stop();
        await removeFinalizer(client, await client.get(ref), OURS);
      }
    });

    it("fails instead of overwriting labels set concurrently on a new object, and adds nothing", async () => {
      const ref = { namespace, name: "label-race" };
      const stale = await client.create(widget(namespace, ref.name));
      await editBehindOurBack(ref.name, { labels: { team: "b" } });

      const error = await reconcileWithFinalizer(client, OURS, stale, handlers).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FinalizerError);
      expect(isWriteRace(error)).toBe(true);
      const untouched = await client.get(ref);
      expect(untouched.metadata.labels).toEqual({ team: "b" });
      expect(untouched.metadata.finalizers).toBeUndefined();

      await reconcileWithFinalizer(client, OURS, untouched, handlers);
      const patched = await client.get(ref);
      expect(patched.metadata.labels).toEqual({ team: "b", ...LINK });
      expect(patched.metadata.finalizers).toEqual([OURS]);
      await removeFinalizer(client, patched, OURS);
    });

    it("gives an object with the finalizer its missing labels alone, before apply, and never over a concurrent edit", async () => {
      const ref = { namespace, name: "labels-later" };
      const stale = await addFinalizer(client, await client.create(widget(namespace, ref.name)), OURS);
      await editBehindOurBack(ref.name, { labels: { team: "c" } });

      const error = await reconcileWithFinalizer(client, OURS, stale, handlers).catch((e: unknown) => e);
      expect(isWriteRace(error)).toBe(true);
      expect((await client.get(ref)).metadata.labels).toEqual({ team: "c" });

      await reconcileWithFinalizer(client, OURS, await client.get(ref), handlers);
      const patched = await client.get(ref);
      expect(patched.metadata.labels).toEqual({ team: "c", ...LINK });
      expect(applied).not.toContain(ref.name);
      await reconcileWithFinalizer(client, OURS, patched, handlers);
      expect(applied).toContain(ref.name);
      await removeFinalizer(client, patched, OURS);
    });
  });
});
