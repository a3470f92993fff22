// Talking to the test cluster the way users do: kubectl, server-side apply, YAML on stdin.
import { join } from "node:path";
import { expect } from "vitest";
import { stringify } from "yaml";
import { GROUP, KIND_DEFINITIONS } from "../../../src/api/index.js";
import type { KubectlResult, TestCluster } from "../../support/cluster.js";

const crdDir = join(import.meta.dirname, "..", "..", "..", "crds");
const FIELD_MANAGER = "api-tests";

/**
 * Installs (or updates) the CRDs from crds/ and waits until the API server serves them.
 * Idempotent, so every test file can call it.
 */
export async function installCrds(cluster: TestCluster): Promise<void> {
  const applied = await cluster.kubectl([
    "apply",
    "--server-side",
    "--force-conflicts",
    `--field-manager=${FIELD_MANAGER}`,
    "-f",
    crdDir,
  ]);
  if (applied.code !== 0) throw new Error(`installing crds/ failed: ${applied.stderr}`);
  const names = KIND_DEFINITIONS.map((def) => `crd/${def.names.plural}.${GROUP}`);
  const ready = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names]);
  if (ready.code !== 0) throw new Error(`crds/ not established: ${ready.stderr}`);
}

/** `kubectl apply --server-side` of one object, or of several as a multi-document YAML stream. */
export function apply(
  cluster: TestCluster,
  namespace: string,
  manifests: object | object[],
  options: { dryRun?: boolean } = {},
): Promise<KubectlResult> {
  const args = ["apply", "--server-side", `--field-manager=${FIELD_MANAGER}`, "-n", namespace, "-f", "-"];
  if (options.dryRun) args.push("--dry-run=server");
  const documents = Array.isArray(manifests) ? manifests : [manifests];
  return cluster.kubectl(args, { input: documents.map((doc) => stringify(doc)).join("---\n") });
}

export function expectAccepted(result: KubectlResult): void {
  expect(result.code, `kubectl failed:\n${result.stderr}`).toBe(0);
}

/**
 * The API server rejected the request, and one line of its answer names `path` (the field) and
 * contains `message` (the rule).
 */
export function expectRejected(result: KubectlResult, path: string, message: string): void {
  expect(result.code, `expected a rejection, got:\n${result.stdout}`).not.toBe(0);
  const line = result.stderr.split("\n").find((l) => l.includes(path) && l.includes(message));
  expect(line, `no line names ${path} with "${message}" in:\n${result.stderr}`).toBeDefined();
}
