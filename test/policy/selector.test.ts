// Which namespaces a policy covers: metav1.LabelSelector semantics. The same table (fixtures.ts)
// runs against the CEL version on a real API server in admission-conformance.test.ts.
import { describe, expect, it } from "vitest";
import { selectorMatches } from "../../src/policy/selector.js";
import { NAMESPACE_LABELS, SELECTOR_CASES } from "./fixtures.js";

describe("selectorMatches", () => {
  it.each(SELECTOR_CASES)("%s", (_name, selector, expected) => {
    expect(selectorMatches(selector, NAMESPACE_LABELS)).toBe(expected);
  });
});
