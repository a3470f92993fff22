import { describe, expect, it } from "vitest";
import {
  galleryId,
  InvalidArmIdError,
  imageId,
  parseArmId,
  parseGalleryId,
  parseImageId,
  parseRoleAssignmentId,
  parseVersionId,
  roleAssignmentId,
  roleDefinitionId,
  sameArmId,
  versionId,
} from "../../../src/azure/ids.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const version = {
  subscriptionId: SUB,
  resourceGroup: "clitest.rg000001",
  gallery: "gallery_1",
  image: "image1",
  version: "1.1.2",
};

describe("ARM ids", () => {
  it("builds gallery, image and version ids in ARM's spelling", () => {
    expect(galleryId(version)).toBe(
      `/subscriptions/${SUB}/resourceGroups/clitest.rg000001/providers/Microsoft.Compute/galleries/gallery_1`,
    );
    expect(imageId(version)).toBe(`${galleryId(version)}/images/image1`);
    expect(versionId(version)).toBe(`${galleryId(version)}/images/image1/versions/1.1.2`);
  });

  it("parses what it builds", () => {
    expect(parseGalleryId(galleryId(version))).toEqual({
      subscriptionId: SUB,
      resourceGroup: "clitest.rg000001",
      gallery: "gallery_1",
    });
    expect(parseImageId(imageId(version))).toEqual({
      ...parseGalleryId(galleryId(version)),
      image: "image1",
    });
    expect(parseVersionId(versionId(version))).toEqual(version);
  });

  it("parses ids whatever the case of their keywords (list results upper-case the group)", () => {
    const listed = `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/CLITEST.RG000001/providers/microsoft.compute/Galleries/GALLERY_1`;
    expect(parseGalleryId(listed)).toEqual({
      subscriptionId: SUB,
      resourceGroup: "CLITEST.RG000001",
      gallery: "GALLERY_1",
    });
    expect(sameArmId(listed, galleryId(version))).toBe(true);
    expect(sameArmId(`${galleryId(version)}/`, galleryId(version))).toBe(true);
    expect(sameArmId(galleryId(version), imageId(version))).toBe(false);
  });

  it("rejects ids of the wrong shape with InvalidArmIdError", () => {
    expect(() => parseGalleryId(imageId(version))).toThrow(InvalidArmIdError);
    expect(() => parseImageId(galleryId(version))).toThrow(/not an image definition id/);
    expect(() => parseVersionId("galleries/x")).toThrow(InvalidArmIdError);
    expect(() =>
      parseGalleryId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/galleries/g`),
    ).toThrow(InvalidArmIdError);
  });

  it("round-trips role assignment ids on any scope", () => {
    const scope = galleryId(version);
    const id = roleAssignmentId({ scope, name: "7f1d8d7e-1111-4e5f-9a53-000000000001" });
    expect(id).toBe(
      `${scope}/providers/Microsoft.Authorization/roleAssignments/7f1d8d7e-1111-4e5f-9a53-000000000001`,
    );
    expect(parseRoleAssignmentId(id)).toEqual({ scope, name: "7f1d8d7e-1111-4e5f-9a53-000000000001" });
    expect(() => parseRoleAssignmentId(scope)).toThrow(InvalidArmIdError);
    expect(roleDefinitionId(SUB, "acdd72a7-3385-48ef-bd42-f606fba81ae7")).toBe(
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
    );
  });

  it("splits any id into scope, provider and type/name pairs", () => {
    const parsed = parseArmId(`${galleryId(version)}/share`);
    expect(parsed.provider).toBe("Microsoft.Compute");
    expect(parsed.segments).toEqual([
      { type: "galleries", name: "gallery_1" },
      { type: "share", name: "" },
    ]);
    expect(parseArmId(`/subscriptions/${SUB}`)).toMatchObject({ subscriptionId: SUB, segments: [] });
  });

  it("encodes names that need it and decodes them back", () => {
    const odd = { ...version, resourceGroup: "rg with space" };
    expect(galleryId(odd)).toContain("/resourceGroups/rg%20with%20space/");
    expect(parseGalleryId(galleryId(odd)).resourceGroup).toBe("rg with space");
  });
});
