// Reading the common parts of ARM PUT bodies: location (checked the way the ARM gateway checks
// it) and tags.
import { ArmError, locationNotAvailable } from "../errors.js";
import { isObject, type JsonObject } from "../json.js";
import { isKnownRegion, knownRegionNames } from "../regions.js";

/** The body's `location`, which must name a known region. */
export function requireLocation(body: JsonObject, resourceType: string): string {
  const location = body.location;
  if (typeof location !== "string" || location.trim() === "") {
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.", {
      origin: "gateway",
    });
  }
  if (!isKnownRegion(location)) throw locationNotAvailable(location, resourceType, knownRegionNames());
  return location;
}

/** `tags` as sent, or undefined when the body had none (then none are echoed). */
export function readTags(body: JsonObject): Record<string, string> | undefined {
  if (!isObject(body.tags)) return undefined;
  return Object.fromEntries(Object.entries(body.tags).map(([key, value]) => [key, String(value)]));
}

/** The `properties` object, or an empty one. */
export function readProperties(body: JsonObject): JsonObject {
  return isObject(body.properties) ? body.properties : {};
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
