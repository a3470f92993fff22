// The cluster every integration test talks to. The vitest global setup (test/support/global-setup.ts)
// starts ONE cluster for the whole run and hands its kubeconfig to the test files through
// `provide`/`inject`; this module turns that into a ready-to-use admin client and a kubectl runner.
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { inject } from "vitest";
import { type KubectlOptions, type KubectlResult, runKubectl } from "../../src/controlplane/index.js";

export type { KubectlOptions, KubectlResult };

/** What the global setup shares with test files (must stay serialisable: it crosses processes). */
export interface SharedCluster {
  /** Which of the cluster choices is running: "kubeconfig" | "processes" | "containers" | "k3s". */
  kind: string;
  kubeconfigPath: string;
  /** Host directory holding kubectl, helm, etcd, kube-apiserver (always host binaries). */
  binDir: string;
}

/** A cluster the global setup started, and how to end it. */
export interface StartedCluster {
  shared: SharedCluster;
  stop(): Promise<void>;
}

declare module "vitest" {
  export interface ProvidedContext {
    agoCluster: SharedCluster;
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

let cached: TestCluster | undefined;

/**
 * The shared test cluster, for use inside a test file.
 *
 * Flow:
 * 1. Reads what the global setup provided (kubeconfig path, bin dir).
 * 2. Loads an admin `KubeConfig` from it, once per test file worker.
 *
 * Guarantees: the cluster answered `/readyz` before any test file started; every call in one worker
 * returns the same object.
 *
 * Caveats: namespaces made with `newNamespace` are not deleted for you (the cluster is thrown away at
 * the end of the run, and namespace deletion needs kube-controller-manager, which only the default
 * local control plane runs). Tests that need a cluster of their own (restarting it, say) start one
 * with `startControlPlane` from `src/controlplane`.
 *
 * Errors: throws when the global setup did not run (vitest started with another config).
 */
export async function testCluster(): Promise<TestCluster> {
  if (cached) return cached;
  const shared = sharedCluster();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(shared.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  cached = {
    ...shared,
    kubeConfig,
    kubectl: (args, opts) => runKubectl(shared.binDir, shared.kubeconfigPath, args, opts),
    async newNamespace(prefix) {
      const name = uniqueName(prefix);
      await core.createNamespace({ body: { metadata: { name, labels: { "ago-test": "true" } } } });
      return name;
    },
  };
  return cached;
}

/** Creates a uniquely named namespace in the shared test cluster (shorthand for `testCluster()`). */
export async function newNamespace(prefix: string): Promise<string> {
  return (await testCluster()).newNamespace(prefix);
}

function sharedCluster(): SharedCluster {
  const shared = inject("agoCluster");
  if (!shared) {
    throw new Error(
      "no test cluster: test/support/global-setup.ts did not run (it is wired in vitest.config.ts as globalSetup)",
    );
  }
  return shared;
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
