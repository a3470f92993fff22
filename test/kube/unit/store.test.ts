import { describe, expect, it } from "vitest";
import { type KubeObject, keyOf, objectKey, parseKey, resourcePath } from "../../../src/kube/resource.js";
import { Store } from "../../../src/kube/store.js";

const obj = (namespace: string | undefined, name: string, rv = "1"): KubeObject => ({
  metadata: { namespace, name, resourceVersion: rv },
});

describe("keys and paths", () => {
  it("key namespaced objects as namespace/name and cluster-scoped ones by name", () => {
    expect(keyOf(obj("ns", "a"))).toBe("ns/a");
    expect(objectKey({ name: "c" })).toBe("c");
    expect(parseKey("ns/a")).toEqual({ namespace: "ns", name: "a" });
    expect(parseKey("c")).toEqual({ name: "c" });
  });

  it("build collection, object and subresource paths for any group", () => {
    const widgets = {
      group: "test.azure.dev",
      version: "v1",
      plural: "widgets",
      kind: "Widget",
      namespaced: true,
    };
    const nodes = { group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false };
    expect(resourcePath(widgets)).toBe("/apis/test.azure.dev/v1/widgets");
    expect(resourcePath(widgets, { namespace: "ns" })).toBe("/apis/test.azure.dev/v1/namespaces/ns/widgets");
    expect(resourcePath(widgets, { namespace: "ns", name: "w", subresource: "status" })).toBe(
      "/apis/test.azure.dev/v1/namespaces/ns/widgets/w/status",
    );
    expect(resourcePath(nodes, { namespace: "ignored", name: "n1" })).toBe("/api/v1/nodes/n1");
  });
});

describe("Store", () => {
  it("keeps the last applied object per key", () => {
    const store = new Store<KubeObject>();
    expect(store.apply(obj("ns", "a", "1"))).toBeUndefined();
    expect(store.apply(obj("ns", "a", "2"))?.metadata.resourceVersion).toBe("1");
    expect(store.get("ns/a")?.metadata.resourceVersion).toBe("2");
    expect(store.get({ namespace: "ns", name: "a" })?.metadata.resourceVersion).toBe("2");
    expect(store.size).toBe(1);
  });

  it("deletes by key and returns what was cached", () => {
    const store = new Store<KubeObject>();
    store.apply(obj("ns", "a", "5"));
    expect(store.delete(obj("ns", "a", "6"))?.metadata.resourceVersion).toBe("5");
    expect(store.get("ns/a")).toBeUndefined();
  });

  it("replace returns the objects that vanished during a relist", () => {
    const store = new Store<KubeObject>();
    store.apply(obj("ns", "a"));
    store.apply(obj("ns", "b"));
    const removed = store.replace([obj("ns", "b", "9"), obj("ns", "c")]);
    expect(removed.map(keyOf)).toEqual(["ns/a"]);
    expect(store.list().map(keyOf).sort()).toEqual(["ns/b", "ns/c"]);
    expect(store.get("ns/b")?.metadata.resourceVersion).toBe("9");
  });
});
