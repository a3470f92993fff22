// Which tags the operator owns (docs/api.md, "Tags"): the spec's keys; every other key in Azure is
// kept in a PUT and never drift; a dropped key goes only when the operator had set it.
import { describe, expect, it } from "vitest";
import { managedTagKeys, tagDifferences, tagsToPut } from "../../src/reconcilers/driver/tags.js";

describe("tagsToPut", () => {
  it("keeps keys someone else added and sets the spec's over them", () => {
    expect(tagsToPut({ team: "a" }, { team: "old", CostCenter: "42" }, ["team"])).toEqual({
      team: "a",
      CostCenter: "42",
    });
  });

  it("removes a key the spec dropped only when the operator had set it", () => {
    const azure = { team: "a", env: "dev", CostCenter: "42" };
    expect(tagsToPut({ team: "a" }, azure, ["team", "env"])).toEqual({ team: "a", CostCenter: "42" });
  });

  it("matches keys without regard to case, as ARM does", () => {
    expect(tagsToPut({ CostCenter: "1" }, { costcenter: "2" }, [])).toEqual({ CostCenter: "1" });
    expect(tagsToPut({}, { ENV: "dev" }, ["env"])).toEqual({});
  });

  it("sends only the spec's tags on a create", () => {
    expect(tagsToPut({ team: "a" }, undefined, [])).toEqual({ team: "a" });
    expect(tagsToPut(undefined, undefined, [])).toEqual({});
  });
});

describe("tagDifferences", () => {
  it("ignores keys the operator does not own", () => {
    expect(tagDifferences({ team: "a" }, { team: "a", CostCenter: "42" }, ["team"])).toEqual([]);
  });

  it("names an owned key with another value or missing, with both values", () => {
    expect(tagDifferences({ team: "a", env: "dev" }, { team: "b" }, [])).toEqual([
      { field: "tags.team", want: "a", have: "b" },
      { field: "tags.env", want: "dev", have: undefined },
    ]);
  });

  it("names a key the operator set, the spec dropped and Azure still has", () => {
    expect(tagDifferences({}, { env: "dev", other: "x" }, ["env"])).toEqual([
      { field: "tags.env", want: undefined, have: "dev" },
    ]);
  });
});

describe("managedTagKeys", () => {
  it("remembers the keys it sets until Azure matches the spec", () => {
    expect(managedTagKeys({ team: "a" }, ["env"])).toEqual(["env", "team"]);
    expect(managedTagKeys({ team: "a" })).toEqual(["team"]);
  });
});
