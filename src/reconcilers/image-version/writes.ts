// The writes an ImageVersion sends to ARM (the PUT of its spec, the DELETE, the PUT that takes
// the ownership tag off) and its reads.
import type { GalleryImageVersion } from "@azure/arm-compute";
import { CONDITION_TYPES, type ImageVersion } from "../../api/index.js";
import { type VersionRef, versionId } from "../../azure/index.js";
import type { ArmWrite } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { ownedTags, untagWrite } from "../driver/ownership.js";
import { deleteWrite, type PutFn, putWrite } from "../driver/spec-writes.js";
import { desiredVersionBody, sourceIdOf } from "./body.js";
import { withLinkedAuthorizationHint } from "./errors.js";
import type { VersionTarget } from "./target.js";

/** The image versions API for the object's namespace (under the identity chosen for it). */
export function versionsApi(obj: ImageVersion, ctx: ReconcilerContext) {
  return ctx.arm(obj.metadata.namespace ?? "").versions;
}

type Put = PutFn<ImageVersion, VersionTarget, GalleryImageVersion>;

/**
 * The PUT of the spec into `location`: a create, or (with `update`) an update of the fields in
 * `diffs`. The operation ends once every target region holds the version.
 */
export const putVersion: Put = (obj, target, location, ctx, update) => {
  const { version, image } = target.ref;
  const regions = obj.spec.targetRegions;
  return putWrite({
    events: "ImageVersion",
    what: `version ${version} of ${image}`,
    ...(update ? { diffs: update.diffs } : {}),
    creating: `creating version ${version} of ${image}, replicating to ${regions.map((r) => r.name).join(", ")}`,
    created: `version ${version} of ${image} created and replicated to ${regions.length} region(s)`,
    id: versionId(target.ref),
    async start() {
      try {
        const body = desiredVersionBody(obj.spec, location, update?.actual.tags);
        const tags = ownedTags(body.tags, obj, "ImageVersion", ctx);
        return await versionsApi(obj, ctx).put(target.ref, { ...body, tags });
      } catch (err) {
        throw withLinkedAuthorizationHint(err, sourceIdOf(obj.spec.source));
      }
    },
  });
};

export function deleteVersion(obj: ImageVersion, ref: VersionRef, ctx: ReconcilerContext): ArmWrite {
  return deleteWrite(
    "ImageVersion",
    versionId(ref),
    `deleting version ${ref.version} of ${ref.image}`,
    `version ${ref.version} of ${ref.image} deleted`,
    () => versionsApi(obj, ctx).delete(ref),
  );
}

/** The PUT that takes the ownership tag off and leaves the version in Azure (deletionPolicy Orphan). */
export function untagVersion(
  obj: ImageVersion,
  target: VersionTarget,
  actual: GalleryImageVersion,
  ctx: ReconcilerContext,
): ArmWrite {
  return untagWrite(`version ${target.ref.version} of ${target.ref.image}`, actual.tags, (tags) =>
    versionsApi(obj, ctx).put(target.ref, { ...desiredVersionBody(obj.spec, actual.location), tags }),
  );
}

/**
 * Per-region replication is read only while it can still change: a list (a resync's read,
 * azure/list-snapshot.ts) does not show it, and status keeps what was last read.
 */
export function readVersion(obj: ImageVersion, target: VersionTarget, ctx: ReconcilerContext) {
  return versionsApi(obj, ctx).get(target.ref, { replicationStatus: !replicationSettled(obj) });
}

export function resumeVersion(
  obj: ImageVersion,
  target: VersionTarget,
  token: string,
  ctx: ReconcilerContext,
) {
  return versionsApi(obj, ctx).resume(target.ref, token);
}

/**
 * Whether replication finished for this spec, by status: Replicated=True for the current
 * generation. Then only the version itself is read again, not its per-region status.
 */
function replicationSettled(obj: ImageVersion): boolean {
  const replicated = obj.status?.conditions?.find((c) => c.type === CONDITION_TYPES.Replicated);
  return replicated?.status === "True" && replicated.observedGeneration === obj.metadata.generation;
}
