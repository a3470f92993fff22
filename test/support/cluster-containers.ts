// TEST_CLUSTER=containers: the same etcd + kube-apiserver configuration as the local control plane,
// run as containers from the image tools/docker/setup.sh builds. Certificates, kubeconfig and etcd
// data are made on the host (src/controlplane/prepare) and bind-mounted at the same path, so the very
// same command lines work inside. Containers share the host network and listen on 127.0.0.1 only.
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { GenericContainer, StartedTestContainer } from "testcontainers";
import {
  apiserverFlags,
  etcdFlags,
  ownerAlive,
  ownerOfThisProcess,
  type PreparedControlPlane,
  prepareControlPlane,
  waitForReadyz,
} from "../../src/controlplane/index.js";
import type { StartedCluster } from "./cluster.js";

const OWNER_PID_LABEL = "dev.azure-gallery-operator.owner-pid";
const OWNER_START_LABEL = "dev.azure-gallery-operator.owner-start";

/** The image tools/docker/setup.sh builds: tagged with the same version key as the binaries' cache. */
export function controlPlaneImage(binDir: string): string {
  return process.env.TEST_CONTAINERS_IMAGE ?? `ago-control-plane:${basename(dirname(binDir))}`;
}

/**
 * Starts etcd and kube-apiserver as two containers and waits for `/readyz`.
 *
 * Flow:
 * 1. Removes containers of earlier runs whose owner process died (Ryuk, testcontainers' own reaper,
 *    is disabled: it would need a pulled image).
 * 2. Prepares a temporary data dir on the host (certificates, ports, kubeconfig).
 * 3. Starts both containers (host network, never pulls, not privileged), logs to `<dir>/logs/`.
 *
 * Errors: rejects when the image is missing (run `bash tools/docker/setup.sh`), or the apiserver is
 * not ready within two minutes (with the logs' location).
 */
export async function startContainersCluster(binDir: string): Promise<StartedCluster> {
  // Read by testcontainers when it first talks to the engine; set before it is loaded.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
  const tc = await import("testcontainers");
  await removeOrphans(tc);

  const root = await mkdtemp(join(tmpdir(), "ago-containers-"));
  const prepared = await prepareControlPlane(root);
  const { layout, pki, ports, server } = prepared;
  const owner = ownerOfThisProcess();
  const base = (name: string): GenericContainer =>
    new tc.GenericContainer(controlPlaneImage(binDir))
      .withNetworkMode("host")
      .withPullPolicy(tc.PullPolicy.neverPull())
      .withBindMounts([{ source: root, target: root, mode: "rw" }])
      .withLabels({ [OWNER_PID_LABEL]: String(owner.pid), [OWNER_START_LABEL]: owner.startTime ?? "" })
      .withEntrypoint([`/usr/local/bin/${name}`])
      .withLogConsumer((stream) => stream.pipe(createWriteStream(join(layout.logs, `${name}.log`))));

  const started: StartedTestContainer[] = [];
  const stop = async () => {
    for (const container of started.reverse()) await container.stop({ timeout: 5_000 });
    await rm(root, { recursive: true, force: true });
  };
  try {
    started.push(await base("etcd").withCommand(etcdFlags(layout.etcd, ports)).start());
    started.push(
      await base("kube-apiserver").withCommand(apiserverFlags(pki, layout.apiserverCerts, ports)).start(),
    );
    await waitForReadyz(readyzClient(prepared, server), 120_000, () => undefined);
  } catch (err) {
    await Promise.all(started.map((c) => c.stop({ timeout: 1_000 }).catch(() => {})));
    throw new Error(`containers cluster failed (logs in ${layout.logs}): ${err}`, { cause: err });
  }
  return { shared: { kind: "containers", kubeconfigPath: layout.kubeconfig, binDir }, stop };
}

function readyzClient({ pki }: PreparedControlPlane, server: string) {
  return { server, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey };
}

async function removeOrphans(tc: typeof import("testcontainers")): Promise<void> {
  const client = await tc.getContainerRuntimeClient();
  for (const info of await client.container.list()) {
    const pid = Number(info.Labels[OWNER_PID_LABEL]);
    if (!pid) continue;
    const startTime = info.Labels[OWNER_START_LABEL] || undefined;
    if (ownerAlive({ pid, ...(startTime ? { startTime } : {}) })) continue;
    const container = client.container.getById(info.Id);
    await client.container.stop(container, { timeout: 0 }).catch(() => {});
    await client.container.remove(container, { removeVolumes: true }).catch(() => {});
  }
}
