// The policy alone, with a stand-in for the rest of the pipeline (the wire is tested against the
// simulator in test/azure/*.test.ts).
import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { BudgetTracker } from "../../../src/azure/budget.js";
import { ArmError } from "../../../src/azure/errors.js";
import {
  type ArmRequestEvent,
  heldBack,
  rateLimitPolicy,
  requestClassOf,
  subscriptionOf,
} from "../../../src/azure/ratelimit.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const SHARE_URL = `https://management.azure.com/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/share?api-version=2025-12-03`;

function respond(status: number, headers: Record<string, string>, body?: unknown) {
  return async (request: PipelineRequest): Promise<PipelineResponse> => ({
    request,
    status,
    headers: createHttpHeaders(headers),
    ...(body === undefined ? {} : { bodyAsText: JSON.stringify(body) }),
  });
}

describe("request classes", () => {
  it("name the resource types, not the resources", () => {
    expect(requestClassOf("post", new URL(SHARE_URL).pathname)).toBe(
      "POST microsoft.compute/galleries/*/share",
    );
    expect(
      requestClassOf(
        "GET",
        `/subscriptions/${SUB}/resourceGroups/RG/providers/Microsoft.Compute/galleries/G1/images/i/versions/1.0.0`,
      ),
    ).toBe("GET microsoft.compute/galleries/*/images/*/versions/*");
    expect(
      requestClassOf(
        "GET",
        `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/capsOperations/abc`,
      ),
    ).toBe("GET microsoft.compute/locations/*/capsoperations/*");
    expect(
      requestClassOf(
        "PUT",
        `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/providers/Microsoft.Authorization/roleAssignments/x`,
      ),
    ).toBe("PUT microsoft.authorization/roleassignments/*");
  });

  it("find the subscription anywhere in the path", () => {
    expect(subscriptionOf(`/arm/subscriptions/${SUB.toUpperCase()}/resourceGroups/x`)).toBe(SUB);
    expect(subscriptionOf("/providers/Microsoft.Compute/operations")).toBe("");
  });
});

describe("rateLimitPolicy", () => {
  it("records remaining budgets and reports each attempt", async () => {
    const tracker = new BudgetTracker();
    const events: ArmRequestEvent[] = [];
    const policy = rateLimitPolicy({ tracker, onRequest: (e) => events.push(e) });
    const response = await policy.sendRequest(
      createPipelineRequest({ url: SHARE_URL, method: "POST" }),
      respond(202, {
        "x-ms-ratelimit-remaining-resource":
          "Microsoft.Compute/PostShareGallery3Min;9,Microsoft.Compute/PostShareGallery30Min;59",
        "x-ms-ratelimit-remaining-subscription-writes": "199",
      }),
    );
    expect(response.status).toBe(202);
    expect(tracker.snapshot().map((b) => [b.bucket, b.remaining])).toEqual([
      ["Microsoft.Compute/PostShareGallery3Min", 9],
      ["Microsoft.Compute/PostShareGallery30Min", 59],
      ["subscription-writes", 199],
    ]);
    expect(events).toEqual([
      expect.objectContaining({
        subscriptionId: SUB,
        method: "POST",
        requestClass: "POST microsoft.compute/galleries/*/share",
        buckets: ["Microsoft.Compute/PostShareGallery3Min", "Microsoft.Compute/PostShareGallery30Min"],
        status: 202,
        outcome: "response",
        delayedMs: 0,
      }),
    ]);
  });

  it("shrinks every bucket's window by windowScale (a simulator on a faster clock)", async () => {
    const tracker = new BudgetTracker();
    const policy = rateLimitPolicy({ tracker, windowScale: 0.1 });
    await policy.sendRequest(
      createPipelineRequest({ url: SHARE_URL, method: "POST" }),
      respond(202, {
        "x-ms-ratelimit-remaining-resource":
          "Microsoft.Compute/PostShareGallery3Min;9,Microsoft.Compute/PostShareGallery30Min;59",
        "x-ms-ratelimit-remaining-subscription-writes": "199",
      }),
    );
    expect(tracker.snapshot().map((b) => [b.bucket, b.windowMs])).toEqual([
      ["Microsoft.Compute/PostShareGallery3Min", 18_000],
      ["Microsoft.Compute/PostShareGallery30Min", 180_000],
      ["subscription-writes", 2_000],
    ]);
  });

  it("holds a request back without sending it when the wait is too long for a worker", async () => {
    const tracker = new BudgetTracker();
    const events: ArmRequestEvent[] = [];
    const policy = rateLimitPolicy({ tracker, maxWaitMs: 1000, onRequest: (e) => events.push(e) });
    const exhausted = respond(202, {
      "x-ms-ratelimit-remaining-resource":
        "Microsoft.Compute/PostShareGallery3Min;0,Microsoft.Compute/PostShareGallery30Min;50",
    });
    await policy.sendRequest(createPipelineRequest({ url: SHARE_URL, method: "POST" }), exhausted);
    let sent = false;
    const error = await policy
      .sendRequest(createPipelineRequest({ url: SHARE_URL, method: "POST" }), async (r) => {
        sent = true;
        return exhausted(r);
      })
      .catch((e: unknown) => e);
    expect(sent).toBe(false);
    expect(error).toBeInstanceOf(ArmError);
    expect(error).toMatchObject({
      kind: "Throttled",
      code: "RateLimitReserve",
      target: "Microsoft.Compute/PostShareGallery3Min",
    });
    expect((error as ArmError).retryAfterMs).toBeGreaterThan(1000);
    expect(events.at(-1)).toMatchObject({ outcome: "heldBack" });
  });

  it("answers before sending whether a request would be held back, taking its turn only then", async () => {
    const tracker = new BudgetTracker();
    const events: ArmRequestEvent[] = [];
    const policy = rateLimitPolicy({ tracker, maxWaitMs: 1000 });
    const path = new URL(SHARE_URL).pathname;
    const budget = (left: number) =>
      respond(202, {
        "x-ms-ratelimit-remaining-resource": `Microsoft.Compute/PostShareGallery3Min;${left},Microsoft.Compute/PostShareGallery30Min;50`,
      });
    await policy.sendRequest(createPipelineRequest({ url: SHARE_URL, method: "POST" }), budget(5));
    // Room: nothing taken, so asking twice and then sending still finds room.
    expect(heldBack(tracker, "post", path, 1000, (e) => events.push(e))).toBeUndefined();
    expect(heldBack(tracker, "POST", path, 1000, (e) => events.push(e))).toBeUndefined();
    expect(events).toEqual([]);
    await policy.sendRequest(createPipelineRequest({ url: SHARE_URL, method: "POST" }), budget(0));
    // At the reserve: the error the request would fail with, reported, each caller a later turn.
    const first = heldBack(tracker, "POST", path, 1000, (e) => events.push(e));
    const second = heldBack(tracker, "POST", path, 1000, (e) => events.push(e));
    expect(first).toMatchObject({
      kind: "Throttled",
      code: "RateLimitReserve",
      target: "Microsoft.Compute/PostShareGallery3Min",
    });
    expect(second?.retryAfterMs).toBeGreaterThan(first?.retryAfterMs ?? Number.POSITIVE_INFINITY);
    expect(events.map((e) => e.outcome)).toEqual(["heldBack", "heldBack"]);
    // Another subscription's buckets are its own.
    expect(
      heldBack(tracker, "POST", path.replace(SUB, "99999999-9999-9999-9999-999999999999"), 1000),
    ).toBeUndefined();
  });

  it("passes a short 429 to the SDK's retry and turns a long one into Throttled", async () => {
    const tracker = new BudgetTracker();
    const policy = rateLimitPolicy({ tracker, maxWaitMs: 2000 });
    const body = {
      error: {
        code: "OperationNotAllowed",
        message: "too many",
        details: [{ code: "TooManyRequests", target: "PostShareGallery3Min", message: "" }],
      },
    };
    const short = await policy.sendRequest(
      createPipelineRequest({ url: SHARE_URL, method: "POST" }),
      respond(429, { "retry-after": "1" }, body),
    );
    expect(short.status).toBe(429);
    const otherSub = SHARE_URL.replace(SUB, "99999999-9999-9999-9999-999999999999");
    const error = await policy
      .sendRequest(
        createPipelineRequest({ url: otherSub, method: "POST" }),
        respond(429, { "retry-after": "40" }, body),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArmError);
    expect(error).toMatchObject({
      kind: "Throttled",
      code: "OperationNotAllowed",
      status: 429,
      retryAfterMs: 40_000,
    });
    // The bucket stays blocked for the Retry-After, so the next write is held back locally.
    const next = await policy
      .sendRequest(createPipelineRequest({ url: otherSub, method: "POST" }), respond(202, {}))
      .catch((e: unknown) => e);
    expect(next).toMatchObject({ kind: "Throttled", code: "RateLimitReserve" });
  });
});
