// ClientFactory against the simulator: the extra CA is trusted without NODE_EXTRA_CA_CERTS,
// clients are cached per identity and subscription, ARM errors come back classified, and the
// auxiliary-tenant header goes out when configured.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientFactory } from "../../src/azure/clients.js";
import { ArmError } from "../../src/azure/errors.js";
import { createArmApi } from "../../src/azure/index.js";
import { secret } from "../../src/azure/secret.js";
import { mintToken, type Simulator } from "../../tools/sim/index.js";
import { startTestSimulator } from "../support/sim.js";
import { appIdentity, SUB_A, SUB_B, simFactory, TENANT_A, TENANT_B } from "./helpers.js";

describe("ClientFactory against the ARM simulator", () => {
  let sim: Simulator;
  let factory: ClientFactory;

  beforeAll(async () => {
    sim = await startTestSimulator();
    sim.seed({
      tenants: [
        { id: TENANT_A, subscriptions: [SUB_A] },
        { id: TENANT_B, subscriptions: [SUB_B] },
      ],
      resourceGroups: [{ subscriptionId: SUB_A, name: "rg", location: "westus" }],
    });
    factory = simFactory(sim, { retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    factory?.close();
    await sim?.close();
  });

  it("trusts the simulator's CA from caFile and reads an absent gallery as undefined", async () => {
    const arm = createArmApi(factory.clientsFor(appIdentity(TENANT_A)));
    expect(
      await arm.galleries.get({ subscriptionId: SUB_A, resourceGroup: "rg", gallery: "nothere" }),
    ).toBeUndefined();
  });

  it("fails TLS without the CA", async () => {
    const untrusting = new ClientFactory({ endpoint: sim.endpoint, retry: { maxRetries: 0 } });
    try {
      const arm = createArmApi(untrusting.clientsFor(appIdentity(TENANT_A)));
      const error = await arm.galleries
        .get({ subscriptionId: SUB_A, resourceGroup: "rg", gallery: "g" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ArmError);
      expect(error).toMatchObject({
        kind: "Unknown",
        code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        status: undefined,
      });
    } finally {
      untrusting.close();
    }
  });

  it("gives up on a hung request after requestTimeoutMs, as a Retryable error", async () => {
    const impatient = simFactory(sim, { retry: { maxRetries: 0 }, requestTimeoutMs: 200 });
    try {
      sim.fault({ method: "GET", path: "/galleries/hung$", kind: "delay", delayMs: 3_000 });
      const arm = createArmApi(impatient.clientsFor(appIdentity(TENANT_A)));
      const started = Date.now();
      const error = await arm.galleries
        .get({ subscriptionId: SUB_A, resourceGroup: "rg", gallery: "hung" })
        .catch((e) => e);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(error).toBeInstanceOf(ArmError);
      expect(error.kind).toBe("Retryable");
    } finally {
      impatient.close();
      sim.clearFaults();
    }
  });

  it("caches one client per identity and subscription", () => {
    const identity = appIdentity(TENANT_A);
    expect(factory.compute(identity, SUB_A)).toBe(
      factory.compute(appIdentity(TENANT_A), SUB_A.toUpperCase()),
    );
    expect(factory.compute(identity, SUB_A)).not.toBe(factory.compute(identity, SUB_B));
    expect(factory.compute(identity, SUB_A)).not.toBe(factory.compute(appIdentity(TENANT_B), SUB_A));
    expect(factory.authorization(identity, SUB_A)).toBe(factory.authorization(identity, SUB_A));
  });

  it("replaces an identity's credential and clients when its secret rotates, keeping no old ones", async () => {
    const rotating = simFactory(sim, { retry: { maxRetries: 0 } });
    try {
      const ref = { subscriptionId: SUB_A, resourceGroup: "rg", gallery: "rotated" };
      let previous: unknown;
      for (let rotation = 0; rotation < 20; rotation++) {
        // A new secret value each time (the simulator accepts any token of the tenant).
        const identity = {
          ...appIdentity(TENANT_A),
          token: secret(mintToken({ tid: TENANT_A, oid: `r${rotation}` })),
        };
        const client = rotating.compute(identity, SUB_A);
        expect(client).not.toBe(previous);
        expect(rotating.compute(identity, SUB_A)).toBe(client);
        previous = client;
        // The new credential is the one used: the simulator sees the rotated caller.
        await createArmApi(rotating.clientsFor(identity)).galleries.get(ref);
        expect(sim.requests().at(-1)?.identity?.objectId).toBe(`r${rotation}`);
      }
      expect(rotating.identityCount).toBe(1);
    } finally {
      rotating.close();
    }
  });

  it("classifies ARM's answers: a token from the wrong tenant is Auth, a bad body a UserError", async () => {
    const outsider = createArmApi(factory.clientsFor(appIdentity(TENANT_B)));
    const auth = await outsider.galleries
      .get({ subscriptionId: SUB_A, resourceGroup: "rg", gallery: "g" })
      .catch((e) => e);
    expect(auth).toMatchObject({ kind: "Auth", status: 401 });

    const arm = createArmApi(factory.clientsFor(appIdentity(TENANT_A)));
    const bad = await arm.galleries
      .put(
        { subscriptionId: SUB_A, resourceGroup: "rg", gallery: "bad-name-with-dashes" },
        { location: "westus" },
      )
      .catch((e) => e);
    expect(bad).toBeInstanceOf(ArmError);
    expect(bad.kind).toBe("UserError");
    expect(bad.status).toBe(400);
    expect(bad.code).toMatch(/\w+/);
  });

  it("sends x-ms-authorization-auxiliary with a token per auxiliary tenant", async () => {
    const before = sim.requests().at(-1)?.seq ?? 0;
    const crossTenant = createArmApi(factory.clientsFor(appIdentity(TENANT_A, [TENANT_B])));
    await crossTenant.galleries.get({ subscriptionId: SUB_A, resourceGroup: "rg", gallery: "nothere" });
    const plain = createArmApi(factory.clientsFor(appIdentity(TENANT_A)));
    await plain.galleries.get({ subscriptionId: SUB_A, resourceGroup: "rg", gallery: "nothere" });
    const [withAux, withoutAux] = sim.requests(before);
    expect(withAux?.auxiliaryTenants).toEqual([TENANT_B]);
    expect(withoutAux?.auxiliaryTenants ?? []).toEqual([]);
  });
});
