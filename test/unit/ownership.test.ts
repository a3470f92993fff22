import { describe, expect, it } from "vitest";
import {
  ADOPT_ANNOTATION,
  ADOPTION_REQUIRED,
  describeOwner,
  OWNED_BY_ANOTHER,
  OWNERSHIP_TAG,
  ownerTagValue,
  parseOwner,
  rivalClaim,
  tagVerdict,
  withOwnerTag,
  withoutOwnerTag,
} from "../../src/reconcilers/driver/ownership.js";

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
    expect(ownerTagValue({ ...owner, namespace: "team-b" })).not.toBe(value);
    expect(describeOwner(value)).toBe("Gallery team-a/g1 (cluster 5c3e0a4e-1d2b-4c5d-8e9f-0a1b2c3d4e5f)");
  });

  it("fits Azure's 256-character value limit and keeps long names apart", () => {
    const long = (c: string) => ({ ...owner, namespace: "n".repeat(63), name: `${"a".repeat(250)}${c}` });
    const a = ownerTagValue(long("x"));
    const b = ownerTagValue(long("y"));
    expect(a.length).toBeLessThanOrEqual(256);
    expect(a).not.toBe(b);
    expect(ownerTagValue(long("x"))).toBe(a);
  });

  it("does not read a hand-written value as an owner", () => {
    expect(parseOwner("someone")).toBeUndefined();
    expect(describeOwner("someone")).toBe(`an owner tagged ${OWNERSHIP_TAG}=someone`);
  });
});

describe("who may write a resource", () => {
  const obj = (name: string, created: string, uid: string, annotations?: Record<string, string>) => ({
    apiVersion: "gallery.azure.dev/v1alpha1" as const,
    kind: "Gallery",
    metadata: {
      name,
      namespace: "team-a",
      uid,
      creationTimestamp: created,
      ...(annotations ? { annotations } : {}),
    },
    spec: { deletionPolicy: "Delete" as const },
  });

  it("lets the earliest created of the objects naming one resource act, ties broken by uid", () => {
    const first = obj("a", "2026-01-01T00:00:00Z", "b-uid");
    const later = obj("b", "2026-01-02T00:00:00Z", "a-uid");
    const twin = obj("c", "2026-01-01T00:00:00Z", "c-uid");
    expect(rivalClaim(first, [later, twin], "Gallery")).toBeUndefined();
    expect(rivalClaim(later, [first, twin], "Gallery")?.reason).toBe(OWNED_BY_ANOTHER);
    expect(rivalClaim(twin, [first, later], "Gallery")?.message).toContain("Gallery team-a/a");
  });

  it("reads the tag: ours, another's, nobody's (adopted only on opt-in or when managed before)", () => {
    const o = obj("g1", "2026-01-01T00:00:00Z", "u");
    const mine = { [OWNERSHIP_TAG]: ownerTagValue(owner) };
    expect(tagVerdict(o, mine, owner, false)).toBe("owned");
    const theirs = tagVerdict(o, { [OWNERSHIP_TAG]: "x/ns/Gallery/g" }, owner, true);
    expect(theirs).toMatchObject({ reason: OWNED_BY_ANOTHER });
    expect(tagVerdict(o, {}, owner, false)).toMatchObject({ reason: ADOPTION_REQUIRED });
    expect(tagVerdict(o, undefined, owner, true)).toBe("mark");
    expect(tagVerdict(obj("g1", "", "u", { [ADOPT_ANNOTATION]: "true" }), {}, owner, false)).toBe("mark");
  });

  it("adds and removes only its own tag", () => {
    const tagged = withOwnerTag({ team: "a" }, owner);
    expect(tagged).toEqual({ team: "a", [OWNERSHIP_TAG]: ownerTagValue(owner) });
    expect(withoutOwnerTag(tagged)).toEqual({ team: "a" });
  });
});
