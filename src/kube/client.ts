// Where the operator's cluster credentials come from: the same order controller-runtime uses, so
// `--kubeconfig`, KUBECONFIG and a pod's service account all behave as operators expect.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfigFile } from "./kubeconfig.js";

export interface KubeConfigSource {
  /** An explicit kubeconfig file (the `--kubeconfig` flag); wins over everything else. */
  path?: string;
  /** A context of that kubeconfig other than its current one. */
  context?: string;
}

export type KubeConfigOrigin = "path" | "env" | "in-cluster" | "home";

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * Loads cluster credentials.
 *
 * Expected flow (first that applies):
 * 1. `source.path`: that file.
 * 2. `KUBECONFIG`: its files, merged as kubectl merges them.
 * 3. In a pod (KUBERNETES_SERVICE_HOST set and a service-account token mounted): in-cluster config.
 * 4. `~/.kube/config`.
 *
 * Guarantees: the returned config has a current cluster; `origin` says which source was used (log it).
 *
 * Errors: throws when no source applies, when a file cannot be read or parsed, or when
 * `source.context` does not exist in it.
 */
export function loadKubeConfig(
  source: KubeConfigSource = {},
  env: NodeJS.ProcessEnv = process.env,
): { kubeConfig: KubeConfigFile; origin: KubeConfigOrigin } {
  const kubeConfig = new KubeConfigFile();
  let origin: KubeConfigOrigin;
  const home = join(homedir(), ".kube", "config");
  if (source.path) {
    kubeConfig.loadFromFile(source.path);
    origin = "path";
  } else if (env.KUBECONFIG) {
    // loadFromDefault reads KUBECONFIG (with merging) from the real environment only.
    for (const file of env.KUBECONFIG.split(delimiter).filter(Boolean)) kubeConfig.loadFromFile(file);
    origin = "env";
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster(env);
    origin = "in-cluster";
  } else if (existsSync(home)) {
    kubeConfig.loadFromFile(home);
    origin = "home";
  } else {
    throw new Error("no Kubernetes credentials: pass --kubeconfig, set KUBECONFIG, or run in a pod");
  }
  if (source.context) {
    kubeConfig.setCurrentContext(source.context);
  }
  if (!kubeConfig.getCurrentCluster()) throw new Error(`kubeconfig (${origin}) has no current cluster`);
  return { kubeConfig, origin };
}
