// Rate limits: the Compute RP's per-bucket windows and ARM's subscription token buckets, their
// headers, and a 429 that the SDK retries successfully after `Retry-After`.
import { ComputeManagementClient, type SharingUpdate } from "@azure/arm-compute";
import { afterEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../tools/sim/index.js";
import {
  armRequest,
  FAST_POLL,
  simClientOptions,
  startTestSimulator,
  staticCredential,
} from "../support/sim.js";
import { galleryPath, OWNER, put, RG, SUBSCRIPTION, seedWorld } from "./world.js";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("Compute RP buckets", () => {
  it("reports both windows and answers 429 OperationNotAllowed with Retry-After once a window is full", async () => {
    sim = await startTestSimulator({
      clock: "manual",
      limits: { buckets: { CreateUpdateGallery: { per3Min: 2 } } },
    });
    seedWorld(sim);
    const first = await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    expect(first.headers["x-ms-ratelimit-remaining-resource"]).toBe(
      "Microsoft.Compute/CreateUpdateGallery3Min;1,Microsoft.Compute/CreateUpdateGallery30Min;299",
    );
    await put(sim, `${galleryPath("g2")}?api-version=2021-10-01`, { location: "westus" });
    sim.advance(60_000);
    const refused = await put(sim, `${galleryPath("g3")}?api-version=2021-10-01`, { location: "westus" });
    expect(refused.status).toBe(429);
    // The oldest counted call leaves the 3-minute window 120 s from now.
    expect(refused.headers["retry-after"]).toBe("120");
    expect(refused.headers["x-ms-ratelimit-remaining-resource"]).toBe(
      "Microsoft.Compute/CreateUpdateGallery3Min;0,Microsoft.Compute/CreateUpdateGallery30Min;298",
    );
    const body = JSON.parse(refused.body) as {
      error: { code: string; message: string; details: { code: string; target: string; message: string }[] };
    };
    expect(body.error.code).toBe("OperationNotAllowed");
    expect(body.error.message).toBe(
      "The server rejected the request because too many requests have been received for this subscription.",
    );
    expect(body.error.details[0]).toMatchObject({
      code: "TooManyRequests",
      target: "CreateUpdateGallery3Min",
    });
    expect(JSON.parse(body.error.details[0]?.message ?? "{}")).toMatchObject({
      operationGroup: "CreateUpdateGallery3Min",
      allowedRequestCount: 2,
      measuredRequestCount: 3,
    });
    expect(refused.body).toContain("\r\n  "); // the RP pretty-prints even its 429

    sim.advance(120_000);
    expect(
      (await put(sim, `${galleryPath("g3")}?api-version=2021-10-01`, { location: "westus" })).status,
    ).toBe(201);
  });

  it("counts consumer-view GetGallery calls apart from the owner's gallery GETs", async () => {
    sim = await startTestSimulator({ clock: "manual" });
    seedWorld(sim);
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    for (let i = 0; i < 3; i++)
      await armRequest(sim, { path: `${galleryPath("g1")}?api-version=2021-10-01`, identity: OWNER });
    const consumerView = await armRequest(sim, {
      path: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Compute/locations/westus/sharedGalleries/${SUBSCRIPTION}-G1?api-version=2022-01-03`,
      identity: OWNER,
    });
    expect(consumerView.headers["x-ms-ratelimit-remaining-resource"]).toBe(
      "Microsoft.Compute/GetGallery3Min;349,Microsoft.Compute/GetGallery30Min;2499",
    );
  });

  it("lets the SDK retry a 429 after Retry-After and succeed", async () => {
    // Windows shrunk 120-fold: the 3-minute window lasts 1.5 s.
    sim = await startTestSimulator({
      limits: { windowScale: 1 / 120, buckets: { PostShareGallery: { per3Min: 1 } } },
    });
    seedWorld(sim);
    // Default retry options: the SDK's throttling policy honours Retry-After.
    const client = new ComputeManagementClient(staticCredential(OWNER), SUBSCRIPTION, simClientOptions(sim));
    await client.galleries.createOrUpdate(
      RG,
      "g1",
      { location: "westus", sharingProfile: { permissions: "Groups" } },
      FAST_POLL,
    );
    const update: SharingUpdate = {
      operationType: "Add",
      groups: [{ type: "Subscriptions", ids: [SUBSCRIPTION] }],
    };
    await client.gallerySharingProfile.update(RG, "g1", update, FAST_POLL).submitted();
    const started = Date.now();
    await client.gallerySharingProfile.update(RG, "g1", update, FAST_POLL).submitted();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const shares = sim.requests().filter((r) => r.method === "POST");
    expect(shares.map((r) => r.status)).toEqual([202, 429, 202]);
    expect(shares.every((r) => r.bucket === "PostShareGallery")).toBe(true);
    expect(sim.stats().throttled).toBe(1);
  });
});

describe("ARM subscription buckets", () => {
  it("sends the 2024 header set per method and throttles an empty bucket", async () => {
    sim = await startTestSimulator({
      clock: "manual",
      limits: { subscription: { writes: { capacity: 2, refillPerSecond: 0.5 } } },
    });
    seedWorld(sim);
    const get = await armRequest(sim, {
      path: `${galleryPath("g1")}?api-version=2021-10-01`,
      identity: OWNER,
    });
    expect(get.headers["x-ms-ratelimit-remaining-subscription-global-reads"]).toBe("3749");
    expect(get.headers["x-ms-ratelimit-remaining-subscription-reads"]).toBeUndefined();
    const first = await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    expect(first.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("1");
    expect(first.headers["x-ms-ratelimit-remaining-subscription-global-writes"]).toBe("29");
    const del = await armRequest(sim, {
      method: "DELETE",
      path: `${galleryPath("g1")}?api-version=2021-10-01`,
      identity: OWNER,
    });
    expect(del.headers["x-ms-ratelimit-remaining-subscription-deletes"]).toBe("199");
    expect(del.headers["x-ms-ratelimit-remaining-subscription-global-deletes"]).toBe("2999");
    await put(sim, `${galleryPath("g2")}?api-version=2021-10-01`, { location: "westus" });
    const refused = await put(sim, `${galleryPath("g3")}?api-version=2021-10-01`, { location: "westus" });
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("2");
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "SubscriptionRequestsThrottled" } });
    sim.advance(2_000);
    expect(
      (await put(sim, `${galleryPath("g3")}?api-version=2021-10-01`, { location: "westus" })).status,
    ).toBe(201);
  });
});
