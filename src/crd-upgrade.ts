// `run --apply-crds`: the operator brings the cluster's CRDs to its own version as it starts. Helm
// installs a chart's crds/ on first install only and never upgrades them, so without this (or a
// manual `kubectl apply`) a new operator would run against the old schema. Opt-in: it needs
// permission to patch the five CRDs, which cluster admins may not want to give.
import type { Logger } from "pino";
import { customResourceDefinition, GROUP, KIND_DEFINITIONS } from "./api/index.js";
import { isNotFound, type KubeObject, type KubeTransport, ResourceClient } from "./kube/index.js";
import { compareReleases } from "./version.js";

/** On each CRD the operator applied: the operator version it came from. */
export const CRD_VERSION_ANNOTATION = `${GROUP}/operator-version`;

const CRDS = {
  group: "apiextensions.k8s.io",
  version: "v1",
  plural: "customresourcedefinitions",
  kind: "CustomResourceDefinition",
  namespaced: false,
};

export interface CrdApplied {
  name: string;
  /** `skipped`: the cluster's CRD came from a newer operator (a rolling upgrade's old replica). */
  action: "applied" | "skipped";
  /** The version the cluster's CRD was at before (undefined: absent, or not applied by an operator). */
  from?: string;
}

/**
 * Server-side applies this operator's CRDs (all five), taking over fields Helm or kubectl set.
 *
 * Guarantees: never downgrades: a CRD whose annotation names a newer operator version is left as
 * it is, so an old replica restarting mid-rollout cannot undo the new one's schema. Idempotent.
 * Errors: the API server's (`KubeApiError`), e.g. 403 without the chart's `crds.applyOnStart` RBAC.
 */
export async function applyOwnCrds(
  transport: KubeTransport,
  version: string,
  logger: Logger,
): Promise<CrdApplied[]> {
  const client = new ResourceClient<KubeObject>(transport, CRDS);
  const results: CrdApplied[] = [];
  for (const def of KIND_DEFINITIONS) {
    const crd = customResourceDefinition(def) as unknown as KubeObject;
    const name = crd.metadata.name;
    const current = await client.get({ name }).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const from = current?.metadata.annotations?.[CRD_VERSION_ANNOTATION];
    if (from && compareReleases(from, version) > 0) {
      logger.info(
        { crd: name, clusterVersion: from, version },
        "CRD is from a newer operator; left as it is",
      );
      results.push({ name, action: "skipped", from });
      continue;
    }
    crd.metadata.annotations = { [CRD_VERSION_ANNOTATION]: version };
    await client.apply(crd, { force: true });
    logger.info({ crd: name, from: from ?? "unknown", version }, "CRD applied");
    results.push({ name, action: "applied", ...(from ? { from } : {}) });
  }
  return results;
}
