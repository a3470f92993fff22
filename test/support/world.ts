// One test world: the shared cluster with our CRDs, a namespace, a simulator seeded with a tenant,
// a subscription and a resource group, and typed clients for our kinds.
import { randomUUID } from "node:crypto";
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion } from "../../src/api/index.js";
import { isNotFound, type KubeObject, KubeTransport, ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import type { Simulator, SimulatorOptions } from "../../tools/sim/index.js";
import { type TestCluster, testCluster } from "./cluster.js";
import { installCrds } from "./crds.js";
import { startTestSimulator } from "./sim.js";
import { waitFor } from "./wait.js";

export interface World {
  cluster: TestCluster;
  namespace: string;
  sim: Simulator;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  galleries: ResourceClient<Gallery>;
  imageDefinitions: ResourceClient<ImageDefinition>;
  imageVersions: ResourceClient<ImageVersion>;
  gallerySharings: ResourceClient<GallerySharing>;
  close(): Promise<void>;
}

export async function startWorld(prefix: string, simOptions: SimulatorOptions = {}): Promise<World> {
  const cluster = await testCluster();
  await installCrds(cluster);
  const namespace = await cluster.newNamespace(prefix);
  const sim = await startTestSimulator(simOptions);
  const tenantId = randomUUID();
  const subscriptionId = randomUUID();
  const resourceGroup = "rg-images";
  const location = "westus";
  sim.seed({
    tenants: [{ id: tenantId, subscriptions: [subscriptionId] }],
    resourceGroups: [{ subscriptionId, name: resourceGroup, location }],
  });
  const transport = new KubeTransport(cluster.kubeConfig);
  return {
    cluster,
    namespace,
    sim,
    tenantId,
    subscriptionId,
    resourceGroup,
    location,
    galleries: new ResourceClient(transport, descriptorOf("Gallery")),
    imageDefinitions: new ResourceClient(transport, descriptorOf("ImageDefinition")),
    imageVersions: new ResourceClient(transport, descriptorOf("ImageVersion")),
    gallerySharings: new ResourceClient(transport, descriptorOf("GallerySharing")),
    close: () => sim.close(),
  };
}

type Conditioned = KubeObject & {
  status?: {
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      observedGeneration?: number;
    }[];
  };
};

/** The condition `type` of `obj`, if any. */
export function conditionOf(obj: Conditioned | undefined, type = "Ready") {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/**
 * Waits until `name` has condition `type` with `status` (and `reason`, when given) for its current
 * generation; returns the object.
 */
export function waitForCondition<T extends Conditioned>(
  client: ResourceClient<T>,
  namespace: string,
  name: string,
  want: { type?: string; status: "True" | "False" | "Unknown"; reason?: string },
  timeoutMs = 60_000,
): Promise<T> {
  return waitFor(
    `${name} ${want.type ?? "Ready"}=${want.status}${want.reason ? ` (${want.reason})` : ""}`,
    async () => {
      const obj = await client.get({ namespace, name });
      const c = conditionOf(obj, want.type);
      // A condition about an older generation (the spec just changed) is not an answer yet.
      const current = c?.observedGeneration === undefined || c.observedGeneration === obj.metadata.generation;
      const ok = c && current && c.status === want.status && (!want.reason || c.reason === want.reason);
      return ok ? obj : undefined;
    },
    { timeoutMs, intervalMs: 150 },
  );
}

/** Waits until the object is gone from the API server. */
export function waitForGone(
  client: ResourceClient<KubeObject>,
  namespace: string,
  name: string,
  timeoutMs = 60_000,
) {
  return waitFor(
    `${name} to be deleted`,
    async () => {
      try {
        await client.get({ namespace, name });
        return undefined;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
    { timeoutMs },
  );
}
