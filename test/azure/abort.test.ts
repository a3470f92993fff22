// The facades' view on a signal (`ArmApi.abortingOn`), which the driver gives every reconcile and
// a lost lease aborts (docs/runtime.md, "No ARM request after leadership is lost"): real SDK clients
// over HTTPS against the simulator. A write or a poll held on the wire is cut as soon as the
// signal aborts; a request waiting for a retry never leaves; after the abort no facade call sends
// anything. The simulator holds a request with a delay fault, so "on the wire" is a fact the test
// reads from the simulator (the fault used up), not a guess about timing.
import { getEventListeners } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClientFactory, ClientFactoryOptions } from "../../src/azure/clients.js";
import { ArmError } from "../../src/azure/errors.js";
import { galleryId } from "../../src/azure/ids.js";
import { type ArmApi, createArmApi } from "../../src/azure/index.js";
import type { LroProgress } from "../../src/azure/lro.js";
import type { Simulator } from "../../tools/sim/index.js";
import { lastRequestSeq } from "../support/operator.js";
import { faultUsedUp, startTestSimulator } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { appIdentity, SUB_A, simFactory, TENANT_A } from "./helpers.js";

const rg = { subscriptionId: SUB_A, resourceGroup: "rg" };
/** Far longer than any wait below: a request that ends before it was cut. */
const HELD_MS = 30_000;

describe("ARM requests on an aborted signal", () => {
  let sim: Simulator;
  const factories: ClientFactory[] = [];

  function api(options: ClientFactoryOptions = { retry: { maxRetries: 0 } }): ArmApi {
    const factory = simFactory(sim, options);
    factories.push(factory);
    // With list snapshots, so that the resync view reads through a parent's list.
    return createArmApi(factory.clientsFor(appIdentity(TENANT_A)), { listMaxAgeMs: 60_000 });
  }

  /** Holds the next `method` on `path` in the simulator; resolves once it arrived there. */
  function hold(method: string, path: string): { arrived: () => Promise<void> } {
    const { id } = sim.fault({ kind: "delay", method, path, delayMs: HELD_MS });
    return { arrived: () => faultUsedUp(sim, id, `the ${method} to reach the simulator`) };
  }

  /** How the call ended and how long after the abort. */
  async function cutAfterAbort(
    call: Promise<unknown>,
    abort: AbortController,
  ): Promise<{ error: unknown; ms: number }> {
    const abortedAt = Date.now();
    abort.abort(new Error("leadership lost"));
    const error = await call.then(
      () => undefined,
      (err: unknown) => err,
    );
    return { error, ms: Date.now() - abortedAt };
  }

  function running<T>(progress: LroProgress<T>): string {
    if (progress.done) throw new Error(`expected a running operation, got ${progress.status}`);
    return progress.resumeToken;
  }

  beforeAll(async () => {
    sim = await startTestSimulator({ clock: "manual" });
    sim.seed({
      tenants: [{ id: TENANT_A, subscriptions: [SUB_A] }],
      resourceGroups: [{ ...rg, name: "rg", location: "westus" }],
    });
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    for (const f of factories) f.close();
    await sim?.close();
  });

  it("cuts a PUT on the wire at once", async () => {
    const ref = { ...rg, gallery: "cut_put" };
    const held = hold("PUT", `${galleryId(ref)}$`);
    const abort = new AbortController();
    const put = api().abortingOn(abort.signal).galleries.put(ref, { location: "westus" });
    await held.arrived();
    const { error, ms } = await cutAfterAbort(put, abort);
    expect(error).toBeInstanceOf(ArmError);
    expect((error as ArmError).code).toBe("Aborted");
    expect(ms).toBeLessThan(2_000);
  });

  it("cuts an operation's poll on the wire at once", async () => {
    const ref = { ...rg, gallery: "cut_poll" };
    const token = running(await api().galleries.put(ref, { location: "westus" }));
    const held = hold("GET", "/capsOperations/");
    const abort = new AbortController();
    const poll = api().abortingOn(abort.signal).galleries.resume(ref, token);
    await held.arrived();
    const { error, ms } = await cutAfterAbort(poll, abort);
    expect((error as ArmError).code).toBe("Aborted");
    expect(ms).toBeLessThan(2_000);
    // The operation itself is untouched: polled again without the signal, it still runs.
    expect((await api().galleries.resume(ref, token)).status).toBe("running");
  });

  it("sends no retry once aborted during the backoff before it", async () => {
    const ref = { ...rg, gallery: "no_retry" };
    sim.fault({ method: "GET", path: `${galleryId(ref)}$`, status: 503, count: -1 });
    const before = lastRequestSeq(sim);
    const abort = new AbortController();
    // The SDK would retry the 503 after 2 s, 4 s, ...: the abort falls in the first wait.
    const retrying = api({ retry: { maxRetries: 5, retryDelayInMs: 2_000, maxRetryDelayInMs: 8_000 } });
    const read = retrying.abortingOn(abort.signal).galleries.get(ref);
    await waitFor("the first 503", () => sim.requests(before).length > 0, { intervalMs: 20 });
    const { error, ms } = await cutAfterAbort(read, abort);
    expect((error as ArmError).code).toBe("Aborted");
    expect(ms).toBeLessThan(1_000);
    expect(sim.requests(before).map((r) => `${r.method} ${r.status}`)).toEqual(["GET 503"]);
  });

  // The driver's signal is the work queue's, alive as long as the process: a request that left a
  // listener on it behind would hold memory (and its closure) for ever.
  it("leaves no listener on a signal that outlives its requests", async () => {
    const ref = { ...rg, gallery: "long_lived" };
    const abort = new AbortController();
    const view = api().abortingOn(abort.signal);
    let token = running(await view.galleries.put(ref, { location: "westus" }));
    for (let i = 0; i < 20; i++) {
      const progress = await view.galleries.resume(ref, token);
      if (!progress.done) token = progress.resumeToken;
      await view.galleries.get(ref);
      await view.resync().galleries.get(ref);
      await view.roleAssignments.listAtScope(galleryId(ref));
    }
    sim.advance(60_000);
    expect((await view.galleries.resume(ref, token)).status).toBe("succeeded");
    expect(getEventListeners(abort.signal, "abort")).toEqual([]);
  });

  it("sends nothing at all from any facade once the signal has aborted", async () => {
    const ref = { ...rg, gallery: "after_abort", image: "def", version: "1.0.0" };
    const token = running(await api().galleries.put(ref, { location: "westus" }));
    const abort = new AbortController();
    abort.abort(new Error("leadership lost"));
    const view = api().abortingOn(abort.signal);
    const scope = galleryId(ref);
    const before = lastRequestSeq(sim);
    const calls: [string, () => Promise<unknown>][] = [
      ["gallery GET", () => view.galleries.get(ref)],
      ["gallery list (resync view)", () => view.resync().galleries.get(ref)],
      ["gallery PUT", () => view.galleries.put(ref, { location: "westus" })],
      ["gallery DELETE", () => view.galleries.delete(ref)],
      ["share POST", () => view.galleries.share(ref, { operationType: "Reset" })],
      ["operation poll", () => view.galleries.resume(ref, token)],
      ["definition GET", () => view.images.get(ref)],
      ["definition list (resync view)", () => view.resync().images.get(ref)],
      ["definition PUT", () => view.images.put(ref, { location: "westus" })],
      ["definition DELETE", () => view.images.delete(ref)],
      ["version GET", () => view.versions.get(ref)],
      ["version list (resync view)", () => view.resync().versions.get(ref, { replicationStatus: false })],
      ["version PUT", () => view.versions.put(ref, { location: "westus" })],
      ["version DELETE", () => view.versions.delete(ref)],
      ["role assignment list", () => view.roleAssignments.listAtScope(scope)],
      [
        "role assignment PUT",
        () => view.roleAssignments.create(scope, { principalId: TENANT_A, role: "Reader" }),
      ],
      [
        "role assignment DELETE",
        () => view.roleAssignments.delete(scope, "00000000-0000-4000-8000-000000000000"),
      ],
    ];
    for (const [what, call] of calls) {
      const error = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error, what).toBeInstanceOf(ArmError);
      expect((error as ArmError).code, what).toBe("Aborted");
    }
    expect(sim.requests(before)).toEqual([]);
    // The view of the facades before the abort is untouched by it.
    expect(await api().galleries.get(ref)).toMatchObject({ name: "after_abort" });
  });
});
