// Putting things into the dev cluster the way a user would: kubectl apply of the CRDs, then of each
// example (from a file in the state dir, so what was applied can be read afterwards).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { GROUP, KIND_DEFINITIONS } from "../../src/api/index.js";
import type { ControlPlane } from "../control-plane/index.js";
import type { Example } from "./examples.js";
import { crdDir } from "./paths.js";

type Kubectl = Pick<ControlPlane, "kubectl">;

/** Installs crds/ and waits until every kind can be listed. Errors: kubectl's message. */
export async function installCrds(plane: Kubectl): Promise<void> {
  const applied = await plane.kubectl(["apply", "--server-side", "--force-conflicts", "-f", crdDir()]);
  if (applied.code !== 0) throw new Error(`installing the CRDs failed: ${applied.stderr.trim()}`);
  const names = KIND_DEFINITIONS.map((def) => `crd/${def.names.plural}.${GROUP}`);
  const established = await plane.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names]);
  if (established.code !== 0) throw new Error(`the CRDs were not established: ${established.stderr.trim()}`);
  // Established is not yet servable: the first lists answer 429 "storage is (re)initializing".
  const plurals = KIND_DEFINITIONS.map((def) => `${def.names.plural}.${GROUP}`).join(",");
  for (const deadline = Date.now() + 30_000; ; ) {
    const listed = await plane.kubectl(["get", plurals, "--all-namespaces", "--ignore-not-found"]);
    if (listed.code === 0) return;
    if (Date.now() > deadline) throw new Error(`the CRDs are not served: ${listed.stderr.trim()}`);
    await sleep(200);
  }
}

export interface ApplyResult {
  ok: boolean;
  /** The file applied. */
  file: string;
  /** kubectl's output: `gallery.gallery.azure.dev/my-gallery created` lines, or its error. */
  output: string;
}

/**
 * Writes the example (its namespace first) to `<dir>/<namespace>.yaml` and applies that file.
 * Guarantees: resolves for every outcome; a refused manifest (CRD validation) is `ok: false` with
 * kubectl's message, which names the field.
 */
export async function applyExample(plane: Kubectl, example: Example, dir: string): Promise<ApplyResult> {
  const namespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: example.namespace,
      labels: { "app.kubernetes.io/part-of": "azure-gallery-operator-dev" },
    },
  };
  const file = join(dir, `${example.namespace}.yaml`);
  const header = `# ${example.name}, as applied by dev mode (from ${example.files.join(", ")})\n`;
  await writeFile(file, header + [namespace, ...example.manifests].map((m) => stringify(m)).join("---\n"));
  const result = await plane.kubectl(["apply", "-f", file]);
  return { ok: result.code === 0, file, output: (result.code === 0 ? result.stdout : result.stderr).trim() };
}
