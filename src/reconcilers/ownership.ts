// Which object of which cluster owns an Azure resource, written as one tag on the resource itself
// (docs/runtime.md, "One owner per Azure resource"). The tag travels with the resource, so a second
// object, a second namespace or a second cluster naming the same resource can see it is taken.
import { createHash } from "node:crypto";

/**
 * The tag key. Azure tag names may not hold `< > % & \ ? /`, so no `gallery.azure.dev/...` here;
 * the operator owns this key and the keys its specs name, nothing else.
 */
export const OWNERSHIP_TAG = "azure-gallery-operator-owner";

/** Azure's limit on a tag value's length. */
const MAX_TAG_VALUE = 256;

/** One object of one cluster. */
export interface Owner {
  /** The cluster's identity: `--cluster-id`, else the uid of its `kube-system` namespace. */
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
}

/**
 * The tag value for `owner`: `cluster/namespace/Kind/name`.
 * Guarantees: deterministic; at most 256 characters (a name that would not fit keeps its start
 * and gets a hash of the whole name, so two long names still differ); readable by `parseOwner`.
 */
export function ownerTagValue(owner: Owner): string {
  const head = `${owner.cluster}/${owner.namespace}/${owner.kind}/`;
  const value = `${head}${owner.name}`;
  if (value.length <= MAX_TAG_VALUE) return value;
  const hash = createHash("sha256").update(owner.name).digest("hex").slice(0, 16);
  return `${head}${owner.name.slice(0, Math.max(0, MAX_TAG_VALUE - head.length - hash.length - 1))}~${hash}`;
}

/** The owner a tag value names; undefined when it is not one of ours (or was edited by hand). */
export function parseOwner(value: string | undefined): Owner | undefined {
  const parts = value?.split("/");
  if (parts?.length !== 4 || parts.some((p) => p === "")) return undefined;
  const [cluster, namespace, kind, name] = parts as [string, string, string, string];
  return { cluster, namespace, kind, name };
}

/** Whether a resource's tags say `owner` owns it. */
export function ownedBy(tags: Record<string, string> | undefined, owner: Owner): boolean {
  return tags?.[OWNERSHIP_TAG] === ownerTagValue(owner);
}

/** "Gallery team-a/g1 (cluster 5c3…)": an owner as condition messages name it. */
export function describeOwner(value: string): string {
  const owner = parseOwner(value);
  if (!owner) return `an owner tagged ${OWNERSHIP_TAG}=${value}`;
  return `${owner.kind} ${owner.namespace}/${owner.name} (cluster ${owner.cluster})`;
}
