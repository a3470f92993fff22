// The shipped image runs the way the chart runs it. The rendered chart is applied to the test
// cluster (test/packaging/support.ts: startChartWorld); then the image built from the Dockerfile is
// started with what its Deployment renders: the arguments, the environment (the pod's name and
// namespace resolved as the kubelet does), the pod's and container's security settings mapped onto
// Docker's (user, read-only root filesystem, capabilities, no-new-privileges, the fsGroup as a
// supplementary group), its volumes (/tmp a size-limited tmpfs, the ARM CA projected from its
// ConfigMap) and the ServiceAccount token where a pod has it, with KUBERNETES_SERVICE_HOST/PORT, so
// the operator configures itself in-cluster exactly as in a pod. Host network: the simulator and
// the API server listen on 127.0.0.1. It must bring every example to Ready, serve /readyz and
// /metrics, and stop on SIGTERM with exit code 0 within the chart's grace period.
//
// Needs a Docker engine (tools/docker/setup.sh); without one this file FAILS (see ensureImage).
// The full-suite runner runs it in its container phase.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { StartedTestContainer } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownerOfThisProcess } from "../../tools/control-plane/index.js";
import { ownerLabels, removeContainers, testcontainers } from "../support/cluster-containers.js";
import { applyExamples, waitForExamplesReady } from "../support/examples.js";
import { httpGet } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { type ChartWorld, ensureImage, refusals, startChartWorld, withLogTail } from "./support.js";

/** Where the kubelet puts a pod's ServiceAccount token, CA and namespace. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

let world: ChartWorld;
let dir: string;
let container: StartedTestContainer | undefined;
const logs: string[] = [];
const log = () => logs.join("");
let base: string;

/** The Docker side of a pod: what Kubernetes settings become, with only the engine's API to hand. */
interface DockerPod {
  user: string;
  groupAdd: string[];
  readOnlyRootFilesystem: boolean;
  noNewPrivileges: boolean;
  capDrop: string[];
  tmpfs: Record<string, string>;
  binds: { source: string; target: string; mode: "ro" }[];
  env: Record<string, string>;
}

const POD_SECURITY = new Set(["runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "seccompProfile"]);
const CONTAINER_SECURITY = new Set([
  "runAsNonRoot",
  "runAsUser",
  "runAsGroup",
  "readOnlyRootFilesystem",
  "allowPrivilegeEscalation",
  "privileged",
  "capabilities",
  "seccompProfile",
]);

/** "64Mi" → bytes: a tmpfs takes its size in bytes (or k, m, g, which are powers of 1024 too). */
function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`cannot read the quantity ${quantity}`);
  return Number(match[1]) * 1024 ** ["", "Ki", "Mi", "Gi"].indexOf(match[2] ?? "");
}

/**
 * Maps the chart's pod onto Docker. Errors: a setting it does not know how to map, so a chart change fails
 * here instead of going untested; runAsNonRoot without a non-zero user (the kubelet would refuse).
 */
async function dockerPod({ pod, cluster, token }: ChartWorld, hostDir: string): Promise<DockerPod> {
  const podSc = pod.securityContext;
  const sc = pod.container.securityContext;
  const unknown = [
    ...Object.keys(podSc).filter((k) => !POD_SECURITY.has(k)),
    ...Object.keys(sc).filter((k) => !CONTAINER_SECURITY.has(k)),
  ];
  if (unknown.length > 0)
    throw new Error(`securityContext fields this test cannot map: ${unknown.join(", ")}`);
  for (const s of [podSc, sc]) {
    const profile = (s.seccompProfile as { type?: string } | undefined)?.type;
    // Docker applies its default seccomp profile, which is what RuntimeDefault means.
    if (profile !== undefined && profile !== "RuntimeDefault") throw new Error(`seccompProfile ${profile}`);
  }
  if (sc.privileged === true) throw new Error("a privileged container");
  const user = sc.runAsUser ?? podSc.runAsUser;
  const group = sc.runAsGroup ?? podSc.runAsGroup;
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) && (typeof user !== "number" || user === 0)) {
    throw new Error(`runAsNonRoot with runAsUser ${String(user)}: the kubelet would not start it`);
  }
  const capabilities = (sc.capabilities ?? {}) as { drop?: string[]; add?: string[] };
  if (capabilities.add?.length) throw new Error(`capabilities added: ${capabilities.add.join(", ")}`);

  const tmpfs: Record<string, string> = {};
  const binds: DockerPod["binds"] = [];
  for (const mount of pod.container.volumeMounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name);
    if (volume?.emptyDir) {
      const size = volume.emptyDir.sizeLimit ? `,size=${quantityBytes(volume.emptyDir.sizeLimit)}` : "";
      tmpfs[mount.mountPath] = `rw,nosuid,nodev${size}`;
    } else if (volume?.configMap) {
      // What the kubelet does: the ConfigMap's items as files in a read-only directory.
      const source = join(hostDir, `volume-${volume.name}`);
      const got = await cluster.kubectl([
        "get",
        "configmap",
        volume.configMap.name,
        "-n",
        pod.namespace,
        "-o",
        "json",
      ]);
      if (got.code !== 0) throw new Error(`volume ${volume.name}: ${got.stderr}`);
      const data = (JSON.parse(got.stdout) as { data: Record<string, string> }).data;
      const items = volume.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      await mkdir(source, { mode: 0o755 });
      for (const item of items)
        await writeFile(join(source, item.path), data[item.key] ?? "", { mode: 0o644 });
      binds.push({ source, target: mount.mountPath, mode: "ro" });
    } else {
      throw new Error(`volume ${mount.name}: only emptyDir and configMap volumes are mapped here`);
    }
  }

  // The ServiceAccount token volume (automountServiceAccountToken) and the env every pod gets.
  const admin = new KubeConfig();
  admin.loadFromFile(cluster.kubeconfigPath);
  const apiServer = admin.getCurrentCluster();
  if (!apiServer?.caData) throw new Error("the test cluster's kubeconfig has no embedded CA");
  const server = new URL(apiServer.server);
  const saDir = join(hostDir, "serviceaccount");
  await mkdir(saDir, { mode: 0o755 });
  await writeFile(join(saDir, "token"), token, { mode: 0o644 });
  await writeFile(join(saDir, "ca.crt"), Buffer.from(apiServer.caData, "base64"), { mode: 0o644 });
  await writeFile(join(saDir, "namespace"), pod.namespace, { mode: 0o644 });
  binds.push({ source: saDir, target: SERVICE_ACCOUNT_DIR, mode: "ro" });

  return {
    user: `${String(user)}:${String(group ?? user)}`,
    // The kubelet adds the fsGroup to the container's groups.
    groupAdd: podSc.fsGroup === undefined ? [] : [String(podSc.fsGroup)],
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
    capDrop: capabilities.drop ?? [],
    tmpfs,
    binds,
    env: { ...pod.env, KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port },
  };
}

async function startContainer(image: string, pod: DockerPod, args: string[]): Promise<StartedTestContainer> {
  const tc = await testcontainers();
  // testcontainers has no setter for these two HostConfig fields; its own setters write the same object.
  class PodContainer extends tc.GenericContainer {
    withReadOnlyRootFilesystem(on: boolean): this {
      this.hostConfig.ReadonlyRootfs = on;
      return this;
    }
    withGroupAdd(groups: string[]): this {
      this.hostConfig.GroupAdd = groups;
      return this;
    }
  }
  const c = new PodContainer(image)
    .withPullPolicy(tc.PullPolicy.neverPull())
    .withNetworkMode("host")
    .withLabels(ownerLabels(ownerOfThisProcess()))
    .withUser(pod.user)
    .withGroupAdd(pod.groupAdd)
    .withReadOnlyRootFilesystem(pod.readOnlyRootFilesystem)
    .withDroppedCapabilities(...pod.capDrop)
    .withTmpFs(pod.tmpfs)
    .withBindMounts(pod.binds)
    .withEnvironment(pod.env)
    // The chart sets args only: they replace the image's CMD, its ENTRYPOINT stays.
    .withCommand(args)
    .withLogConsumer((stream) => stream.on("data", (chunk: Buffer | string) => logs.push(String(chunk))));
  if (pod.noNewPrivileges) c.withSecurityOpt("no-new-privileges");
  return c.start();
}

/** The sum of the samples of a Prometheus metric (text format), whatever their labels. */
function metricTotal(text: string, name: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

beforeAll(async () => {
  const image = await ensureImage("test/packaging/image-runs.test.ts");
  world = await startChartWorld("ago-image");
  dir = await mkdtemp(join(tmpdir(), "ago-image-runs-"));
  // mkdtemp makes it 0700; the operator runs as another user and must reach the mounts under it.
  await chmod(dir, 0o755);
  // The image just built is the one the chart names (its appVersion), started by its entry point.
  expect(world.pod.container.image).toBe(image);
  expect(world.pod.container.command).toBeUndefined();
  // The token mounted below is this ServiceAccount's.
  expect(world.pod.serviceAccountName).toBe(world.chart.serviceAccount);
  container = await startContainer(image, await dockerPod(world, dir), world.pod.container.args);
  base = `http://127.0.0.1:${world.httpPort}`;
  await applyExamples(world.cluster, world.examples);
}, 50 * 60_000);

afterAll(async () => {
  if (container) await removeContainers([container.getId()]);
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the image, run as the chart's Deployment runs it", () => {
  it("runs with the chart's hardening in force", async () => {
    const tc = await testcontainers();
    const client = await tc.getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(container?.getId() ?? ""));
    expect(info.Config.User).toBe("65532:65532");
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(info.HostConfig.Privileged).toBe(false);
    // The only writable path, size-limited like the chart's emptyDir.
    expect(info.HostConfig.Tmpfs).toEqual({ "/tmp": `rw,nosuid,nodev,size=${64 * 1024 * 1024}` });
  });

  it("becomes ready: /healthz and /readyz answer 200", { timeout: 90_000 }, async () => {
    await withLogTail(
      waitFor(
        "/readyz 200",
        async () => ((await httpGet(`${base}/readyz`)).status === 200 ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 500 },
      ),
      log,
    );
    expect((await httpGet(`${base}/healthz`)).status).toBe(200);
  });

  it("brings every example to Ready", { timeout: 150_000 }, async () => {
    await withLogTail(waitForExamplesReady(world.cluster, world.examples, 120_000), log);
    expect(refusals(log())).toEqual([]);
  });

  it("counts its reconciles and ARM requests on /metrics", async () => {
    const metrics = await httpGet(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metricTotal(metrics.body, "controller_runtime_reconcile_total")).toBeGreaterThan(0);
    expect(metricTotal(metrics.body, "azure_gallery_arm_requests_total")).toBeGreaterThan(0);
  });

  it("stops on SIGTERM with exit code 0 within the grace period, releasing its Lease", async () => {
    const started = container as StartedTestContainer;
    const graceMs = world.pod.terminationGracePeriodSeconds * 1000;
    const before = Date.now();
    // docker stop: SIGTERM (the image sets no other stop signal), SIGKILL after the grace period.
    await started.stop({ timeout: graceMs, remove: false });
    const tookMs = Date.now() - before;
    const tc = await testcontainers();
    const client = await tc.getContainerRuntimeClient();
    const state = (await client.container.inspect(client.container.getById(started.getId()))).State;
    process.stdout.write(`image-runs: stopped in ${tookMs} ms (grace ${graceMs} ms)\n`);
    expect(state.OOMKilled).toBe(false);
    expect(state.ExitCode).toBe(0);
    expect(tookMs).toBeLessThan(graceMs);
    expect(log()).toContain("released leadership");
    const lease = await world.cluster.kubectl([
      "get",
      "lease",
      world.chart.fullname,
      "-n",
      world.chart.namespace,
      "-o",
      "jsonpath={.spec.holderIdentity}",
    ]);
    expect(lease.stdout).toBe("");
  });
});
