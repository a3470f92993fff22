// Vitest global setup: decides which cluster the run's tests share and hands that plan to every test
// file (`provide`); the first test file that needs the cluster starts it (test/support/shared-cluster),
// and the teardown here stops it when the run ends.
//
// Which cluster, in order:
//   TEST_KUBECONFIG=<path>   an existing cluster; nothing is started or stopped
//   TEST_CLUSTER=containers  etcd + kube-apiserver as containers (run tools/docker/setup.sh first)
//   TEST_CLUSTER=k3s         k3s through @testcontainers/k3s (needs privileged containers)
//   TEST_CLUSTER=none        no cluster: unit tests only, and no Go binaries needed
//   otherwise                the local control plane as processes (tools/control-plane)
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import {
  ownerAlive,
  ownerOfThisProcess,
  type ProcessOwner,
  reapStaleControlPlanes,
  resolveBinDir,
} from "../../tools/control-plane/index.js";
import { type ClusterChoice, type ClusterPlan, stopSharedCluster } from "./shared-cluster.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const choice = chooseCluster();
  // Building the binaries (minutes, once per machine) happens here, where no test timeout applies;
  // a cached build answers in milliseconds.
  const binDir = choice === "none" ? "" : await resolveBinDir();
  // A run killed outright (SIGKILL) cannot clean up after itself; the next run does, before starting.
  await reapStaleControlPlanes();
  await removeStaleStateDirs();
  const owner = ownerOfThisProcess();
  const stateDir = await mkdtemp(join(tmpdir(), STATE_DIR_PREFIX));
  await writeFile(join(stateDir, OWNER_FILE), JSON.stringify(owner));
  const plan: ClusterPlan = {
    choice,
    binDir,
    stateDir,
    owner,
    ...(choice === "kubeconfig" ? { kubeconfigPath: process.env.TEST_KUBECONFIG ?? "" } : {}),
  };
  project.provide("agoClusterPlan", plan);
  return async () => {
    await stopSharedCluster(plan);
    await rm(stateDir, { recursive: true, force: true });
  };
}

const STATE_DIR_PREFIX = "ago-test-run-";
const OWNER_FILE = "owner.json";

async function removeStaleStateDirs(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(STATE_DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const owner = await readFile(join(dir, OWNER_FILE), "utf8").then(
      (text) => JSON.parse(text) as ProcessOwner,
      () => undefined,
    );
    // No owner file: a run that died within milliseconds of creating it, or not ours to judge.
    if (owner && !ownerAlive(owner)) await rm(dir, { recursive: true, force: true });
  }
}

function chooseCluster(): ClusterChoice {
  if (process.env.TEST_KUBECONFIG) return "kubeconfig";
  const choice = process.env.TEST_CLUSTER || "processes";
  if (choice === "processes" || choice === "containers" || choice === "k3s" || choice === "none")
    return choice;
  throw new Error(`TEST_CLUSTER=${choice}: expected containers, k3s, processes or none`);
}
