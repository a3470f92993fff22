// Events as `kubectl describe` shows them: one for every reason an object cannot go on, and one for
// every write Azure finished (created, updated, shared, deleted). The operator runs as a real
// process against a real API server and the ARM simulator; events are read from the API server.
import { describe, expect, it } from "vitest";
import type { GallerySharing } from "../../src/api/index.js";
import { eventsAbout, type SeenEvent } from "../support/events.js";
import { definitionManifest, managedImageId, versionManifest } from "../support/images.js";
import { galleryManifest } from "../support/operator.js";
import { operatorWorldPerFile } from "../support/operator-world.js";
import { waitFor } from "../support/wait.js";
import { type World, waitForCondition, waitForGone } from "../support/world.js";

let world: World;

operatorWorldPerFile("e2e-events", {}, (w) => {
  world = w;
});

const ref = (name: string) => ({ namespace: world.namespace, name });

/** Waits for an event regarding `name` (of `kind`) with `reason`; returns it. */
function eventOf(name: string, reason: string, kind?: string): Promise<SeenEvent> {
  return waitFor(`${reason} event about ${name}`, async () =>
    (await eventsAbout(world.cluster, world.namespace, name, kind)).find((e) => e.reason === reason),
  );
}

describe("success events", () => {
  it("created, updated, shared and deleted, each once Azure finished", { timeout: 90_000 }, async () => {
    await world.galleries.create(galleryManifest(world, "evgal", { sharing: { permissions: "Groups" } }));
    await waitForCondition(world.galleries, world.namespace, "evgal", { status: "True" });
    expect((await eventOf("evgal", "GalleryCreated")).note).toMatch(/gallery evgal created in westus/);

    await world.galleries.mergePatch(ref("evgal"), { spec: { description: "second" } });
    expect((await eventOf("evgal", "GalleryUpdated")).type).toBe("Normal");

    const sharing: GallerySharing = {
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name: "evgal-share", namespace: world.namespace },
      spec: {
        galleryRef: { name: "evgal" },
        subscriptions: ["11111111-1111-1111-1111-111111111111"],
        deletionPolicy: "Delete",
      },
    };
    await world.gallerySharings.create(sharing);
    expect((await eventOf("evgal-share", "GalleryShared")).note).toMatch(/evgal/);
    await world.gallerySharings.delete(ref("evgal-share"));
    await waitForGone(world.gallerySharings, world.namespace, "evgal-share");

    await world.galleries.delete(ref("evgal"));
    await waitForGone(world.galleries, world.namespace, "evgal");
    expect((await eventOf("evgal", "GalleryDeleted", "Gallery")).type).toBe("Normal");
  });
});

describe("every blocking reason has an event", () => {
  it("GalleryNotFound, SourceRegionNotTargeted, Conflict", { timeout: 90_000 }, async () => {
    await world.imageDefinitions.create(definitionManifest(world, "ev-orphan-def", "no-such-gallery"));
    const notFound = await eventOf("ev-orphan-def", "GalleryNotFound");
    expect(notFound.type).toBe("Warning");
    expect(notFound.note).toMatch(/Gallery no-such-gallery does not exist/);

    await world.galleries.create(galleryManifest(world, "evrules"));
    await world.imageDefinitions.create(definitionManifest(world, "ev-def", "evrules"));
    await waitForCondition(world.imageDefinitions, world.namespace, "ev-def", { status: "True" });
    await world.imageVersions.create(
      versionManifest(world, "ev-ver", "ev-def", {
        version: "1.0.0",
        source: { managedImageId: managedImageId(world.subscriptionId, world.resourceGroup, "img") },
        targetRegions: [{ name: "eastus", storageAccountType: "Standard_LRS" }],
      }),
    );
    const region = await eventOf("ev-ver", "SourceRegionNotTargeted");
    expect(region.note).toMatch(/must include westus/);

    for (const name of ["ev-share-a", "ev-share-b"]) {
      await world.gallerySharings.create({
        apiVersion: "gallery.azure.dev/v1alpha1",
        kind: "GallerySharing",
        metadata: { name, namespace: world.namespace },
        spec: { galleryRef: { name: "evrules" }, deletionPolicy: "Delete" },
      });
      // The first one owns the gallery's sharing; only then is the second a conflict.
      if (name === "ev-share-a") {
        await waitForCondition(world.gallerySharings, world.namespace, name, { status: "True" });
      }
    }
    const conflict = await eventOf("ev-share-b", "Conflict");
    expect(conflict.note).toMatch(/ev-share-a already manages the sharing/);
  });

  it("DeletionBlocked names deletionPolicy: Orphan as the way out", { timeout: 60_000 }, async () => {
    await world.galleries.create(galleryManifest(world, "evdel"));
    await world.imageDefinitions.create(definitionManifest(world, "ev-keep", "evdel"));
    await waitForCondition(world.imageDefinitions, world.namespace, "ev-keep", { status: "True" });
    await world.galleries.delete(ref("evdel"));
    const blocked = await eventOf("evdel", "DeletionBlocked");
    expect(blocked.note).toMatch(/ev-keep.*set spec\.deletionPolicy: Orphan/);
    // The way out works: Orphan lets the object go and leaves the gallery in Azure.
    await world.galleries.mergePatch(ref("evdel"), { spec: { deletionPolicy: "Orphan" } });
    await waitForGone(world.galleries, world.namespace, "evdel");
    expect(world.sim.state().galleries?.some((g) => g.name === "evdel")).toBe(true);
  });

  it("Throttled names the bucket and when the operator retries", { timeout: 60_000 }, async () => {
    const bucket = "CreateUpdateGallery3Min";
    world.sim.fault({
      method: "PUT",
      path: "/galleries/evthrottled$",
      status: 429,
      headers: { "retry-after": "7" },
      body: {
        error: {
          code: "OperationNotAllowed",
          message:
            "The server rejected the request because too many requests have been received for this subscription.",
          details: [{ code: "TooManyRequests", target: bucket, message: "{}" }],
        },
      },
    });
    await world.galleries.create(galleryManifest(world, "evthrottled"));
    const throttled = await eventOf("evthrottled", "Throttled");
    expect(throttled.note).toMatch(new RegExp(`rate-limit bucket ${bucket} is used up.*retries in \\d+ s`));
    // It does retry, and gets there.
    await waitForCondition(world.galleries, world.namespace, "evthrottled", { status: "True" }, 30_000);
  });
});
