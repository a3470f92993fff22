// The benchmark's objects: galleries, their image definitions and versions, and one
// GallerySharing per gallery, as manifests in the order a user's `kubectl apply -f dir/` sends
// them, plus what the simulator must hold first (tenants, resource groups, version sources) and
// the ARM path each object's requests go to.
import { randomUUID } from "node:crypto";
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion, KindName } from "../src/api/index.js";
import type { Fixtures } from "../tools/sim/index.js";
import type { WorkloadShape } from "./options.js";

export type BenchObject = Gallery | ImageDefinition | ImageVersion | GallerySharing;

export interface WorkloadItem {
  kind: KindName;
  manifest: BenchObject;
  /** Lower-case ARM path of the Azure resource the object manages (a sharing: its gallery). */
  armPath: string;
  /** The subscription whose buckets its writes spend. */
  subscriptionId: string;
}

export interface Workload {
  namespace: string;
  tenantId: string;
  subscriptions: string[];
  resourceGroup: string;
  items: WorkloadItem[];
  fixtures: Fixtures;
  /** Consumer tenant a reaction change may add to (and remove from) a GallerySharing. */
  spareTenant: string;
}

const API_VERSION = "gallery.azure.dev/v1alpha1";
const RESOURCE_GROUP = "bench-images";
const SOURCES_GROUP = "bench-sources";

const pad = (n: number) => String(n + 1).padStart(2, "0");

export interface WorkloadOptions {
  /** The tenant owning the subscriptions (the operator's); a new one when unset. */
  tenantId?: string;
  /** Of every object; Orphan leaves Azure alone when the objects are deleted (a phase's cleanup). */
  deletionPolicy?: "Delete" | "Orphan";
}

export function buildWorkload(
  shape: WorkloadShape,
  namespace: string,
  options: WorkloadOptions = {},
): Workload {
  const tenantId = options.tenantId ?? randomUUID();
  const deletionPolicy = options.deletionPolicy ?? "Delete";
  const subscriptions = Array.from({ length: shape.subscriptions }, () => randomUUID());
  const consumerSubscriptions = Array.from({ length: shape.sharingSubscriptions }, () => randomUUID());
  const consumerTenants = Array.from({ length: shape.sharingTenants }, () => randomUUID());
  const location = shape.regions[0] ?? "westus";
  const sources: NonNullable<Fixtures["sources"]> = [];
  const galleries: WorkloadItem[] = [];
  const definitions: WorkloadItem[] = [];
  const versions: WorkloadItem[] = [];
  const sharings: WorkloadItem[] = [];
  const meta = (name: string) => ({ name, namespace });

  for (let g = 0; g < shape.galleries; g++) {
    const subscriptionId = subscriptions[g % subscriptions.length] ?? "";
    const gallery = `g${pad(g)}`;
    const galleryPath = `/subscriptions/${subscriptionId}/resourcegroups/${RESOURCE_GROUP}/providers/microsoft.compute/galleries/${gallery}`;
    galleries.push({
      kind: "Gallery",
      subscriptionId,
      armPath: galleryPath,
      manifest: {
        apiVersion: API_VERSION,
        kind: "Gallery",
        metadata: meta(gallery),
        spec: {
          subscriptionId,
          resourceGroup: RESOURCE_GROUP,
          location,
          description: "benchmark gallery",
          // Directly shared galleries must be Groups (the GallerySharing below shares it).
          sharing: { permissions: "Groups" },
          deletionPolicy,
        },
      },
    });
    sharings.push({
      kind: "GallerySharing",
      subscriptionId,
      armPath: galleryPath,
      manifest: {
        apiVersion: API_VERSION,
        kind: "GallerySharing",
        metadata: meta(`${gallery}-sharing`),
        spec: {
          galleryRef: { name: gallery },
          subscriptions: consumerSubscriptions,
          tenants: consumerTenants,
          deletionPolicy,
        },
      },
    });
    for (let d = 0; d < shape.definitionsPerGallery; d++) {
      const definition = `${gallery}-d${pad(d)}`;
      const definitionPath = `${galleryPath}/images/${definition}`;
      definitions.push({
        kind: "ImageDefinition",
        subscriptionId,
        armPath: definitionPath,
        manifest: {
          apiVersion: API_VERSION,
          kind: "ImageDefinition",
          metadata: meta(definition),
          spec: {
            galleryRef: { name: gallery },
            osType: "Linux",
            osState: "Generalized",
            hyperVGeneration: "V2",
            architecture: "x64",
            identifier: { publisher: "bench", offer: gallery, sku: definition },
            description: "benchmark image",
            deletionPolicy,
          },
        },
      });
      for (let v = 0; v < shape.versionsPerDefinition; v++) {
        const number = `1.0.${v + 1}`;
        // A snapshot per version: a managed image may feed one replicating version at a time
        // (docs/arm-behaviour.md#version-sources), which would serialize the versions of a definition for a reason that is
        // not the operator's.
        const snapshotId = `/subscriptions/${subscriptionId}/resourceGroups/${SOURCES_GROUP}/providers/Microsoft.Compute/snapshots/${definition}-${v + 1}`;
        sources.push({ id: snapshotId, location });
        versions.push({
          kind: "ImageVersion",
          subscriptionId,
          armPath: `${definitionPath}/versions/${number}`,
          manifest: {
            apiVersion: API_VERSION,
            kind: "ImageVersion",
            metadata: meta(`${definition}-v${pad(v)}`),
            spec: {
              imageDefinitionRef: { name: definition },
              version: number,
              source: { snapshotId },
              targetRegions: shape.regions.map((name) => ({ name, storageAccountType: "Standard_LRS" })),
              replicaCount: 1,
              excludeFromLatest: false,
              deletionPolicy,
            },
          },
        });
      }
    }
  }
  return {
    namespace,
    tenantId,
    subscriptions,
    resourceGroup: RESOURCE_GROUP,
    items: [...galleries, ...definitions, ...versions, ...sharings],
    spareTenant: randomUUID(),
    fixtures: {
      tenants: [
        { id: tenantId, subscriptions },
        ...consumerTenants.map((id, i) => ({ id, subscriptions: i === 0 ? consumerSubscriptions : [] })),
      ],
      resourceGroups: subscriptions.map((subscriptionId) => ({
        subscriptionId,
        name: RESOURCE_GROUP,
        location,
      })),
      sources,
    },
  };
}

/** How many objects of each kind the workload holds. */
export function countByKind(items: readonly WorkloadItem[]): Record<KindName, number> {
  const counts: Record<string, number> = {
    Gallery: 0,
    ImageDefinition: 0,
    ImageVersion: 0,
    GallerySharing: 0,
  };
  for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  return counts as Record<KindName, number>;
}

/**
 * `n` ImageVersions whose ImageDefinition does not exist: the operator caches them and reports
 * them blocked (Ready=False, ImageDefinitionNotFound), and never calls ARM for them. They carry
 * our finalizer and label already, so the operator's only write for each is one status update
 * (what it adds itself costs the API server two more writes per object, not the operator memory).
 */
export function blockedVersions(
  n: number,
  namespace: string,
  finalizer: string,
  label: string,
): ImageVersion[] {
  const subscriptionId = "00000000-0000-0000-0000-00000000b0b0";
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: API_VERSION,
    kind: "ImageVersion",
    metadata: {
      name: `cached-${String(i).padStart(5, "0")}`,
      namespace,
      finalizers: [finalizer],
      labels: { [label]: "missing-definition" },
    },
    spec: {
      imageDefinitionRef: { name: "missing-definition" },
      version: `2.${Math.floor(i / 1000)}.${i % 1000}`,
      source: {
        snapshotId: `/subscriptions/${subscriptionId}/resourceGroups/cached/providers/Microsoft.Compute/snapshots/s${i}`,
      },
      targetRegions: [
        { name: "westus", storageAccountType: "Standard_LRS" },
        { name: "eastus", storageAccountType: "Standard_LRS" },
      ],
      replicaCount: 1,
      excludeFromLatest: false,
      deletionPolicy: "Orphan",
    },
  }));
}
