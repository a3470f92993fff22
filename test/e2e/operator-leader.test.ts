// Several replicas with leader election: only the Lease holder reconciles; when it dies without a
// word (SIGKILL) another takes over once the lease expires, and when it is stopped (SIGTERM) it
// releases the lease so the standby takes over at once instead of waiting for the expiry.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heldThrough } from "../support/lease.js";
import {
  galleryManifest,
  type OperatorProcess,
  reconcileLines,
  startOperatorProcess,
} from "../support/operator.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

// The elector's timing (src/kube/leader.ts): a lease lasts 15 s; the leader renews every 2 s.
const LEASE_DURATION_MS = 15_000;
const RETRY_PERIOD_MS = 2_000;

let world: World;
const replicas: OperatorProcess[] = [];

/** One test's election: a namespace its replicas watch and hold their Lease in, and the Lease's name. */
interface Election {
  namespace: string;
  lease: string;
}

async function newElection(prefix: string): Promise<Election> {
  return {
    namespace: await world.cluster.newNamespace(prefix),
    lease: `ago-e2e-${randomBytes(4).toString("hex")}`,
  };
}

function startReplica({ namespace, lease }: Election): OperatorProcess {
  const replica = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: [
      "--namespaces",
      namespace,
      "--leader-elect",
      "true",
      "--lease-namespace",
      namespace,
      "--lease-name",
      lease,
    ],
  });
  replicas.push(replica);
  return replica;
}

const becameLeader =
  ({ lease }: Election) =>
  (l: { msg?: string; lease?: unknown }) =>
    l.msg === "became leader" && l.lease === lease;

/** Reconcile work a replica did at all: syncing caches or reconciling any object. */
function reconcileWork(replica: OperatorProcess) {
  return replica.lines.filter((l) => l.msg === "caches synced; reconciling" || l.msg === "reconciled");
}

async function createReady({ namespace }: Election, name: string) {
  await world.galleries.create(galleryManifest({ ...world, namespace }, name));
  return waitForCondition(world.galleries, namespace, name, { status: "True" });
}

beforeAll(async () => {
  world = await startWorld("e2e-op-leader");
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.kill()));
  await world?.close();
});

describe("leader election", () => {
  it("lets only the leader reconcile; a killed leader is replaced after the lease expires", {
    timeout: 120_000,
  }, async () => {
    const election = await newElection("e2e-leader-kill");
    const first = startReplica(election);
    await first.waitForLine(becameLeader(election));
    await first.waitForLine((l) => l.msg === "caches synced; reconciling");
    const second = startReplica(election);
    await second.waitForLine((l) => l.msg === "operator starting");

    await createReady(election, "gal.leader1");
    // Give the standby time to (wrongly) do anything: the Lease renewed by the leader over two of
    // the standby's acquire attempts.
    await heldThrough(world.cluster, election.namespace, election.lease, 2 * RETRY_PERIOD_MS);
    expect(reconcileLines(first, "gal.leader1").length).toBeGreaterThan(0);
    expect(second.lines.filter(becameLeader(election))).toEqual([]);
    expect(reconcileWork(second)).toEqual([]);

    const killedAt = Date.now();
    await first.kill();
    await second.waitForLine(becameLeader(election), LEASE_DURATION_MS + 15_000);
    const takeoverMs = Date.now() - killedAt;
    // Not before the lease could have expired (the last renewal was at most one retry period
    // before the kill), and not much after.
    expect(takeoverMs).toBeGreaterThanOrEqual(LEASE_DURATION_MS - 2 * RETRY_PERIOD_MS);
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_DURATION_MS + 3 * RETRY_PERIOD_MS + 3_000);

    const ready = await createReady(election, "gal.leader2");
    expect(ready.status?.id).toMatch(/\/galleries\/gal\.leader2$/i);
    expect(reconcileLines(second, "gal.leader2").length).toBeGreaterThan(0);
  });

  it("hands over at once when the leader is stopped with SIGTERM", { timeout: 90_000 }, async () => {
    const election = await newElection("e2e-leader-term");
    const leader = startReplica(election);
    await leader.waitForLine(becameLeader(election));
    const standby = startReplica(election);
    await standby.waitForLine((l) => l.msg === "operator starting");
    // Long enough for the standby to have seen the lease held (it then waits for expiry, 15 s,
    // unless the holder releases it): renewed by the leader over two of its acquire attempts.
    await heldThrough(world.cluster, election.namespace, election.lease, 2 * RETRY_PERIOD_MS);
    expect(reconcileWork(standby)).toEqual([]);

    const stoppedAt = Date.now();
    const exit = await leader.stop();
    expect(exit.code).toBe(0);
    expect(leader.lines.some((l) => l.msg === "released leadership")).toBe(true);
    await standby.waitForLine(becameLeader(election), LEASE_DURATION_MS);
    // A retry period or two, well short of the lease's expiry.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_DURATION_MS - 5_000);

    await createReady(election, "gal.leader3");
    expect(reconcileLines(standby, "gal.leader3").length).toBeGreaterThan(0);
  });
});
