// The repository's examples (examples/*/) as a test applies them to the shared cluster: read and
// given subscriptions of their own by the same code `dev` mode uses (tools/dev), each moved to a fresh
// namespace (the shared cluster outlives one test file), and the simulated Azure seeded with what
// they take for granted (tenant, resource groups, version sources).
import { join } from "node:path";
import { stringify } from "yaml";
import { KINDS, type KindName } from "../../src/api/index.js";
import { type KubeObject, KubeTransport, ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import { type Example, loadExamples } from "../../tools/dev/examples.js";
import { DEV_TENANT_ID, worldFor } from "../../tools/dev/fixtures.js";
import { isolateExample } from "../../tools/dev/isolate.js";
import type { Simulator } from "../../tools/sim/index.js";
import type { TestCluster } from "./cluster.js";
import { waitFor } from "./wait.js";
import { conditionOf } from "./world.js";

export const EXAMPLES_DIR = join(import.meta.dirname, "..", "..", "examples");

export interface TestExamples {
  examples: Example[];
  /** Every example's namespace, in the order of `examples`. */
  namespaces: string[];
  /** The tenant owning the examples' subscriptions: the operator's ARM token must be for it. */
  tenantId: string;
}

/**
 * Loads every example (or the `only` folders), each isolated in a new namespace of `cluster`, and
 * seeds `sim` for them. Nothing is applied yet (`applyExamples`).
 */
export async function prepareExamples(
  cluster: Pick<TestCluster, "newNamespace">,
  sim: Pick<Simulator, "seed">,
  only?: readonly string[],
): Promise<TestExamples> {
  const loaded = (await loadExamples(EXAMPLES_DIR)).filter((e) => !only || only.includes(e.name));
  const examples: Example[] = [];
  for (const original of loaded) {
    const { example } = isolateExample(original);
    const namespace = await cluster.newNamespace(`ex-${example.name}`);
    // loadExamples set a namespace on exactly the namespaced manifests: move those.
    const manifests = example.manifests.map((m) =>
      m.metadata.namespace ? { ...m, metadata: { ...m.metadata, namespace } } : m,
    );
    examples.push({ ...example, namespace, manifests });
  }
  const { fixtures, auxiliaryTenants } = worldFor(examples);
  // One static token covers one tenant: an example with a cross-tenant source would need more.
  if (auxiliaryTenants.length > 0)
    throw new Error("an example needs a second tenant; see tools/dev/operator.ts");
  sim.seed(fixtures);
  return { examples, namespaces: examples.map((e) => e.namespace), tenantId: DEV_TENANT_ID };
}

/** `kubectl apply` of every example, as its user would (the cluster's admin). */
export async function applyExamples(
  cluster: Pick<TestCluster, "kubectl">,
  { examples }: TestExamples,
): Promise<void> {
  const input = examples.flatMap((e) => e.manifests.map((m) => stringify(m))).join("---\n");
  const applied = await cluster.kubectl(["apply", "-f", "-"], { input });
  if (applied.code !== 0) throw new Error(`applying the examples failed: ${applied.stderr}`);
}

/**
 * Waits until every object of the examples has Ready=True; a timeout lists each object that is
 * not, with its Ready condition (reason and message), so the failure says what went wrong.
 */
export async function waitForExamplesReady(
  cluster: Pick<TestCluster, "kubeConfig">,
  { examples }: TestExamples,
  timeoutMs: number,
): Promise<void> {
  const transport = new KubeTransport(cluster.kubeConfig);
  const objects = examples.flatMap((e) =>
    e.manifests.map((m) => {
      if (!(m.kind in KINDS))
        throw new Error(`example ${e.name}: ${m.kind} has no Ready condition to wait for`);
      const kind = m.kind as KindName;
      const client: ResourceClient<KubeObject> = new ResourceClient(transport, descriptorOf(kind));
      return { kind, client, ref: { namespace: e.namespace, name: m.metadata.name } };
    }),
  );
  await waitFor(
    `all ${objects.length} objects of the examples Ready`,
    async () => {
      const pending: string[] = [];
      for (const { kind, client, ref } of objects) {
        const ready = conditionOf(await client.get(ref));
        if (ready?.status !== "True") {
          const why = ready ? `${ready.status} ${ready.reason}: ${ready.message}` : "no condition yet";
          pending.push(`${kind} ${ref.namespace}/${ref.name} Ready=${why}`);
        }
      }
      // Thrown, not returned: waitFor puts the last error's message in its timeout.
      if (pending.length > 0) throw new Error(`not Ready:\n  ${pending.join("\n  ")}`);
      return true;
    },
    { timeoutMs, intervalMs: 500 },
  );
}
