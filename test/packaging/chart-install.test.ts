// The chart installed on the shared test cluster (a real kube-apiserver): the API server accepts
// every object, NOTES tell the user what to do next, and the ServiceAccount can do exactly what
// the operator needs and nothing else, as the API server's own authorizer answers it.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { CHART, helm, type RunResult, removeChart, render, run } from "./support.js";

let cluster: TestCluster;
let ns: string;
let other: string;
let installed: RunResult;
const release = `ago-${randomBytes(3).toString("hex")}`;
const fullname = `${release}-azure-gallery-operator`;
const G = "gallery.azure.dev";

async function helmOn(args: string[]): Promise<RunResult> {
  return run(await helm(), [...args, "--kubeconfig", cluster.kubeconfigPath], { timeoutMs: 120_000 });
}

/**
 * Asks the API server's authorizer, through a SubjectAccessReview, whether the operator's
 * ServiceAccount may do `verb` on `resource` ("group/resource[/subresource]", "" = core group,
 * optionally "...:name"). Unlike `kubectl auth can-i`, this needs no CRD to be installed: the
 * group is given, not discovered. Answers "yes" or "no".
 */
async function can(verb: string, target: string, namespace: string): Promise<string> {
  const [path = "", name] = target.split(":");
  const [group = "", resource = "", subresource] = path.split("/");
  const review = {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user: `system:serviceaccount:${ns}:${fullname}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
      resourceAttributes: { verb, group, resource, subresource, namespace, name },
    },
  };
  const result = await cluster.kubectl(["create", "-o", "json", "-f", "-"], {
    input: JSON.stringify(review),
  });
  if (result.code !== 0) throw new Error(`SubjectAccessReview failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { status: { allowed: boolean } }).status.allowed ? "yes" : "no";
}

beforeAll(async () => {
  cluster = await testCluster();
  ns = await cluster.newNamespace("ago-chart");
  other = await cluster.newNamespace("ago-chart-other");
  // The chart's cluster-wide objects have fixed names, and other files on this shared cluster
  // (policy tests, the RBAC test) install the same ones: start from none, as a new cluster would.
  await removeChart(cluster, { rendered: await render() });
  // CRDs are skipped: the cluster is shared, and other test files own the CRDs they install.
  installed = await helmOn([
    "install",
    release,
    CHART,
    "--namespace",
    ns,
    "--skip-crds",
    "--set",
    `rbac.credentialSecretNames={team-a-sp}`,
    "--set",
    "networkPolicy.enabled=true",
  ]);
});

afterAll(async () => {
  if (installed?.code === 0) await helmOn(["uninstall", release, "--namespace", ns]);
});

describe("helm install on a real API server", () => {
  it("is accepted, and NOTES tell the user what to run next", () => {
    expect(installed.stderr).toBe("");
    expect(installed.code).toBe(0);
    const notes = installed.stdout.slice(installed.stdout.indexOf("NOTES:"));
    expect(notes).toContain(`kubectl -n ${ns} rollout status deployment/${fullname}`);
    expect(notes).toContain(`kubectl -n ${ns} logs deployment/${fullname} -f`);
    expect(notes).toContain("kubectl get azure-gallery -A");
    expect(notes).toContain("kind: Gallery\n");
    // Secure by default: how to grant a namespace access, and how to let a team in.
    expect(notes).toContain("namespaces that no GalleryPolicy covers are denied (defaultPolicy=deny)");
    expect(notes).toContain("kind: GalleryPolicy");
    expect(notes).toContain(`--clusterrole=${fullname}-editor`);
  });

  it("NOTES explain the chosen identity, namespaces and a forced leader election", async () => {
    const result = await helmOn([
      "install",
      `${release}-dry`,
      CHART,
      "--namespace",
      ns,
      "--skip-crds",
      "--dry-run=server",
      "--set",
      "azure.credential.mode=workloadIdentity",
      "--set",
      "azure.credential.workloadIdentity.clientId=11111111-2222-3333-4444-555555555555",
      "--set",
      "watchNamespaces={team-a,team-b}",
      "--set",
      "replicaCount=2",
      "--set",
      "leaderElection.enabled=false",
      // The first release owns the admission policies (fixed names); its roles for people are
      // named after it, so this release installs its own.
      "--set",
      "admissionPolicies.enabled=false",
    ]);
    expect(result.stderr).toBe("");
    const notes = result.stdout.slice(result.stdout.indexOf("NOTES:"));
    expect(notes).toContain("Azure credential: workloadIdentity");
    expect(notes).toContain(`system:serviceaccount:${ns}:${release}-dry-azure-gallery-operator`);
    expect(notes).toContain("Watching namespaces: team-a, team-b");
    expect(notes).toContain("leaderElection.enabled=false was overridden");
    expect(notes).toContain("namespace: team-a");
  });

  it("the API server stores the NetworkPolicy for the operator's pod", async () => {
    const result = await cluster.kubectl(["get", "networkpolicy", fullname, "-n", ns, "-o", "json"]);
    expect(result.code).toBe(0);
    const spec = JSON.parse(result.stdout).spec;
    expect(spec.podSelector.matchLabels).toEqual({
      "app.kubernetes.io/name": "azure-gallery-operator",
      "app.kubernetes.io/instance": release,
    });
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("the stored Deployment keeps the hardened pod spec", async () => {
    const result = await cluster.kubectl(["get", "deployment", fullname, "-n", ns, "-o", "json"]);
    expect(result.code).toBe(0);
    const spec = JSON.parse(result.stdout).spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(spec.containers[0].securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });
});

describe("the ServiceAccount's permissions, as the API server authorizes them", () => {
  it.each([
    ["list", `${G}/imagedefinitions`],
    ["watch", `${G}/imageversions`],
    ["patch", `${G}/gallerysharings`],
    ["create", "events.k8s.io/events"],
    ["patch", "events.k8s.io/events"],
  ])("may %s %s in any namespace", async (verb, resource) => {
    expect(await can(verb, resource, other)).toBe("yes");
  });

  it("may patch status, and update nothing of gallery objects", async () => {
    expect(await can("patch", `${G}/imageversions/status`, other)).toBe("yes");
    expect(await can("update", `${G}/imageversions/status`, other)).toBe("no");
    expect(await can("update", `${G}/galleries`, other)).toBe("no");
    expect(await can("update", `${G}/galleries/finalizers`, other)).toBe("no");
  });

  it("may read policies and namespaces, and keep its Lease", async () => {
    expect(await can("list", `${G}/gallerypolicies`, "")).toBe("yes");
    expect(await can("patch", `${G}/gallerypolicies/status`, "")).toBe("yes");
    expect(await can("patch", `${G}/gallerypolicies`, "")).toBe("no");
    expect(await can("watch", "/namespaces", "")).toBe("yes");
    expect(await can("create", "coordination.k8s.io/leases", ns)).toBe("yes");
    expect(await can("update", `coordination.k8s.io/leases:${fullname}`, ns)).toBe("yes");
    expect(await can("update", "coordination.k8s.io/leases:someone-elses", ns)).toBe("no");
    expect(await can("create", "coordination.k8s.io/leases", other)).toBe("no");
  });

  it("reads only the named credential Secret, only in its own namespace", async () => {
    expect(await can("get", "/secrets:team-a-sp", ns)).toBe("yes");
    expect(await can("get", "/secrets:other-secret", ns)).toBe("no");
    expect(await can("list", "/secrets", ns)).toBe("no");
    expect(await can("get", "/secrets:team-a-sp", other)).toBe("no");
  });

  it.each([
    ["create", `${G}/galleries`],
    ["delete", `${G}/imageversions`],
    ["update", `${G}/gallerypolicies`],
    // Exports write ConfigMaps (get, create, patch); nothing else of them.
    ["delete", "/configmaps"],
    ["list", "/configmaps"],
    ["create", "/pods"],
    ["create", "/events"],
    ["update", "/namespaces"],
  ])("may not %s %s", async (verb, resource) => {
    expect(await can(verb, resource, other)).toBe("no");
  });
});
