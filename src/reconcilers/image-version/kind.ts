// ImageVersion ↔ Microsoft.Compute/galleries/images/versions. The user's story: "I declare a
// version of an image, made from a managed image (or VM, snapshot, disk) and replicated to some
// regions; the operator creates it once its definition is Ready, shows replication progress per
// region while Azure copies it, applies my changes (regions, replica counts, exclude-from-latest,
// end of life) one PUT at a time, and deletes it when I delete the object."
import type { GalleryImageVersion } from "@azure/arm-compute";
import {
  CONDITION_TYPES,
  type ImageVersion,
  type ImageVersionStatus,
  LABELS,
  REASONS,
} from "../../api/index.js";
import { parseArmId, parseImageId, parseVersionId, type VersionRef, versionId } from "../../azure/index.js";
import { identityOf, type ResourceClient } from "../../kube/index.js";
import {
  type ArmKind,
  type ArmWrite,
  blocked,
  isBlocked,
  type Observation,
  readyDescribesSpec,
} from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { namingSame, ownedTags, untagWrite } from "../driver/ownership.js";
import { PARENT_RETRY_MS, readyParent } from "../driver/refs.js";
import { desiredVersionBody, sourceIdOf, versionDifferences } from "./body.js";
import { withLinkedAuthorizationHint } from "./errors.js";
import {
  budgetFloorMs,
  MAX_SLOWDOWN,
  ProgressPacer,
  reportedBudgetFloorMs,
  VERSION_READ_BUCKET,
} from "./polling.js";
import { replicatedCondition, summarizeReplication } from "./replication.js";
import { galleryRuleViolation, SOURCE_BUSY, sourceHolder } from "./rules.js";

/** A spec that breaks a rule waits for the user; edits of the version or its gallery wake it first. */
const RULE_RETRY_MS = 5 * 60_000;

export interface VersionTarget {
  ref: VersionRef;
  /** The gallery's region, where a create goes; unknown (and not needed) during cleanup. */
  location?: string;
}

export function imageVersionKind(
  client: ResourceClient<ImageVersion>,
): ArmKind<ImageVersion, VersionTarget, GalleryImageVersion> {
  const pacer = new ProgressPacer();
  const arm = (obj: ImageVersion, ctx: ReconcilerContext) => ctx.arm(obj.metadata.namespace ?? "").versions;
  const definitionOf = (obj: ImageVersion, ctx: ReconcilerContext) =>
    ctx.caches.imageDefinitions.get(`${obj.metadata.namespace ?? ""}/${obj.spec.imageDefinitionRef.name}`);
  /** The Azure id the version names: as status recorded it, else under its definition's. */
  const armIdOf = (obj: ImageVersion, ctx: ReconcilerContext): string | undefined => {
    const definition = definitionOf(obj, ctx)?.status?.id;
    return obj.status?.id ?? (definition ? `${definition}/versions/${obj.spec.version}` : undefined);
  };

  const put = (
    obj: ImageVersion,
    target: VersionTarget,
    location: string,
    ctx: ReconcilerContext,
    update?: { actual: GalleryImageVersion; diffs: string[] },
  ): ArmWrite => ({
    action: "CreateOrUpdate",
    eventReason: update ? "ImageVersionUpdating" : "ImageVersionCreating",
    note: update
      ? `updating version ${target.ref.version} of ${target.ref.image}: ${update.diffs.join(", ") || "resync"}`
      : `creating version ${target.ref.version} of ${target.ref.image}, replicating to ${obj.spec.targetRegions.map((r) => r.name).join(", ")}`,
    // The operation ends once every target region holds the version.
    ...(update ? { fields: update.diffs.map((field) => ({ field })) } : {}),
    onSuccess: update
      ? {
          reason: "ImageVersionUpdated",
          note: `version ${target.ref.version} of ${target.ref.image} updated: ${update.diffs.join(", ") || "resync"}`,
        }
      : {
          reason: "ImageVersionCreated",
          note: `version ${target.ref.version} of ${target.ref.image} created and replicated to ${obj.spec.targetRegions.length} region(s)`,
        },
    async start() {
      try {
        const body = desiredVersionBody(obj.spec, location, update?.actual.tags);
        const tags = ownedTags(body.tags, obj, "ImageVersion", ctx);
        return await arm(obj, ctx).put(target.ref, { ...body, tags });
      } catch (err) {
        throw withLinkedAuthorizationHint(err, sourceIdOf(obj.spec.source));
      }
    },
  });

  /** How soon to read progress again: see ProgressPacer; the budget is shared by the subscription's versions. */
  const pace = (
    obj: ImageVersion,
    target: VersionTarget,
    progress: number | undefined,
    ctx: ReconcilerContext,
  ) => {
    const moved = progress !== obj.status?.replication?.progress;
    const subscription = target.ref.subscriptionId.toLowerCase();
    // A version whose subscription status does not know yet counts too: better slow than throttled.
    const versions = ctx.caches.imageVersions.list();
    const replicating = versions.filter(
      (v) => isReplicating(v) && (subscriptionOf(v) ?? subscription) === subscription,
    ).length;
    // Versions gone from the cache by any path (Orphan, a removed finalizer) leave no pacer behind.
    pacer.retain(new Set(versions.map(identityOf)));
    const floor = Math.max(
      budgetFloorMs(replicating, ctx.armTimeScale),
      reportedBudgetFloorMs(replicating, ctx.armBudget?.(subscription, VERSION_READ_BUCKET)),
    );
    return pacer.next(identityOf(obj), moved, ctx.pollIntervalMs, floor);
  };

  /** Azure's version as the user sees it: status, Ready, Replicated, and when to look again. */
  const describe = (
    obj: ImageVersion,
    target: VersionTarget,
    actual: GalleryImageVersion,
    ctx: ReconcilerContext,
  ): Observation<ImageVersionStatus> => {
    const summary = summarizeReplication(actual);
    const version = target.ref.version;
    const state = actual.provisioningState ?? "Succeeded";
    const published = actual.publishingProfile?.publishedDate;
    ctx.metrics?.setReplicationProgress?.(
      obj.metadata.namespace ?? "",
      obj.metadata.name,
      summary.status.progress,
    );
    const status: Partial<ImageVersionStatus> = {
      id: actual.id ?? versionId(target.ref),
      provisioningState: state,
      replication: actual.replicationStatus ? summary.status : (obj.status?.replication ?? summary.status),
      ...(published ? { publishedDate: new Date(published).toISOString() } : {}),
    };
    const replicated = replicatedCondition(summary, version);
    const conditions = [{ type: CONDITION_TYPES.Replicated, ...replicated }];
    // Not Ready while copying or after a region failed, for the same reason it is not Replicated.
    if (summary.phase === "Failed") {
      pacer.forget(identityOf(obj));
      return { status, conditions, ready: replicated };
    }
    if (summary.phase === "Replicating") {
      const requeueAfterMs = pace(obj, target, summary.status.progress, ctx);
      return { status, conditions, ready: replicated, requeueAfterMs };
    }
    if (summary.phase === "Completed" && state === "Succeeded") {
      pacer.forget(identityOf(obj));
      const regions = obj.spec.targetRegions.length;
      const message = `Version ${version} matches the spec and is replicated to ${regions} region(s)`;
      return { status, conditions, ready: { status: "True", reason: REASONS.Succeeded, message } };
    }
    const message = `Azure reports provisioningState ${state} for version ${version}`;
    return {
      status,
      conditions,
      ready: { status: "False", reason: REASONS.Provisioning, message },
      requeueAfterMs: ctx.pollIntervalMs * MAX_SLOWDOWN,
    };
  };

  return {
    kind: "ImageVersion",
    client,
    tagsOf: (actual) => actual.tags,
    rivalsOf: (obj, ctx) => namingSame(ctx.caches.imageVersions.list(), obj, (v) => armIdOf(v, ctx)),
    untag: (obj, target, actual, ctx) =>
      untagWrite(`version ${target.ref.version} of ${target.ref.image}`, actual.tags, (tags) =>
        arm(obj, ctx).put(target.ref, { ...desiredVersionBody(obj.spec, actual.location), tags }),
      ),
    // Users (and the examples) need not set them; added once so `kubectl get -l` finds a
    // definition's versions and a gallery's whole contents.
    labels(obj, ctx) {
      const gallery = definitionOf(obj, ctx)?.spec.galleryRef.name;
      return {
        [LABELS.imageDefinition]: obj.spec.imageDefinitionRef.name,
        ...(gallery ? { [LABELS.gallery]: gallery } : {}),
      };
    },

    target(obj, ctx) {
      const namespace = obj.metadata.namespace ?? "";
      const definitionName = obj.spec.imageDefinitionRef.name;
      const definition = readyParent(
        ctx.caches.imageDefinitions,
        "ImageDefinition",
        namespace,
        definitionName,
        ctx.now(),
      );
      if (isBlocked(definition)) return definition;
      const gallery = readyParent(
        ctx.caches.galleries,
        "Gallery",
        namespace,
        definition.spec.galleryRef.name,
        ctx.now(),
      );
      if (isBlocked(gallery)) return gallery;
      // Ready for an older spec: its sharing mode (which the rules judge) may be changing in Azure.
      if (!readyDescribesSpec(gallery)) {
        const message = `Gallery ${gallery.metadata.name} is being updated; waiting for it`;
        return blocked("GalleryNotReady", message, PARENT_RETRY_MS);
      }
      const violation = galleryRuleViolation(obj, gallery);
      if (violation) return blocked(violation.reason, violation.message, RULE_RETRY_MS);
      const ref = { ...parseImageId(definition.status?.id ?? ""), version: obj.spec.version };
      return { ref, location: gallery.spec.location };
    },

    // What status recorded first (set from the first progress read), so a definition deleted
    // meanwhile does not strand the version; before that the definition in the cache says where.
    cleanupTarget(obj, ctx) {
      if (obj.status?.id) return { ref: parseVersionId(obj.status.id) };
      const definitionId = definitionOf(obj, ctx)?.status?.id;
      return definitionId ? { ref: { ...parseImageId(definitionId), version: obj.spec.version } } : undefined;
    },

    // Per-region replication is read only while it can still change: a list (a resync's read,
    // azure/list-snapshot.ts) does not show it, and status keeps what was last read.
    read: (obj, target, ctx) =>
      arm(obj, ctx).get(target.ref, { replicationStatus: !replicationSettled(obj) }),
    resume: (obj, target, token, ctx) => arm(obj, ctx).resume(target.ref, token),

    // The PUT's operation ends only when every region has replicated; meanwhile one read with
    // `$expand=ReplicationStatus` per poll shows how far it got.
    async observeOperation(obj, target, poll, ctx) {
      if (poll.phase !== "apply" || poll.action !== "CreateOrUpdate") return undefined;
      const actual = await arm(obj, ctx).get(target.ref);
      if (!actual) return undefined;
      const seen = describe(obj, target, actual, ctx);
      const ownsReady =
        seen.ready.reason === REASONS.ReplicationFailed ||
        (poll.state === "running" && seen.ready.reason === REASONS.Replicating);
      return {
        status: seen.status,
        conditions: seen.conditions,
        ...(ownsReady ? { ready: seen.ready } : {}),
        ...(poll.state === "running" ? { requeueAfterMs: seen.requeueAfterMs ?? ctx.pollIntervalMs } : {}),
      };
    },

    plan(obj, target, actual, ctx) {
      const location = target.location ?? actual?.location;
      if (location === undefined)
        throw new Error("an image version target without a location (cleanup only)");
      if (!actual) {
        const holder = sourceHolder(obj, ctx.caches.imageVersions.list());
        if (!holder) return put(obj, target, location, ctx);
        const message = `managed image ${obj.spec.source.managedImageId} is feeding ImageVersion ${holder.metadata.namespace}/${holder.metadata.name} until it has replicated (Azure lets a managed image feed one version at a time); waiting for it`;
        return blocked(SOURCE_BUSY, message, ctx.pollIntervalMs * MAX_SLOWDOWN);
      }
      if (operationRunning(actual)) return undefined;
      const diffs = versionDifferences(obj.spec, actual);
      if (summarizeReplication(actual).phase === "Failed" && !failureReported(obj))
        diffs.push("retrying failed regions");
      return diffs.length > 0 ? put(obj, target, location, ctx, { actual, diffs }) : undefined;
    },

    rewrite(obj, target, actual, ctx) {
      if (operationRunning(actual)) return undefined;
      return put(obj, target, target.location ?? actual.location, ctx, { actual, diffs: [] });
    },

    observe: describe,

    exports: (_obj, status) => ({ id: status.id }),

    cleanup(obj, target, actual, ctx) {
      if (!actual) {
        pacer.forget(identityOf(obj));
        ctx.metrics?.setReplicationProgress?.(obj.metadata.namespace ?? "", obj.metadata.name, undefined);
        return undefined;
      }
      if (actual.provisioningState === "Deleting") {
        return blocked(
          REASONS.Deleting,
          `Azure is deleting version ${target.ref.version}`,
          ctx.pollIntervalMs,
        );
      }
      return {
        action: "Delete",
        eventReason: "ImageVersionDeleting",
        note: `deleting version ${target.ref.version} of ${target.ref.image}`,
        onSuccess: {
          reason: "ImageVersionDeleted",
          note: `version ${target.ref.version} of ${target.ref.image} deleted`,
        },
        start: () => arm(obj, ctx).delete(target.ref),
      };
    },
  };
}

/** An operation someone else started (or one whose record was lost) is not written over. */
function operationRunning(actual: GalleryImageVersion): boolean {
  return actual.provisioningState === "Creating" || actual.provisioningState === "Updating";
}

/**
 * Whether the failure Azure shows was already reported for this spec: then it is not retried
 * until the spec changes (a retry would most likely fail the same way, and each costs a PUT
 * and minutes of copying).
 */
function failureReported(obj: ImageVersion): boolean {
  const replicated = obj.status?.conditions?.find((c) => c.type === CONDITION_TYPES.Replicated);
  return (
    replicated?.reason === REASONS.ReplicationFailed &&
    replicated.observedGeneration === obj.metadata.generation
  );
}

/**
 * Whether replication finished for this spec, by status: Replicated=True for the current
 * generation. Then only the version itself is read again, not its per-region status.
 */
function replicationSettled(obj: ImageVersion): boolean {
  const replicated = obj.status?.conditions?.find((c) => c.type === CONDITION_TYPES.Replicated);
  return replicated?.status === "True" && replicated.observedGeneration === obj.metadata.generation;
}

/** Whether a version is being copied now, by what its status says (for the read budget). */
function isReplicating(obj: ImageVersion): boolean {
  const replicated = obj.status?.conditions?.find((c) => c.type === CONDITION_TYPES.Replicated);
  return obj.status?.operation?.action === "CreateOrUpdate" || replicated?.reason === REASONS.Replicating;
}

/** The subscription a version lives in, once status knows; undefined before. */
function subscriptionOf(obj: ImageVersion): string | undefined {
  return obj.status?.id ? parseArmId(obj.status.id).subscriptionId?.toLowerCase() : undefined;
}
