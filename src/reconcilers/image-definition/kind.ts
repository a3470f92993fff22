// ImageDefinition ↔ Microsoft.Compute/galleries/images. The user's story: "I declare an image
// definition in one of my galleries; once the gallery is Ready the operator makes the definition
// exist there as declared, keeps its descriptive fields in sync, and deletes it when I delete the
// object — never while image versions in the cluster still live in it."
import type { GalleryImage } from "@azure/arm-compute";
import {
  azureNameOf,
  CONDITION_TYPES,
  compareVersions,
  type ImageDefinition,
  type ImageVersion,
  type ImageVersionNumber,
  LABELS,
  parseVersion,
  REASONS,
} from "../../api/index.js";
import { type ImageRef, imageId, parseGalleryId, parseImageId } from "../../azure/index.js";
import type { ResourceClient } from "../../kube/index.js";
import { type ArmKind, type ArmWrite, blocked, isBlocked } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { namingSame, ownedTags, untagWrite } from "../driver/ownership.js";
import { blockedByChildren, readyParent } from "../driver/refs.js";
import { desiredImageBody, imageDifferences, immutableImageDifferences } from "./body.js";

/** A definition that differs from Azure in what cannot change waits for the user; edits wake it. */
const CONFLICT_RETRY_MS = 5 * 60_000;

export interface DefinitionTarget {
  ref: ImageRef;
  /** The gallery's region, where a create goes; unknown (and not needed) during cleanup. */
  location?: string;
}

export function imageDefinitionKind(
  client: ResourceClient<ImageDefinition>,
): ArmKind<ImageDefinition, DefinitionTarget, GalleryImage> {
  const arm = (obj: ImageDefinition, ctx: ReconcilerContext) => ctx.arm(obj.metadata.namespace ?? "").images;
  const galleryOf = (obj: ImageDefinition, ctx: ReconcilerContext) =>
    ctx.caches.galleries.get(`${obj.metadata.namespace ?? ""}/${obj.spec.galleryRef.name}`);
  /** The Azure id the definition names: as status recorded it, else under its gallery's. */
  const armIdOf = (obj: ImageDefinition, ctx: ReconcilerContext): string | undefined => {
    const gallery = galleryOf(obj, ctx)?.status?.id;
    return obj.status?.id ?? (gallery ? `${gallery}/images/${azureNameOf(obj)}` : undefined);
  };

  const put = (
    obj: ImageDefinition,
    target: DefinitionTarget,
    location: string,
    ctx: ReconcilerContext,
    update?: { actual: GalleryImage; diffs: string[] },
  ): ArmWrite => ({
    action: "CreateOrUpdate",
    eventReason: update ? "ImageDefinitionUpdating" : "ImageDefinitionCreating",
    note: update
      ? `updating image definition ${target.ref.image}: ${update.diffs.join(", ") || "resync"}`
      : `creating image definition ${target.ref.image} in gallery ${target.ref.gallery}`,
    ...(update ? { fields: update.diffs.map((field) => ({ field })) } : {}),
    onSuccess: update
      ? {
          reason: "ImageDefinitionUpdated",
          note: `image definition ${target.ref.image} updated: ${update.diffs.join(", ") || "resync"}`,
        }
      : {
          reason: "ImageDefinitionCreated",
          note: `image definition ${target.ref.image} created in gallery ${target.ref.gallery}`,
        },
    start: () => {
      const body = desiredImageBody(obj.spec, location, update?.actual.tags);
      return arm(obj, ctx).put(target.ref, {
        ...body,
        tags: ownedTags(body.tags, obj, "ImageDefinition", ctx),
      });
    },
  });

  return {
    kind: "ImageDefinition",
    client,
    tagsOf: (actual) => actual.tags,
    rivalsOf: (obj, ctx) => namingSame(ctx.caches.imageDefinitions.list(), obj, (d) => armIdOf(d, ctx)),
    untag: (obj, target, actual, ctx) =>
      untagWrite(`image definition ${target.ref.image}`, actual.tags, (tags) =>
        arm(obj, ctx).put(target.ref, { ...desiredImageBody(obj.spec, actual.location), tags }),
      ),
    // Users (and the examples) need not set it; added once so `kubectl get -l` finds a gallery's contents.
    labels: (obj) => ({ [LABELS.gallery]: obj.spec.galleryRef.name }),

    target(obj, ctx) {
      const namespace = obj.metadata.namespace ?? "";
      const gallery = readyParent(
        ctx.caches.galleries,
        "Gallery",
        namespace,
        obj.spec.galleryRef.name,
        ctx.now(),
      );
      if (isBlocked(gallery)) return gallery;
      const ref = { ...parseGalleryId(gallery.status?.id ?? ""), image: azureNameOf(obj) };
      return { ref, location: gallery.spec.location };
    },

    // What status recorded first, so a gallery deleted meanwhile does not strand the definition;
    // before that (a create not yet observed) the gallery in the cache says where it would be.
    cleanupTarget(obj, ctx) {
      if (obj.status?.id) return { ref: parseImageId(obj.status.id) };
      const galleryId = galleryOf(obj, ctx)?.status?.id;
      return galleryId ? { ref: { ...parseGalleryId(galleryId), image: azureNameOf(obj) } } : undefined;
    },

    read: (obj, target, ctx) => arm(obj, ctx).get(target.ref),
    resume: (obj, target, token, ctx) => arm(obj, ctx).resume(target.ref, token),

    plan(obj, target, actual, ctx) {
      const location = target.location ?? actual?.location;
      if (location === undefined)
        throw new Error("an image definition target without a location (cleanup only)");
      if (!actual) return put(obj, target, location, ctx);
      const frozen = immutableImageDifferences(obj.spec, actual);
      if (frozen.length > 0) {
        const message = `image definition ${target.ref.image} already exists in Azure with fields that cannot change: ${frozen.join("; ")}; delete it in Azure or use another azureName`;
        return blocked(REASONS.Conflict, message, CONFLICT_RETRY_MS);
      }
      const diffs = imageDifferences(obj.spec, actual);
      return diffs.length > 0 ? put(obj, target, location, ctx, { actual, diffs }) : undefined;
    },

    exports(obj, status, ctx) {
      const latest = latestVersion(obj, ctx.caches.imageVersions.list());
      return { id: status.id, latestVersion: latest?.spec.version, latestVersionId: latest?.status?.id };
    },

    rewrite: (obj, target, actual, ctx) =>
      put(obj, target, target.location ?? actual.location, ctx, { actual, diffs: [] }),

    observe(_obj, target, actual, ctx) {
      const state = actual.provisioningState ?? "Succeeded";
      const status = {
        azureName: target.ref.image,
        id: actual.id ?? imageId(target.ref),
        provisioningState: state,
      };
      if (state === "Succeeded") {
        const message = `Image definition ${target.ref.image} matches the spec`;
        return { status, ready: { status: "True", reason: REASONS.Succeeded, message } };
      }
      const message = `Azure reports provisioningState ${state} for image definition ${target.ref.image}`;
      const settled = state === "Failed";
      return {
        status,
        ready: { status: "False", reason: settled ? "ProvisioningFailed" : REASONS.Provisioning, message },
        requeueAfterMs: settled ? undefined : ctx.pollIntervalMs,
      };
    },

    cleanup(obj, target, actual, ctx) {
      const waiting = blockedByChildren(
        ctx.caches.imageVersions,
        obj,
        (v) => v.spec.imageDefinitionRef.name,
        "ImageVersion",
      );
      if (waiting) return waiting;
      if (!actual) return undefined;
      // A DELETE already under way (sent by a process that died before recording it) is waited out.
      if (actual.provisioningState === "Deleting") {
        const message = `Azure is deleting image definition ${target.ref.image}`;
        return blocked(REASONS.Deleting, message, ctx.pollIntervalMs);
      }
      return {
        action: "Delete",
        eventReason: "ImageDefinitionDeleting",
        note: `deleting image definition ${target.ref.image} from gallery ${target.ref.gallery}`,
        onSuccess: {
          reason: "ImageDefinitionDeleted",
          note: `image definition ${target.ref.image} deleted from gallery ${target.ref.gallery}`,
        },
        start: () => arm(obj, ctx).delete(target.ref),
      };
    },
  };
}

/**
 * The version a VM asking for "latest" of this definition gets, as far as the cluster knows: the
 * highest ImageVersion of it that Azure holds replicated (Replicated=True: unlike Ready, this does
 * not flicker while a parent updates), not excluded from latest and not being deleted.
 */
export function latestVersion(
  definition: ImageDefinition,
  versions: readonly ImageVersion[],
): ImageVersion | undefined {
  let best: { version: ImageVersion; number: ImageVersionNumber } | undefined;
  for (const v of versions) {
    if (v.metadata.namespace !== definition.metadata.namespace) continue;
    if (v.spec.imageDefinitionRef.name !== definition.metadata.name) continue;
    if (v.spec.excludeFromLatest || v.metadata.deletionTimestamp || !v.status?.id) continue;
    if (v.status.conditions?.find((c) => c.type === CONDITION_TYPES.Replicated)?.status !== "True") continue;
    const number = parseVersion(v.spec.version);
    if (number && (!best || compareVersions(number, best.number) > 0)) best = { version: v, number };
  }
  return best?.version;
}
