// The running operator's own endpoints, as the kubelet and Prometheus see them: /healthz answers
// whenever the process does, /readyz only once the caches synced, and /metrics counts reconciles
// and ARM requests by bucket. To hold the caches unsynced for as long as the test needs, the
// operator first reaches the API server through a proxy that leads nowhere.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, type TcpProxy } from "../kube/support/tcp-proxy.js";
import {
  deadPort,
  galleryManifest,
  httpGet,
  lastRequestSeq,
  type OperatorProcess,
  startOperatorProcess,
  writeKubeconfigVia,
} from "../support/operator.js";
import { helpersFor } from "../support/sharing.js";
import { waitFor } from "../support/wait.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

let world: World;
let dir: string;
/** The operator the metrics tests read: it started with the API server out of reach, as below. */
let main: BehindProxy;
const started: BehindProxy[] = [];

/** An operator whose API server is reached through a proxy that leads nowhere until `connect`. */
interface BehindProxy {
  proxy: TcpProxy;
  operator: OperatorProcess;
  /** `http://127.0.0.1:<port>` of its /healthz, /readyz and /metrics. */
  base: string;
}

async function startBehindProxy(name: string): Promise<BehindProxy> {
  const proxy = await startTcpProxy("127.0.0.1", await deadPort());
  const kubeconfigPath = await writeKubeconfigVia(
    world.cluster.kubeconfigPath,
    proxy.url,
    join(dir, `${name}-kubeconfig`),
  );
  const operator = startOperatorProcess({
    kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    // Port 0: the OS picks a free one, and the operator logs which.
    args: ["--namespaces", world.namespace, "--leader-elect", "false", "--http-address", "127.0.0.1:0"],
  });
  const behind: BehindProxy = { proxy, operator, base: "" };
  started.push(behind);
  const serving = await operator.waitForLine((l) => l.msg === "serving /metrics, /healthz and /readyz");
  behind.base = `http://127.0.0.1:${String(serving.port)}`;
  return behind;
}

/** Waits until /readyz says the caches are not synced. */
function notReady({ base }: BehindProxy) {
  return waitFor("/readyz to say what it waits for", async () => {
    const r = await httpGet(`${base}/readyz`);
    return r.body.includes("caches not synced") ? r : undefined;
  });
}

/** Points the proxy at the API server and waits for /readyz 200. */
function connect({ proxy, base }: BehindProxy) {
  const server = new URL(world.cluster.kubeConfig.getCurrentCluster()?.server ?? "");
  proxy.setUpstream(server.hostname, Number(server.port));
  return waitFor(
    "/readyz 200",
    async () => {
      const r = await httpGet(`${base}/readyz`);
      return r.status === 200 ? r : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 250 },
  );
}

/** Sum of the samples of `name` whose labels include every one of `labels` (Prometheus text format). */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

beforeAll(async () => {
  world = await startWorld("e2e-op-http");
  dir = await mkdtemp(join(tmpdir(), "e2e-op-http-"));
  main = await startBehindProxy("main");
  // Refused while the proxy leads nowhere, as the metrics test expects to see counted.
  await waitFor("a refused API server request counted", async () => {
    const text = (await httpGet(`${main.base}/metrics`)).body;
    return metric(text, "rest_client_requests_total", { code: "<error>" }) > 0;
  });
  await connect(main);
});

afterAll(async () => {
  for (const { operator, proxy } of started) {
    await operator.stop();
    await proxy.close();
  }
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("operator HTTP endpoints", () => {
  it("is live at once, and ready only after its caches synced", { timeout: 60_000 }, async () => {
    const own = await startBehindProxy("readiness");
    const { base, operator } = own;
    try {
      expect(await httpGet(`${base}/healthz`)).toEqual({ status: 200, body: "ok" });
      // The API server is out of reach: the watches keep failing, the caches stay empty.
      const waiting = await notReady(own);
      expect(waiting.status).toBe(503);
      expect(waiting.body).toContain(`Gallery@${world.namespace}`);
      expect(operator.lines.some((l) => l.msg === "caches synced; reconciling")).toBe(false);
      const ready = await connect(own);
      expect(ready.body).toMatch(/caches synced/);
      expect(operator.lines.some((l) => l.msg === "caches synced; reconciling")).toBe(true);
      expect((await httpGet(`${base}/healthz`)).status).toBe(200);
    } finally {
      // Alone in the namespace again: the metrics tests count what one operator did.
      await operator.stop();
    }
  });

  it("counts reconciles and ARM requests by bucket on /metrics", { timeout: 60_000 }, async () => {
    const controller = `Gallery@${world.namespace}`;
    const before = (await httpGet(`${main.base}/metrics`)).body;
    const earlier = lastRequestSeq(world.sim);
    await world.galleries.create(galleryManifest(world, "gal.metrics"));
    await waitForCondition(world.galleries, world.namespace, "gal.metrics", { status: "True" });

    const scrape = await httpGet(`${main.base}/metrics`);
    expect(scrape.status).toBe(200);
    const text = scrape.body;
    const reconciles = (t: string) => metric(t, "controller_runtime_reconcile_total", { controller });
    expect(reconciles(text)).toBeGreaterThan(reconciles(before));
    expect(
      metric(text, "controller_runtime_reconcile_total", { controller, result: "success" }),
    ).toBeGreaterThan(0);

    // Labelled with the first Compute bucket the request spends, as ARM names it. The very first
    // read (404: no gallery yet) came before ARM had named the bucket of gallery reads. Counted
    // since the scrape before the create: the file's other tests make galleries too.
    const arm = (labels: Record<string, string>) => metric(text, "azure_gallery_arm_requests_total", labels);
    const added = (labels: Record<string, string>) =>
      arm(labels) - metric(before, "azure_gallery_arm_requests_total", labels);
    expect(added({ method: "GET", status: "404" })).toBeGreaterThanOrEqual(1);
    expect(
      added({ method: "GET", bucket: "Microsoft.Compute/GetGallery3Min", status: "200" }),
    ).toBeGreaterThanOrEqual(1);
    expect(added({ method: "PUT", bucket: "Microsoft.Compute/CreateUpdateGallery3Min", status: "201" })).toBe(
      1,
    );
    // Every request the simulator answered was counted once, under the same method.
    const puts = world.sim.requests(earlier).filter((r) => r.method === "PUT").length;
    expect(added({ method: "PUT" })).toBe(puts);

    // controller-runtime's names: API server requests (refused ones too, while the proxy led
    // nowhere), the work the queue did, and its workers.
    const host = new URL(main.proxy.url).host;
    expect(metric(text, "rest_client_requests_total", { code: "200", method: "GET", host })).toBeGreaterThan(
      0,
    );
    expect(metric(text, "rest_client_requests_total", { code: "<error>", host })).toBeGreaterThan(0);
    expect(metric(text, "workqueue_work_duration_seconds_count", { name: controller })).toBeGreaterThan(0);
    expect(metric(text, "controller_runtime_max_concurrent_reconciles", { controller })).toBe(4);
    expect(text).toMatch(/^# TYPE workqueue_longest_running_processor_seconds gauge$/m);
    expect(text).toMatch(/^# TYPE workqueue_unfinished_work_seconds gauge$/m);
    expect(text).toMatch(/^# TYPE controller_runtime_active_workers gauge$/m);
    expect(text).not.toMatch(/^# TYPE \S+_total gauge$/m);
  });

  it("labels role-assignment calls with their own bucket", { timeout: 90_000 }, async () => {
    const h = helpersFor(() => world);
    await world.galleries.create(h.gallery("roles", "Private"));
    await world.gallerySharings.create(
      h.sharing("roles", "roles", {
        roleAssignments: [{ principalId: randomUUID(), principalType: "Group", role: "Reader" }],
      }),
    );
    await waitForCondition(world.gallerySharings, world.namespace, "roles", { status: "True" });
    const text = (await httpGet(`${main.base}/metrics`)).body;
    const bucket = "microsoft.authorization/roleassignments";
    const puts = world.sim
      .requests()
      .filter((r) => r.method === "PUT" && r.path.toLowerCase().startsWith(h.roleAssignmentsPath("roles")));
    expect(puts.length).toBeGreaterThan(0);
    expect(metric(text, "azure_gallery_arm_requests_total", { method: "PUT", bucket })).toBe(puts.length);
    expect(metric(text, "azure_gallery_arm_requests_total", { method: "PUT", bucket: "unknown" })).toBe(0);
  });

  it("reports leadership as leader_election_master_status", { timeout: 90_000 }, async () => {
    const lease = "op-http-lease";
    const leader = startOperatorProcess({
      kubeconfigPath: world.cluster.kubeconfigPath,
      sim: world.sim,
      tenantId: world.tenantId,
      args: [
        "--namespaces",
        world.namespace,
        "--leader-elect",
        "true",
        "--lease-namespace",
        world.namespace,
        "--lease-name",
        lease,
        "--http-address",
        "127.0.0.1:0",
      ],
    });
    try {
      const serving = await leader.waitForLine((l) => l.msg === "serving /metrics, /healthz and /readyz");
      const url = `http://127.0.0.1:${String(serving.port)}/metrics`;
      const leading = await waitFor(
        "leader_election_master_status 1",
        async () => {
          const text = (await httpGet(url)).body;
          return metric(text, "leader_election_master_status", { name: lease }) === 1 ? text : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(leading).toContain(`leader_election_master_status{name="${lease}"} 1`);
      // The API server agrees: this replica holds the Lease.
      const held = await world.cluster.kubectl(["get", "lease", lease, "-n", world.namespace, "-o", "json"]);
      expect(JSON.parse(held.stdout).spec.holderIdentity).toBeTruthy();
    } finally {
      await leader.stop();
    }
  });
});
