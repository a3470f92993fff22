// The work queue's groups: which Azure subscription each object's reconciles count against, and
// which changes of a definition wake its gallery.
import { describe, expect, it } from "vitest";
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion } from "../../src/api/index.js";
import { type KubeObject, Store } from "../../src/kube/index.js";
import type { ArmObject } from "../../src/reconcilers/driver/arm-kind.js";
import type { Caches } from "../../src/reconcilers/index.js";
import { KIND_WIRINGS, subscriptionOf } from "../../src/reconcilers/index.js";

const ns = "team";
const object = <T>(kind: string, name: string, spec: object, extra: object = {}): T =>
  ({
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind,
    metadata: { name, namespace: ns },
    spec,
    ...extra,
  }) as T;

function caches(galleries: Gallery[], definitions: ImageDefinition[]): Caches {
  const store = <T extends KubeObject>(items: T[]) => {
    const s = new Store<T>();
    s.replace(items);
    return s;
  };
  return {
    galleries: store(galleries),
    imageDefinitions: store(definitions),
    imageVersions: store<ImageVersion>([]),
    gallerySharings: store<GallerySharing>([]),
  };
}

const gallery = object<Gallery>("Gallery", "gal", { subscriptionId: "SUB-A" });
const definition = object<ImageDefinition>("ImageDefinition", "def", { galleryRef: { name: "gal" } });
const version = object<ImageVersion>("ImageVersion", "v1", { imageDefinitionRef: { name: "def" } });
const sharing = object<GallerySharing>("GallerySharing", "share", { galleryRef: { name: "gal" } });

describe("subscriptionOf", () => {
  const c = caches([gallery], [definition]);

  it("follows the parents to the gallery's subscription, lower case", () => {
    expect(subscriptionOf(gallery as ArmObject, c)).toBe("sub-a");
    expect(subscriptionOf(definition as ArmObject, c)).toBe("sub-a");
    expect(subscriptionOf(version as ArmObject, c)).toBe("sub-a");
    expect(subscriptionOf(sharing as ArmObject, c)).toBe("sub-a");
  });

  it("takes the subscription of the object's own ARM id once it has one", () => {
    const made = { ...version, status: { id: "/subscriptions/SUB-B/resourceGroups/rg/providers/x/y/z" } };
    expect(subscriptionOf(made as ArmObject, c)).toBe("sub-b");
  });

  it("names none while a parent is missing", () => {
    const orphan = object<ImageVersion>("ImageVersion", "v2", { imageDefinitionRef: { name: "nope" } });
    expect(subscriptionOf(orphan as ArmObject, c)).toBeUndefined();
  });
});

describe("a gallery's wake from its definitions", () => {
  const wake = KIND_WIRINGS.find((w) => w.name === "Gallery")?.wakes.find(
    (w) => w.from === "ImageDefinition",
  );

  it("wakes only a gallery being deleted (it waits for its definitions to go)", () => {
    const own = new Store<ArmObject>();
    own.replace([gallery as ArmObject]);
    expect(wake?.keys(definition, own)).toEqual([]);
    own.replace([
      { ...gallery, metadata: { ...gallery.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } },
    ]);
    expect(wake?.keys(definition, own)).toEqual([`${ns}/gal`]);
  });
});
