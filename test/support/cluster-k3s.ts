// TEST_CLUSTER=k3s: a whole k3s in one container. k3s needs a privileged container, which this
// project's CI sandbox refuses, so this path is for developer machines with a normal Docker.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { K3sContainer } from "@testcontainers/k3s";
import type { StartedCluster } from "./cluster.js";

const K3S_IMAGE = process.env.TEST_K3S_IMAGE ?? "rancher/k3s:v1.36.3-k3s1";

export async function startK3sCluster(binDir: string): Promise<StartedCluster> {
  const container = await new K3sContainer(K3S_IMAGE).start();
  const dir = await mkdtemp(join(tmpdir(), "ago-k3s-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  await writeFile(kubeconfigPath, container.getKubeConfig(), { mode: 0o600 });
  return {
    shared: { kind: "k3s", kubeconfigPath, binDir },
    async stop() {
      await container.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
