// Which changes of a parent wake its children: what they act on (spec, labels, deletion, Azure id,
// Ready), not the parent's other status writes.
import { describe, expect, it } from "vitest";
import { parentMoved } from "../../src/reconcilers/index.js";

const parent = (status: object, metadata: object = {}) => ({
  apiVersion: "gallery.azure.dev/v1alpha1",
  kind: "ImageDefinition",
  metadata: { name: "def", namespace: "ns", generation: 1, ...metadata },
  status,
});

const ready = (status: string, reason: string, observedGeneration = 1) => ({
  id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/def",
  conditions: [{ type: "Ready", status, reason, observedGeneration }],
});

describe("parentMoved", () => {
  it("ignores status writes that leave Ready and the id as they were", () => {
    const before = parent(ready("False", "Provisioning"));
    const after = parent({ ...ready("False", "Provisioning"), operation: { action: "CreateOrUpdate" } });
    expect(parentMoved(before, after)).toBe(false);
  });

  it("wakes children when Ready, the id, the spec, labels or deletion change", () => {
    const base = parent(ready("False", "Provisioning"));
    expect(parentMoved(base, parent(ready("True", "Succeeded")))).toBe(true);
    expect(parentMoved(base, parent(ready("False", "Provisioning", 2)))).toBe(true);
    expect(parentMoved(base, parent({ ...ready("False", "Provisioning"), id: "/other" }))).toBe(true);
    expect(parentMoved(base, parent(ready("False", "Provisioning"), { generation: 2 }))).toBe(true);
    expect(parentMoved(base, parent(ready("False", "Provisioning"), { labels: { a: "b" } }))).toBe(true);
    expect(
      parentMoved(
        base,
        parent(ready("False", "Provisioning"), { deletionTimestamp: "2026-01-01T00:00:00Z" }),
      ),
    ).toBe(true);
  });
});
