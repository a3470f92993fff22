// Where an ImageVersion lives in Azure: under its ImageDefinition (read from the cache), once the
// definition and its Gallery are Ready and the spec keeps the gallery's rules; or where status
// recorded it. And the other versions in the cluster naming the same Azure resource.

import type { GalleryImageVersion } from "@azure/arm-compute";
import { type ImageVersion, LABELS } from "../../api/index.js";
import { parseImageId, parseVersionId, type VersionRef } from "../../azure/index.js";
import { type ArmKind, type Blocked, blocked, isBlocked, readyDescribesSpec } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { USER_RETRY_MS } from "../driver/failures.js";
import { rivalsIn } from "../driver/ownership.js";
import { PARENT_RETRY_MS, readyParent } from "../driver/refs.js";
import { galleryRuleViolation } from "./rules.js";

/** The kind's ArmKind, whose method types its modules' functions take. */
export type VersionKind = ArmKind<ImageVersion, VersionTarget, GalleryImageVersion>;

export interface VersionTarget {
  ref: VersionRef;
  /** The gallery's region, where a create goes; unknown (and not needed) during cleanup. */
  location?: string;
}

function definitionOf(obj: ImageVersion, ctx: ReconcilerContext) {
  return ctx.caches.imageDefinitions.get(
    `${obj.metadata.namespace ?? ""}/${obj.spec.imageDefinitionRef.name}`,
  );
}

/** The Azure id the version names: as status recorded it, else under its definition's. */
function armIdOf(obj: ImageVersion, ctx: ReconcilerContext): string | undefined {
  const definition = definitionOf(obj, ctx)?.status?.id;
  return obj.status?.id ?? (definition ? `${definition}/versions/${obj.spec.version}` : undefined);
}

export function versionRivals(obj: ImageVersion, ctx: ReconcilerContext): ImageVersion[] {
  return rivalsIn([ctx.caches.imageVersions], obj, (v) => armIdOf(v, ctx));
}

/**
 * Users (and the examples) need not set them; added once so `kubectl get -l` finds a
 * definition's versions and a gallery's whole contents.
 */
export function versionLabels(obj: ImageVersion, ctx: ReconcilerContext): Record<string, string> {
  const gallery = definitionOf(obj, ctx)?.spec.galleryRef.name;
  return {
    [LABELS.imageDefinition]: obj.spec.imageDefinitionRef.name,
    ...(gallery ? { [LABELS.gallery]: gallery } : {}),
  };
}

export function versionTarget(obj: ImageVersion, ctx: ReconcilerContext): VersionTarget | Blocked {
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
  const galleryName = definition.spec.galleryRef.name;
  const gallery = readyParent(ctx.caches.galleries, "Gallery", namespace, galleryName, ctx.now());
  if (isBlocked(gallery)) return gallery;
  // Ready for an older spec: its sharing mode (which the rules judge) may be changing in Azure.
  if (!readyDescribesSpec(gallery)) {
    const message = `Gallery ${gallery.metadata.name} is being updated; waiting for it`;
    return blocked("GalleryNotReady", message, PARENT_RETRY_MS);
  }
  // A spec that breaks a rule waits for the user; edits of the version or its gallery wake it first.
  const violation = galleryRuleViolation(obj, gallery);
  if (violation) return blocked(violation.reason, violation.message, USER_RETRY_MS);
  const ref = { ...parseImageId(definition.status?.id ?? ""), version: obj.spec.version };
  return { ref, location: gallery.spec.location };
}

/**
 * What status recorded first (set from the first progress read), so a definition deleted
 * meanwhile does not strand the version; before that the definition in the cache says where.
 */
export function versionCleanupTarget(obj: ImageVersion, ctx: ReconcilerContext): VersionTarget | undefined {
  if (obj.status?.id) return { ref: parseVersionId(obj.status.id) };
  const definitionId = definitionOf(obj, ctx)?.status?.id;
  return definitionId ? { ref: { ...parseImageId(definitionId), version: obj.spec.version } } : undefined;
}
