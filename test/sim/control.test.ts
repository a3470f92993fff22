// The control API under /_sim/, the in-process helpers that mirror it, persistence across a
// restart, and the `sim` command's ready line.
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runSimCommand } from "../../tools/commands/sim.js";
import type { Simulator } from "../../tools/sim/index.js";
import { armRequest, control, startTestSimulator } from "../support/sim.js";
import { galleryPath, OWNER, put, RG, SUBSCRIPTION, seedWorld, TENANT } from "./world.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ clock: "manual", timeScale: 1 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe("fixtures, state and reset", () => {
  it("seeds tenants, resource groups and sources over HTTP and shows them in state", async () => {
    const seeded = await control(sim, "POST", "fixtures", {
      tenants: [{ id: TENANT, subscriptions: [SUBSCRIPTION] }],
      resourceGroups: [{ subscriptionId: SUBSCRIPTION, name: RG, location: "westus" }],
      sources: [
        {
          id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/images-rg/providers/Microsoft.Compute/snapshots/snap1`,
          location: "eastus",
        },
      ],
    });
    expect(seeded.status).toBe(200);
    const state = (await control<ReturnType<Simulator["state"]>>(sim, "GET", "state")).body;
    expect(state.subscriptions).toEqual([{ id: SUBSCRIPTION, tenantId: TENANT, declared: true }]);
    expect(state.resourceGroups.map((rg) => rg.name).sort()).toEqual([RG, "images-rg"]);
    expect(state.sources[0]).toMatchObject({ kind: "snapshots", location: "eastus", osDiskSizeGB: 30 });
    expect(
      (await control(sim, "POST", "fixtures", { sources: [{ id: "/not/a/source", location: "westus" }] }))
        .status,
    ).toBe(400);
    expect((await control(sim, "POST", "fixtures", "{not json")).status).toBe(400);

    await control(sim, "POST", "reset");
    expect(sim.state().resourceGroups).toEqual([]);
  });

  it("answers 404 for an unknown control route and reports health", async () => {
    expect((await control(sim, "GET", "nope")).status).toBe(404);
    expect((await control(sim, "GET", "health")).body).toEqual({ ok: true });
  });
});

describe("request log and stats", () => {
  it("records method, path, status, bucket, time and caller; counts by method, bucket and status", async () => {
    seedWorld(sim);
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    await armRequest(sim, { path: `${galleryPath("g1")}?api-version=2021-10-01`, identity: OWNER });
    await armRequest(sim, { path: `${galleryPath("nope")}?api-version=2021-10-01`, identity: OWNER });
    const log = (await control<Array<Record<string, unknown>>>(sim, "GET", "requests")).body;
    expect(log.map((r) => [r.method, r.status, r.bucket])).toEqual([
      ["PUT", 201, "CreateUpdateGallery"],
      ["GET", 200, "GetGallery"],
      ["GET", 404, undefined],
    ]);
    expect(log[0]).toMatchObject({
      path: galleryPath("g1"),
      query: "?api-version=2021-10-01",
      subscriptionId: SUBSCRIPTION,
      identity: { tenantId: TENANT, objectId: OWNER.objectId, appId: OWNER.appId },
    });
    expect(String(log[0]?.time)).toMatch(/\+00:00$/);
    expect(sim.requests(Number(log[1]?.seq))).toHaveLength(1);
    expect((await control(sim, "GET", "stats")).body).toEqual({
      total: 3,
      reads: 2,
      writes: 1,
      deletes: 0,
      throttled: 0,
      byMethod: { PUT: 1, GET: 2 },
      byBucket: { CreateUpdateGallery: 1, GetGallery: 1 },
      byStatus: { "201": 1, "200": 1, "404": 1 },
    });
  });
});

describe("faults", () => {
  it("fails the next N matching requests with a given status and body", async () => {
    seedWorld(sim);
    const added = await control<{ id: string }>(sim, "POST", "faults", {
      method: "GET",
      path: "/galleries/g1$",
      count: 2,
      status: 503,
      body: { error: { code: "ServiceUnavailable", message: "try later" } },
      headers: { "retry-after": "3" },
    });
    expect(added.status).toBe(201);
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    const path = `${galleryPath("g1")}?api-version=2021-10-01`;
    for (let i = 0; i < 2; i++) {
      const failed = await armRequest(sim, { path, identity: OWNER });
      expect([failed.status, failed.headers["retry-after"], JSON.parse(failed.body).error.code]).toEqual([
        503,
        "3",
        "ServiceUnavailable",
      ]);
    }
    expect((await armRequest(sim, { path, identity: OWNER })).status).toBe(200);
    expect(sim.requests().filter((r) => r.fault === "respond")).toHaveLength(2);
  });

  it("delays or drops matching requests", async () => {
    seedWorld(sim);
    sim.fault({ kind: "delay", path: "/resourcegroups/", delayMs: 150 });
    const started = Date.now();
    expect(
      (
        await armRequest(sim, {
          path: `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RG}?api-version=2021-04-01`,
          identity: OWNER,
        })
      ).status,
    ).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sim.fault({ kind: "drop", method: "*", path: "/resourcegroups/" });
    await expect(
      armRequest(sim, {
        path: `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RG}?api-version=2021-04-01`,
        identity: OWNER,
      }),
    ).rejects.toThrow();
    expect(sim.requests().at(-1)?.fault).toBe("drop");
    expect((await control<unknown[]>(sim, "GET", "faults")).body).toEqual([]);
  });

  it("fails a region of a version that is already replicating", async () => {
    seedWorld(sim);
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    await put(sim, `${galleryPath("g1", "/images/i1")}?api-version=2021-10-01`, {
      location: "westus",
      properties: {
        osType: "Linux",
        osState: "Generalized",
        identifier: { publisher: "p", offer: "o", sku: "s" },
      },
    });
    await put(sim, `${galleryPath("g1", "/images/i1/versions/1.0.0")}?api-version=2023-07-03`, {
      location: "westus",
      properties: {
        publishingProfile: { targetRegions: [{ name: "westus" }, { name: "northeurope" }] },
        storageProfile: {
          source: {
            id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/images/managedImage1`,
          },
        },
      },
    });
    sim.advance(100_000);
    await control(sim, "POST", "faults", {
      kind: "replication",
      version: "1\\.0\\.0",
      region: "North Europe",
      atProgress: 10,
    });
    const version = sim.state().versions[0];
    expect(version?.replication.find((r) => r.region === "northeurope")?.failAt).toBe(sim.now());
    sim.advance(367_000);
    expect(sim.state().versions[0]?.provisioningState).toBe("Failed");
  });
});

describe("latency per call class", () => {
  it("delays reads but not writes when only reads are slowed", async () => {
    const slow = await startTestSimulator({ latencyMs: { read: 120 } });
    try {
      seedWorld(slow);
      const path = `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RG}?api-version=2021-04-01`;
      let started = Date.now();
      await armRequest(slow, { path, identity: OWNER });
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      started = Date.now();
      await armRequest(slow, { method: "PUT", path, identity: OWNER, body: { location: "westus" } });
      expect(Date.now() - started).toBeLessThan(110);
    } finally {
      await slow.close();
    }
  });
});

describe("clock", () => {
  it("advances virtual time through POST /_sim/clock and completes what became due", async () => {
    seedWorld(sim);
    const before = (await control<{ mode: string; now: string }>(sim, "GET", "clock")).body;
    expect(before.mode).toBe("manual");
    await put(sim, `${galleryPath("g1")}?api-version=2021-10-01`, { location: "westus" });
    expect(sim.state().galleries[0]?.provisioningState).toBe("Creating");
    const after = (await control<{ now: string }>(sim, "POST", "clock", { advanceMs: 1_000 })).body;
    expect(Date.parse(after.now) - Date.parse(before.now)).toBe(1_000);
    expect(sim.state().galleries[0]?.provisioningState).toBe("Succeeded");
    expect((await control(sim, "POST", "clock", { advanceMs: -1 })).status).toBe(400);
  });
});

describe("persistence and certificates", () => {
  it("keeps resources and the CA across a restart with the same state directory", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "sim-state-"));
    try {
      const first = await startTestSimulator({ stateDir });
      seedWorld(first);
      await put(first, `${galleryPath("kept")}?api-version=2021-10-01`, { location: "westus" });
      const ca = first.caPem;
      await first.close();
      const second = await startTestSimulator({ stateDir });
      try {
        expect(second.caPem).toBe(ca);
        expect(second.caFile).toBe(join(stateDir, "tls", "ca.pem"));
        const kept = await armRequest(second, {
          path: `${galleryPath("kept")}?api-version=2021-10-01`,
          identity: OWNER,
        });
        expect(kept.status).toBe(200);
        const server = new X509Certificate(await readFile(join(stateDir, "tls", "server.pem")));
        expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
        expect(server.verify(new X509Certificate(ca).publicKey)).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe("sim command", () => {
  it("prints exactly one ready line and stops when told to", async () => {
    const lines: string[] = [];
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const exit = runSimCommand(["--time-scale", "0.01", "--clock", "manual"], {
      stdout: (t) => lines.push(t),
      stderr: (t) => lines.push(`ERR ${t}`),
      stopped,
    });
    while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines).toHaveLength(1);
    const ready = JSON.parse(lines[0] ?? "") as Record<string, string>;
    expect(Object.keys(ready)).toEqual(["endpoint", "caFile", "identityEndpoint", "identityHeader"]);
    expect(ready.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.caFile).toMatch(/^\/.*ca\.pem$/);
    expect(ready.identityEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/);
    expect(ready.identityHeader).toMatch(/^[0-9a-f]{32}$/);
    stop();
    expect(await exit).toBe(0);
    expect(await runSimCommand(["--port", "x"], { stdout: () => {}, stderr: () => {}, stopped })).toBe(2);
  });
});
