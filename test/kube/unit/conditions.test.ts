import { describe, expect, it } from "vitest";
import {
  type Condition,
  findCondition,
  isConditionTrue,
  setCondition,
} from "../../../src/kube/conditions.js";

const t0 = new Date("2025-01-01T10:00:00.123Z");
const t1 = new Date("2025-01-01T11:30:00.999Z");

describe("setCondition", () => {
  it("adds a new condition with the transition time in whole seconds", () => {
    const out = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Creating", message: "m" },
      t0,
    );
    expect(out).toEqual([
      {
        type: "Ready",
        status: "False",
        reason: "Creating",
        message: "m",
        lastTransitionTime: "2025-01-01T10:00:00Z",
      },
    ]);
  });

  it("keeps lastTransitionTime when only reason, message or generation change", () => {
    const before = setCondition([], { type: "Ready", status: "False", reason: "Creating", message: "a" }, t0);
    const after = setCondition(
      before,
      { type: "Ready", status: "False", reason: "Replicating", message: "b", observedGeneration: 2 },
      t1,
    );
    expect(after[0]).toMatchObject({ reason: "Replicating", message: "b", observedGeneration: 2 });
    expect(after[0]?.lastTransitionTime).toBe("2025-01-01T10:00:00Z");
  });

  it("moves lastTransitionTime when the status flips", () => {
    const before = setCondition([], { type: "Ready", status: "False", reason: "Creating", message: "" }, t0);
    const after = setCondition(
      before,
      { type: "Ready", status: "True", reason: "Succeeded", message: "" },
      t1,
    );
    expect(after[0]?.lastTransitionTime).toBe("2025-01-01T11:30:00Z");
  });

  it("does not modify its input and keeps the order of other conditions", () => {
    const input: Condition[] = [
      {
        type: "Ready",
        status: "True",
        reason: "Ok",
        message: "",
        lastTransitionTime: "2024-01-01T00:00:00Z",
      },
      {
        type: "Replicated",
        status: "False",
        reason: "Pending",
        message: "",
        lastTransitionTime: "2024-01-01T00:00:00Z",
      },
    ];
    const frozen = structuredClone(input);
    const out = setCondition(input, { type: "Ready", status: "False", reason: "Failed", message: "x" }, t1);
    expect(input).toEqual(frozen);
    expect(out.map((c) => c.type)).toEqual(["Ready", "Replicated"]);
    expect(out[1]).toBe(input[1]);
  });

  it("does not write an undefined observedGeneration key", () => {
    const [c] = setCondition(
      [],
      { type: "Ready", status: "True", reason: "Ok", message: "", observedGeneration: undefined },
      t0,
    );
    expect(c && "observedGeneration" in c).toBe(false);
  });

  it("rejects reasons that are not CamelCase and invalid types", () => {
    expect(() =>
      setCondition([], { type: "Ready", status: "True", reason: "not ok", message: "" }, t0),
    ).toThrow(/CamelCase/);
    expect(() =>
      setCondition([], { type: "Ready", status: "True", reason: "1Bad", message: "" }, t0),
    ).toThrow();
    expect(() =>
      setCondition([], { type: "bad type!", status: "True", reason: "Ok", message: "" }, t0),
    ).toThrow();
    expect(() =>
      setCondition([], { type: "Ready", status: "True", reason: "Ok", message: "x".repeat(40_000) }, t0),
    ).toThrow(/longer/);
  });
});

describe("findCondition / isConditionTrue", () => {
  it("look a condition up by type", () => {
    const list = setCondition([], { type: "Ready", status: "True", reason: "Ok", message: "" }, t0);
    expect(findCondition(list, "Ready")?.reason).toBe("Ok");
    expect(isConditionTrue(list, "Ready")).toBe(true);
    expect(isConditionTrue(list, "Replicated")).toBe(false);
    expect(isConditionTrue(undefined, "Ready")).toBe(false);
  });
});
