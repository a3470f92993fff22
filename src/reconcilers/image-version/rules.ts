// What Azure demands of an image version that the CRD cannot check, because it spans objects:
// where the gallery is, how it is shared, and which other versions use the same managed image.
// Checked before any write, so the user gets a clear reason instead of ARM's 400 or 409.
import { CONDITION_TYPES, type Gallery, type ImageVersion, REASONS } from "../../api/index.js";
import { sameArmId } from "../../azure/index.js";
import type { ReadonlyStore } from "../../kube/index.js";
import { regionKey } from "../driver/image-compare.js";
import { BY_SOURCE, sourceKey } from "../driver/indexes.js";

export interface RuleViolation {
  reason: string;
  message: string;
}

/**
 * The spec's conflicts with its gallery (docs/arm-behaviour.md#version-sources): the gallery's region, where
 * Azure takes the source from, must be a target region; a directly shared gallery
 * (`sharing.permissions: Groups`) cannot hold encrypted versions.
 */
export function galleryRuleViolation(version: ImageVersion, gallery: Gallery): RuleViolation | undefined {
  const location = gallery.spec.location;
  const regions = version.spec.targetRegions;
  if (!regions.some((r) => regionKey(r.name) === regionKey(location))) {
    return {
      reason: "SourceRegionNotTargeted",
      message: `targetRegions (${regions.map((r) => r.name).join(", ")}) must include ${location}, the region of gallery ${gallery.metadata.name}: Azure replicates from there; add a target region named ${location}`,
    };
  }
  if (gallery.spec.sharing.permissions === "Groups" && regions.some((r) => r.encryption)) {
    return {
      reason: "EncryptionNotAllowedInSharedGallery",
      message: `gallery ${gallery.metadata.name} is shared directly (sharing.permissions: Groups), and Azure does not allow encrypted versions there: remove targetRegions[].encryption or use a gallery that is not directly shared`,
    };
  }
  return undefined;
}

/** The Ready reason of a version waiting for another to finish with its managed image. */
export const SOURCE_BUSY = "SourceBusy";

interface Dated {
  name: string;
  namespace?: string;
  creationTimestamp?: string;
}

/**
 * The other version that holds `version`'s managed image now, if any: Azure lets a managed image
 * feed one version at a time, until that one has replicated (§12). A version holds its source
 * while it replicates (its create or update is running), or while it is next in line: created
 * earlier, not yet replicated, and not itself waiting or failed (a version that waits on its
 * parent or on another source must not keep later ones waiting too).
 *
 * Guarantees: only managed-image sources are ever held (VMs, snapshots and disks are not);
 * the order by creation time (then namespace/name) is total, so two versions never wait on
 * each other.
 */
export function sourceHolder(version: ImageVersion, all: readonly ImageVersion[]): ImageVersion | undefined {
  const source = version.spec.source.managedImageId;
  if (!source) return undefined;
  return all.find((other) => {
    if (other.metadata.uid === version.metadata.uid || other.metadata.deletionTimestamp) return false;
    const otherSource = other.spec.source.managedImageId;
    if (!otherSource || !sameArmId(otherSource, source)) return false;
    const replicated = conditionOf(other, CONDITION_TYPES.Replicated);
    if (replicated?.status === "True" || replicated?.reason === REASONS.ReplicationFailed) return false;
    if (other.status?.operation?.action === "CreateOrUpdate") return true;
    const waiting = conditionOf(other, CONDITION_TYPES.Ready)?.reason;
    const inLine =
      waiting === undefined || waiting === REASONS.Provisioning || waiting === REASONS.Replicating;
    return inLine && earlier(other.metadata, version.metadata);
  });
}

function conditionOf(obj: ImageVersion, type: string) {
  return obj.status?.conditions?.find((c) => c.type === type);
}

function earlier(a: Dated, b: Dated): boolean {
  const at = a.creationTimestamp ?? "";
  const bt = b.creationTimestamp ?? "";
  if (at !== bt) return at < bt;
  return `${a.namespace ?? ""}/${a.name}` < `${b.namespace ?? ""}/${b.name}`;
}

/** The versions in `store` made from `version`'s managed image (BY_SOURCE); none without one. */
export function sameSource(store: ReadonlyStore<ImageVersion>, version: ImageVersion): ImageVersion[] {
  const source = version.spec?.source?.managedImageId;
  return source ? store.byIndex(BY_SOURCE, sourceKey(source)) : [];
}

/**
 * The versions waiting (`SourceBusy`) for the managed image of `changed`, once `changed` is not
 * replicating it: what wakes them when their source frees up. Empty while `changed` still copies
 * (its progress updates wake no one).
 */
export function sourceWaiters(changed: ImageVersion, all: readonly ImageVersion[]): ImageVersion[] {
  const source = changed.spec?.source?.managedImageId;
  if (!source || changed.status?.operation?.action === "CreateOrUpdate") return [];
  return all.filter(
    (v) =>
      v.metadata.uid !== changed.metadata.uid &&
      conditionOf(v, CONDITION_TYPES.Ready)?.reason === SOURCE_BUSY &&
      sameArmId(v.spec.source.managedImageId ?? "", source),
  );
}
