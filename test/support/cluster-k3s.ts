// TEST_CLUSTER=k3s: a whole k3s in one container. k3s needs a privileged container, which this
// project's CI sandbox refuses, so this path is for developer machines with a normal Docker engine.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { K3sContainer } from "@testcontainers/k3s";
import { ownerLabels, testcontainers } from "./cluster-containers.js";
import type { ClusterPlan, StartedCluster } from "./shared-cluster.js";

const K3S_IMAGE = process.env.TEST_K3S_IMAGE ?? "rancher/k3s:v1.36.3-k3s1";

export async function startK3sCluster(plan: ClusterPlan): Promise<StartedCluster> {
  await testcontainers(); // configures testcontainers before @testcontainers/k3s uses it
  const container = await new K3sContainer(K3S_IMAGE).withLabels(ownerLabels(plan.owner)).start();
  const kubeconfigPath = join(plan.stateDir, "k3s.kubeconfig");
  await writeFile(kubeconfigPath, container.getKubeConfig(), { mode: 0o600 });
  return {
    shared: { kind: "k3s", kubeconfigPath, binDir: plan.binDir },
    teardown: { kind: "containers", ids: [container.getId()] },
  };
}
