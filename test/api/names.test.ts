// Azure's naming rules as the pure helpers apply them. The same patterns run as CEL in the CRDs;
// invalid-manifests.test.ts checks the API server side.
import { describe, expect, it } from "vitest";
import {
  azureNameOf,
  compareVersions,
  isGuid,
  isValidGalleryName,
  isValidImageDefinitionName,
  parseVersion,
} from "../../src/api/index.js";

describe("parseVersion", () => {
  it.each([
    ["1.0.0", { major: 1, minor: 0, patch: 0 }],
    ["0.0.0", { major: 0, minor: 0, patch: 0 }],
    ["2147483647.0.0", { major: 2147483647, minor: 0, patch: 0 }],
    ["10.20.30", { major: 10, minor: 20, patch: 30 }],
    ["2147483647.2147483647.2147483647", { major: 2147483647, minor: 2147483647, patch: 2147483647 }],
  ])("accepts %s", (text, parts) => {
    expect(parseVersion(text)).toEqual(parts);
  });

  it.each([
    "1.0",
    "1.0.0.0",
    "01.0.0",
    "1.01.0",
    "1.2.4294967296",
    "2147483648.0.0",
    "",
    "a.b.c",
    "-1.0.0",
    " 1.0.0",
    "1.0.0 ",
    "1..0",
  ])("rejects %j", (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });
});

describe("compareVersions", () => {
  it("orders by major, then minor, then patch, numerically", () => {
    const sorted = ["1.10.0", "1.2.0", "0.9.9", "1.2.10", "1.2.9"]
      .map((v) => parseVersion(v)!)
      .sort(compareVersions)
      .map((v) => `${v.major}.${v.minor}.${v.patch}`);
    expect(sorted).toEqual(["0.9.9", "1.2.0", "1.2.9", "1.2.10", "1.10.0"]);
  });
});

describe("gallery names", () => {
  it.each(["myGallery", "gallery_000003", "a", "my.gallery", "G1", "a".repeat(80)])("accepts %s", (name) => {
    expect(isValidGalleryName(name)).toBe(true);
  });
  it.each(["my-gallery", "", "a".repeat(81), "_gallery", "gallery.", "my gallery", "galléry"])(
    "rejects %j",
    (name) => {
      expect(isValidGalleryName(name)).toBe(false);
    },
  );
});

describe("image definition names", () => {
  it.each(["myImageDefinition", "ubuntu-22.04_lts", "a", "a".repeat(80), "def_x", "img_x", "image_"])(
    "accepts %s",
    (name) => {
      expect(isValidImageDefinitionName(name)).toBe(true);
    },
  );
  it.each(["", "a".repeat(81), "-image", "_image", ".image", "image-", "image.", "my image", "image/1"])(
    "rejects %j",
    (name) => {
      expect(isValidImageDefinitionName(name)).toBe(false);
    },
  );
});

describe("isGuid", () => {
  it("accepts lower-case GUIDs only", () => {
    expect(isGuid("0b1f6471-1bf0-4dda-aec3-cb9272f09590")).toBe(true);
    expect(isGuid("0B1F6471-1BF0-4DDA-AEC3-CB9272F09590")).toBe(false);
    expect(isGuid("0b1f64711bf04ddaaec3cb9272f09590")).toBe(false);
    expect(isGuid("{0b1f6471-1bf0-4dda-aec3-cb9272f09590}")).toBe(false);
  });
});

describe("azureNameOf", () => {
  it("prefers spec.azureName and falls back to metadata.name", () => {
    expect(azureNameOf({ metadata: { name: "mygallery" }, spec: { azureName: "myGallery" } })).toBe(
      "myGallery",
    );
    expect(azureNameOf({ metadata: { name: "mygallery" }, spec: {} })).toBe("mygallery");
  });
});
