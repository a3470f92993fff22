// TEST_CLUSTER=containers: the same etcd + kube-apiserver configuration as the local control plane,
// run as containers from the image tools/docker/setup.sh builds. Certificates, kubeconfig and etcd
// data are made on the host (tools/control-plane/prepare) and bind-mounted at the same path, so the very
// same command lines work inside. Containers share the host network and listen on 127.0.0.1 only.
import { createWriteStream } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { GenericContainer, StartedTestContainer } from "testcontainers";
import {
  apiserverFlags,
  etcdFlags,
  ownerAlive,
  type ProcessOwner,
  prepareControlPlane,
  waitForEtcd,
  waitForReadyz,
} from "../../tools/control-plane/index.js";
import type { ClusterPlan, StartedCluster } from "./shared-cluster.js";

const OWNER_PID_LABEL = "dev.azure-gallery-operator.owner-pid";
const OWNER_START_LABEL = "dev.azure-gallery-operator.owner-start";

/** Labels that let a later run remove containers whose owner process died (see `removeOrphans`). */
export function ownerLabels(owner: ProcessOwner): Record<string, string> {
  return { [OWNER_PID_LABEL]: String(owner.pid), [OWNER_START_LABEL]: owner.startTime ?? "" };
}

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
 * 2. Prepares a data dir on the host under the run's state dir (certificates, ports, kubeconfig).
 * 3. Starts both containers (host network, never pulls, not privileged), logs to `<dir>/logs/`,
 *    labelled with the run's owner process.
 *
 * Errors: rejects when the image is missing (run `bash tools/docker/setup.sh`), or the apiserver is
 * not ready within two minutes (with the logs' location).
 */
export async function startContainersCluster(plan: ClusterPlan): Promise<StartedCluster> {
  const tc = await testcontainers();
  await removeOrphans(tc);

  const root = join(plan.stateDir, "containers");
  const { layout, pki, ports, server } = await prepareControlPlane(root);
  const base = (name: string): GenericContainer =>
    new tc.GenericContainer(controlPlaneImage(plan.binDir))
      .withNetworkMode("host")
      .withPullPolicy(tc.PullPolicy.neverPull())
      .withBindMounts([{ source: root, target: root, mode: "rw" }])
      .withLabels(ownerLabels(plan.owner))
      .withEntrypoint([`/usr/local/bin/${name}`])
      .withLogConsumer((stream) => stream.pipe(createWriteStream(join(layout.logs, `${name}.log`))));

  const started: StartedTestContainer[] = [];
  try {
    started.push(await base("etcd").withCommand(etcdFlags(layout.etcd, ports)).start());
    await waitForEtcd(`http://127.0.0.1:${ports.etcdClient}`, 60_000, () => undefined);
    started.push(
      await base("kube-apiserver")
        .withCommand(apiserverFlags(pki, layout.apiserverCerts, ports))
        .start(),
    );
    await waitForReadyz(server, pki, 120_000, () => undefined);
  } catch (err) {
    await removeContainers(started.map((c) => c.getId()));
    throw new Error(
      `containers cluster failed (logs in ${layout.logs}; image built by tools/docker/setup.sh?): ${err}`,
      { cause: err },
    );
  }
  return {
    shared: { kind: "containers", kubeconfigPath: layout.kubeconfig, binDir: plan.binDir },
    teardown: { kind: "containers", ids: started.map((c) => c.getId()).reverse() },
  };
}

/** Stops and removes containers by id, in the order given; ids already gone are skipped. */
export async function removeContainers(ids: string[]): Promise<void> {
  const client = await (await testcontainers()).getContainerRuntimeClient();
  for (const id of ids) {
    const container = client.container.getById(id);
    await client.container.stop(container, { timeout: 5 }).catch(() => {});
    await client.container.remove(container, { removeVolumes: true }).catch(() => {});
  }
}

/** testcontainers, configured for an engine that cannot pull (Ryuk, its reaper, is an image). */
export async function testcontainers(): Promise<typeof import("testcontainers")> {
  // Read when testcontainers first talks to the engine; set before it is loaded.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
  return import("testcontainers");
}

// A crashed run (SIGKILL) leaves its containers running; their owner label says whose they were.
async function removeOrphans(tc: typeof import("testcontainers")): Promise<void> {
  const client = await tc.getContainerRuntimeClient();
  const orphans = (await client.container.list()).filter((info) => {
    const pid = Number(info.Labels[OWNER_PID_LABEL]);
    const startTime = info.Labels[OWNER_START_LABEL] || undefined;
    return pid > 0 && !ownerAlive(startTime ? { pid, startTime } : { pid });
  });
  await removeContainers(orphans.map((info) => info.Id));
}
