// Gallery ↔ Microsoft.Compute/galleries. The user's story: "I declare a gallery; the operator makes
// it exist in Azure as declared, tells me its unique and public names, and deletes it (or leaves
// it, with deletionPolicy: Orphan) when I delete the object — never while image definitions or
// GallerySharings in the cluster still name it."
//
// The sharing mode (Private, Groups, Community) is the Gallery's; who the gallery is shared with
// is its GallerySharing's (docs/api.md, "Who owns what"). ARM runs one share operation per
// gallery at a time, so the Gallery's own Reset waits while its GallerySharing runs one.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { azureNameOf, type Gallery, REASONS } from "../../api/index.js";
import { type GalleryRef, galleryId } from "../../azure/index.js";
import type { ResourceClient } from "../../kube/index.js";
import {
  type ArmKind,
  type ArmWrite,
  blocked,
  describeDifference,
  type FieldDifference,
} from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { SHARE_SHOWS_WITHIN_MS } from "../driver/intent.js";
import { namingSame, ownedTags, untagWrite } from "../driver/ownership.js";
import { blockedByChildren, childrenOf, namesList, PARENT_RETRY_MS } from "../driver/refs.js";
import { managedTagKeys } from "../driver/tags.js";
import { desiredGalleryBody, galleryDifferences, needsReset, permissionsOf } from "./body.js";

/** A Gallery's Reset waits for a share operation its GallerySharing runs (ARM runs one at a time). */
export const SHARE_IN_PROGRESS = "ShareInProgress";

export function galleryKind(client: ResourceClient<Gallery>): ArmKind<Gallery, GalleryRef, ArmGallery> {
  const refOf = (obj: Gallery): GalleryRef => ({
    subscriptionId: obj.spec.subscriptionId,
    resourceGroup: obj.spec.resourceGroup,
    gallery: azureNameOf(obj),
  });
  const arm = (obj: Gallery, ctx: ReconcilerContext) => ctx.arm(obj.metadata.namespace ?? "").galleries;

  const managed = (obj: Gallery) => obj.status?.managedTagKeys ?? [];
  const what = (fields: FieldDifference[]) => fields.map(describeDifference).join("; ") || "resync";
  // A create sets every field the spec names; an update the ones that differ. Either way status
  // remembers the tag keys it sets, so that dropping one from the spec removes it from Azure.
  const put = (
    obj: Gallery,
    ref: GalleryRef,
    ctx: ReconcilerContext,
    actual: ArmGallery | undefined,
    fields: FieldDifference[],
  ): ArmWrite => ({
    action: "CreateOrUpdate",
    eventReason: actual ? "GalleryUpdating" : "GalleryCreating",
    note: actual
      ? `updating gallery ${ref.gallery}: ${what(fields)}`
      : `creating gallery ${ref.gallery} in ${obj.spec.location}`,
    onSuccess: actual
      ? { reason: "GalleryUpdated", note: `gallery ${ref.gallery} updated: ${what(fields)}` }
      : { reason: "GalleryCreated", note: `gallery ${ref.gallery} created in ${obj.spec.location}` },
    // After its GallerySharing's Reset (the only way to end community sharing) the gallery is
    // Private; putting the spec's mode back is the operator's own doing, not drift.
    followsOwnChange: actual !== undefined && ctx.ownResets.has(galleryId(ref)),
    fields,
    status: { managedTagKeys: managedTagKeys(obj.spec.tags, managed(obj)) },
    start: () => {
      ctx.ownResets.forget(galleryId(ref));
      const body = desiredGalleryBody(obj.spec, actual, managed(obj));
      return arm(obj, ctx).put(ref, { ...body, tags: ownedTags(body.tags, obj, "Gallery", ctx) });
    },
  });
  const reset = (obj: Gallery, ref: GalleryRef, ctx: ReconcilerContext, why: string): ArmWrite => ({
    action: "Share",
    eventReason: "GallerySharingReset",
    note: `resetting sharing of gallery ${ref.gallery} to Private: ${why}`,
    start: () => arm(obj, ctx).share(ref, { operationType: "Reset" }),
    showsWithinMs: SHARE_SHOWS_WITHIN_MS,
  });

  return {
    kind: "Gallery",
    client,
    tagsOf: (actual) => actual.tags,
    // Galleries of every watched namespace: one Azure gallery, one Gallery object.
    rivalsOf: (obj, ctx) =>
      namingSame(
        (ctx.everywhere ?? [ctx.caches]).flatMap((c) => c.galleries.list()),
        obj,
        (g) => galleryId(refOf(g)),
      ),
    untag: (obj, ref, actual, ctx) =>
      untagWrite(`gallery ${ref.gallery}`, actual.tags, (tags) =>
        arm(obj, ctx).put(ref, { ...desiredGalleryBody(obj.spec), tags }),
      ),
    target: refOf,
    // The spec alone names the gallery, so cleanup always knows where to look (even when the
    // operator stopped between ARM accepting the create and status recording it).
    cleanupTarget: refOf,
    read: (obj, ref, ctx) => arm(obj, ctx).get(ref),
    resume: (obj, ref, token, ctx) => arm(obj, ctx).resume(ref, token),

    plan(obj, ref, actual, ctx) {
      if (!actual) {
        const fields = galleryDifferences(obj.spec, { location: obj.spec.location }, managed(obj));
        return put(obj, ref, ctx, undefined, fields);
      }
      if (needsReset(obj.spec, actual)) {
        const busy = sharingInFlight(obj, ctx);
        if (busy) return busy;
        return reset(
          obj,
          ref,
          ctx,
          `sharing.permissions is ${obj.spec.sharing.permissions}, Azure has ${permissionsOf(actual)}`,
        );
      }
      const diffs = galleryDifferences(obj.spec, actual, managed(obj));
      return diffs.length > 0 ? put(obj, ref, ctx, actual, diffs) : undefined;
    },

    rewrite: (obj, ref, actual, ctx) => put(obj, ref, ctx, actual, []),

    exports: (_obj, status) => ({
      id: status.id,
      uniqueName: status.uniqueName,
      publicNames: status.publicNames?.join(","),
    }),

    observe(obj, ref, actual, ctx) {
      const info = actual.sharingProfile?.communityGalleryInfo;
      const state = actual.provisioningState ?? "Succeeded";
      const status = {
        azureName: ref.gallery,
        id: actual.id ?? galleryId(ref),
        uniqueName: actual.identifier?.uniqueName,
        publicNames: info?.publicNames,
        communityEnabled: info ? Boolean(info.communityGalleryEnabled) : undefined,
        provisioningState: state,
        // Azure matches the spec: every key the operator set and the spec dropped is gone.
        managedTagKeys: managedTagKeys(obj.spec.tags),
      };
      if (state === "Succeeded") {
        return {
          status,
          ready: { status: "True", reason: "Succeeded", message: `Gallery ${ref.gallery} matches the spec` },
        };
      }
      if (state === "Failed") {
        const message = `Azure reports provisioningState Failed for gallery ${ref.gallery}`;
        return { status, ready: { status: "False", reason: "ProvisioningFailed", message } };
      }
      const message = `Azure reports provisioningState ${state} for gallery ${ref.gallery}`;
      return {
        status,
        ready: { status: "False", reason: "Provisioning", message },
        requeueAfterMs: ctx.pollIntervalMs,
      };
    },

    cleanup(obj, ref, actual, ctx) {
      // Its GallerySharings go first: each undoes its own shares (or leaves them, Orphan) while
      // the gallery exists, and no Reset of ours runs beside theirs.
      const waiting =
        blockedByChildren(
          ctx.caches.imageDefinitions,
          obj,
          (d) => d.spec.galleryRef.name,
          "ImageDefinition",
        ) ??
        blockedByChildren(ctx.caches.gallerySharings, obj, (s) => s.spec.galleryRef.name, "GallerySharing");
      if (waiting) return waiting;
      if (!actual) return undefined;
      // A DELETE already under way (sent by a process that died before recording it) is waited out.
      if (actual.provisioningState === "Deleting") {
        return blocked(REASONS.Deleting, `Azure is deleting gallery ${ref.gallery}`, ctx.pollIntervalMs);
      }
      // A shared gallery is reset before deletion (ARM: reset a community gallery before deleting it).
      if (permissionsOf(actual) !== "Private") return reset(obj, ref, ctx, "the gallery is being deleted");
      return {
        action: "Delete",
        eventReason: "GalleryDeleting",
        note: `deleting gallery ${ref.gallery}`,
        onSuccess: { reason: "GalleryDeleted", note: `gallery ${ref.gallery} deleted in Azure` },
        start: () => {
          ctx.ownResets.forget(galleryId(ref));
          return arm(obj, ctx).delete(ref);
        },
      };
    },
  };
}

/**
 * Why the Gallery's Reset must wait: a GallerySharing of this gallery has a share operation
 * running (saved in its status), and ARM runs one per gallery at a time. Undefined when none does.
 */
function sharingInFlight(obj: Gallery, ctx: ReconcilerContext) {
  const namespace = obj.metadata.namespace ?? "";
  const running = childrenOf(
    ctx.caches.gallerySharings,
    namespace,
    (s) => s.spec.galleryRef.name,
    obj.metadata.name,
  ).filter((name) => ctx.caches.gallerySharings.get(`${namespace}/${name}`)?.status?.operation);
  if (running.length === 0) return undefined;
  const message = `GallerySharing ${namesList(running)} is changing the gallery's sharing in Azure; the sharing mode changes once that is done`;
  return blocked(SHARE_IN_PROGRESS, message, PARENT_RETRY_MS);
}
