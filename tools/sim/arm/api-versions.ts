// Which api-versions ARM lets through (docs/arm-behaviour.md#api-versions). ARM's gateway checks
// the parameter before any provider sees the request: a malformed value is 400
// `InvalidApiVersionParameter`; a well-formed one the resource type was never published with is
// 400 `NoRegisteredProviderFound`.
import { ArmError } from "../errors.js";
import { knownRegionNames } from "../regions.js";

/**
 * The GalleryRP api-versions: the stable folders of the REST spec (2018-06-01 to 2025-03-03),
 * 2025-12-03 (what @azure/arm-compute 25 sends) and 2026-03-03 (the newest SDKs, recorded
 * traffic). Newest first, as ARM lists them.
 */
export const GALLERY_API_VERSIONS = [
  "2026-03-03",
  "2025-12-03",
  "2025-03-03",
  "2024-03-03",
  "2023-07-03",
  "2022-08-03",
  "2022-03-03",
  "2022-01-03",
  "2021-10-01",
  "2021-07-01",
  "2020-09-30",
  "2019-12-01",
  "2019-07-01",
  "2019-03-01",
  "2018-06-01",
] as const;

const WELL_FORMED = /^(\d{4})-(\d{2})-(\d{2})(-[A-Za-z]+)?$/;

function isWellFormed(apiVersion: string): boolean {
  const match = WELL_FORMED.exec(apiVersion);
  if (!match) return false;
  const [, year = "", month = "", day = ""] = match;
  const date = new Date(`${year}-${month}-${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(day);
}

/**
 * Checks `apiVersion` for a resource type. `supported` undefined means any well-formed version
 * passes (types whose versions the simulator does not track: resource groups, role assignments,
 * operation status URLs, which echo their originating call's version).
 */
export interface ApiType {
  /** The type as ARM names it in messages ("galleries", "galleries/images"). */
  name: string;
  supported?: readonly string[];
}

export function checkApiVersion(apiVersion: string, type: ApiType | undefined, location: string): void {
  const listed = type?.supported ?? GALLERY_API_VERSIONS;
  if (!isWellFormed(apiVersion)) {
    throw new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${apiVersion}' is invalid. The supported versions are '${listed.join(",")}'.`,
      { origin: "gateway" },
    );
  }
  if (!type?.supported || type.supported.includes(apiVersion)) return;
  throw new ArmError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${type.name}'. The supported api-versions are '${type.supported.join(", ")}'. The supported locations are '${knownRegionNames()
      .map((name) => name.toLowerCase().replace(/ /g, ""))
      .join(", ")}'.`,
    { origin: "gateway" },
  );
}
