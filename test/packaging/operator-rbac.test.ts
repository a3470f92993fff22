// The chart's RBAC is enough for the operator, and no more. The rendered chart is applied to the
// shared test cluster (server-side apply, CRDs included); the operator runs as a process with the
// chart's arguments and environment and a real token of the chart's ServiceAccount (TokenRequest
// API, as a pod's projected volume gets), leader election on in the release namespace, and brings
// every example to Ready against the simulator. Then the same token is refused what the operator
// must never do. chart-install.test.ts asks the authorizer the same questions one by one; this
// file shows that the answers add up to a working operator.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKubectl } from "../../tools/control-plane/index.js";
import { applyExamples, waitForExamplesReady } from "../support/examples.js";
import { type OperatorProcess, spawnCli } from "../support/operator.js";
import { type ChartWorld, refusals, startChartWorld, withLogTail, writeTokenKubeconfig } from "./support.js";

const G = "gallery.azure.dev";
const REPORTER = `${G}/azure-gallery-operator`;

let world: ChartWorld;
let dir: string;
let kubeconfigPath: string;
let operator: OperatorProcess;

/** kubectl with the operator's ServiceAccount token. */
function asOperator(args: string[], input?: string) {
  return runKubectl(world.cluster.binDir, kubeconfigPath, args, input === undefined ? {} : { input });
}

beforeAll(async () => {
  world = await startChartWorld("ago-rbac");
  dir = await mkdtemp(join(tmpdir(), "ago-rbac-"));
  kubeconfigPath = await writeTokenKubeconfig(
    world.cluster.kubeconfigPath,
    world.token,
    join(dir, "kubeconfig"),
  );
  // The chart's arguments (`run` first) as rendered, but for the CA: the chart mounts it at a path
  // inside the container; here it is the simulator's file (the later flag wins).
  operator = spawnCli([...world.pod.container.args, `--arm-ca-file=${world.sim.caFile}`], {
    ...world.pod.env,
    KUBECONFIG: kubeconfigPath,
  });
  const exited = operator.exited.then(({ code, signal }) => {
    throw new Error(`the operator exited (code ${code}, signal ${signal}) before it led`);
  });
  await withLogTail(
    Promise.race([operator.waitForLine((l) => l.msg === "became leader", 60_000), exited]),
    operator.output,
  );
  await applyExamples(world.cluster, world.examples);
});

afterAll(async () => {
  await operator?.kill();
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the operator with the chart's ServiceAccount", () => {
  it("brings every example to Ready", { timeout: 150_000 }, async () => {
    await withLogTail(waitForExamplesReady(world.cluster, world.examples, 120_000), operator.output);
  });

  it("holds its Lease in the release namespace, as this pod", async () => {
    const lease = await world.cluster.kubectl([
      "get",
      "lease",
      world.chart.fullname,
      "-n",
      world.chart.namespace,
      "-o",
      "jsonpath={.spec.holderIdentity}",
    ]);
    expect(lease.stderr).toBe("");
    expect(lease.stdout).toBe(world.pod.name);
  });

  it("records Events in every example's namespace", async () => {
    for (const namespace of world.examples.namespaces) {
      const listed = await world.cluster.kubectl([
        "get",
        "events.events.k8s.io",
        "-n",
        namespace,
        "-o",
        "json",
      ]);
      expect(listed.code).toBe(0);
      const events = (JSON.parse(listed.stdout) as { items: { reportingController?: string }[] }).items;
      expect(events.filter((e) => e.reportingController === REPORTER).length, namespace).toBeGreaterThan(0);
    }
  });

  it("was refused nothing on the way", () => {
    expect(refusals(operator.output())).toEqual([]);
  });
});

describe("what the same token is refused", () => {
  const user = () => `system:serviceaccount:${world.chart.namespace}:${world.chart.serviceAccount}`;

  /** kubectl's answer to a request RBAC refused: exit 1, Forbidden, for the ServiceAccount. */
  function expectForbidden(result: { code: number; stderr: string }) {
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Forbidden");
    expect(result.stderr).toContain(`User "${user()}" cannot`);
  }

  it("reading a Secret in another namespace", async () => {
    const namespace = world.examples.namespaces[0] ?? "";
    const created = await world.cluster.kubectl([
      "create",
      "secret",
      "generic",
      "team-credentials",
      "-n",
      namespace,
      "--from-literal=password=hunter2",
    ]);
    expect(created.code).toBe(0);
    expectForbidden(await asOperator(["get", "secret", "team-credentials", "-n", namespace]));
    expectForbidden(await asOperator(["get", "secrets", "-n", namespace]));
  });

  // Every write below is a server-side dry run: authorization is checked as for the real request,
  // and were it wrongly allowed, the shared cluster would still keep its CRDs.
  it("deleting a CRD", async () => {
    expectForbidden(await asOperator(["delete", "crd", `galleries.${G}`, "--dry-run=server"]));
  });

  it("writing a GalleryPolicy", async () => {
    const policy = {
      apiVersion: `${G}/v1alpha1`,
      kind: "GalleryPolicy",
      metadata: { name: "let-me-in" },
      spec: { namespaceSelector: {}, galleries: { allowedSubscriptions: [] } },
    };
    expectForbidden(await asOperator(["create", "--dry-run=server", "-f", "-"], JSON.stringify(policy)));
  });

  it("deleting a gallery object, or reading one outside the watched namespaces", async () => {
    const [namespace = ""] = world.examples.namespaces;
    const gallery = world.examples.examples[0]?.manifests.find((m) => m.kind === "Gallery");
    expectForbidden(
      await asOperator([
        "delete",
        "gallery",
        gallery?.metadata.name ?? "",
        "-n",
        namespace,
        "--dry-run=server",
      ]),
    );
    expectForbidden(await asOperator(["get", "galleries", "-n", world.chart.namespace]));
  });
});

describe("stopping", () => {
  it("exits 0 on SIGTERM, releasing its Lease on the way", async () => {
    expect(await operator.stop()).toEqual({ code: 0, signal: null });
    expect(operator.lines.some((l) => l.msg === "released leadership")).toBe(true);
  });
});
