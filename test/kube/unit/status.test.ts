import { describe, expect, it } from "vitest";
import { type Condition, setCondition } from "../../../src/kube/conditions.js";
import { jsonEqual } from "../../../src/kube/equality.js";
import { type ManagedStatus, stampStatus, type WithStatus } from "../../../src/kube/status.js";

interface WidgetStatus extends ManagedStatus {
  phase?: string;
}

const ready = (status: "True" | "False", time: string): Condition => ({
  type: "Ready",
  status,
  reason: status === "True" ? "Ok" : "NotOk",
  message: "",
  lastTransitionTime: time,
});

const widget = (status?: WidgetStatus): WithStatus<WidgetStatus> => ({
  metadata: { name: "w", namespace: "ns", generation: 3 },
  status,
});

describe("stampStatus", () => {
  it("sets observedGeneration on the status and on conditions that lack one", () => {
    const out = stampStatus(widget(), { phase: "x", conditions: [ready("True", "2025-01-01T00:00:00Z")] });
    expect(out.observedGeneration).toBe(3);
    expect(out.conditions?.[0]?.observedGeneration).toBe(3);
  });

  it("keeps the stored transition time when a condition's status did not flip", () => {
    const stored = widget({ observedGeneration: 3, conditions: [ready("True", "2025-01-01T00:00:00Z")] });
    const fresh = stampStatus(stored, { conditions: [ready("True", "2025-06-01T00:00:00Z")] });
    expect(fresh.conditions?.[0]?.lastTransitionTime).toBe("2025-01-01T00:00:00Z");
    const flipped = stampStatus(stored, { conditions: [ready("False", "2025-06-01T00:00:00Z")] });
    expect(flipped.conditions?.[0]?.lastTransitionTime).toBe("2025-06-01T00:00:00Z");
  });

  it("produces a status equal to the stored one when nothing changed, so nothing is written", () => {
    const conditions = setCondition(
      [],
      { type: "Ready", status: "True", reason: "Ok", message: "", observedGeneration: 3 },
      new Date(),
    );
    const stored = widget({ phase: "x", observedGeneration: 3, conditions });
    const again = setCondition(
      conditions,
      { type: "Ready", status: "True", reason: "Ok", message: "", observedGeneration: 3 },
      new Date(Date.now() + 60_000),
    );
    expect(jsonEqual(stored.status, stampStatus(stored, { phase: "x", conditions: again }))).toBe(true);
  });

  it("refuses conditions without Ready", () => {
    const replicated: Condition = { ...ready("True", "2025-01-01T00:00:00Z"), type: "Replicated" };
    expect(() => stampStatus(widget(), { conditions: [replicated] })).toThrow(/Ready/);
  });
});

describe("jsonEqual", () => {
  it("ignores key order and undefined values, not array order", () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false);
    expect(jsonEqual(undefined, {})).toBe(false);
  });
});
