import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import {
  parseRateLimitHeaders,
  parseResourceRemaining,
  subscriptionBucketsFor,
  windowOf,
} from "../../../src/azure/ratelimit-headers.js";

describe("x-ms-ratelimit-remaining-* parsing", () => {
  it("parses the Compute RP resource header (docs/arm-behaviour.md#rate-limits)", () => {
    expect(
      parseResourceRemaining(
        "Microsoft.Compute/CreateUpdateGallery3Min;49,Microsoft.Compute/CreateUpdateGallery30Min;299",
      ),
    ).toEqual([
      { bucket: "Microsoft.Compute/CreateUpdateGallery3Min", remaining: 49, windowMs: 180_000 },
      { bucket: "Microsoft.Compute/CreateUpdateGallery30Min", remaining: 299, windowMs: 1_800_000 },
    ]);
  });

  it("skips malformed entries and defaults unknown windows", () => {
    expect(
      parseResourceRemaining("garbage,Microsoft.Compute/X;abc, Microsoft.Compute/LowCostGet;5 ", 42),
    ).toEqual([{ bucket: "Microsoft.Compute/LowCostGet", remaining: 5, windowMs: 42 }]);
    expect(parseResourceRemaining(undefined)).toEqual([]);
  });

  it("reads window lengths from bucket names", () => {
    expect(windowOf("Microsoft.Compute/PostShareGallery3Min")).toBe(180_000);
    expect(windowOf("Microsoft.Compute/GetOperationStatus30Min")).toBe(1_800_000);
    expect(windowOf("Microsoft.Compute/GetImagesSubscriptionMaximum")).toBeUndefined();
  });

  it("reads ARM's subscription and global counters next to the resource buckets", () => {
    const headers = createHttpHeaders({
      "x-ms-ratelimit-remaining-resource":
        "Microsoft.Compute/PostShareGallery3Min;9,Microsoft.Compute/PostShareGallery30Min;59",
      "x-ms-ratelimit-remaining-subscription-writes": "199",
      "x-ms-ratelimit-remaining-subscription-global-writes": "2999",
    });
    expect(parseRateLimitHeaders(headers, 60_000)).toEqual([
      { bucket: "Microsoft.Compute/PostShareGallery3Min", remaining: 9, windowMs: 180_000 },
      { bucket: "Microsoft.Compute/PostShareGallery30Min", remaining: 59, windowMs: 1_800_000 },
      { bucket: "subscription-writes", remaining: 199, windowMs: 60_000 },
      { bucket: "subscription-global-writes", remaining: 2999, windowMs: 60_000 },
    ]);
  });

  it("knows which subscription buckets a method spends", () => {
    expect(subscriptionBucketsFor("get")).toEqual(["subscription-reads", "subscription-global-reads"]);
    expect(subscriptionBucketsFor("PUT")).toEqual(["subscription-writes", "subscription-global-writes"]);
    expect(subscriptionBucketsFor("POST")).toEqual(["subscription-writes", "subscription-global-writes"]);
    expect(subscriptionBucketsFor("DELETE")).toEqual(["subscription-deletes", "subscription-global-deletes"]);
  });
});
