// The cluster every integration test talks to. The vitest global setup (test/support/global-setup.ts)
// decides which cluster the run shares; the first test file to call `testCluster()` starts it
// (test/support/shared-cluster.ts) and every later one reuses it. This module turns it into a
// ready-to-use admin client and a kubectl runner.
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { inject } from "vitest";
import { type KubectlOptions, type KubectlResult, runKubectl } from "../../tools/control-plane/index.js";
import { type ClusterPlan, ensureSharedCluster } from "./shared-cluster.js";

export type { KubectlOptions, KubectlResult };

/** The running shared cluster, as test files see it. */
export interface SharedCluster {
  /** Which of the cluster choices is running: "kubeconfig" | "processes" | "containers" | "k3s". */
  kind: string;
  kubeconfigPath: string;
  /** Host directory holding kubectl, helm, etcd, kube-apiserver (always host binaries). */
  binDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    agoClusterPlan: ClusterPlan;
  }
}

export interface TestCluster {
  kind: string;
  kubeconfigPath: string;
  /** Admin (system:masters) client configuration for @kubernetes/client-node. */
  kubeConfig: KubeConfig;
  binDir: string;
  /** Runs kubectl against the cluster; never throws for a non-zero exit, look at `code`. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Creates a namespace named `<prefix>-<random>` and returns its name. */
  newNamespace(prefix: string): Promise<string>;
}

let cached: Promise<TestCluster> | undefined;

/**
 * The shared test cluster, for use inside a test file.
 *
 * Flow:
 * 1. Reads the plan the global setup provided (which cluster, where its state goes).
 * 2. Starts the cluster if no test file of this run has yet, else waits for / reuses it.
 * 3. Loads an admin `KubeConfig`, once per test file worker.
 *
 * Guarantees: the cluster answered `/readyz` before this resolves; every call in one worker returns
 * the same object. Call it from `beforeAll` (the first call may take several seconds).
 *
 * Caveats: namespaces made with `newNamespace` are not deleted for you (the cluster is thrown away at
 * the end of the run, and namespace deletion needs kube-controller-manager, which only the default
 * local control plane runs). Tests that need a cluster of their own (restarting it, say) start one
 * with `startControlPlane` from `tools/control-plane`.
 *
 * Errors: throws when the global setup did not run (vitest started with another config), when the
 * run has no cluster (TEST_CLUSTER=none), or with the reason the cluster failed to start.
 */
export async function testCluster(): Promise<TestCluster> {
  cached ??= connect();
  return cached;
}

async function connect(): Promise<TestCluster> {
  return clusterAt(await ensureSharedCluster(plan()));
}

/**
 * A cluster a test file started for itself (`startControlPlane` from tools/control-plane), with the
 * same helpers as the shared one.
 */
export function clusterAt(shared: SharedCluster): TestCluster {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(shared.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    ...shared,
    kubeConfig,
    kubectl: (args, opts) => runKubectl(shared.binDir, shared.kubeconfigPath, args, opts),
    async newNamespace(prefix) {
      const name = uniqueName(prefix);
      await core.createNamespace({ body: { metadata: { name, labels: { "ago-test": "true" } } } });
      return name;
    },
  };
}

/**
 * The directory with kubectl, helm, etcd, kube-apiserver and kube-controller-manager, without
 * starting the shared cluster: for tests that start control planes of their own.
 */
export function testBinDir(): string {
  const { binDir } = plan();
  if (!binDir) throw new Error("TEST_CLUSTER=none: this run resolved no control-plane binaries");
  return binDir;
}

/** Creates a uniquely named namespace in the shared test cluster (shorthand for `testCluster()`). */
export async function newNamespace(prefix: string): Promise<string> {
  return (await testCluster()).newNamespace(prefix);
}

function plan(): ClusterPlan {
  const provided = inject("agoClusterPlan");
  if (!provided) {
    throw new Error(
      "no test cluster: test/support/global-setup.ts did not run (it is wired in vitest.config.ts as globalSetup)",
    );
  }
  return provided;
}

// Namespace names are DNS labels: at most 63 characters, lower case, starting with a letter.
function uniqueName(prefix: string): string {
  const suffix = randomBytes(4).toString("hex");
  const head = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 63 - suffix.length - 1);
  return `${head}-${suffix}`;
}
