// Test kinds of our own (widgets and gizmos in test.azure.dev), so the runtime's tests depend on no
// product CRD. Widgets have a status subresource; gizmos point at a widget (`spec.widget`).
import { KubeConfig } from "@kubernetes/client-node";
import type { KubeObject, ResourceDescriptor } from "../../../src/kube/resource.js";
import type { ManagedStatus } from "../../../src/kube/status.js";
import type { TestCluster } from "../../support/cluster.js";

export const WIDGETS: ResourceDescriptor = {
  group: "test.azure.dev",
  version: "v1",
  plural: "widgets",
  kind: "Widget",
  namespaced: true,
};

export const GIZMOS: ResourceDescriptor = {
  group: "test.azure.dev",
  version: "v1",
  plural: "gizmos",
  kind: "Gizmo",
  namespaced: true,
};

export interface WidgetStatus extends ManagedStatus {
  phase?: string;
  size?: number;
  /** How many gizmos point at the widget (the controller test's related watch). */
  gizmos?: number;
}

export interface Widget extends KubeObject {
  spec?: { size?: number; color?: string };
  status?: WidgetStatus;
}

export interface Gizmo extends KubeObject {
  spec?: { widget?: string };
}

function crd(plural: string, kind: string, withStatus: boolean): object {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.test.azure.dev` },
    spec: {
      group: "test.azure.dev",
      scope: "Namespaced",
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          ...(withStatus ? { subresources: { status: {} } } : {}),
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  };
}

/** Installs the test CRDs (idempotent) and waits until they are served. */
export async function ensureTestCrds(cluster: Pick<TestCluster, "kubectl">): Promise<void> {
  const manifest = JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [crd("widgets", "Widget", true), crd("gizmos", "Gizmo", false)],
  });
  const applied = await cluster.kubectl(["apply", "-f", "-"], { input: manifest });
  if (applied.code !== 0) throw new Error(`applying test CRDs failed: ${applied.stderr}`);
  const waited = await cluster.kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/widgets.test.azure.dev",
    "crd/gizmos.test.azure.dev",
  ]);
  if (waited.code !== 0) throw new Error(`test CRDs not established: ${waited.stderr}`);
}

/** A widget manifest. */
export function widget(namespace: string, name: string, spec: Widget["spec"] = { size: 1 }): Widget {
  return { apiVersion: "test.azure.dev/v1", kind: "Widget", metadata: { namespace, name }, spec };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<V>(
  what: string,
  check: () => V | undefined | false | Promise<V | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A copy of `kubeConfig` whose current cluster's server is `server` (to route through a proxy). */
export function withServer(kubeConfig: KubeConfig, server: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromString(kubeConfig.exportConfig());
  const current = copy.getCurrentCluster();
  if (!current) throw new Error("kubeconfig has no current cluster");
  copy.clusters = copy.clusters.map((c) => (c.name === current.name ? { ...c, server } : c));
  return copy;
}
