import { describe, expect, it } from "vitest";
import { specOrMetadataChanged } from "../../../src/kube/controller.js";
import { redactSecrets } from "../../../src/kube/events.js";
import { finalizerState } from "../../../src/kube/finalizer.js";
import type { KubeObject } from "../../../src/kube/resource.js";

const F = "gallery.azure.dev/finalizer";
const obj = (finalizers?: string[], deleting = false): KubeObject => ({
  metadata: { name: "w", finalizers, ...(deleting ? { deletionTimestamp: "2025-01-01T00:00:00Z" } : {}) },
});

describe("finalizerState", () => {
  it("has one case per (has finalizer, being deleted)", () => {
    expect(finalizerState(obj(), F)).toEqual({ phase: "Missing" });
    expect(finalizerState(obj(["other", F]), F)).toEqual({ phase: "Present", index: 1 });
    expect(finalizerState(obj([F], true), F)).toEqual({ phase: "Cleanup", index: 0 });
    expect(finalizerState(obj(["other"], true), F)).toEqual({ phase: "Released" });
  });
});

describe("specOrMetadataChanged", () => {
  const base: KubeObject = {
    metadata: { name: "w", generation: 1, resourceVersion: "10", labels: { a: "1" } },
  };
  it("skips status-only changes and wakes on spec, deletion, finalizer and label changes", () => {
    expect(specOrMetadataChanged(undefined, base)).toBe(true);
    expect(specOrMetadataChanged(base, { metadata: { ...base.metadata, resourceVersion: "11" } })).toBe(
      false,
    );
    expect(specOrMetadataChanged(base, { metadata: { ...base.metadata, generation: 2 } })).toBe(true);
    expect(specOrMetadataChanged(base, { metadata: { ...base.metadata, finalizers: [F] } })).toBe(true);
    expect(specOrMetadataChanged(base, { metadata: { ...base.metadata, labels: { a: "2" } } })).toBe(true);
    expect(
      specOrMetadataChanged(base, {
        metadata: { ...base.metadata, deletionTimestamp: "2025-01-01T00:00:00Z" },
      }),
    ).toBe(true);
  });
  it("treats every change as relevant for kinds without a generation", () => {
    const a: KubeObject = { metadata: { name: "cm", resourceVersion: "1" } };
    expect(specOrMetadataChanged(a, { metadata: { name: "cm", resourceVersion: "2" } })).toBe(true);
  });
});

describe("redactSecrets", () => {
  it("hides tokens, SAS signatures and secret-named values, and leaves the rest", () => {
    const note =
      "PUT https://x.blob.core.windows.net/c?sv=2020&sig=abc%2Fdef&se=1 failed; Authorization: Bearer eyJhbGciOi.x.y; client_secret=s3cr3t password: hunter2";
    const out = redactSecrets(note);
    expect(out).not.toMatch(/abc%2Fdef|eyJhbGciOi|s3cr3t|hunter2/);
    expect(out).toContain("sv=2020");
    expect(out).toContain("Bearer [REDACTED]");
  });
});
