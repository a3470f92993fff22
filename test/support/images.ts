// Test helpers for the image kinds: manifests for ImageDefinition and ImageVersion objects, the
// simulator's requests on one ARM resource, and the operator process as the image tests run it.
import type { ImageDefinition, ImageVersion } from "../../src/api/index.js";
import type { RequestRecord, Simulator } from "../../tools/sim/index.js";
import { type OperatorProcess, type OperatorProcessOptions, startOperatorProcess } from "./operator.js";
import { waitFor } from "./wait.js";
import type { World } from "./world.js";

export function definitionManifest(
  world: Pick<World, "namespace">,
  name: string,
  galleryName: string,
  spec: Partial<ImageDefinition["spec"]> = {},
): ImageDefinition {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "ImageDefinition",
    metadata: { name, namespace: world.namespace },
    spec: {
      galleryRef: { name: galleryName },
      osType: "Linux",
      osState: "Generalized",
      hyperVGeneration: "V1",
      architecture: "x64",
      identifier: { publisher: "contoso", offer: "base", sku: name },
      deletionPolicy: "Delete",
      ...spec,
    },
  };
}

export function versionManifest(
  world: Pick<World, "namespace">,
  name: string,
  definitionName: string,
  spec: Partial<ImageVersion["spec"]> & Pick<ImageVersion["spec"], "version" | "source" | "targetRegions">,
): ImageVersion {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "ImageVersion",
    metadata: { name, namespace: world.namespace },
    spec: {
      imageDefinitionRef: { name: definitionName },
      replicaCount: 1,
      excludeFromLatest: false,
      deletionPolicy: "Delete",
      ...spec,
    },
  };
}

/** A managed image id in `subscriptionId`/`resourceGroup` (seed it with `sim.seed({ sources })`). */
export function managedImageId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/images/${name}`;
}

/** The simulator's log of requests on exactly the resource `id` (not its children), optionally writes only. */
export function requestsOn(
  sim: Pick<Simulator, "requests">,
  id: string,
  opts: { after?: number; writes?: boolean } = {},
): RequestRecord[] {
  const path = id.toLowerCase();
  return sim
    .requests(opts.after)
    .filter((r) => r.path.toLowerCase() === path)
    .filter((r) => !opts.writes || r.method !== "GET");
}

/**
 * Waits until the simulator has seen at least `count` GETs on exactly `id` after request `after`
 * (a parent's list, read once per resync) and returns them: "several resyncs went by" as a
 * condition, so a test that then asserts nothing was written knows the operator had its chances.
 */
export function waitForReadsOn(
  sim: Pick<Simulator, "requests">,
  id: string,
  after: number,
  count: number,
  timeoutMs = 30_000,
): Promise<RequestRecord[]> {
  return waitFor(
    `${count} reads of ${id}`,
    () => {
      const reads = requestsOn(sim, id, { after }).filter((r) => r.method === "GET");
      return reads.length >= count ? reads : undefined;
    },
    { timeoutMs },
  );
}

/**
 * Starts the operator for one test namespace (no leader election, resync every second unless
 * `args` say otherwise) and waits until the ImageVersion controller reconciles.
 */
export async function startImageOperator(
  world: Pick<World, "cluster" | "sim" | "tenantId" | "namespace">,
  options: Pick<OperatorProcessOptions, "args" | "env"> = {},
): Promise<OperatorProcess> {
  const operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: [
      "--namespaces",
      world.namespace,
      "--leader-elect",
      "false",
      "--resync-period",
      "1s",
      ...(options.args ?? []),
    ],
    ...(options.env ? { env: options.env } : {}),
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `ImageVersion@${world.namespace}`,
    60_000,
  );
  return operator;
}
