// The replication pacer remembers one interval per version while it replicates; a version
// deleted by any path (Orphan, a removed finalizer) must not stay in it for the operator's life.
import { describe, expect, it } from "vitest";
import { ProgressPacer } from "../../src/reconcilers/image-version-polling.js";

describe("ProgressPacer", () => {
  it("keeps only the versions still in the cache", () => {
    const pacer = new ProgressPacer();
    for (let i = 0; i < 100; i++) pacer.next(`v${i}`, false, 200, 0);
    pacer.retain(new Set(["v1", "v2", "gone-before"]));
    expect(pacer.size).toBe(2);
  });
});
