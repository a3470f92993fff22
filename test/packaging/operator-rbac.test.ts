// The chart's RBAC is what the operator uses, no more and no less. A control plane of this file's
// own writes the API server's audit log (tools/control-plane/audit.ts); the rendered chart is
// applied to it (server-side apply, CRDs included); the operator runs as a process with the chart's
// arguments and environment and a real token of the chart's ServiceAccount (TokenRequest API, as a
// pod's projected volume gets), leader election on in the release namespace. It then lives through
// what users do (beforeAll): every example applied and Ready, an edit of each kind, exports to a
// ConfigMap, a GalleryPolicy whose status it reports, every object deleted, and SIGTERM. The tests
// judge that run from outside: the audit log's (resource, verb) pairs of the ServiceAccount must
// equal the chart's grants, with no request refused; then the same token is refused what the
// operator must never do. chart-install.test.ts asks the authorizer the same questions one by one.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, runKubectl, startControlPlane } from "../../tools/control-plane/index.js";
import { applyPolicy } from "../policy/cluster.js";
import { clusterAt, testBinDir } from "../support/cluster.js";
import { applyExamples, waitForExamplesReady } from "../support/examples.js";
import { type OperatorProcess, spawnCli } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { permissions, rolesBoundTo } from "./grants.js";
import { type ChartWorld, startChartWorld, withLogTail, writeTokenKubeconfig } from "./support.js";

const G = "gallery.azure.dev";
const REPORTER = `${G}/azure-gallery-operator`;
const POLICY = "rbac-audit";
/** A policy whose clientSecret identity covers no namespace: the operator still reads its Secret. */
const SECRET_POLICY = "rbac-audit-secret";
const SECRET = "rbac-audit-sp";
const EXPORTS = "gallery-ids";

let plane: ControlPlane;
let world: ChartWorld;
let dir: string;
let kubeconfigPath: string;
let operator: OperatorProcess;
/** The operator's exit on SIGTERM, at the end of the run. */
let exit: { code: number | null; signal: NodeJS.Signals | null };
/**
 * The ServiceAccount's requests while the operator ran, read once it exited: the refusal tests
 * below use the same token with kubectl, and must not count as the operator's calls.
 */
let operatorCalls: AuditEvent[];

/** One request as the API server's audit log records it (Metadata level). */
interface AuditEvent {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string; name?: string };
  responseStatus?: { code?: number };
}

const user = () => `system:serviceaccount:${world.chart.namespace}:${world.chart.serviceAccount}`;

/** kubectl with the operator's ServiceAccount token. */
function asOperator(args: string[], input?: string) {
  return runKubectl(world.cluster.binDir, kubeconfigPath, args, input === undefined ? {} : { input });
}

/** kubectl as the cluster's admin (a user), failing the test on an error. */
async function admin(args: string[], input?: string): Promise<string> {
  const result = await world.cluster.kubectl(args, input === undefined ? {} : { input });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** The ServiceAccount's requests, from the audit log. */
async function operatorRequests(): Promise<AuditEvent[]> {
  const text = await readFile(plane.auditLogPath ?? "", "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((e) => e.user.username === user() && e.objectRef?.resource);
}

/** Ready=True for the object's current generation: the operator has acted on its latest spec. */
async function waitForCurrent(kind: string, namespace: string, name: string): Promise<void> {
  await waitFor(
    `${kind} ${namespace}/${name} Ready for its generation`,
    async () => {
      const obj = JSON.parse(await admin(["get", kind, name, "-n", namespace, "-o", "json"])) as {
        metadata: { generation: number };
        status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
      };
      const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
      return ready?.status === "True" && ready.observedGeneration === obj.metadata.generation;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

function sharesWithTenants(m: { kind: string; spec?: unknown }): boolean {
  const spec = m.spec as { tenants?: string[] } | undefined;
  return m.kind === "GallerySharing" && (spec?.tenants?.length ?? 0) > 0;
}

/** What users do with the examples, start to end, as the cluster's admin. */
async function livedThrough(): Promise<void> {
  await applyExamples(world.cluster, world.examples);
  await waitForExamplesReady(world.cluster, world.examples, 120_000);

  // An edit of each kind (the GallerySharing that shares with tenants stops doing so),
  // and exports: the gallery creates the ConfigMap, its definition adds a key to it.
  const edits: Record<string, object> = {
    Gallery: {
      description: "edited",
      operatorSpec: { configMaps: { id: { name: EXPORTS, key: "gallery" } } },
    },
    ImageDefinition: {
      description: "edited",
      operatorSpec: { configMaps: { id: { name: EXPORTS, key: "definition" } } },
    },
    ImageVersion: { excludeFromLatest: true },
  };
  const edited: { kind: string; namespace: string; name: string }[] = [];
  for (const example of world.examples.examples) {
    for (const m of example.manifests) {
      const spec = edits[m.kind] ?? (sharesWithTenants(m) ? { tenants: [] } : undefined);
      if (spec === undefined) continue;
      await admin([
        "patch",
        m.kind.toLowerCase(),
        m.metadata.name,
        "-n",
        example.namespace,
        "--type=merge",
        "-p",
        JSON.stringify({ spec }),
      ]);
      edited.push({ kind: m.kind, namespace: example.namespace, name: m.metadata.name });
    }
  }
  for (const e of edited) await waitForCurrent(e.kind.toLowerCase(), e.namespace, e.name);
  const withExports = world.examples.examples.find((e) =>
    e.manifests.some((m) => m.kind === "ImageDefinition"),
  );
  await waitFor("both exports in the ConfigMap", async () => {
    const data = JSON.parse(
      await admin([
        "get",
        "configmap",
        EXPORTS,
        "-n",
        withExports?.namespace ?? "",
        "-o",
        "jsonpath={.data}",
      ]).catch(() => "{}"),
    ) as Record<string, string>;
    return data.gallery && data.definition;
  });

  // A GalleryPolicy over one example's namespace, with no rules: the operator reports its reach.
  const [covered = ""] = world.examples.namespaces;
  await applyPolicy(world.cluster, POLICY, {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": covered } },
  });
  await waitFor("the policy's status", async () => {
    const status = JSON.parse(
      (await admin(["get", "gallerypolicy", POLICY, "-o", "jsonpath={.status}"])) || "{}",
    ) as {
      coveredNamespaces?: string[];
    };
    return status.coveredNamespaces?.includes(covered);
  });

  // Everything deleted, as its users would: the operator cleans up in Azure and lets them go.
  for (const example of world.examples.examples) {
    for (const m of example.manifests) {
      await admin(["delete", m.kind.toLowerCase(), m.metadata.name, "-n", example.namespace, "--wait=false"]);
    }
  }
  for (const example of world.examples.examples) {
    for (const m of example.manifests) {
      await admin([
        "wait",
        "--for=delete",
        "--timeout=90s",
        `${m.kind.toLowerCase()}/${m.metadata.name}`,
        "-n",
        example.namespace,
      ]);
    }
  }
}

beforeAll(async () => {
  plane = await startControlPlane({ auditLog: true, binDir: testBinDir() });
  // The chart's options that add permissions, on: CRDs applied at start, a credential Secret.
  world = await startChartWorld(
    "ago-rbac",
    clusterAt({ kind: "processes", kubeconfigPath: plane.kubeconfigPath, binDir: plane.binDir }),
    { crds: { applyOnStart: true }, rbac: { credentialSecretNames: [SECRET] } },
  );
  await admin([
    "create",
    "secret",
    "generic",
    SECRET,
    "-n",
    world.chart.namespace,
    "--from-literal=AZURE_TENANT_ID=t",
    "--from-literal=AZURE_CLIENT_ID=c",
    "--from-literal=AZURE_CLIENT_SECRET=s",
  ]);
  await applyPolicy(world.cluster, SECRET_POLICY, {
    namespaceSelector: { matchLabels: { "rbac-audit": "no-namespace-has-this" } },
    identity: {
      clientSecret: {
        secretName: SECRET,
        tenantIdKey: "AZURE_TENANT_ID",
        clientIdKey: "AZURE_CLIENT_ID",
        clientSecretKey: "AZURE_CLIENT_SECRET",
      },
    },
  });
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
    throw new Error(`the operator exited (code ${code}, signal ${signal}) during the run`);
  });
  await withLogTail(Promise.race([livedThrough(), exited]), operator.output);
  exit = await operator.stop();
  operatorCalls = await operatorRequests();
}, 420_000);

afterAll(async () => {
  await operator?.kill();
  await world?.close();
  await plane?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the operator with the chart's ServiceAccount, through the examples' whole life", () => {
  it("was refused nothing", async () => {
    const refused = operatorCalls.filter((e) => e.responseStatus?.code === 403);
    expect(refused.map((e) => `${e.verb} ${e.objectRef?.apiGroup ?? ""}/${e.objectRef?.resource}`)).toEqual(
      [],
    );
  });

  it("used exactly the (resource, verb) pairs the chart grants", async () => {
    const used: Record<string, Set<string>> = {};
    for (const e of operatorCalls) {
      const ref = e.objectRef ?? {};
      const key = `${ref.apiGroup ?? ""}/${ref.resource}${ref.subresource ? `/${ref.subresource}` : ""}`;
      used[key] = new Set([...(used[key] ?? []), e.verb]);
    }
    const observed = Object.fromEntries(
      Object.entries(used)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, verbs]) => [key, [...verbs].sort().join(" ")]),
    );
    const roles = rolesBoundTo(world.chart.rendered, {
      kind: "ServiceAccount",
      name: world.chart.serviceAccount,
      namespace: world.chart.namespace,
    });
    const granted = permissions(roles, { names: false });
    expect(observed).toEqual(granted);
  });

  it("held its Lease in the release namespace as this pod, and released it on SIGTERM (exit 0)", async () => {
    expect(exit).toEqual({ code: 0, signal: null });
    const leases = operatorCalls.filter(
      (e) => e.objectRef?.resource === "leases" && e.verb === "update" && e.responseStatus?.code === 200,
    );
    expect(leases.length).toBeGreaterThan(0);
    expect(new Set(leases.map((e) => e.objectRef?.name))).toEqual(new Set([world.chart.fullname]));
    const holder = await admin([
      "get",
      "lease",
      world.chart.fullname,
      "-n",
      world.chart.namespace,
      "-o",
      "jsonpath={.spec.holderIdentity}",
    ]);
    expect(holder).toBe("");
  });

  it("recorded Events in every example's namespace", async () => {
    for (const namespace of world.examples.namespaces) {
      const listed = JSON.parse(
        await admin(["get", "events.events.k8s.io", "-n", namespace, "-o", "json"]),
      ) as {
        items: { reportingController?: string }[];
      };
      expect(
        listed.items.filter((e) => e.reportingController === REPORTER).length,
        namespace,
      ).toBeGreaterThan(0);
    }
  });
});

describe("what the same token is refused", () => {
  /** kubectl's answer to a request RBAC refused: exit 1, Forbidden, for the ServiceAccount. */
  function expectForbidden(result: { code: number; stderr: string }) {
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Forbidden");
    expect(result.stderr).toContain(`User "${user()}" cannot`);
  }

  it("reading a Secret in another namespace", async () => {
    const namespace = world.examples.namespaces[0] ?? "";
    await admin([
      "create",
      "secret",
      "generic",
      "team-credentials",
      "-n",
      namespace,
      "--from-literal=password=hunter2",
    ]);
    expectForbidden(await asOperator(["get", "secret", "team-credentials", "-n", namespace]));
    expectForbidden(await asOperator(["get", "secrets", "-n", namespace]));
  });

  // Every write below is a server-side dry run: authorization is checked as for the real request.
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
    // Authorization comes first: the answer is Forbidden whether the object still exists or not.
    const example = world.examples.examples[0];
    const gallery = example?.manifests.find((m) => m.kind === "Gallery");
    expectForbidden(
      await asOperator([
        "delete",
        "gallery",
        gallery?.metadata.name ?? "",
        "-n",
        example?.namespace ?? "",
        "--dry-run=server",
      ]),
    );
    expectForbidden(await asOperator(["get", "galleries", "-n", world.chart.namespace]));
  });
});
