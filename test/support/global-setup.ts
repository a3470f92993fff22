// Vitest global setup: starts ONE cluster for the whole test run, shares its kubeconfig with every
// test file (`provide`, read back by test/support/cluster.ts), and stops it when the run ends.
//
// Which cluster, in order:
//   TEST_KUBECONFIG=<path>   an existing cluster; nothing is started or stopped
//   TEST_CLUSTER=containers  etcd + kube-apiserver as containers (tools/docker/setup.sh first)
//   TEST_CLUSTER=k3s         k3s through @testcontainers/k3s (needs privileged containers)
//   TEST_CLUSTER=none        no cluster (unit tests only; testCluster() then throws)
//   otherwise                the local control plane as processes (src/controlplane)
import type { TestProject } from "vitest/node";
import { resolveBinDir, startControlPlane } from "../../src/controlplane/index.js";
import type { StartedCluster } from "./cluster.js";
import { startContainersCluster } from "./cluster-containers.js";
import { startK3sCluster } from "./cluster-k3s.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startChosenCluster();
  if (started) {
    project.provide("agoCluster", started.shared);
    process.stderr.write(`test cluster (${started.shared.kind}): ${started.shared.kubeconfigPath}\n`);
  }
  return async () => {
    await started?.stop();
  };
}

async function startChosenCluster(): Promise<StartedCluster | undefined> {
  const kubeconfigPath = process.env.TEST_KUBECONFIG;
  if (kubeconfigPath) {
    return { shared: { kind: "kubeconfig", kubeconfigPath, binDir: await resolveBinDir() }, stop: async () => {} };
  }
  const choice = process.env.TEST_CLUSTER ?? "";
  switch (choice) {
    case "none":
      return undefined;
    case "containers":
      return startContainersCluster(await resolveBinDir());
    case "k3s":
      return startK3sCluster(await resolveBinDir());
    case "":
    case "processes": {
      // The controller manager makes namespace deletion and garbage collection work, as users expect.
      const plane = await startControlPlane({ controllerManager: true });
      return {
        shared: { kind: "processes", kubeconfigPath: plane.kubeconfigPath, binDir: plane.binDir },
        stop: plane.stop,
      };
    }
    default:
      throw new Error(`TEST_CLUSTER=${choice}: expected containers, k3s, processes or none`);
  }
}
