// Rate limits and retries against the simulator: remaining budgets read from real responses,
// the operator holding itself back before ARM throttles, and 429/5xx answers handled as designed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClientFactoryOptions } from "../../src/azure/clients.js";
import { ArmError } from "../../src/azure/errors.js";
import { type ArmApi, createArmApi } from "../../src/azure/index.js";
import type { ArmRequestEvent } from "../../src/azure/ratelimit.js";
import type { Simulator } from "../../tools/sim/index.js";
import { startTestSimulator } from "../support/sim.js";
import { appIdentity, SUB_A, simFactory, TENANT_A } from "./helpers.js";

const rg = { subscriptionId: SUB_A, resourceGroup: "rg" };

describe("rate limits and retries", () => {
  let sim: Simulator;
  const closers: (() => void)[] = [];

  function api(options: ClientFactoryOptions = {}) {
    const factory = simFactory(sim, { retry: { maxRetries: 0 }, ...options });
    closers.push(() => factory.close());
    return { factory, arm: createArmApi(factory.clientsFor(appIdentity(TENANT_A))) as ArmApi };
  }

  beforeAll(async () => {
    sim = await startTestSimulator({
      limits: { buckets: { CreateUpdateGallery: { per3Min: 5, per30Min: 50 } } },
    });
    sim.seed({
      tenants: [{ id: TENANT_A, subscriptions: [SUB_A] }],
      resourceGroups: [{ ...rg, name: "rg", location: "westus" }],
    });
  });
  afterEach(() => {
    sim.clearFaults();
    sim.reset();
    sim.seed({
      tenants: [{ id: TENANT_A, subscriptions: [SUB_A] }],
      resourceGroups: [{ ...rg, name: "rg", location: "westus" }],
    });
  });
  afterAll(async () => {
    for (const close of closers) close();
    await sim?.close();
  });

  it("knows what ARM says is left after other clients of the subscription spent it", async () => {
    const mine = api();
    const other = api();
    await mine.arm.galleries.put({ ...rg, gallery: "shared" }, { location: "westus" });
    await mine.arm.galleries.get({ ...rg, gallery: "shared" });
    const before = mine.factory.budgets.remaining(SUB_A, "Microsoft.Compute/GetGallery3Min");
    // Another operator (its own process, its own count) reads the same subscription's galleries.
    for (let i = 0; i < 20; i++) await other.arm.galleries.get({ ...rg, gallery: "shared" });
    await mine.arm.galleries.get({ ...rg, gallery: "shared" });
    const after = mine.factory.budgets.remaining(SUB_A, "Microsoft.Compute/GetGallery3Min");
    expect(before?.windowMs).toBe(180_000);
    expect((before?.remaining ?? 0) - (after?.remaining ?? 0)).toBeGreaterThanOrEqual(21);
  });

  it("reads x-ms-ratelimit-remaining-* from real responses and reports every request", async () => {
    const events: ArmRequestEvent[] = [];
    const { factory, arm } = api({ onRequest: (e) => events.push(e) });
    await arm.galleries.put({ ...rg, gallery: "g1" }, { location: "westus" });
    await arm.galleries.get({ ...rg, gallery: "g1" });

    const buckets = Object.fromEntries(factory.budgets.snapshot().map((b) => [b.bucket, b]));
    expect(buckets["Microsoft.Compute/CreateUpdateGallery3Min"]).toMatchObject({
      remaining: 4,
      limit: 5,
      windowMs: 180_000,
    });
    expect(buckets["Microsoft.Compute/CreateUpdateGallery30Min"]).toMatchObject({
      remaining: 49,
      windowMs: 1_800_000,
    });
    expect(buckets["Microsoft.Compute/GetGallery3Min"]?.remaining).toBeGreaterThan(0);
    expect(buckets["subscription-writes"]?.remaining).toBeGreaterThan(0);
    expect(buckets["subscription-global-reads"]?.remaining).toBeGreaterThan(0);

    expect(events.map((e) => [e.method, e.requestClass, e.status, e.outcome])).toEqual([
      ["PUT", "PUT microsoft.compute/galleries/*", 201, "response"],
      ["GET", "GET microsoft.compute/galleries/*", 200, "response"],
    ]);
    expect(events[0]?.buckets).toEqual([
      "Microsoft.Compute/CreateUpdateGallery3Min",
      "Microsoft.Compute/CreateUpdateGallery30Min",
    ]);
    expect(events[0]?.subscriptionId).toBe(SUB_A);
  });

  it("holds writes back at the reserve instead of running into ARM's 429", async () => {
    // CreateUpdateGallery allows 5 per 3 minutes here; the reserve keeps 1 back.
    const { arm } = api({ rateLimit: { maxWaitMs: 1_000 } });
    const results: (string | ArmError)[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(
        await arm.galleries.put({ ...rg, gallery: `burst${i}` }, { location: "westus" }).then(
          (p) => p.status,
          (e: ArmError) => e,
        ),
      );
    }
    expect(results.slice(0, 4)).toEqual(["running", "running", "running", "running"]);
    for (const held of results.slice(4)) {
      expect(held).toBeInstanceOf(ArmError);
      expect(held).toMatchObject({ kind: "Throttled", code: "RateLimitReserve" });
      expect((held as ArmError).retryAfterMs).toBeGreaterThan(1_000);
    }
    expect(sim.stats().throttled).toBe(0);
    expect(sim.requests().filter((r) => r.method === "PUT")).toHaveLength(4);
  });

  it("surfaces a long Retry-After as Throttled without retrying in the worker", async () => {
    const { arm } = api({ retry: { maxRetries: 3 } });
    sim.fault({
      method: "PUT",
      path: "/galleries/slow$",
      status: 429,
      headers: { "retry-after": "30" },
      body: {
        error: {
          code: "OperationNotAllowed",
          message:
            "The server rejected the request because too many requests have been received for this subscription.",
        },
      },
    });
    const error = await arm.galleries.put({ ...rg, gallery: "slow" }, { location: "westus" }).catch((e) => e);
    expect(error).toBeInstanceOf(ArmError);
    expect(error).toMatchObject({
      kind: "Throttled",
      status: 429,
      retryAfterMs: 30_000,
      code: "OperationNotAllowed",
    });
    expect(sim.requests().filter((r) => r.method === "PUT")).toHaveLength(1);
  });

  it("lets the SDK sleep through a short Retry-After and succeed", async () => {
    const { arm } = api({ retry: { maxRetries: 2, retryDelayInMs: 10 } });
    sim.fault({
      method: "GET",
      path: "/galleries/brief$",
      status: 429,
      headers: { "retry-after": "1" },
      body: { error: { code: "TooManyRequests", message: "slow down" } },
    });
    await arm.galleries.put({ ...rg, gallery: "brief" }, { location: "westus" });
    const gallery = await arm.galleries.get({ ...rg, gallery: "brief" });
    expect(gallery?.name).toBe("brief");
    expect(
      sim
        .requests()
        .filter((r) => r.method === "GET")
        .map((r) => r.status),
    ).toEqual([429, 200]);
  });

  it("classifies a 5xx that outlasts the SDK's retries as Retryable", async () => {
    const { arm } = api({ retry: { maxRetries: 1, retryDelayInMs: 10 } });
    sim.fault({
      method: "GET",
      path: "/galleries/",
      status: 503,
      count: -1,
      body: { error: { code: "ServiceUnavailable", message: "try later" } },
    });
    const error = await arm.galleries.get({ ...rg, gallery: "any" }).catch((e) => e);
    expect(error).toMatchObject({ kind: "Retryable", status: 503, code: "ServiceUnavailable" });
    expect(error.transient).toBe(true);
    expect(sim.requests().filter((r) => r.method === "GET")).toHaveLength(2);
  });

  it("classifies a dropped connection as Retryable", async () => {
    const { arm } = api();
    sim.fault({ method: "GET", path: "/galleries/", kind: "drop" });
    const error = await arm.galleries.get({ ...rg, gallery: "any" }).catch((e) => e);
    expect(error).toBeInstanceOf(ArmError);
    expect(error.kind).toBe("Retryable");
    expect(error.status).toBeUndefined();
  });
});
