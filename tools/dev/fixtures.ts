// What the simulated Azure must hold before the examples are applied, read from the manifests
// themselves: the tenant owning the galleries' subscriptions with the principals the examples give
// roles to, the resource groups the galleries go in, and the managed images, VMs, snapshots or
// disks versions are made from. In real Azure these
// exist before anyone writes a Gallery; the operator never creates them.
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion } from "../../src/api/index.js";
import type { Fixtures } from "../sim/index.js";
import type { Example, Manifest } from "./examples.js";

/** The tenant the operator's identity lives in; it owns every gallery subscription. */
export const DEV_TENANT_ID = "00000000-0000-4000-8000-00000000de01";
/**
 * A second tenant for sources in subscriptions no gallery uses (seed 003's cross-tenant images):
 * the operator reaches it with an auxiliary token, as an app registration consented in both would.
 */
export const SOURCE_TENANT_ID = "00000000-0000-4000-8000-00000000de02";

export interface DevWorld {
  fixtures: Required<Pick<Fixtures, "tenants" | "resourceGroups" | "sources">>;
  /** Tenants the operator needs auxiliary tokens for (empty when every source is at home). */
  auxiliaryTenants: string[];
}

const SUBSCRIPTION_OF_ID = /^\/subscriptions\/([0-9a-f-]{36})\//i;

/**
 * Fixtures for a set of (isolated) examples.
 *
 * Guarantees: the galleries' tenant knows exactly the principals the examples' GallerySharings
 * assign roles to (the simulator refuses others with PrincipalNotFound, as Entra ID would); one
 * resource group per distinct (subscription, group) of the galleries, in the first
 * such gallery's location; each version source once, located in its gallery's region (falling back
 * to the version's first target region when the gallery is not among the examples), because Azure
 * requires the source region to be a target region and the examples replicate from there.
 */
export function worldFor(examples: readonly Example[]): DevWorld {
  const resourceGroups = new Map<string, { subscriptionId: string; name: string; location: string }>();
  const sources = new Map<string, { id: string; location: string }>();
  const gallerySubscriptions = new Set<string>();
  const principals = new Set<string>();
  for (const example of examples) {
    const galleries = ofKind<Gallery>(example.manifests, "Gallery");
    const definitions = ofKind<ImageDefinition>(example.manifests, "ImageDefinition");
    for (const g of galleries) {
      const { subscriptionId, resourceGroup, location } = g.spec;
      gallerySubscriptions.add(subscriptionId.toLowerCase());
      const key = `${subscriptionId}/${resourceGroup}`.toLowerCase();
      if (!resourceGroups.has(key))
        resourceGroups.set(key, { subscriptionId, name: resourceGroup, location });
    }
    for (const sharing of ofKind<GallerySharing>(example.manifests, "GallerySharing")) {
      for (const assignment of sharing.spec.roleAssignments ?? []) principals.add(assignment.principalId);
    }
    for (const v of ofKind<ImageVersion>(example.manifests, "ImageVersion")) {
      const id = sourceIdOf(v);
      if (!id || sources.has(id.toLowerCase())) continue;
      const definition = definitions.find((d) => d.metadata.name === v.spec.imageDefinitionRef?.name);
      const gallery = galleries.find((g) => g.metadata.name === definition?.spec.galleryRef?.name);
      const location = gallery?.spec.location ?? v.spec.targetRegions?.[0]?.name;
      if (location) sources.set(id.toLowerCase(), { id, location });
    }
  }
  const foreign = new Set<string>();
  for (const { id } of sources.values()) {
    const subscription = SUBSCRIPTION_OF_ID.exec(id)?.[1]?.toLowerCase();
    if (subscription && !gallerySubscriptions.has(subscription)) foreign.add(subscription);
  }
  const tenants: DevWorld["fixtures"]["tenants"] = [
    { id: DEV_TENANT_ID, subscriptions: [...gallerySubscriptions], principals: [...principals] },
  ];
  if (foreign.size > 0) tenants.push({ id: SOURCE_TENANT_ID, subscriptions: [...foreign] });
  return {
    fixtures: { tenants, resourceGroups: [...resourceGroups.values()], sources: [...sources.values()] },
    auxiliaryTenants: foreign.size > 0 ? [SOURCE_TENANT_ID] : [],
  };
}

function ofKind<T>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind && typeof m.spec === "object") as unknown as T[];
}

function sourceIdOf(v: ImageVersion): string | undefined {
  const s = v.spec.source ?? {};
  return s.managedImageId ?? s.virtualMachineId ?? s.snapshotId ?? s.diskId;
}
