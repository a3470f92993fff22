import { describe, expect, it } from "vitest";
import { internStrings, StringPool } from "../../../src/kube/string-pool.js";

const version = (i: number) => ({
  apiVersion: "gallery.azure.dev/v1alpha1",
  kind: "ImageVersion",
  metadata: {
    name: `v${i}`,
    namespace: "team-a",
    uid: `uid-${i}`,
    resourceVersion: `${1000 + i}`,
    creationTimestamp: "2026-12-07T20:00:00Z",
    finalizers: ["gallery.azure.dev/finalizer"],
    labels: { "gallery.azure.dev/image-definition": "ubuntu" },
  },
  spec: {
    targetRegions: [{ name: "westus", storageAccountType: "Standard_LRS", replicas: 1 }],
    paused: false,
  },
  status: {
    conditions: [{ type: "Ready", status: "False", reason: "ImageDefinitionNotFound", message: null }],
  },
});

describe("StringPool and internStrings", () => {
  it("leave every value as it was, at any depth", () => {
    const pool = new StringPool();
    const obj = version(1);
    const copy = structuredClone(obj);
    expect(internStrings(obj, pool)).toBe(obj);
    expect(obj).toEqual(copy);
  });

  it("pool the values objects share, not the fields unique to each object or the long ones", () => {
    const pool = new StringPool();
    const obj = {
      ...version(7),
      metadata: { ...version(7).metadata, annotations: { token: "x".repeat(600) } },
    };
    internStrings(obj, pool);
    for (const shared of [
      "gallery.azure.dev/v1alpha1",
      "team-a",
      "gallery.azure.dev/finalizer",
      "ubuntu",
      "Standard_LRS",
      "ImageDefinitionNotFound",
    ]) {
      expect(pool.holds(shared), shared).toBe(true);
    }
    for (const unique of ["uid-7", "1007", "2026-12-07T20:00:00Z", "x".repeat(600)]) {
      expect(pool.holds(unique), unique.slice(0, 20)).toBe(false);
    }
  });

  it("stay bounded over any number of distinct strings, and keep the ones every object uses", () => {
    const pool = new StringPool(100);
    for (let i = 0; i < 10_000; i++) internStrings(version(i), pool);
    expect(pool.size).toBeLessThanOrEqual(200);
    // Used by every object, so found in the older generation each time and moved on.
    expect(pool.holds("gallery.azure.dev/v1alpha1")).toBe(true);
    expect(pool.holds("Standard_LRS")).toBe(true);
    // A name seen once, 9,000 objects ago, aged out.
    expect(pool.holds("v1000")).toBe(false);
  });
});
