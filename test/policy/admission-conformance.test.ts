// The API server's admission policies (CEL, crds/admission) and the operator's engine (TypeScript)
// must judge alike: every guardrail case and every selector case of fixtures.ts, dry-run through
// a real API server, gets the verdict and the exact words the unit tests expect of the engine.
// Each case has a namespace and a policy of its own, so all of them are judged at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { LabelSelector } from "../../src/api/index.js";
import { selectorMatches } from "../../src/policy/selector.js";
import { gallery } from "../api/support/fixtures.js";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { waitFor } from "../support/wait.js";
import {
  applyPolicy,
  deletePolicies,
  installAdmission,
  labelNamespace,
  removeAdmission,
  uniqueLabel,
} from "./cluster.js";
import { GUARDRAIL_CASES, NAMESPACE_LABELS, SELECTOR_CASES } from "./fixtures.js";

let cluster: TestCluster;
const label = uniqueLabel();
const policies: string[] = [];
const namespaces = new Map<string, string>();

/** A namespace labelled `label=<id>` and a policy covering exactly it. */
async function arrange(id: string, labels: Record<string, string>, spec: Parameters<typeof applyPolicy>[2]) {
  const namespace = await cluster.newNamespace(`pol-${id}`);
  await labelNamespace(cluster, namespace, { ...labels, [label]: id });
  namespaces.set(id, namespace);
  const name = `${label}-${id}`;
  policies.push(name);
  await applyPolicy(cluster, name, spec);
  return name;
}

function dryRun(namespace: string, manifest: object) {
  return cluster.kubectl(["create", "--dry-run=server", "-n", namespace, "-f", "-"], {
    input: stringify(manifest),
  });
}

/** The case's selector narrowed to its own namespace (the narrowing label is not one it reads). */
function narrowed(selector: LabelSelector, id: string): LabelSelector {
  return { ...selector, matchLabels: { ...selector.matchLabels, [label]: id } };
}

beforeAll(async () => {
  cluster = await testCluster();
  await installAdmission(cluster);
  await Promise.all(
    GUARDRAIL_CASES.map((c, i) =>
      arrange(`case-${i}`, {}, { namespaceSelector: narrowed({}, `case-${i}`), ...c.policy }),
    ),
  );
  await Promise.all(
    SELECTOR_CASES.map(([, selector], i) =>
      arrange(`sel-${i}`, NAMESPACE_LABELS, {
        namespaceSelector: narrowed(selector, `sel-${i}`),
        galleries: { allowedSubscriptions: [] },
      }),
    ),
  );
  // The API server learns of policies through an informer: once the last one bites, all do.
  const sentinel = await arrange(
    "sentinel",
    {},
    { namespaceSelector: narrowed({}, "sentinel"), galleries: { allowedSubscriptions: [] } },
  );
  await waitFor(
    `${sentinel} to be enforced`,
    async () => ((await dryRun(namespaces.get("sentinel") ?? "", gallery())).code !== 0 ? true : undefined),
    {
      timeoutMs: 30_000,
      intervalMs: 250,
    },
  );
});

afterAll(async () => {
  if (!cluster) return;
  await deletePolicies(cluster, policies);
  await removeAdmission(cluster);
});

describe("admission policies and the engine agree", () => {
  it.each(GUARDRAIL_CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const result = await dryRun(namespaces.get(`case-${i}`) ?? "", c.object);
    if (c.denied.length === 0) {
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      return;
    }
    expect(result.code).not.toBe(0);
    for (const d of c.denied)
      expect(result.stderr).toContain(`GalleryPolicy ${label}-case-${i} (${d.rule}): ${d.message}`);
  });

  it.each(SELECTOR_CASES.map(([name, selector], i) => [name, selector, i] as const))(
    "namespaceSelector: %s",
    async (_name, selector, i) => {
      const covered = selectorMatches(selector, NAMESPACE_LABELS);
      const result = await dryRun(namespaces.get(`sel-${i}`) ?? "", gallery());
      expect(result.code !== 0, result.stderr).toBe(covered);
    },
  );

  it("judges creates and spec changes only: finalizer writes on a forbidden object pass", async () => {
    // The object exists before a policy covers it (the namespace is labelled afterwards), as when
    // a policy is tightened: the operator must still be able to add and remove its finalizer.
    const late = await cluster.newNamespace("pol-late");
    const created = await cluster.kubectl(["create", "-n", late, "-f", "-"], {
      input: stringify(gallery("late")),
    });
    expect(created.stderr).toBe("");
    await labelNamespace(cluster, late, { [label]: "sentinel" });
    await waitFor("the sentinel policy to cover the relabelled namespace", async () =>
      (await dryRun(late, gallery("probe"))).code !== 0 ? true : undefined,
    );
    const patch = (body: object) =>
      cluster.kubectl(["patch", "gallery", "late", "-n", late, "--type=merge", "-p", JSON.stringify(body)]);
    expect((await patch({ metadata: { finalizers: ["gallery.azure.dev/finalizer"] } })).stderr).toBe("");
    expect((await patch({ spec: { description: "changed" } })).stderr).toContain(
      `GalleryPolicy ${label}-sentinel (galleries.allowedSubscriptions)`,
    );
    expect((await patch({ metadata: { finalizers: null } })).stderr).toBe("");
  });
});
