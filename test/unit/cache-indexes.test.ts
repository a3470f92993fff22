import { describe, expect, it } from "vitest";
import type { ImageDefinition, ImageVersion } from "../../src/api/index.js";
import { Store } from "../../src/kube/index.js";
import {
  BY_GALLERY,
  BY_REPLICATING_SUBSCRIPTION,
  CACHE_INDEXES,
  refKey,
  UNKNOWN_SUBSCRIPTION,
} from "../../src/reconcilers/driver/indexes.js";
import { rivalsIn } from "../../src/reconcilers/driver/ownership.js";

const GALLERY = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g";

function definition(name: string, gallery: string, extra: { azureName?: string; id?: string } = {}) {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "ImageDefinition",
    metadata: { namespace: "ns", name, uid: `uid-${name}` },
    spec: { galleryRef: { name: gallery }, ...(extra.azureName ? { azureName: extra.azureName } : {}) },
    ...(extra.id ? { status: { id: extra.id } } : {}),
  } as unknown as ImageDefinition;
}

function indexed(...objects: ImageDefinition[]): Store<ImageDefinition> {
  const store = new Store<ImageDefinition>(CACHE_INDEXES.imageDefinitions);
  store.replace(objects);
  return store;
}

/** The Azure id a definition names as the kind computes it: status first, else under the gallery. */
const idOf = (d: ImageDefinition) =>
  d.status?.id ?? `${GALLERY}/images/${d.spec.azureName ?? d.metadata.name}`;

describe("cache indexes", () => {
  it("find a gallery's definitions by the gallery they name, in their namespace only", () => {
    const store = indexed(definition("a", "g"), definition("b", "g"), definition("c", "other"));
    const names = store.byIndex(BY_GALLERY, refKey("ns", "g")).map((d) => d.metadata.name);
    expect(names.sort()).toEqual(["a", "b"]);
    expect(store.byIndex(BY_GALLERY, refKey("elsewhere", "g"))).toEqual([]);
  });

  it("find every object naming the same Azure resource: by azureName in any case, or by the id status recorded", () => {
    const first = definition("first", "g", { azureName: "Ubuntu" });
    const sameName = definition("same-name", "g", { azureName: "ubuntu" });
    // Its spec names another resource, but status says it made this one.
    const recorded = definition("recorded", "g", { azureName: "renamed", id: `${GALLERY}/images/UBUNTU` });
    const unrelated = definition("unrelated", "g", { azureName: "debian" });
    const store = indexed(first, sameName, recorded, unrelated);
    const rivals = rivalsIn([store], first, idOf).map((d) => d.metadata.name);
    expect(rivals.sort()).toEqual(["recorded", "same-name"]);
    expect(rivalsIn([store], unrelated, idOf)).toEqual([]);
  });

  it("count the versions being copied per subscription, and those whose subscription status does not know yet", () => {
    const version = (name: string, status: Record<string, unknown> | undefined) =>
      ({
        apiVersion: "gallery.azure.dev/v1alpha1",
        kind: "ImageVersion",
        metadata: { namespace: "ns", name, uid: `uid-${name}` },
        spec: { imageDefinitionRef: { name: "d" }, version: name, source: {}, targetRegions: [] },
        ...(status ? { status } : {}),
      }) as unknown as ImageVersion;
    const id = (sub: string, name: string) =>
      `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/${name}`;
    const store = new Store<ImageVersion>(CACHE_INDEXES.imageVersions);
    store.replace([
      version("1.0.0", { id: id("SUB-A", "1.0.0"), operation: { action: "CreateOrUpdate" } }),
      version("1.0.1", {
        id: id("sub-a", "1.0.1"),
        conditions: [{ type: "Replicated", status: "False", reason: "Replicating" }],
      }),
      version("1.0.2", { id: id("sub-b", "1.0.2"), operation: { action: "CreateOrUpdate" } }),
      version("1.0.3", { operation: { action: "CreateOrUpdate" } }),
      version("1.0.4", {
        id: id("sub-a", "1.0.4"),
        conditions: [{ type: "Replicated", status: "True", reason: "Succeeded" }],
      }),
      version("1.0.5", undefined),
    ]);
    const names = (value: string) =>
      store
        .byIndex(BY_REPLICATING_SUBSCRIPTION, value)
        .map((v) => v.metadata.name)
        .sort();
    expect(names("sub-a")).toEqual(["1.0.0", "1.0.1"]);
    expect(names("sub-b")).toEqual(["1.0.2"]);
    expect(names(UNKNOWN_SUBSCRIPTION)).toEqual(["1.0.3"]);
    expect(store.countByIndex(BY_REPLICATING_SUBSCRIPTION, "sub-a")).toBe(2);
    // Its subscription known once status records the id: it moves from unknown to that one.
    store.apply(version("1.0.3", { id: id("sub-b", "1.0.3"), operation: { action: "CreateOrUpdate" } }));
    expect(names("sub-b")).toEqual(["1.0.2", "1.0.3"]);
    expect(names(UNKNOWN_SUBSCRIPTION)).toEqual([]);
    // An id that is not an ARM id (status is editable) counts as unknown, and the cache stays whole.
    store.apply(version("1.0.6", { id: "garbage", operation: { action: "CreateOrUpdate" } }));
    expect(names(UNKNOWN_SUBSCRIPTION)).toEqual(["1.0.6"]);
    expect(store.size).toBe(7);
    // Deleted: gone from the count.
    store.delete(version("1.0.2", undefined));
    expect(names("sub-b")).toEqual(["1.0.3"]);
    // Copied: it leaves the index as its status changes.
    store.apply(
      version("1.0.0", {
        id: id("sub-a", "1.0.0"),
        conditions: [{ type: "Replicated", status: "True", reason: "Succeeded" }],
      }),
    );
    expect(names("sub-a")).toEqual(["1.0.1"]);
  });
});
