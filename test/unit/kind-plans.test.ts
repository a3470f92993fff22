// The kinds' planners as named functions, against real caches (indexed Stores): what a deleting
// parent waits for, and when a Gallery's Reset must wait for its GallerySharing.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { describe, expect, it } from "vitest";
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion } from "../../src/api/index.js";
import { type KubeObject, Store } from "../../src/kube/index.js";
import { type ArmWrite, type Blocked, isBlocked } from "../../src/reconcilers/driver/arm-kind.js";
import type { Caches, ReconcilerContext } from "../../src/reconcilers/driver/context.js";
import { CACHE_INDEXES } from "../../src/reconcilers/driver/indexes.js";
import { OwnResets } from "../../src/reconcilers/driver/own-resets.js";
import { cleanupGallery, planGallery, SHARE_IN_PROGRESS } from "../../src/reconcilers/gallery/plan.js";
import { cleanupDefinition } from "../../src/reconcilers/image-definition/plan.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const REF = { subscriptionId: SUB, resourceGroup: "rg", gallery: "g" };

const meta = (name: string, namespace = "ns") => ({ name, namespace, uid: `uid-${namespace}-${name}` });

function gallery(permissions: Gallery["spec"]["sharing"]["permissions"]): Gallery {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "Gallery",
    metadata: meta("g"),
    spec: {
      subscriptionId: SUB,
      resourceGroup: "rg",
      location: "westus",
      sharing: { permissions },
      deletionPolicy: "Delete",
    },
  };
}

function sharing(name: string, namespace: string, running: boolean): GallerySharing {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GallerySharing",
    metadata: meta(name, namespace),
    spec: { galleryRef: { name: "g" }, deletionPolicy: "Delete" },
    ...(running
      ? { status: { operation: { action: "ShareAdd", startedAt: "2026-01-01T00:00:00Z", generation: 1 } } }
      : {}),
  } as GallerySharing;
}

function definition(name: string): ImageDefinition {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "ImageDefinition",
    metadata: meta(name),
    spec: { galleryRef: { name: "g" } },
  } as unknown as ImageDefinition;
}

function version(name: string, definitionName: string): ImageVersion {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "ImageVersion",
    metadata: meta(name),
    spec: { imageDefinitionRef: { name: definitionName }, version: "1.0.0", source: {}, targetRegions: [] },
  } as unknown as ImageVersion;
}

/** A context whose caches hold `objects`; planners read nothing else before a write starts. */
function context(objects: {
  definitions?: ImageDefinition[];
  versions?: ImageVersion[];
  sharings?: GallerySharing[];
}): ReconcilerContext {
  const caches: Caches = {
    galleries: new Store(CACHE_INDEXES.galleries),
    imageDefinitions: filled(new Store(CACHE_INDEXES.imageDefinitions), objects.definitions),
    imageVersions: filled(new Store(CACHE_INDEXES.imageVersions), objects.versions),
    gallerySharings: filled(new Store(CACHE_INDEXES.gallerySharings), objects.sharings),
  };
  const partial: Partial<ReconcilerContext> = {
    caches,
    pollIntervalMs: 5_000,
    ownResets: new OwnResets(),
    now: () => new Date("2026-01-01T00:01:00Z"),
  };
  return partial as ReconcilerContext;
}

function filled<T extends KubeObject>(store: Store<T>, objects: T[] = []): Store<T> {
  store.replace(objects);
  return store;
}

function asBlocked(result: ArmWrite | Blocked | undefined): Blocked {
  if (!isBlocked(result)) throw new Error(`expected Blocked, got ${JSON.stringify(result)}`);
  return result;
}

const shared: ArmGallery = {
  location: "westus",
  sharingProfile: { permissions: "Groups" },
  provisioningState: "Succeeded",
};
const private_: ArmGallery = { location: "westus", provisioningState: "Succeeded" };

describe("Gallery planner", () => {
  it("holds its Reset while a GallerySharing of this gallery runs a share operation, and sends it once none does", () => {
    const obj = gallery("Private");
    const busy = context({ sharings: [sharing("s1", "ns", true), sharing("other-ns", "elsewhere", true)] });
    const waiting = asBlocked(planGallery(obj, REF, shared, busy));
    expect(waiting.reason).toBe(SHARE_IN_PROGRESS);
    expect(waiting.message).toContain("GallerySharing s1 ");
    expect(waiting.message).not.toContain("other-ns");

    const idle = context({ sharings: [sharing("s1", "ns", false), sharing("other-ns", "elsewhere", true)] });
    expect(planGallery(obj, REF, shared, idle)).toMatchObject({
      action: "Share",
      eventReason: "GallerySharingReset",
    });
  });

  it("being deleted, waits for its definitions and sharings, then for a DELETE under way, then deletes", () => {
    const obj = gallery("Private");
    const withChildren = context({ definitions: [definition("d1")], sharings: [sharing("s1", "ns", false)] });
    expect(asBlocked(cleanupGallery(obj, REF, private_, withChildren)).message).toContain(
      "ImageDefinition(s)",
    );
    const sharingsOnly = context({ sharings: [sharing("s1", "ns", false)] });
    const blockedBySharing = asBlocked(cleanupGallery(obj, REF, private_, sharingsOnly));
    expect(blockedBySharing).toMatchObject({ reason: "DeletionBlocked" });
    expect(blockedBySharing.message).toContain("GallerySharing(s) to be deleted first: s1");

    const none = context({});
    expect(
      asBlocked(cleanupGallery(obj, REF, { ...private_, provisioningState: "Deleting" }, none)).reason,
    ).toBe("Deleting");
    expect(cleanupGallery(obj, REF, shared, none)).toMatchObject({ action: "Share" });
    expect(cleanupGallery(obj, REF, private_, none)).toMatchObject({
      action: "Delete",
      eventReason: "GalleryDeleting",
    });
  });
});

describe("ImageDefinition planner", () => {
  it("being deleted, waits for the versions naming it, not for another definition's", () => {
    const target = { ref: { ...REF, image: "d1" } };
    const actual = { location: "westus", provisioningState: "Succeeded" } as never;
    const ctx = context({ versions: [version("v1", "d1"), version("v2", "d2")] });
    const waiting = asBlocked(cleanupDefinition(definition("d1"), target, actual, ctx));
    expect(waiting.message).toContain("1 ImageVersion(s) to be deleted first: v1;");
    expect(cleanupDefinition(definition("d3"), target, actual, ctx)).toMatchObject({ action: "Delete" });
  });
});
