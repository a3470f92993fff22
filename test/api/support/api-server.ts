// Talking to the test cluster the way users do: kubectl, server-side apply, YAML on stdin.
import { expect } from "vitest";
import { stringify } from "yaml";
import type { KubectlResult, TestCluster } from "../../support/cluster.js";

export { installCrds } from "../../support/crds.js";

const FIELD_MANAGER = "api-tests";

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

/** Sets fields of an object's status through the status subresource, as the operator does. */
export function setStatus(
  cluster: TestCluster,
  namespace: string,
  manifest: { kind: string; metadata: { name: string } },
  status: object,
): Promise<KubectlResult> {
  const patch = JSON.stringify({ status });
  const target = [manifest.kind.toLowerCase(), manifest.metadata.name];
  return cluster.kubectl([
    "patch",
    ...target,
    "-n",
    namespace,
    "--subresource=status",
    "--type=merge",
    "-p",
    patch,
  ]);
}
