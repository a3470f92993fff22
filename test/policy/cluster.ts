// GalleryPolicy on a real API server: installing the admission policies and the roles for people
// (and taking them away again: the cluster is shared, and the chart-install test installs the
// same cluster-scoped objects through Helm), policies as admin, an app-team user with only `edit`.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { stringify } from "yaml";
import type { GalleryPolicy, GalleryPolicySpec } from "../../src/api/index.js";
import { KUBE_VERSION, run } from "../packaging/support.js";
import type { TestCluster } from "../support/cluster.js";
import { installCrds } from "../support/crds.js";
import { waitFor } from "../support/wait.js";

const ROOT = join(import.meta.dirname, "..", "..");
const ADMISSION_DIR = join(ROOT, "crds", "admission");
const CHART = join(ROOT, "helm", "azure-gallery-operator");
// The roles for people as `helm template ago` names them (release-scoped).
const EDITOR = "ago-azure-gallery-operator-editor";
const VIEWER = "ago-azure-gallery-operator-viewer";

async function ok(what: string, result: Promise<{ code: number; stdout: string; stderr: string }>) {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A label no other test uses: policies select namespaces by it, so they never reach others'. */
export function uniqueLabel(): string {
  return `ago-policy-test-${randomBytes(3).toString("hex")}`;
}

/** The CRDs (with GalleryPolicy) and the admission policies of crds/admission/. */
export async function installAdmission(cluster: TestCluster): Promise<void> {
  await installCrds(cluster);
  await ok(
    "installing crds/admission",
    cluster.kubectl(["apply", "--server-side", "--force-conflicts", "-f", ADMISSION_DIR]),
  );
}

export async function removeAdmission(cluster: TestCluster): Promise<void> {
  await cluster.kubectl(["delete", "--ignore-not-found", "--wait=false", "-f", ADMISSION_DIR]);
}

/**
 * The chart's roles for people, rendered by Helm, and waits until the clusterrole-aggregation
 * controller folded the editor role into `edit` (what an app team is given).
 */
export async function installRolesForPeople(cluster: TestCluster): Promise<void> {
  const rendered = await ok(
    "helm template roles-for-people",
    run(join(cluster.binDir, "helm"), [
      "template",
      "ago",
      CHART,
      "--show-only",
      "templates/roles-for-people.yaml",
      "--kube-version",
      KUBE_VERSION,
      // App teams get the roles through the built-in `edit`, which the chart makes opt-in.
      "--set",
      "rbac.aggregateToBuiltinRoles=true",
    ]),
  );
  await ok("applying roles for people", cluster.kubectl(["apply", "-f", "-"], { input: rendered }));
  await waitFor(
    `edit to aggregate ${EDITOR}`,
    async () => {
      const r = await cluster.kubectl(["get", "clusterrole", "edit", "-o", "json"]);
      return r.code === 0 && r.stdout.includes('"gallerysharings"') ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

export async function removeRolesForPeople(cluster: TestCluster): Promise<void> {
  await cluster.kubectl(["delete", "clusterrole", "--ignore-not-found", EDITOR, VIEWER]);
}

/** Creates or replaces a GalleryPolicy as the cluster admin (`spec` is the whole spec). */
export async function applyPolicy(
  cluster: TestCluster,
  name: string,
  spec: Partial<GalleryPolicySpec>,
): Promise<void> {
  const obj: GalleryPolicy = {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GalleryPolicy",
    metadata: { name },
    spec: { namespaceSelector: {}, enforcement: "Audit", ...spec },
  };
  // Server-side apply by one manager: fields left out of `spec` are removed, as a replace would.
  await ok(
    `applying GalleryPolicy ${name}`,
    cluster.kubectl(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=policy-test", "-f", "-"],
      {
        input: stringify(obj),
      },
    ),
  );
}

export async function deletePolicies(cluster: TestCluster, names: string[]): Promise<void> {
  if (names.length > 0) await cluster.kubectl(["delete", "gallerypolicy", "--ignore-not-found", ...names]);
}

/** Labels a namespace (policies select namespaces by label). */
export async function labelNamespace(
  cluster: TestCluster,
  namespace: string,
  labels: Record<string, string>,
) {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  await ok(
    `labelling ${namespace}`,
    cluster.kubectl(["label", "namespace", namespace, "--overwrite", ...pairs]),
  );
}

/** A person of an app team: a user with only the built-in `edit` role, only in `namespace`. */
export async function appTeamUser(cluster: TestCluster, namespace: string): Promise<string> {
  const user = `app-dev-${randomBytes(3).toString("hex")}`;
  await ok(
    "binding edit",
    cluster.kubectl([
      "create",
      "rolebinding",
      "app-team-edit",
      "--clusterrole=edit",
      `--user=${user}`,
      "-n",
      namespace,
    ]),
  );
  return user;
}
