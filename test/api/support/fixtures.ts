// Valid manifests of each kind, and a way to change one field of them: the invalid-manifest table
// states each case as "a valid object, except for this".
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

const API_VERSION = "gallery.azure.dev/v1alpha1";
export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

/** `count` distinct lower-case GUIDs, numbered from 1, all starting with `prefix` (four hex digits). */
export function guids(count: number, prefix = "aaaa"): string[] {
  return Array.from(
    { length: count },
    (_, i) => `${prefix}0000-0000-0000-0000-${String(i + 1).padStart(12, "0")}`,
  );
}

export function armId(type: string, name: string): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/myGalleryRG/providers/Microsoft.Compute/${type}/${name}`;
}

export function gallery(name = "test-gallery"): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: "Gallery",
    metadata: { name },
    spec: {
      azureName: "testGallery",
      subscriptionId: SUBSCRIPTION,
      resourceGroup: "myGalleryRG",
      location: "westcentralus",
    },
  };
}

export function communityGallery(name = "test-community-gallery"): Manifest {
  return withChanges(gallery(name), {
    "spec.sharing": {
      permissions: "Community",
      community: {
        publisherUri: "https://www.contoso.com",
        publisherContact: "support@contoso.com",
        eula: "https://www.contoso.com/eula",
        publicNamePrefix: "ContosoImages",
      },
    },
  });
}

export function imageDefinition(name = "test-image"): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: "ImageDefinition",
    metadata: { name },
    spec: {
      galleryRef: { name: "test-gallery" },
      azureName: "testImage",
      osType: "Linux",
      osState: "Generalized",
      identifier: { publisher: "myPublisher", offer: "myOffer", sku: "mySKU" },
    },
  };
}

export function imageVersion(name = "test-image-1.0.0"): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: "ImageVersion",
    metadata: { name },
    spec: {
      imageDefinitionRef: { name: "test-image" },
      version: "1.0.0",
      source: { managedImageId: armId("images", "myManagedImage") },
      targetRegions: [{ name: "westcentralus" }, { name: "eastus", regionalReplicaCount: 2 }],
    },
  };
}

export function gallerySharing(name = "test-sharing"): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: "GallerySharing",
    metadata: { name },
    spec: {
      galleryRef: { name: "test-gallery" },
      subscriptions: guids(2, "bbbb"),
      tenants: guids(1, "cccc"),
      roleAssignments: [{ principalId: guids(1, "dddd")[0], principalType: "User" }],
    },
  };
}

/**
 * A copy of `manifest` with fields set, by dotted path (`spec.sharing.community.eula`); a value of
 * `undefined` removes the field. Missing parent objects are created.
 */
export function withChanges(manifest: Manifest, changes: Record<string, unknown>): Manifest {
  const copy = structuredClone(manifest);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split(".");
    const last = keys.pop()!;
    let node = copy as unknown as Record<string, unknown>;
    for (const key of keys) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy;
}
