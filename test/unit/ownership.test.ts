import { describe, expect, it } from "vitest";
import {
  describeOwner,
  OWNERSHIP_TAG,
  ownedBy,
  ownerTagValue,
  parseOwner,
} from "../../src/reconcilers/ownership.js";

const owner = {
  cluster: "5c3e0a4e-1d2b-4c5d-8e9f-0a1b2c3d4e5f",
  namespace: "team-a",
  kind: "Gallery",
  name: "g1",
};

describe("ownership tag", () => {
  it("is a key Azure accepts as a tag name", () => {
    expect(OWNERSHIP_TAG).not.toMatch(/[<>%&\\?/]/);
  });

  it("names cluster, namespace, kind and object, and reads back", () => {
    const value = ownerTagValue(owner);
    expect(value).toBe("5c3e0a4e-1d2b-4c5d-8e9f-0a1b2c3d4e5f/team-a/Gallery/g1");
    expect(parseOwner(value)).toEqual(owner);
    expect(ownedBy({ [OWNERSHIP_TAG]: value, team: "x" }, owner)).toBe(true);
    expect(ownedBy({ [OWNERSHIP_TAG]: value }, { ...owner, namespace: "team-b" })).toBe(false);
    expect(ownedBy(undefined, owner)).toBe(false);
    expect(describeOwner(value)).toBe("Gallery team-a/g1 (cluster 5c3e0a4e-1d2b-4c5d-8e9f-0a1b2c3d4e5f)");
  });

  it("fits Azure's 256-character value limit and keeps long names apart", () => {
    const long = (c: string) => ({ ...owner, namespace: "n".repeat(63), name: `${"a".repeat(250)}${c}` });
    const a = ownerTagValue(long("x"));
    const b = ownerTagValue(long("y"));
    expect(a.length).toBeLessThanOrEqual(256);
    expect(a).not.toBe(b);
    expect(ownedBy({ [OWNERSHIP_TAG]: a }, long("x"))).toBe(true);
  });

  it("does not read a hand-written value as an owner", () => {
    expect(parseOwner("someone")).toBeUndefined();
    expect(describeOwner("someone")).toBe(`an owner tagged ${OWNERSHIP_TAG}=someone`);
  });
});
