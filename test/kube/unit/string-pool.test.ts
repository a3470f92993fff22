import { describe, expect, it } from "vitest";
import { internStrings, StringPool } from "../../../src/kube/string-pool.js";

const version = (i: number) => ({
  apiVersion: "gallery.azure.dev/v1alpha1",
  kind: "ImageVersion",
  metadata: {
    name: `version-${i}`,
    namespace: "team-a",
    uid: `uid-${i}`,
    resourceVersion: `${1000 + i}`,
    creationTimestamp: "2026-12-07T20:00:00Z",
    finalizers: ["gallery.azure.dev/finalizer"],
    labels: { "gallery.azure.dev/image-definition": "ubuntu-2404" },
    ownerReferences: [{ kind: "ImageDefinition", name: "ubuntu-2404", uid: "owner-uid-1" }],
  },
  spec: {
    targetRegions: [{ name: "westus", storageAccountType: "Standard_LRS", replicas: 1 }],
    paused: false,
  },
  status: {
    conditions: [{ type: "Ready", status: "False", reason: "ImageDefinitionNotFound", message: null }],
  },
});

/** Marks what it is asked to pool, so a test sees which strings the walk handed to the pool. */
class MarkingPool extends StringPool {
  override intern(value: string): string {
    return `#${value}`;
  }
}

describe("internStrings", () => {
  it("leaves every value as it was, at any depth", () => {
    const obj = version(1);
    const copy = structuredClone(obj);
    expect(internStrings(obj, new StringPool())).toBe(obj);
    expect(obj).toStrictEqual(copy);
  });

  it("hands the pool every shared value at any depth, and stores what the pool answers", () => {
    const obj = internStrings(version(1), new MarkingPool());
    expect(obj.apiVersion).toBe("#gallery.azure.dev/v1alpha1");
    expect(obj.metadata.finalizers).toStrictEqual(["#gallery.azure.dev/finalizer"]);
    expect(obj.metadata.labels["gallery.azure.dev/image-definition"]).toBe("#ubuntu-2404");
    expect(obj.spec.targetRegions[0]?.storageAccountType).toBe("#Standard_LRS");
    expect(obj.status.conditions[0]?.reason).toBe("#ImageDefinitionNotFound");
  });

  it("leaves alone the fields unique to an object (by key, at any depth), short strings and long ones", () => {
    const obj = {
      ...version(7),
      annotations: { at512: "y".repeat(512), at513: "x".repeat(513) },
    };
    internStrings(obj, new MarkingPool());
    expect(obj.metadata.uid).toBe("uid-7");
    expect(obj.metadata.resourceVersion).toBe("1007");
    expect(obj.metadata.creationTimestamp).toBe("2026-12-07T20:00:00Z");
    expect(obj.metadata.ownerReferences[0]?.uid).toBe("owner-uid-1");
    // Under 10 characters V8's JSON.parse shares them already.
    expect(obj.metadata.namespace).toBe("team-a");
    expect(obj.annotations.at512).toBe(`#${"y".repeat(512)}`);
    expect(obj.annotations.at513).toBe("x".repeat(513));
  });

  it("walks nesting deeper than the call stack goes", () => {
    let deep: unknown = "a value deep down";
    for (let i = 0; i < 20_000; i++) deep = i % 2 === 0 ? { inner: deep } : [deep];
    expect(() => internStrings(deep, new StringPool())).not.toThrow();
  });
});

describe("StringPool", () => {
  // Which copy a pool hands back cannot be seen from JavaScript (strings have no identity), so
  // these tests read which strings it holds.
  it("keeps a string found in the older generation and drops what the older one held alone", () => {
    const pool = new StringPool(2);
    const held: boolean[][] = [];
    const sizes: number[] = [];
    for (const s of ["alpha-value", "bravo-value", "charlie-value", "alpha-value", "delta-value"]) {
      pool.intern(s);
      sizes.push(pool.size);
      held.push(["alpha-value", "bravo-value", "charlie-value", "delta-value"].map((v) => pool.holds(v)));
    }
    // After "charlie-value": alpha and bravo are the older generation, charlie the current one.
    expect(held[2]).toStrictEqual([true, true, true, false]);
    // "alpha-value" again: moved (not copied) from the older generation to the current one.
    expect(held[3]).toStrictEqual([true, true, true, false]);
    // "delta-value": the current one (charlie, alpha) was full, so it became the older one and
    // bravo, seen once three strings ago, is gone.
    expect(held[4]).toStrictEqual([true, false, true, true]);
    expect(sizes).toStrictEqual([1, 2, 3, 3, 3]);
  });

  it("stays bounded over any number of distinct strings", () => {
    const pool = new StringPool(100);
    for (let i = 0; i < 10_000; i++) internStrings(version(i), pool);
    expect(pool.size).toBeLessThanOrEqual(200);
    expect(pool.holds("version-1000")).toBe(false);
    expect(pool.holds("version-9999")).toBe(true);
  });
});
