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

  it("finds objects by an index that follows every apply, delete and relist", () => {
    const parentOf = (o: KubeObject) => (o.metadata.labels?.parent ? [o.metadata.labels.parent] : []);
    const child = (name: string, parent?: string): KubeObject => ({
      metadata: { namespace: "ns", name, ...(parent ? { labels: { parent } } : {}) },
    });
    const store = new Store<KubeObject>();
    store.apply(child("a", "p1"));
    // An index added to a filled store covers what it already holds.
    store.addIndex("parent", parentOf);
    store.apply(child("b", "p1"));
    store.apply(child("c", "p2"));
    const names = (value: string) =>
      store
        .byIndex("parent", value)
        .map((o) => o.metadata.name)
        .sort();
    expect(names("p1")).toEqual(["a", "b"]);
    store.apply(child("b", "p2")); // moved to another parent
    expect(names("p1")).toEqual(["a"]);
    expect(names("p2")).toEqual(["b", "c"]);
    store.apply(child("c")); // no parent any more
    store.delete(child("a"));
    expect(names("p1")).toEqual([]);
    expect(names("p2")).toEqual(["b"]);
    store.replace([child("d", "p1"), child("b", "p1")]);
    expect(names("p1")).toEqual(["b", "d"]);
    expect(names("p2")).toEqual([]);
  });

  it("refuses a lookup by an index it was never given", () => {
    expect(() => new Store<KubeObject>().byIndex("parent", "p1")).toThrow(/no index parent/);
  });
});
