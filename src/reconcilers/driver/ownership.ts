// Which object of which cluster owns an Azure resource (docs/runtime.md, "One owner per Azure
// resource"): one tag on the resource itself, which travels with it, so a second object, namespace
// or cluster naming the same resource sees it is taken; and, within this cluster, the earliest
// created of the objects naming one resource. Pure decisions; the driver acts on them.
import { createHash } from "node:crypto";
import type { LroProgress } from "../../azure/index.js";
import type { ReadonlyStore } from "../../kube/index.js";
import { type ArmObject, type ArmWrite, type Blocked, blocked } from "./arm-kind.js";
import { azureNameKey, BY_AZURE_NAME } from "./indexes.js";

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

/** "Gallery team-a/g1 (cluster 5c3…)": an owner as condition messages name it. */
export function describeOwner(value: string): string {
  const owner = parseOwner(value);
  if (!owner) return `an owner tagged ${OWNERSHIP_TAG}=${value}`;
  return `${owner.kind} ${owner.namespace}/${owner.name} (cluster ${owner.cluster})`;
}

/** The annotation that lets an object take over an Azure resource that exists and nobody owns. */
export const ADOPT_ANNOTATION = "gallery.azure.dev/adopt";

/** A refused object waits for the user (its edits wake it first). */
const REFUSED_RETRY_MS = 5 * 60_000;

export const OWNED_BY_ANOTHER = "OwnedByAnother";
export const ADOPTION_REQUIRED = "AdoptionRequired";

interface Dated {
  metadata: { uid?: string; creationTimestamp?: string };
}

/** Whether `a` came first: the earlier creationTimestamp, then the smaller uid (both set by the API server). */
function precedes(a: Dated, b: Dated): boolean {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  // RFC 3339 UTC stamps of one API server sort as text.
  if (ta !== tb) return ta !== "" && (tb === "" || ta < tb);
  return (a.metadata.uid ?? "") < (b.metadata.uid ?? "");
}

/**
 * Why `obj` must leave the resource alone: `others` (objects of the same kind in this cluster
 * naming the same Azure resource) hold one created before it. Undefined: `obj` is the first.
 * Guarantees: the same answer for every claimant, so exactly one of them acts; a later object
 * never takes the claim from an earlier one.
 */
export function rivalClaim(obj: ArmObject, others: readonly ArmObject[], kind: string): Blocked | undefined {
  const first = others
    .filter((o) => o.metadata.uid !== obj.metadata.uid)
    .reduce<ArmObject>((best, o) => (precedes(o, best) ? o : best), obj);
  if (first === obj) return undefined;
  const name = `${first.metadata.namespace ?? ""}/${first.metadata.name}`;
  return blocked(
    OWNED_BY_ANOTHER,
    `${kind} ${name} (created earlier) already manages this Azure resource, so this object changes nothing in Azure: point it at another resource, or delete it (its deletion leaves the resource alone)`,
    REFUSED_RETRY_MS,
  );
}

/** What the ownership tag on an existing resource lets `owner` do. */
export type TagVerdict =
  /** It carries `owner`'s tag. */
  | "owned"
  /** Nobody's tag, and `owner` may take it: the next write adds the tag. */
  | "mark"
  | Blocked;

/**
 * Judges an existing resource's `tags` for `obj` (`owner` in tag terms).
 * `managedBefore`: the object made or managed this resource before tags existed (its status names
 * it, or it saved an intent to write it), so taking it needs no opt-in.
 * Blocked: `OwnedByAnother` naming the tag's owner, or `AdoptionRequired` saying how to opt in.
 */
export function tagVerdict(
  obj: ArmObject & { metadata: { annotations?: Record<string, string> } },
  tags: Record<string, string> | undefined,
  owner: Owner,
  managedBefore: boolean,
): TagVerdict {
  const tag = tags?.[OWNERSHIP_TAG];
  if (tag === ownerTagValue(owner)) return "owned";
  if (tag !== undefined) {
    return blocked(
      OWNED_BY_ANOTHER,
      `the Azure resource is owned by ${describeOwner(tag)} (tag ${OWNERSHIP_TAG}), so this object changes nothing in Azure: point it at another resource, or delete it (its deletion leaves the resource alone)`,
      REFUSED_RETRY_MS,
    );
  }
  if (managedBefore || obj.metadata.annotations?.[ADOPT_ANNOTATION] === "true") return "mark";
  return blocked(
    ADOPTION_REQUIRED,
    `the Azure resource already exists and no object owns it; to manage it (and overwrite it with this spec), annotate this object with ${ADOPT_ANNOTATION}="true"`,
    REFUSED_RETRY_MS,
  );
}

/** `tags` with `owner`'s tag set: what every PUT of a resource the operator owns carries. */
export function withOwnerTag(tags: Record<string, string> | undefined, owner: Owner): Record<string, string> {
  return { ...(tags ?? {}), [OWNERSHIP_TAG]: ownerTagValue(owner) };
}

/** `tags` without the ownership tag: what the spec is compared with, and what an orphaned resource keeps. */
export function withoutOwnerTag(tags: Record<string, string> | undefined): Record<string, string> {
  const { [OWNERSHIP_TAG]: _owner, ...rest } = tags ?? {};
  return rest;
}

/** `obj` as the ownership tag names it; undefined while the cluster's identity is unknown. */
export function ownerOf(
  obj: ArmObject,
  kind: string,
  ctx: { clusterId?(): string | undefined },
): Owner | undefined {
  const cluster = ctx.clusterId?.();
  return cluster
    ? { cluster, namespace: obj.metadata.namespace ?? "", kind, name: obj.metadata.name }
    : undefined;
}

/** The tags a PUT for `obj` sends: `tags` and, once the cluster's identity is known, the ownership tag. */
export function ownedTags(
  tags: Record<string, string> | undefined,
  obj: ArmObject,
  kind: string,
  ctx: { clusterId?(): string | undefined },
): Record<string, string> {
  const owner = ownerOf(obj, kind, ctx);
  return owner ? withOwnerTag(tags, owner) : { ...(tags ?? {}) };
}

/** The objects of `all` other than `obj` whose Azure resource id (by `idOf`) is `obj`'s. */
export function namingSame<T extends ArmObject>(
  all: readonly T[],
  obj: T,
  idOf: (o: T) => string | undefined,
): T[] {
  const id = idOf(obj)?.toLowerCase();
  if (id === undefined) return [];
  return all.filter((o) => o.metadata.uid !== obj.metadata.uid && idOf(o)?.toLowerCase() === id);
}

/**
 * The objects of `stores` other than `obj` naming `obj`'s Azure resource (by `idOf`): those
 * indexed under the same resource name (BY_AZURE_NAME), then compared by whole id.
 */
export function rivalsIn<T extends ArmObject>(
  stores: readonly ReadonlyStore<T>[],
  obj: T,
  idOf: (o: T) => string | undefined,
): T[] {
  const name = idOf(obj)?.split("/").filter(Boolean).pop();
  if (name === undefined) return [];
  return namingSame(
    stores.flatMap((s) => s.byIndex(BY_AZURE_NAME, azureNameKey(name))),
    obj,
    idOf,
  );
}

/**
 * The write that takes the ownership tag off `what` and keeps its other tags: `put` sends the
 * whole resource as the spec has it with the tags given. A PUT, not a PATCH, because a PUT's
 * tags replace the resource's (docs/arm-behaviour.md leaves PATCH's merge of tags unverified).
 */
export function untagWrite(
  what: string,
  tags: Record<string, string> | undefined,
  put: (tags: Record<string, string>) => Promise<LroProgress<unknown>>,
): ArmWrite {
  return {
    action: "ReleaseOwnership",
    eventReason: "OwnershipReleased",
    note: `removing the ownership tag ${OWNERSHIP_TAG} from ${what}, which stays in Azure`,
    start: () => put(withoutOwnerTag(tags)),
  };
}
