// A leader that loses its Lease stops talking to ARM at once (docs/runtime.md, "No ARM request
// after leadership is lost"): the ARM request it has on the wire is cut, and it sends no other, well
// within the lease (15 s), after which another replica may lead. The lease is taken away the way
// another replica would take it, by writing another holder into the Lease object; the judge is the
// simulator's request log. The simulator holds the request on the wire with a delay fault
// (far longer than the bound), and its clock is manual, so a started operation keeps running and
// would be polled again and again by a leader that went on. A SIGTERM ends the term too, after a
// drain shorter than the lease: what still runs then is cut the same way before the release.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isConflict, type KubeObject, KubeTransport, ResourceClient } from "../../src/kube/index.js";
import { formatMicroTime } from "../../src/kube/time.js";
import type { RequestRecord } from "../../tools/sim/index.js";
import {
  galleryManifest,
  galleryRequests,
  lastRequestSeq,
  type OperatorProcess,
  startOperatorProcess,
} from "../support/operator.js";
import { faultUsedUp } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World } from "../support/world.js";

// The elector's timing (src/kube/leader.ts): a lease lasts 15 s; the leader renews every 2 s.
const LEASE_DURATION_MS = 15_000;
const RETRY_PERIOD_MS = 2_000;
/**
 * How soon a leader that lost its lease must have stopped: its next renewal (one retry period)
 * finds the other holder; the rest is slack for a loaded machine, still well inside the lease.
 */
const STOPS_WITHIN_MS = RETRY_PERIOD_MS + 6_000;
/** How long the simulator holds the request on the wire: past the lease, so only a cut ends it sooner. */
const HELD_MS = LEASE_DURATION_MS + 5_000;
/** How long a SIGTERM waits for running reconciles (src/kube/manager.ts). */
const DRAIN_MS = 10_000;

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string };
}

let world: World;
let leases: ResourceClient<Lease>;
let leader: OperatorProcess | undefined;

beforeAll(async () => {
  world = await startWorld("e2e-lost-lease", { clock: "manual" });
  leases = new ResourceClient<Lease>(new KubeTransport(world.cluster.kubeConfig), {
    group: "coordination.k8s.io",
    version: "v1",
    plural: "leases",
    kind: "Lease",
    namespaced: true,
  });
}, 120_000);

afterEach(async () => {
  await leader?.kill();
  leader = undefined;
});

afterAll(async () => {
  await world?.close();
});

/** An operator leading on its own Lease in a namespace of its own; resolves once it reconciles. */
async function startLeader(namespace: string): Promise<OperatorProcess> {
  const replica = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", namespace, "--leader-elect", "true", "--lease-namespace", namespace],
  });
  leader = replica;
  await replica.waitForLine((l) => l.msg === "became leader", 60_000);
  await replica.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `Gallery@${namespace}`,
  );
  return replica;
}

/**
 * Writes `holder` into the namespace's Lease: another replica's name, as a replica taking it over
 * would, or "" as a leader releasing it would.
 */
async function handLease(namespace: string, holder: string): Promise<void> {
  await waitFor(
    "the Lease to change hands",
    async () => {
      const [lease] = (await leases.list({ namespace })).items;
      if (!lease) return undefined;
      const now = formatMicroTime(new Date());
      try {
        await leases.replace({
          ...lease,
          spec: { ...lease.spec, holderIdentity: holder, acquireTime: now, renewTime: now },
        });
        return true;
      } catch (err) {
        // The leader renewed in between: read it again.
        if (isConflict(err)) return undefined;
        throw err;
      }
    },
    { intervalMs: 50 },
  );
}

/** Holds the next `method` on a path matching `path` in the simulator; resolves once it arrived. */
async function holdOnTheWire(method: string, path: string, act: () => Promise<unknown>): Promise<void> {
  const { id } = world.sim.fault({ kind: "delay", method, path, delayMs: HELD_MS });
  await act();
  await faultUsedUp(world.sim, id, `the ${method} to reach the simulator`);
}

/**
 * Ends `replica`'s leadership with `end` while its request is held, and returns what the simulator
 * got from then on, once the held request is answered, and how soon the replica stopped.
 */
async function endWhileHeld(
  replica: OperatorProcess,
  end: () => Promise<unknown>,
): Promise<{ after: RequestRecord[]; stoppedWithinMs: number; code: number | null }> {
  const seq = lastRequestSeq(world.sim);
  const endedAt = Date.now();
  await end();
  const exit = await replica.exited;
  const stoppedWithinMs = Date.now() - endedAt;
  // The held request is logged when the simulator answers it, cut or not.
  await waitFor(
    "the held request to be answered",
    () => world.sim.requests(seq).some((r) => r.fault === "delay"),
    {
      timeoutMs: HELD_MS + 30_000,
      intervalMs: 200,
    },
  );
  return { after: world.sim.requests(seq), stoppedWithinMs, code: exit.code };
}

describe("a leader whose term ends", () => {
  it("on a lost lease, cuts the PUT it has on the wire and sends nothing more", {
    timeout: 120_000,
  }, async () => {
    const namespace = await world.cluster.newNamespace("lost-put");
    const replica = await startLeader(namespace);
    const gallery = galleryManifest({ ...world, namespace }, "gal.lost.put");
    await holdOnTheWire("PUT", "/galleries/gal\\.lost\\.put$", () => world.galleries.create(gallery));

    const { after, stoppedWithinMs, code } = await endWhileHeld(replica, () =>
      handLease(namespace, "another-replica"),
    );
    // Lost leadership exits non-zero (the pod restarts), at its next renewal: long before the lease
    // would let another replica lead, and long before the held PUT was answered.
    expect(code).toBe(1);
    expect(stoppedWithinMs).toBeLessThan(STOPS_WITHIN_MS);
    expect(after.map((r) => `${r.method} ${r.fault ?? ""}`)).toEqual(["PUT delay"]);

    // The cut PUT may have reached ARM (here it did): its intent stays in status, unanswered, and
    // the old leader wrote nothing after the loss (Ready still says Provisioning).
    const left = await world.galleries.get({ namespace, name: "gal.lost.put" });
    expect(left.status?.operation).toMatchObject({ action: "CreateOrUpdate" });
    expect(left.status?.operation?.acceptedAt).toBeUndefined();
    expect(left.metadata.annotations?.["gallery.azure.dev/operation-accepted"]).toBeUndefined();
    expect(conditionOf(left)?.reason).toBe("Provisioning");
    // The next leader decides from Azure: it finds the gallery the cut PUT made and sends no other.
    await handLease(namespace, "");
    await startLeader(namespace);
    await waitFor(
      "the Gallery to be Ready under the next leader",
      async () => {
        world.sim.advance(10_000);
        const obj = await world.galleries.get({ namespace, name: "gal.lost.put" });
        return conditionOf(obj)?.status === "True" && !obj.status?.operation ? obj : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(galleryRequests({ ...world }, "gal.lost.put", { writes: true }).map((r) => r.method)).toEqual([
      "PUT",
    ]);
  });

  it("on a lost lease, cuts the operation poll it has on the wire and polls no more", {
    timeout: 120_000,
  }, async () => {
    const namespace = await world.cluster.newNamespace("lost-poll");
    const replica = await startLeader(namespace);
    await world.galleries.create(galleryManifest({ ...world, namespace }, "gal.lost.poll"));
    // The clock stands still: the PUT's operation runs until the test moves it, and is polled
    // every 200 ms (the test operator's --poll-interval) meanwhile.
    await waitFor("the PUT's operation to be saved", async () => {
      const obj = await world.galleries.get({ namespace, name: "gal.lost.poll" });
      return obj.status?.operation?.acceptedAt ? obj : undefined;
    });
    await holdOnTheWire("GET", "/capsOperations/", async () => {});

    const { after, stoppedWithinMs, code } = await endWhileHeld(replica, () =>
      handLease(namespace, "another-replica"),
    );
    expect(code).toBe(1);
    expect(stoppedWithinMs).toBeLessThan(STOPS_WITHIN_MS);
    expect(after.map((r) => `${r.method} ${r.fault ?? ""}`)).toEqual(["GET delay"]);
    expect(after[0]?.path).toMatch(/\/capsOperations\//);
  });

  it("on SIGTERM, cuts the PUT still on the wire when the drain ends, then releases the lease", {
    timeout: 120_000,
  }, async () => {
    const namespace = await world.cluster.newNamespace("stop-put");
    const replica = await startLeader(namespace);
    const gallery = galleryManifest({ ...world, namespace }, "gal.stop.put");
    await holdOnTheWire("PUT", "/galleries/gal\\.stop\\.put$", () => world.galleries.create(gallery));

    const { after, stoppedWithinMs, code } = await endWhileHeld(replica, async () =>
      replica.child.kill("SIGTERM"),
    );
    // The drain waits for the running reconcile, then cuts its PUT: the lease is released before
    // it could have expired, and long before the held PUT was answered.
    expect(code).toBe(0);
    expect(stoppedWithinMs).toBeLessThan(DRAIN_MS + 4_000);
    expect(after.map((r) => `${r.method} ${r.fault ?? ""}`)).toEqual(["PUT delay"]);
    const [lease] = (await leases.list({ namespace })).items;
    expect(lease?.spec?.holderIdentity).toBe("");
  });
});
