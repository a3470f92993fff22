// Everything one campaign run keeps across its schedules: the control plane (with the switches to
// freeze and restart it), the proxy the operator reaches it through (to cut its watches), the CRDs,
// typed clients for the campaign's own reads and writes, and where the operator's code and logs are.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  isNotFound,
  KubeApiError,
  type KubeObject,
  KubeTransport,
  loadKubeConfig,
  ResourceClient,
} from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import { installCrds } from "../../tools/dev/apply.js";
import { writeKubeconfigVia } from "../support/operator.js";
import { type ChaosControlPlane, startChaosControlPlane } from "./control-plane.js";
import type { Kind, Manifest } from "./model.js";
import { type CuttableProxy, startProxy } from "./proxy.js";

export interface Harness {
  cp: ChaosControlPlane;
  proxy: CuttableProxy;
  /** The operator's kubeconfig: the API server through the proxy. */
  operatorKubeconfig: string;
  transport: KubeTransport;
  clients: Record<Kind, ResourceClient<Manifest>>;
  /** The source tree whose operator runs (`--operator-root`). */
  operatorRoot: string;
  logDir: string;
  close(): Promise<void>;
}

const KINDS: Kind[] = ["Gallery", "ImageDefinition", "ImageVersion", "GallerySharing"];

export async function startHarness(operatorRoot: string, logDir: string): Promise<Harness> {
  await mkdir(logDir, { recursive: true });
  const cp = await startChaosControlPlane();
  try {
    await installCrds(cp.plane);
    const proxy = await startProxy(cp.apiserverPort);
    const operatorKubeconfig = await writeKubeconfigVia(
      cp.plane.kubeconfigPath,
      proxy.server,
      join(logDir, "operator.kubeconfig"),
    );
    const transport = new KubeTransport(loadKubeConfig({ path: cp.plane.kubeconfigPath }).kubeConfig);
    const clients = Object.fromEntries(
      KINDS.map((kind) => [kind, new ResourceClient<Manifest>(transport, descriptorOf(kind))]),
    ) as Record<Kind, ResourceClient<Manifest>>;
    return {
      cp,
      proxy,
      operatorKubeconfig,
      transport,
      clients,
      operatorRoot,
      logDir,
      async close() {
        await proxy.close();
        await cp.stop();
      },
    };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

/**
 * Runs one of the campaign's own API calls, retrying what a restarting control plane answers
 * (connection errors, 5xx, 429) for up to a minute; a 4xx is the answer and is thrown.
 */
export async function kubeCall<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const status = err instanceof KubeApiError ? err.code : undefined;
      const final = status !== undefined && status < 500 && status !== 429;
      if (final || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The object, or undefined when the API server no longer has it. */
export async function readObject(
  client: ResourceClient<Manifest>,
  namespace: string,
  name: string,
): Promise<Manifest | undefined> {
  try {
    return await kubeCall(() => client.get({ namespace, name }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates a namespace; one that exists already is fine. */
export async function ensureNamespace(transport: KubeTransport, name: string): Promise<void> {
  try {
    await kubeCall(() =>
      transport.request({
        method: "POST",
        path: "/api/v1/namespaces",
        body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      }),
    );
  } catch (err) {
    if (!(err instanceof KubeApiError && err.code === 409)) throw err;
  }
}

/** Removes what a schedule left in its namespaces (finalizers first: no operator serves them now). */
export async function clearNamespace(harness: Harness, namespace: string): Promise<void> {
  for (const client of Object.values(harness.clients)) {
    const list = await kubeCall(() => client.list({ namespace }));
    for (const item of list.items as KubeObject[]) {
      const ref = { namespace, name: item.metadata.name };
      await kubeCall(() => client.mergePatch(ref, { metadata: { finalizers: null } })).catch(() => undefined);
      await kubeCall(() => client.delete(ref)).catch(() => undefined);
    }
  }
}
