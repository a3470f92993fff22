// Long-running operations against the simulator with a frozen clock: start without waiting,
// resume from the serialized token in a fresh factory (as a restarted operator would), and never
// send the write twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClientFactory } from "../../src/azure/clients.js";
import { ArmError } from "../../src/azure/errors.js";
import { galleryId, type ImageRef, type VersionRef, versionId } from "../../src/azure/ids.js";
import { type ArmApi, createArmApi } from "../../src/azure/index.js";
import { describeResumeToken, InvalidResumeTokenError, type LroProgress } from "../../src/azure/lro.js";
import type { Simulator } from "../../tools/sim/index.js";
import { startTestSimulator } from "../support/sim.js";
import { appIdentity, SUB_A, SUB_B, simFactory, TENANT_A, TENANT_B } from "./helpers.js";

const rg = { subscriptionId: SUB_A, resourceGroup: "rg" };
const IMAGE_A = `/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.Compute/images/base`;
const IMAGE_B = `/subscriptions/${SUB_B}/resourceGroups/rg-b/providers/Microsoft.Compute/images/partner`;

function tokenOf<T>(progress: LroProgress<T>): string {
  if (progress.done) throw new Error(`expected a running operation, got ${progress.status}`);
  return progress.resumeToken;
}

describe("long-running operations", () => {
  let sim: Simulator;
  const factories: ClientFactory[] = [];

  /** A new factory, as a restarted operator process would build. */
  function freshApi(auxiliaryTenants: string[] = []): ArmApi {
    const factory = simFactory(sim, { retry: { maxRetries: 0 } });
    factories.push(factory);
    return createArmApi(factory.clientsFor(appIdentity(TENANT_A, auxiliaryTenants)));
  }

  async function settle<T>(
    api: ArmApi,
    resume: (api: ArmApi, token: string) => Promise<LroProgress<T>>,
    progress: LroProgress<T>,
    stepMs: number,
  ) {
    let current = progress;
    for (let i = 0; i < 20 && !current.done; i++) {
      sim.advance(stepMs);
      current = await resume(api, current.resumeToken);
    }
    return current;
  }

  async function makeImage(api: ArmApi, ref: ImageRef): Promise<void> {
    const gallery = await api.galleries.put(ref, { location: "westus" });
    await settle(api, (a, t) => a.galleries.resume(ref, t), gallery, 2_000);
    const image = await api.images.put(ref, {
      location: "westus",
      osType: "Linux",
      osState: "Generalized",
      hyperVGeneration: "V2",
      identifier: { publisher: "p", offer: "o", sku: ref.image },
    });
    await settle(api, (a, t) => a.images.resume(ref, t), image, 2_000);
  }

  beforeAll(async () => {
    sim = await startTestSimulator({ clock: "manual", timeScale: 1 });
    sim.seed({
      tenants: [
        { id: TENANT_A, subscriptions: [SUB_A] },
        { id: TENANT_B, subscriptions: [SUB_B] },
      ],
      resourceGroups: [{ ...rg, name: "rg", location: "westus" }],
      sources: [
        { id: IMAGE_A, location: "westus" },
        { id: IMAGE_B, location: "westus" },
      ],
    });
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    for (const f of factories) f.close();
    await sim?.close();
  });

  it("resumes a PUT from its token in a fresh factory and finishes it with exactly one PUT", async () => {
    const ref = { ...rg, gallery: "resumed" };
    const started = await freshApi().galleries.put(ref, { location: "westus", description: "first" });
    expect(started).toMatchObject({ done: false, status: "running" });

    // "Restart": a new factory, new clients, only the token survives.
    const api = freshApi();
    const stillRunning = await api.galleries.resume(ref, tokenOf(started));
    expect(stillRunning.status).toBe("running");

    sim.advance(5_000);
    const finished = await api.galleries.resume(ref, tokenOf(stillRunning));
    expect(finished.status).toBe("succeeded");
    expect(finished.done && finished.status === "succeeded" && finished.result).toMatchObject({
      name: "resumed",
      provisioningState: "Succeeded",
      description: "first",
    });

    const puts = sim
      .requests()
      .filter((r) => r.method === "PUT" && r.path.toLowerCase() === galleryId(ref).toLowerCase());
    expect(puts).toHaveLength(1);
  });

  it("reads the method and URLs out of a token core-lro itself serialized", async () => {
    const ref = { ...rg, gallery: "described" };
    const token = tokenOf(await freshApi().galleries.put(ref, { location: "westus" }));
    const info = describeResumeToken(token);
    expect(info.method).toBe("PUT");
    expect(new URL(info.requestUrl).pathname.toLowerCase()).toBe(galleryId(ref).toLowerCase());
    // The operation URL is the one ARM handed out in azure-asyncoperation: the simulator's own.
    const operationUrl = info.operationUrl ?? "";
    expect(operationUrl.startsWith(sim.endpoint)).toBe(true);
    expect(new URL(operationUrl).pathname).toMatch(/\/capsOperations\/[^/]+$/);
  });

  it("runs the share action to the end although ARM's final answer is an empty body", async () => {
    const api = freshApi();
    const ref = { ...rg, gallery: "shared" };
    const created = await api.galleries.put(ref, {
      location: "westus",
      sharingProfile: { permissions: "Groups" },
    });
    expect((await settle(api, (a, t) => a.galleries.resume(ref, t), created, 2_000)).status).toBe(
      "succeeded",
    );

    const share = await api.galleries.share(ref, {
      operationType: "Add",
      groups: [{ type: "Subscriptions", ids: [SUB_B] }],
    });
    expect(share.status).toBe("running");
    const done = await settle(freshApi(), (a, t) => a.galleries.resume(ref, t), share, 60_000);
    expect(done).toEqual({ done: true, status: "succeeded", result: undefined });

    const gallery = await api.galleries.get(ref, { withPermissions: true });
    expect(gallery?.sharingProfile?.groups).toEqual([{ type: "Subscriptions", ids: [SUB_B] }]);
  });

  it("reports replication progress while a version runs, and its failure as a failed operation", async () => {
    const api = freshApi();
    const image = { ...rg, gallery: "versions", image: "linux" };
    await makeImage(api, image);
    const ref: VersionRef = { ...image, version: "1.0.0" };
    sim.fault({
      kind: "replication",
      version: "versions/1\\.0\\.0$",
      region: "westus",
      atProgress: 40,
      code: "ReplicationFailed",
      details: "disk copy failed",
    });

    const started = await api.versions.put(ref, {
      location: "westus",
      publishingProfile: { targetRegions: [{ name: "westus" }] },
      storageProfile: { source: { id: IMAGE_A } },
    });
    expect(started.status).toBe("running");
    sim.advance(60_000);
    const during = await api.versions.get(ref);
    expect(during?.replicationStatus?.aggregatedState).toBe("InProgress");

    const ended = await settle(api, (a, t) => a.versions.resume(ref, t), started, 120_000);
    expect(ended.status).toBe("failed");
    if (ended.status !== "failed") return;
    expect(ended.error).toBeInstanceOf(ArmError);
    expect(ended.error.code).toBe("ReplicationFailed");
  });

  it("keeps the token valid when a poll request fails, and refuses another resource's token", async () => {
    const api = freshApi();
    const ref = { ...rg, gallery: "flaky" };
    const started = await api.galleries.put(ref, { location: "westus" });
    const token = tokenOf(started);

    sim.fault({
      method: "GET",
      path: "/capsOperations/",
      status: 500,
      body: { error: { code: "InternalServerError", message: "boom" } },
    });
    const failedPoll = await api.galleries.resume(ref, token).catch((e) => e);
    expect(failedPoll).toMatchObject({ kind: "Retryable", status: 500, code: "InternalServerError" });

    sim.advance(5_000);
    expect((await api.galleries.resume(ref, token)).status).toBe("succeeded");

    const other = { ...rg, gallery: "other" };
    await expect(api.galleries.resume(other, token)).rejects.toBeInstanceOf(InvalidResumeTokenError);
    await expect(
      api.versions.resume({ ...other, image: "i", version: "1.0.0" }, token),
    ).rejects.toBeInstanceOf(InvalidResumeTokenError);
  });

  it("deletes without waiting and reads the deleted resource as undefined", async () => {
    const api = freshApi();
    const ref = { ...rg, gallery: "doomed" };
    await settle(
      api,
      (a, t) => a.galleries.resume(ref, t),
      await api.galleries.put(ref, { location: "westus" }),
      2_000,
    );
    const deleting = await api.galleries.delete(ref);
    const deleted = await settle(api, (a, t) => a.galleries.resume(ref, t), deleting, 2_000);
    expect(deleted).toMatchObject({ done: true, status: "succeeded" });
    expect(await api.galleries.get(ref)).toBeUndefined();
  });

  it("builds a version from another tenant's image only with the auxiliary-tenant token", async () => {
    const image = { ...rg, gallery: "crosstenant", image: "linux" };
    await makeImage(freshApi(), image);
    const ref: VersionRef = { ...image, version: "2.0.0" };
    const body = {
      location: "westus",
      publishingProfile: { targetRegions: [{ name: "westus" }] },
      storageProfile: { source: { id: IMAGE_B } },
    };

    const refused = await freshApi()
      .versions.put(ref, body)
      .catch((e) => e);
    expect(refused).toMatchObject({ kind: "Auth", status: 403, code: "LinkedAuthorizationFailed" });

    const before = sim.requests().at(-1)?.seq ?? 0;
    const started = await freshApi([TENANT_B]).versions.put(ref, body);
    expect(started.status).toBe("running");
    const put = sim
      .requests(before)
      .find((r) => r.method === "PUT" && r.path.toLowerCase() === versionId(ref).toLowerCase());
    expect(put?.auxiliaryTenants).toEqual([TENANT_B]);
  });
});
