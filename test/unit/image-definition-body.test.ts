// The ImageDefinition body and diff: what a PUT sends, and which differences cost one.
import type { GalleryImage } from "@azure/arm-compute";
import { describe, expect, it } from "vitest";
import type { ImageDefinitionSpec } from "../../src/api/index.js";
import {
  desiredImageBody,
  imageDifferences,
  immutableImageDifferences,
} from "../../src/reconcilers/image-definition/body.js";

function spec(extra: Partial<ImageDefinitionSpec> = {}): ImageDefinitionSpec {
  return {
    galleryRef: { name: "gal" },
    osType: "Linux",
    osState: "Generalized",
    hyperVGeneration: "V1",
    architecture: "x64",
    identifier: { publisher: "publisher1", offer: "offer1", sku: "sku1" },
    deletionPolicy: "Delete",
    ...extra,
  };
}

/** The definition as ARM returns it after a PUT of `body` (docs/arm-behaviour.md#image-definition: architecture filled in). */
function echoed(body: GalleryImage): GalleryImage {
  return {
    ...structuredClone(body),
    architecture: body.architecture ?? "x64",
    provisioningState: "Succeeded",
  };
}

describe("desiredImageBody", () => {
  it("sends the request of the recordings: the gallery's location, empty tags, the identity fields", () => {
    expect(desiredImageBody(spec(), "westus")).toEqual({
      location: "westus",
      tags: {},
      osType: "Linux",
      osState: "Generalized",
      hyperVGeneration: "V1",
      architecture: "x64",
      identifier: { publisher: "publisher1", offer: "offer1", sku: "sku1" },
    });
  });

  it("adds the optional fields only when the spec sets them", () => {
    const optional = {
      description: "d",
      eula: "e",
      privacyStatementUri: "https://p",
      releaseNoteUri: "https://r",
      recommended: { vCPUs: { min: 2, max: 8 } },
      features: [{ name: "SecurityType", value: "TrustedLaunch" }],
    };
    const body = desiredImageBody(spec({ ...optional, endOfLifeDate: "2030-01-01T00:00:00Z" }), "eastus");
    expect(body).toMatchObject(optional);
    expect(body.endOfLifeDate?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
  });
});

describe("imageDifferences", () => {
  it("finds nothing to write when Azure holds what the spec asks (ARM's spellings included)", () => {
    const s = spec({
      description: "d",
      endOfLifeDate: "2030-01-01T00:00:00Z",
      features: [
        { name: "A", value: "1" },
        { name: "B", value: "2" },
      ],
      recommended: { memory: { min: 4 } },
    });
    const actual = echoed(desiredImageBody(s, "westus"));
    actual.features = [...(actual.features ?? [])].reverse();
    expect(imageDifferences(s, actual)).toEqual([]);
  });

  it("names each updatable field that differs", () => {
    const actual = echoed(desiredImageBody(spec(), "westus"));
    const changed = spec({
      description: "new",
      eula: "eula",
      privacyStatementUri: "https://p",
      releaseNoteUri: "https://r",
      endOfLifeDate: "2031-01-01T00:00:00Z",
      recommended: { vCPUs: { max: 4 } },
      features: [{ name: "IsAcceleratedNetworkSupported", value: "True" }],
    });
    expect(imageDifferences(changed, actual)).toEqual([
      "description",
      "eula",
      "privacyStatementUri",
      "releaseNoteUri",
      "endOfLifeDate",
      "recommended",
      "features",
    ]);
  });

  it("sees a changed feature value and a cleared description", () => {
    const s = spec({ description: "d", features: [{ name: "A", value: "1" }] });
    const actual = echoed(desiredImageBody(s, "westus"));
    expect(
      imageDifferences(spec({ description: "d", features: [{ name: "A", value: "2" }] }), actual),
    ).toEqual(["features"]);
    expect(imageDifferences(spec({ features: [{ name: "A", value: "1" }] }), actual)).toEqual([
      "description",
    ]);
  });
});

describe("immutableImageDifferences", () => {
  it("is empty for the definition the spec made, whatever case ARM answers in", () => {
    const actual = echoed(desiredImageBody(spec(), "westus"));
    actual.osType = "linux" as GalleryImage["osType"];
    expect(immutableImageDifferences(spec(), actual)).toEqual([]);
  });

  it("names what a definition made elsewhere has differently", () => {
    const actual = echoed(desiredImageBody(spec({ osType: "Windows", architecture: "Arm64" }), "westus"));
    expect(immutableImageDifferences(spec(), actual)).toEqual([
      "osType is Windows in Azure, Linux in the spec",
      "architecture is Arm64 in Azure, x64 in the spec",
    ]);
  });
});
