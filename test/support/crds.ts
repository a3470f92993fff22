// Installs this repository's CRDs (crds/) into a test cluster and waits until they are served.
import { join } from "node:path";
import { GROUP, KIND_DEFINITIONS } from "../../src/api/index.js";
import type { TestCluster } from "./cluster.js";

const CRD_DIR = join(import.meta.dirname, "..", "..", "crds");

/** Idempotent: every test file may call it. Errors: kubectl's message when apply or wait fails. */
export async function installCrds(cluster: Pick<TestCluster, "kubectl">): Promise<void> {
  const applied = await cluster.kubectl(["apply", "--server-side", "--force-conflicts", "-f", CRD_DIR]);
  if (applied.code !== 0) throw new Error(`installing crds/ failed: ${applied.stderr}`);
  const names = KIND_DEFINITIONS.map((def) => `crd/${def.names.plural}.${GROUP}`);
  const ready = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names]);
  if (ready.code !== 0) throw new Error(`crds/ not established: ${ready.stderr}`);
}
