// The CRD upgrade path (chart value crds.applyOnStart, `run --apply-crds`): Helm installs a chart's
// crds/ once and never upgrades them. Here a release of the previous chart version (its Gallery CRD
// still without the `Azure ID` column) is upgraded with `helm upgrade` to this chart on the real API
// server; the operator then runs with the upgraded Deployment's arguments and a token of the chart's
// ServiceAccount, and the API server's CRDs become this version's. An older operator never
// downgrades a CRD a newer one applied.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { applyOwnCrds, CRD_VERSION_ANNOTATION } from "../../src/crd-upgrade.js";
import { KubeTransport } from "../../src/kube/index.js";
import { operatorVersion } from "../../src/version.js";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { installCrds } from "../support/crds.js";
import { type OperatorProcess, spawnCli } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import {
  CHART,
  helm,
  type RunResult,
  run,
  serviceAccountToken,
  withLogTail,
  writeTokenKubeconfig,
} from "./support.js";

const GALLERY_CRD = "galleries.gallery.azure.dev";
let cluster: TestCluster;
let ns: string;
let dir: string;
let operator: OperatorProcess | undefined;
const release = `ago-up-${randomBytes(3).toString("hex")}`;
const fullname = `${release}-azure-gallery-operator`;

async function helmOn(args: string[]): Promise<RunResult> {
  return run(await helm(), [...args, "--kubeconfig", cluster.kubeconfigPath], { timeoutMs: 120_000 });
}

interface Crd {
  metadata: { annotations?: Record<string, string> };
  spec: { versions: { additionalPrinterColumns?: { name: string }[] }[] };
}

async function galleryCrd(): Promise<Crd> {
  const got = await cluster.kubectl(["get", "crd", GALLERY_CRD, "-o", "json"]);
  if (got.code !== 0) throw new Error(got.stderr);
  return JSON.parse(got.stdout) as Crd;
}
const columns = (crd: Crd) => (crd.spec.versions[0]?.additionalPrinterColumns ?? []).map((c) => c.name);

/**
 * The previous chart version: this chart as 0.0.9, whose Gallery CRD lacked the `Azure ID` column
 * and which had no CRD upgrade path yet.
 */
function previousChart(): string {
  const prev = join(dir, "previous");
  cpSync(CHART, prev, { recursive: true });
  const chartFile = join(prev, "Chart.yaml");
  writeFileSync(chartFile, readFileSync(chartFile, "utf8").replace(/^version: .*$/m, "version: 0.0.9"));
  rmSync(join(prev, "templates", "crd-upgrade-rbac.yaml"));
  const crdFile = join(prev, "crds", "gallery.yaml");
  const crd = parse(readFileSync(crdFile, "utf8")) as Crd;
  for (const v of crd.spec.versions) {
    v.additionalPrinterColumns = v.additionalPrinterColumns?.filter((c) => c.name !== "Azure ID");
  }
  writeFileSync(crdFile, stringify(crd));
  return prev;
}

/** The release's namespace and values, the same for install and upgrade. */
function releaseArgs(): string[] {
  // The admission policies have fixed names that other files on this cluster own.
  return ["--namespace", ns, "--set", `watchNamespaces={${ns}}`, "--set", "admissionPolicies.enabled=false"];
}

beforeAll(async () => {
  cluster = await testCluster();
  await installCrds(cluster);
  ns = await cluster.newNamespace("ago-crd-up");
  dir = mkdtempSync(join(tmpdir(), "ago-crd-up-"));
  const prev = previousChart();
  await previousGalleryCrd(prev);
  const installed = await helmOn(["install", release, prev, "--skip-crds", ...releaseArgs()]);
  if (installed.code !== 0) throw new Error(`helm install of the previous chart failed: ${installed.stderr}`);
});

afterAll(async () => {
  await operator?.kill();
  if (ns) await helmOn(["uninstall", release, "--namespace", ns]);
  // Whatever happened, leave the repository's CRDs for the files that follow.
  if (cluster) await installCrds(cluster);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * What the previous chart's first install left: its Gallery CRD (Helm skips CRDs that exist
 * already, and this cluster is shared, so it is put in place as that install would have).
 */
async function previousGalleryCrd(prev = previousChart()): Promise<void> {
  const replaced = await cluster.kubectl(["replace", "-f", join(prev, "crds", "gallery.yaml")]);
  if (replaced.code !== 0) throw new Error(`replacing the Gallery CRD failed: ${replaced.stderr}`);
}

/** `helm upgrade` of the release to this chart with crds.applyOnStart (again, if done before). */
async function upgrade(): Promise<void> {
  const upgraded = await helmOn([
    "upgrade",
    release,
    CHART,
    ...releaseArgs(),
    "--set",
    "crds.applyOnStart=true",
  ]);
  expect(upgraded.stderr).toBe("");
  expect(upgraded.code).toBe(0);
}

describe("helm upgrade with crds.applyOnStart", () => {
  it("brings the cluster's CRDs to this version when the upgraded operator starts", {
    timeout: 180_000,
  }, async () => {
    await previousGalleryCrd();
    expect(columns(await galleryCrd())).not.toContain("Azure ID");
    await upgrade();
    // Helm itself left the CRD alone.
    expect(columns(await galleryCrd())).not.toContain("Azure ID");

    const stored = await cluster.kubectl(["get", "deployment", fullname, "-n", ns, "-o", "json"]);
    const container = JSON.parse(stored.stdout).spec.template.spec.containers[0] as {
      args: string[];
      env: { name: string; value?: string }[];
    };
    expect(container.args).toContain("--apply-crds=true");
    const env = Object.fromEntries(container.env.filter((e) => e.value).map((e) => [e.name, e.value ?? ""]));
    const token = await serviceAccountToken(cluster, ns, fullname);
    // No HTTP server (a later flag wins): port 8080 may be anyone's on a shared machine. The chart's
    // default credential is never asked for a token: no gallery object exists in the namespace.
    operator = spawnCli([...container.args, "--http-address=0"], {
      ...env,
      POD_NAMESPACE: ns,
      POD_NAME: `${fullname}-0`,
      KUBECONFIG: await writeTokenKubeconfig(cluster.kubeconfigPath, token, join(dir, "sa-kubeconfig")),
    });
    await withLogTail(
      operator.waitForLine((l) => l.msg === "caches synced; reconciling", 60_000),
      operator.output,
    );
    const applied = operator.lines.filter((l) => l.msg === "CRD applied").map((l) => l.crd);
    expect(applied.sort()).toEqual([
      "galleries.gallery.azure.dev",
      "gallerypolicies.gallery.azure.dev",
      "gallerysharings.gallery.azure.dev",
      "imagedefinitions.gallery.azure.dev",
      "imageversions.gallery.azure.dev",
    ]);
    const crd = await galleryCrd();
    expect(columns(crd)).toContain("Azure ID");
    expect(crd.metadata.annotations?.[CRD_VERSION_ANNOTATION]).toBe(operatorVersion());
    const established = await cluster.kubectl([
      "wait",
      "--for=condition=Established",
      "--timeout=30s",
      `crd/${GALLERY_CRD}`,
    ]);
    expect(established.code).toBe(0);
  });

  it("the ServiceAccount may patch only the operator's own CRDs", async () => {
    await upgrade();
    const as = `system:serviceaccount:${ns}:${fullname}`;
    const can = async (verb: string, what: string) =>
      (await cluster.kubectl(["auth", "can-i", verb, what, "--as", as])).stdout.trim();
    expect(await can("patch", `customresourcedefinitions.apiextensions.k8s.io/${GALLERY_CRD}`)).toBe("yes");
    expect(await can("patch", "customresourcedefinitions.apiextensions.k8s.io/other.example.com")).toBe("no");
    expect(await can("delete", `customresourcedefinitions.apiextensions.k8s.io/${GALLERY_CRD}`)).toBe("no");
    expect(await can("create", "customresourcedefinitions.apiextensions.k8s.io")).toBe("no");
  });

  it("an older operator leaves a CRD a newer one applied as it is", async () => {
    const annotate = (value: string) =>
      cluster.kubectl(["annotate", "crd", GALLERY_CRD, `${CRD_VERSION_ANNOTATION}=${value}`, "--overwrite"]);
    expect((await annotate("99.0.0")).code).toBe(0);
    const before = await galleryCrd();
    const results = await applyOwnCrds(
      new KubeTransport(cluster.kubeConfig),
      operatorVersion(),
      pino({ level: "silent" }),
    );
    expect(results.find((r) => r.name === GALLERY_CRD)).toEqual({
      name: GALLERY_CRD,
      action: "skipped",
      from: "99.0.0",
    });
    expect(results.filter((r) => r.action === "applied")).toHaveLength(4);
    expect(await galleryCrd()).toEqual(before);
    await waitFor("the annotation back at this version", async () =>
      (await annotate(operatorVersion())).code === 0 ? true : undefined,
    );
  });
});
