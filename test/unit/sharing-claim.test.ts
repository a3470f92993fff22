// One GallerySharing per gallery: who owns a gallery's sharing.
import { describe, expect, it } from "vitest";
import type { GallerySharing } from "../../src/api/index.js";
import { Store } from "../../src/kube/index.js";
import { CACHE_INDEXES } from "../../src/reconcilers/driver/indexes.js";
import { sharingOwner } from "../../src/reconcilers/gallery-sharing/claim.js";

function sharing(name: string, gallery: string, created: string, namespace = "ns"): GallerySharing {
  const metadata = { name, namespace, creationTimestamp: created };
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GallerySharing",
    metadata,
    spec: { galleryRef: { name: gallery }, deletionPolicy: "Delete" },
  };
}

function storeOf(...objects: GallerySharing[]): Store<GallerySharing> {
  const store = new Store<GallerySharing>(CACHE_INDEXES.gallerySharings);
  store.replace(objects);
  return store;
}

describe("sharingOwner", () => {
  const first = sharing("zeta", "g1", "2025-01-01T00:00:00Z");
  const second = sharing("alpha", "g1", "2025-01-01T00:00:05Z");

  it("is the earliest created GallerySharing of the gallery, for each of them", () => {
    const store = storeOf(second, first, sharing("other", "g2", "2024-01-01T00:00:00Z"));
    expect(sharingOwner(store, first).metadata.name).toBe("zeta");
    expect(sharingOwner(store, second).metadata.name).toBe("zeta");
  });

  it("breaks a tie of creation times by name", () => {
    const tied = sharing("beta", "g1", "2025-01-01T00:00:00Z");
    expect(sharingOwner(storeOf(first, tied), first).metadata.name).toBe("beta");
  });

  it("ignores other namespaces, and counts the object itself before the cache has it", () => {
    const elsewhere = sharing("early", "g1", "2020-01-01T00:00:00Z", "other-ns");
    expect(sharingOwner(storeOf(elsewhere), second).metadata.name).toBe("alpha");
  });
});
