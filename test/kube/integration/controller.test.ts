// The generic controller against a real API server, with a small widget reconciler built from the
// runtime's parts (finalizer, status writer, conditions, a related watch), and the manager running two
// replicas of it under leader election.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setCondition } from "../../../src/kube/conditions.js";
import { Controller, type ControllerOptions, type ReconcileOutcome } from "../../../src/kube/controller.js";
import { isNotFound } from "../../../src/kube/errors.js";
import { reconcileWithFinalizer } from "../../../src/kube/finalizer.js";
import { InformerSet } from "../../../src/kube/informer.js";
import { runManager } from "../../../src/kube/manager.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { writeStatus } from "../../../src/kube/status.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { heldThrough } from "../../support/lease.js";
import {
  ensureTestCrds,
  eventually,
  GIZMOS,
  type Gizmo,
  WIDGETS,
  type Widget,
  widget,
} from "../support/widgets.js";

const FINALIZER = "test.azure.dev/cleanup";
const logger = pino({ level: "silent" });

interface Harness {
  controller: Controller<Widget>;
  /** Every reconcile: key, whether the object existed, when. */
  reconciles: Array<{ key: string; exists: boolean; at: number }>;
  outcomes: ReconcileOutcome[];
  cleanedUp: string[];
}

describe("Controller", () => {
  let cluster: TestCluster;
  /** The running test's namespace: each test makes its own (`freshNamespace`). */
  let namespace: string;
  const namespaces: string[] = [];
  let transport: KubeTransport;
  let widgets: ResourceClient<Widget>;
  let gizmos: ResourceClient<Gizmo>;
  const stopAll: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    cluster = await testCluster();
    await ensureTestCrds(cluster);
    transport = new KubeTransport(cluster.kubeConfig);
    widgets = new ResourceClient<Widget>(transport, WIDGETS);
    gizmos = new ResourceClient<Gizmo>(transport, GIZMOS);
  });

  afterAll(async () => {
    await Promise.all(stopAll.map((stop) => stop()));
    for (const ns of namespaces) await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  async function freshNamespace(prefix: string): Promise<string> {
    namespace = await cluster.newNamespace(prefix);
    namespaces.push(namespace);
    return namespace;
  }

  /** A widget controller: finalizer, then status Ready with the spec's size and the gizmo count. */
  function widgetController(ns: string, overrides: Partial<ControllerOptions<Widget>> = {}): Harness {
    const harness: Harness = { reconciles: [], outcomes: [], cleanedUp: [], controller: undefined as never };
    // The reconciler reads gizmos from the cache the controller's own watch of them fills.
    const informers = new InformerSet(transport, { namespace: ns, logger });
    const gizmoStore = informers.informer<Gizmo>(GIZMOS).store;
    const failures = new Map<string, number>();
    harness.controller = new Controller<Widget>({
      resource: WIDGETS,
      transport,
      logger,
      namespace: ns,
      informers,
      concurrency: 2,
      backoff: { baseMs: 200, capMs: 2_000, jitter: 0 },
      watches: [
        {
          resource: GIZMOS,
          mapToKeys: (g: Gizmo) => (g.spec?.widget ? [`${g.metadata.namespace}/${g.spec.widget}`] : []),
        },
      ],
      hooks: { reconciled: (e) => harness.outcomes.push(e.outcome) },
      reconcile: async ({ key, object }) => {
        harness.reconciles.push({ key, exists: Boolean(object), at: Date.now() });
        if (!object) return undefined;
        return reconcileWithFinalizer(widgets, FINALIZER, object, {
          apply: async (w) => {
            // color "flaky-N": fail the first N reconciles, to watch the backoff.
            const flaky = /^flaky-(\d+)$/.exec(w.spec?.color ?? "");
            const failed = failures.get(key) ?? 0;
            if (flaky && failed < Number(flaky[1])) {
              failures.set(key, failed + 1);
              throw new Error(`flaky failure ${failed + 1}`);
            }
            const attached = gizmoStore
              .list()
              .filter(
                (g) => g.metadata.namespace === w.metadata.namespace && g.spec?.widget === w.metadata.name,
              );
            await writeStatus(widgets, w, {
              phase: "Ready",
              size: w.spec?.size,
              gizmos: attached.length,
              conditions: setCondition(
                w.status?.conditions,
                { type: "Ready", status: "True", reason: "Reconciled", message: `size ${w.spec?.size}` },
                new Date(),
              ),
            });
            return undefined;
          },
          cleanup: async () => {
            harness.cleanedUp.push(key);
            return undefined;
          },
        });
      },
      ...overrides,
    });
    stopAll.push(() => harness.controller.stop({ deadlineMs: 5_000 }));
    return harness;
  }

  const statusOf = async (name: string) => (await widgets.get({ namespace, name })).status;

  it("reconciles objects to Ready, and settles: its own status writes do not wake it again", async () => {
    await freshNamespace("kube-controller");
    const h = widgetController(namespace);
    await widgets.create(widget(namespace, "pre", { size: 1 }));
    await h.controller.start();
    await widgets.create(widget(namespace, "new", { size: 2 }));

    for (const name of ["pre", "new"]) {
      const status = await eventually(`${name} Ready`, async () => {
        const s = await statusOf(name);
        return s?.phase === "Ready" ? s : undefined;
      });
      expect(status).toMatchObject({
        observedGeneration: 1,
        conditions: [{ type: "Ready", status: "True" }],
      });
    }
    // Settled: a widget made after both were Ready is reconciled, and its events come after every
    // event of the status writes before it; had those woken "pre" or "new", that was before now.
    const count = h.reconciles.length;
    await widgets.create(widget(namespace, "later"));
    await eventually("later Ready", async () => (await statusOf("later"))?.phase === "Ready");
    expect(h.reconciles.slice(count).filter((r) => r.key !== `${namespace}/later`)).toEqual([]);
    expect(h.reconciles.filter((r) => r.key === `${namespace}/new`).length).toBeLessThanOrEqual(3);

    // A spec change is reconciled and observed.
    await widgets.mergePatch({ namespace, name: "new" }, { spec: { size: 7 } });
    await eventually("generation 2 observed", async () => (await statusOf("new"))?.observedGeneration === 2);
    expect((await statusOf("new"))?.size).toBe(7);
    await h.controller.stop();
  });

  it("wakes an object when a related object pointing at it changes", async () => {
    await freshNamespace("kube-related");
    await widgets.create(widget(namespace, "pre", { size: 1 }));
    const h = widgetController(namespace, { name: "related" });
    await h.controller.start();
    await eventually("pre Ready", async () => (await statusOf("pre"))?.phase === "Ready");
    await gizmos.create({
      apiVersion: "test.azure.dev/v1",
      kind: "Gizmo",
      metadata: { namespace, name: "g1" },
      spec: { widget: "pre" },
    });
    await eventually("gizmo counted", async () => (await statusOf("pre"))?.gizmos === 1);
    await gizmos.delete({ namespace, name: "g1" });
    await eventually("gizmo gone", async () => (await statusOf("pre"))?.gizmos === 0);
    await h.controller.stop();
  });

  it("backs a failing object off exponentially and then reconciles it", async () => {
    await freshNamespace("kube-backoff");
    const h = widgetController(namespace, { name: "backoff" });
    await h.controller.start();
    await widgets.create(widget(namespace, "flaky", { size: 3, color: "flaky-3" }));
    await eventually("flaky Ready", async () => (await statusOf("flaky"))?.phase === "Ready");
    const times = h.reconciles.filter((r) => r.key === `${namespace}/flaky`).map((r) => r.at);
    // Adding the finalizer, three failures, then success: the retries wait 200, 400, 800 ms.
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    const retryGaps = gaps.slice(1, 4);
    expect(retryGaps[0]).toBeGreaterThanOrEqual(190);
    expect(retryGaps[1]).toBeGreaterThanOrEqual(390);
    expect(retryGaps[2]).toBeGreaterThanOrEqual(790);
    expect(h.outcomes.filter((o) => o === "error").length).toBe(3);
    await h.controller.stop();
  });

  it("runs cleanup on deletion, removes the finalizer, and sees the object go", async () => {
    await freshNamespace("kube-deletion");
    const h = widgetController(namespace, { name: "deletion" });
    await h.controller.start();
    await widgets.create(widget(namespace, "doomed"));
    await eventually("doomed Ready", async () => (await statusOf("doomed"))?.phase === "Ready");
    await widgets.delete({ namespace, name: "doomed" });
    await eventually("object gone", async () =>
      isNotFound(await widgets.get({ namespace, name: "doomed" }).catch((e) => e)),
    );
    expect(h.cleanedUp).toContain(`${namespace}/doomed`);
    await eventually("reconciled as gone", () =>
      h.reconciles.some((r) => r.key === `${namespace}/doomed` && !r.exists),
    );
    await h.controller.stop();
  });

  it("under the manager, only the leader reconciles, and a stopped leader hands over", async () => {
    const ns = await freshNamespace("kube-manager");
    await widgets.create(widget(ns, "shared"));
    const replicas = ["replica-1", "replica-2"].map((identity) => {
      const h = widgetController(ns, { name: identity });
      const stop = new AbortController();
      const done = runManager(
        {
          controllers: [h.controller],
          logger,
          shutdownDeadlineMs: 5_000,
          leaderElection: {
            transport,
            namespace: ns,
            name: "widget-controller",
            identity,
            leaseDurationMs: 3_000,
            renewDeadlineMs: 2_000,
            retryPeriodMs: 300,
          },
        },
        stop.signal,
      );
      stopAll.push(async () => {
        stop.abort();
        await done;
      });
      return { identity, h, stop, done };
    });
    const leader = await eventually("one replica reconciled", () =>
      replicas.find((r) => r.h.reconciles.length > 0),
    );
    const follower = replicas.find((r) => r !== leader);
    // The follower tries every retry period (300 ms): the leader holding on through three of them
    // is three chances the follower had, and lost.
    await heldThrough(cluster, ns, "widget-controller", 900, leader.identity);
    expect(follower?.h.reconciles).toEqual([]);

    leader.stop.abort();
    expect(await leader.done).toBe("cancelled");
    const handedOverAt = Date.now();
    await eventually("follower reconciles", () => (follower?.h.reconciles.length ?? 0) > 0);
    expect(Date.now() - handedOverAt).toBeLessThan(3_000);
  });
});
