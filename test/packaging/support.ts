// Helpers for the packaging tests: run a command without throwing, render the Helm chart with
// given values and parse what it printed into Kubernetes objects; apply that rendering to the test
// cluster and describe the operator's pod from it; build the project image.
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments, stringify } from "yaml";
import { resolveBinDir } from "../../tools/control-plane/index.js";
import { freeLoopbackPorts } from "../../tools/control-plane/ports.js";
import { mintToken, type Simulator } from "../../tools/sim/index.js";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { prepareExamples, type TestExamples } from "../support/examples.js";
import { galleryManifest } from "../support/operator.js";
import { startTestSimulator } from "../support/sim.js";
import { waitFor } from "../support/wait.js";

export const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const CHART = join(REPO, "helm", "azure-gallery-operator");
/** The Kubernetes version of the local control plane (tools/control-plane/kubernetes/go.mod). */
export const KUBE_VERSION = "1.36.3";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit is a result (look at `code`), not an exception. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      {
        cwd: opts.cwd ?? REPO,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        env: opts.env ?? process.env,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        const extra = err && typeof err.code !== "number" ? `\n${err.message}` : "";
        done({ code, stdout, stderr: stderr + extra });
      },
    );
  });
}

let helmPath: Promise<string> | undefined;

/** The helm binary tools/control-plane/build.sh builds (with the rest of the control plane). */
export function helm(): Promise<string> {
  helmPath ??= resolveBinDir().then((dir) => join(dir, "helm"));
  return helmPath;
}

/** A Kubernetes object as rendered: only the fields every object has are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface Rendered {
  objects: K8sObject[];
  /** The one object of this kind (and name, when given); throws when there is not exactly one. */
  one(kind: string, name?: string): K8sObject;
  all(kind: string): K8sObject[];
}

export const RELEASE = "ago";
export const NAMESPACE = "gallery-system";

/** The release a rendering is for; RELEASE in NAMESPACE unless a test needs a name of its own. */
export interface ReleaseTarget {
  release: string;
  namespace: string;
}

/** `helm <verb> ... -f values.yaml` on the chart, as a RunResult. */
export async function helmRun(
  verb: "template" | "lint",
  values: object,
  extra: string[] = [],
  { release, namespace }: ReleaseTarget = { release: RELEASE, namespace: NAMESPACE },
): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "ago-chart-"));
  const file = join(dir, "values.yaml");
  writeFileSync(file, stringify(values));
  // Offline, Helm assumes the Kubernetes its client-go says, v1.20.0 for our source build: below
  // the chart's kubeVersion. Render for the version the tests run on, unless the caller picks one.
  const kube = extra.includes("--kube-version") ? [] : ["--kube-version", KUBE_VERSION];
  const args =
    verb === "template"
      ? ["template", release, CHART, "--namespace", namespace, "-f", file, ...kube, ...extra]
      : ["lint", CHART, "--strict", "--namespace", namespace, "-f", file, ...kube, ...extra];
  try {
    return await run(await helm(), args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders the chart; throws with helm's message when rendering fails. */
export async function render(
  values: object = {},
  extra: string[] = [],
  target?: ReleaseTarget,
): Promise<Rendered> {
  const result = await helmRun("template", values, extra, target);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === "object");
  const all = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    objects,
    all,
    one(kind, name) {
      const found = all(kind).filter((o) => name === undefined || o.metadata.name === name);
      if (found.length !== 1) {
        throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, rendered ${found.length}`);
      }
      return found[0]!;
    },
  };
}

/** Reads a nested field by path, for assertions on untyped rendered objects. */
export function field(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  [field: string]: unknown;
}

/** The operator container of the rendered Deployment. */
export function operatorContainer(r: Rendered): Container {
  const containers = field(r.one("Deployment"), "spec", "template", "spec", "containers") as Container[];
  const c = containers.find((x) => x.name === "operator");
  if (!c) throw new Error("the Deployment has no container named operator");
  return c;
}

// ---------------------------------------------------------------------------------------------
// The chart running for real: its rendering applied to the shared test cluster (as a GitOps tool
// applies it, no Helm release), a token of its ServiceAccount, the operator's pod as its
// Deployment describes it, and the project image.

const MINUTE = 60_000;

/** The tag `docker build` gives the project image, and the chart's default image. */
export const IMAGE = `azure-gallery-operator:${
  (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version
}`;

export interface AppliedChart extends ReleaseTarget {
  rendered: Rendered;
  /** The release's full name: the Deployment's, the Lease's and (by default) the ServiceAccount's. */
  fullname: string;
  serviceAccount: string;
}

/**
 * Renders the chart (CRDs included) for `target` and applies it with server-side apply: the CRDs
 * first and, once they are established, everything else.
 */
export async function applyChart(
  cluster: Pick<TestCluster, "kubectl">,
  values: object,
  target: ReleaseTarget,
): Promise<AppliedChart> {
  const rendered = await render(values, ["--include-crds"], target);
  const chart: AppliedChart = {
    ...target,
    rendered,
    fullname: rendered.one("Deployment").metadata.name,
    serviceAccount: rendered.one("ServiceAccount").metadata.name,
  };
  const apply = async (objects: K8sObject[], what: string) => {
    const input = objects.map((o) => stringify(o)).join("---\n");
    // --force-conflicts: CRDs and admission policies exist once per cluster, and earlier test files
    // applied the same content under other field managers.
    const args = ["apply", "--server-side", "--force-conflicts", "--field-manager=ago-chart-test", "-f", "-"];
    const applied = await cluster.kubectl(args, { input });
    if (applied.code !== 0) throw new Error(`applying the chart's ${what} failed: ${applied.stderr}`);
  };
  try {
    const crds = rendered.all("CustomResourceDefinition");
    await apply(crds, "CRDs");
    const names = crds.map((crd) => `crd/${crd.metadata.name}`);
    const established = await cluster.kubectl([
      "wait",
      "--for=condition=Established",
      "--timeout=60s",
      ...names,
    ]);
    if (established.code !== 0)
      throw new Error(`the chart's CRDs are not established: ${established.stderr}`);
    await apply(
      rendered.objects.filter((o) => o.kind !== "CustomResourceDefinition"),
      "objects",
    );
    if (rendered.all("ValidatingAdmissionPolicy").length > 0) {
      await admissionPoliciesWork(cluster, target.namespace);
    }
  } catch (err) {
    await removeChart(cluster, chart);
    throw err;
  }
  return chart;
}

/**
 * Deletes what the chart made outside namespaces, but for the CRDs: the admission policies and the
 * roles for people exist once per cluster, and the next file to install them (chart-install's
 * `helm install`) must not find them owned by someone else. The CRDs stay: every file shares them,
 * and deleting one deletes all objects of its kind. Namespaced objects go with their (never
 * deleted) namespaces.
 */
export async function removeChart(
  cluster: Pick<TestCluster, "kubectl">,
  chart: Pick<AppliedChart, "rendered">,
): Promise<void> {
  const objects = chart.rendered.objects.filter(
    (o) => !o.metadata.namespace && o.kind !== "CustomResourceDefinition",
  );
  const input = objects.map((o) => stringify(o)).join("---\n");
  const deleted = await cluster.kubectl(["delete", "--ignore-not-found", "--wait=false", "-f", "-"], {
    input,
  });
  if (deleted.code !== 0)
    throw new Error(`removing the chart's cluster-wide objects failed: ${deleted.stderr}`);
}

/**
 * Waits until the chart's admission policies can judge a Gallery. Until the API server's discovery
 * has caught up with the GalleryPolicy CRD (seconds after it is established), the policies cannot
 * resolve their paramKind and, failing closed, refuse every gallery object.
 */
async function admissionPoliciesWork(
  cluster: Pick<TestCluster, "kubectl">,
  namespace: string,
): Promise<void> {
  const probe = galleryManifest(
    { namespace, subscriptionId: randomUUID(), resourceGroup: "rg-probe", location: "westus" },
    // A valid gallery name (no dashes): anything the schema refuses never reaches the policies.
    "admissionprobe",
  );
  await waitFor(
    "the chart's admission policies to resolve GalleryPolicy",
    async () => {
      const tried = await cluster.kubectl(["create", "--dry-run=server", "-f", "-"], {
        input: JSON.stringify(probe),
      });
      if (tried.code !== 0) throw new Error(tried.stderr);
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

/** A token of a ServiceAccount from the TokenRequest API: what a pod's projected token volume holds. */
/** A kubeconfig for the test cluster that authenticates with `token` alone (no admin certificate). */
export async function writeTokenKubeconfig(
  adminKubeconfigPath: string,
  token: string,
  to: string,
): Promise<string> {
  const admin = new KubeConfig();
  admin.loadFromFile(adminKubeconfigPath);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error(`${adminKubeconfigPath}: no current cluster`);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name: "operator", token }],
    contexts: [{ name: "operator", cluster: cluster.name, user: "operator" }],
    currentContext: "operator",
  });
  writeFileSync(to, config.exportConfig(), { mode: 0o600 });
  return to;
}

export async function serviceAccountToken(
  cluster: Pick<TestCluster, "kubectl">,
  namespace: string,
  name: string,
): Promise<string> {
  const created = await cluster.kubectl(["create", "token", name, "-n", namespace, "--duration=2h"]);
  if (created.code !== 0) throw new Error(`kubectl create token ${name} failed: ${created.stderr}`);
  return created.stdout.trim();
}

export interface PodVolume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  configMap?: { name: string; items?: { key: string; path: string }[] };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}

/** The operator's pod, as the rendered Deployment describes it. */
export interface OperatorPod {
  name: string;
  namespace: string;
  container: Container;
  /** The container's environment, resolved the way the kubelet resolves it for this pod. */
  env: Record<string, string>;
  /** The pod's securityContext (the container's own is `container.securityContext`). */
  securityContext: Record<string, unknown>;
  serviceAccountName: string;
  terminationGracePeriodSeconds: number;
  volumes: PodVolume[];
}

/**
 * The pod the chart's Deployment would make, named `name`. Errors: an env var taken from anything
 * but a value or the pod's own name and namespace (a Secret, say), which a test would have to
 * provide itself.
 */
export function operatorPod(chart: AppliedChart, name: string): OperatorPod {
  const spec = field(chart.rendered.one("Deployment"), "spec", "template", "spec") as Record<string, unknown>;
  const container = operatorContainer(chart.rendered);
  const fields: Record<string, string> = { "metadata.namespace": chart.namespace, "metadata.name": name };
  const env: Record<string, string> = {};
  for (const e of container.env) {
    const value = e.value ?? fields[e.valueFrom?.fieldRef?.fieldPath ?? ""];
    if (value === undefined) throw new Error(`env ${e.name}: cannot resolve ${JSON.stringify(e.valueFrom)}`);
    env[e.name] = value;
  }
  return {
    name,
    namespace: chart.namespace,
    container,
    env,
    securityContext: (spec.securityContext ?? {}) as Record<string, unknown>,
    serviceAccountName: spec.serviceAccountName as string,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds as number,
    volumes: (spec.volumes ?? []) as PodVolume[],
  };
}

/** The chart installed for the simulator, and everything around it (see `startChartWorld`). */
export interface ChartWorld {
  cluster: TestCluster;
  sim: Simulator;
  examples: TestExamples;
  chart: AppliedChart;
  pod: OperatorPod;
  /** A token of the chart's ServiceAccount (TokenRequest API). */
  token: string;
  /** The chart's `http.port`: /metrics, /healthz, /readyz. */
  httpPort: number;
  /** Stops the simulator and removes the chart's cluster-wide objects (`removeChart`). */
  close(): Promise<void>;
}

/**
 * The chart applied to the shared cluster (or `on`, with `moreValues`) in a new release namespace,
 * set up for a simulator: every
 * example loaded (each in a namespace of its own, not applied yet) and the simulator seeded for
 * them; the chart watches exactly those namespaces (on a shared cluster other files' leftovers are
 * not this operator's business), takes the simulator's CA from a ConfigMap, and serves HTTP on a
 * free port (host networking: 8080 may be taken).
 */
export async function startChartWorld(
  prefix: string,
  on?: TestCluster,
  moreValues: object = {},
): Promise<ChartWorld> {
  const cluster = on ?? (await testCluster());
  const sim = await startTestSimulator();
  let chart: AppliedChart | undefined;
  const close = async () => {
    await sim.close();
    if (chart) await removeChart(cluster, chart);
  };
  try {
    const examples = await prepareExamples(cluster, sim);
    const namespace = await cluster.newNamespace(prefix);
    const [httpPort = 0] = await freeLoopbackPorts(1);
    const caConfigMap = "arm-ca";
    const ca = await cluster.kubectl([
      "create",
      "configmap",
      caConfigMap,
      "-n",
      namespace,
      `--from-file=ca.crt=${sim.caFile}`,
    ]);
    if (ca.code !== 0) throw new Error(`creating the CA ConfigMap failed: ${ca.stderr}`);
    const values = {
      azure: {
        credential: { mode: "static" },
        armEndpoint: sim.endpoint,
        armCA: { configMap: caConfigMap },
      },
      watchNamespaces: examples.namespaces,
      // No GalleryPolicy covers the examples' fresh namespaces, and the chart's default would deny
      // them; these files test the chart's RBAC and the image, policy has tests of its own.
      defaultPolicy: "allow",
      http: { port: httpPort },
      // The simulator runs Azure's operations 1000 times faster; the default 10 s poll would dominate.
      extraArgs: ["--poll-interval=500ms"],
      // static mode's inputs. A simulator token is no secret (the simulator checks no signature);
      // a real install would take both from a Secret.
      extraEnv: [
        {
          name: "AGO_ARM_TOKEN",
          value: mintToken({ tid: examples.tenantId, oid: "operator", appid: "azure-gallery-operator" }),
        },
        { name: "AZURE_TENANT_ID", value: examples.tenantId },
      ],
      ...moreValues,
    };
    const release = `${prefix}-${randomBytes(3).toString("hex")}`;
    chart = await applyChart(cluster, values, { release, namespace });
    const token = await serviceAccountToken(cluster, namespace, chart.serviceAccount);
    const pod = operatorPod(chart, `${chart.fullname}-${randomBytes(4).toString("hex")}`);
    return { cluster, sim, examples, chart, pod, token, httpPort, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `promise`, with the tail of `log()` added to its error: a timeout then shows what the operator said. */
export async function withLogTail<T>(promise: Promise<T>, log: () => string): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- operator log (tail) ---\n${log().slice(-6000)}`, { cause: err });
  }
}

/** The operator's log lines that report a request the API server refused (RBAC: "forbidden"). */
export function refusals(log: string): string[] {
  return log.split("\n").filter((line) => /forbidden/i.test(line));
}

/** Runs `docker`; a non-zero exit is a result, as with `run`. */
export function docker(args: string[], timeoutMs = 2 * MINUTE): Promise<RunResult> {
  return run("docker", args, { timeoutMs });
}

/** The command's stdout; throws with the tail of its output when it failed. */
export function must(what: string, result: RunResult): string {
  if (result.code !== 0) {
    // docker build prints a failing step's output (tsc's errors, say) on stdout, its own on stderr.
    const output = `${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`.trim();
    throw new Error(`${what} failed (exit ${result.code}):\n${output}`);
  }
  return result.stdout;
}

/**
 * Builds IMAGE from the repository's Dockerfile and returns its tag (Docker's layer cache makes a
 * second build in one run cheap). No registry is reachable here, so the base image
 * node:24-bookworm-slim is a local stand-in made by tools/docker/image-fixture.sh (a real pulled
 * image, when present, is used as is).
 *
 * Errors: without a Docker engine, a message naming `testFile` and how to start one. Image tests
 * FAIL then, on purpose: a silently skipped one would let a broken Dockerfile through CI.
 */
export async function ensureImage(testFile: string): Promise<string> {
  const info = await docker(["info", "--format", "{{.ServerVersion}}"], 30_000);
  if (info.code !== 0) {
    throw new Error(
      `${testFile} needs a Docker engine and \`docker info\` failed ` +
        `(${info.stderr.trim().split("\n").at(-1)}). Start one with \`bash tools/docker/setup.sh\`; ` +
        "the full suite runs this file in its container phase, after that setup.",
    );
  }
  must(
    "tools/docker/image-fixture.sh",
    await run("bash", ["tools/docker/image-fixture.sh"], { timeoutMs: 20 * MINUTE }),
  );
  // --network host: the engine here has no bridge network, and npm ci needs the npm registry.
  const started = Date.now();
  // --force-rm: a failing step (tsc, say) leaves no stopped container behind.
  must(
    "docker build",
    await docker(["build", "--network", "host", "--force-rm", "-t", IMAGE, "."], 30 * MINUTE),
  );
  process.stdout.write(`image: built ${IMAGE} in ${((Date.now() - started) / 1000).toFixed(0)}s\n`);
  return IMAGE;
}
