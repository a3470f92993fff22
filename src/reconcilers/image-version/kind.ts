// ImageVersion ↔ Microsoft.Compute/galleries/images/versions. The user's story: "I declare a
// version of an image, made from a managed image (or VM, snapshot, disk) and replicated to some
// regions; the operator creates it once its definition is Ready, shows replication progress per
// region while Azure copies it, applies my changes (regions, replica counts, exclude-from-latest,
// end of life) one PUT at a time, and deletes it when I delete the object."
//
// This file assembles the kind from its parts: target.ts (where it lives), writes.ts (what is
// sent to ARM), plan.ts (which write comes next), observe.ts (what status shows, how often).
import type { GalleryImageVersion } from "@azure/arm-compute";
import type { ImageVersion } from "../../api/index.js";
import type { ResourceClient } from "../../kube/index.js";
import type { ArmKind } from "../driver/arm-kind.js";
import { observeVersion, observeVersionOperation } from "./observe.js";
import { cleanupVersion, planVersion, rewriteVersion } from "./plan.js";
import { ProgressPacer } from "./polling.js";
import {
  type VersionTarget,
  versionCleanupTarget,
  versionLabels,
  versionRivals,
  versionTarget,
} from "./target.js";
import { readVersion, resumeVersion, untagVersion } from "./writes.js";

export function imageVersionKind(
  client: ResourceClient<ImageVersion>,
): ArmKind<ImageVersion, VersionTarget, GalleryImageVersion> {
  const pacer = new ProgressPacer();
  return {
    kind: "ImageVersion",
    client,
    tagsOf: (actual) => actual.tags,
    rivalsOf: versionRivals,
    untag: untagVersion,
    labels: versionLabels,
    target: versionTarget,
    cleanupTarget: versionCleanupTarget,
    read: readVersion,
    resume: resumeVersion,
    observeOperation: (obj, target, poll, ctx) => observeVersionOperation(pacer, obj, target, poll, ctx),
    plan: planVersion,
    rewrite: rewriteVersion,
    observe: (obj, target, actual, ctx) => observeVersion(pacer, obj, target, actual, ctx),
    exports: (_obj, status) => ({ id: status.id }),
    cleanup: (obj, target, actual, ctx) => cleanupVersion(pacer, obj, target, actual, ctx),
  };
}
