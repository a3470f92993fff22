// The foundation every integration test stands on: the shared test cluster (whichever TEST_CLUSTER
// chose) stores objects, serves watches to client-node informers, and enforces RBAC.
import { CoreV1Api, type KubernetesObject, makeInformer, type V1ConfigMap } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type TestCluster, testCluster } from "../support/cluster.js";

let cluster: TestCluster;
let core: CoreV1Api;

beforeAll(async () => {
  cluster = await testCluster();
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
});

describe("the test cluster", () => {
  it("creates a namespace and a ConfigMap in it", async () => {
    const namespace = await cluster.newNamespace("foundation-crud");
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "settings" }, data: { colour: "blue" } },
    });

    const read = await core.readNamespacedConfigMap({ namespace, name: "settings" });
    expect(read.data).toEqual({ colour: "blue" });
    const viaKubectl = await cluster.kubectl(["get", "configmap", "settings", "-n", namespace, "-o", "json"]);
    expect(viaKubectl.code, viaKubectl.stderr).toBe(0);
    expect(JSON.parse(viaKubectl.stdout).data).toEqual({ colour: "blue" });
  });

  it("feeds an informer add, update and delete events", async () => {
    const namespace = await cluster.newNamespace("foundation-informer");
    const informer = makeInformer<V1ConfigMap>(
      cluster.kubeConfig,
      `/api/v1/namespaces/${namespace}/configmaps`,
      () => core.listNamespacedConfigMap({ namespace }),
    );
    const seen: string[] = [];
    const record = (verb: string) => (obj: KubernetesObject) => {
      if (obj.metadata?.name === "watched") seen.push(verb);
    };
    informer.on("add", record("add"));
    informer.on("update", record("update"));
    informer.on("delete", record("delete"));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "watched" }, data: { step: "1" } },
      });
      await vi.waitFor(() => expect(seen).toContain("add"), { timeout: 10_000 });

      await core.replaceNamespacedConfigMap({
        namespace,
        name: "watched",
        body: { metadata: { name: "watched" }, data: { step: "2" } },
      });
      await vi.waitFor(() => expect(seen).toContain("update"), { timeout: 10_000 });
      expect(informer.get("watched", namespace)?.data).toEqual({ step: "2" });

      await core.deleteNamespacedConfigMap({ namespace, name: "watched" });
      await vi.waitFor(() => expect(seen).toContain("delete"), { timeout: 10_000 });
      expect(seen).toEqual(["add", "update", "delete"]);
      expect(informer.get("watched", namespace)).toBeUndefined();
    } finally {
      await informer.stop();
    }
  });

  it("denies a service account until a Role and RoleBinding allow it", async () => {
    const namespace = await cluster.newNamespace("foundation-rbac");
    const ok = async (args: string[]) => {
      const result = await cluster.kubectl(args);
      expect(result.code, result.stderr).toBe(0);
    };
    await ok(["create", "serviceaccount", "reader", "-n", namespace]);
    const asReader = { asUser: `system:serviceaccount:${namespace}:reader` };

    const denied = await cluster.kubectl(["get", "configmaps", "-n", namespace], asReader);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/forbidden/i);

    await ok([
      "create",
      "role",
      "configmap-reader",
      "--verb=get,list,watch",
      "--resource=configmaps",
      "-n",
      namespace,
    ]);
    await ok([
      "create",
      "rolebinding",
      "reader-reads-configmaps",
      "--role=configmap-reader",
      `--serviceaccount=${namespace}:reader`,
      "-n",
      namespace,
    ]);

    // The RBAC authorizer reads bindings from its own watch cache: allow a moment for it to catch up.
    await vi.waitFor(
      async () => {
        const allowed = await cluster.kubectl(["get", "configmaps", "-n", namespace], asReader);
        expect(allowed.code, allowed.stderr).toBe(0);
      },
      { timeout: 10_000, interval: 200 },
    );
    // The binding grants reading, nothing more.
    const write = await cluster.kubectl(["create", "configmap", "nope", "-n", namespace], asReader);
    expect(write.stderr).toMatch(/forbidden/i);
  });
});
