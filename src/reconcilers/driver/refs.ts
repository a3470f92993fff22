// Links between our objects: a child names its parent by `spec.*Ref.name` in the same namespace.
// No ownerReferences (deleting a Gallery must never cascade into deleting image versions that
// take hours to rebuild); parents and children find each other through the caches instead.
import type { ReadonlyStore } from "../../kube/index.js";
import { type Blocked, blocked } from "./arm-kind.js";
import { TRANSIENT_REASONS } from "./failures.js";
import { refKey } from "./indexes.js";

interface ReadyCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

interface Named {
  metadata: { name: string; namespace?: string };
}

interface Linked {
  metadata: { name: string; namespace?: string; deletionTimestamp?: string };
  status?: { conditions?: ReadyCondition[]; id?: string; provisioningState?: string };
}

/** A parent not yet there or not yet Ready is looked at again after this long (its watch usually wakes us first). */
export const PARENT_RETRY_MS = 30_000;

/**
 * How long children go on with a parent's last known-good state (its ARM id and spec) while the
 * parent cannot read Azure for a transient reason (a 5xx, the network, throttling): a short
 * outage of one gallery's reads must not stop its definitions and versions (docs/runtime.md).
 */
export const PARENT_GRACE_MS = 5 * 60_000;

/** A parent that exists in Azure and is not Ready for this reason is still a parent children can use. */
const USABLE_REASONS: ReadonlySet<string> = new Set(["DriftFight"]);

/**
 * The usable parent `name` of kind `kind` in `namespace`, or why the child must wait: reason
 * `{Kind}NotFound` (no such object) or `{Kind}NotReady` (being created, failing, or deleted); the
 * message carries the parent's own reason and message, so the root cause shows on every child.
 * Guarantees: a returned parent has its ARM id in status and was made in Azure; it is Ready, or
 * in a drift fight, or failed for a transient reason less than PARENT_GRACE_MS ago (`now`).
 */
export function readyParent<P extends Linked>(
  store: ReadonlyStore<P>,
  kind: string,
  namespace: string,
  name: string,
  now: Date = new Date(),
): P | Blocked {
  const parent = store.get(`${namespace}/${name}`);
  if (!parent) {
    const message = `${kind} ${name} does not exist in namespace ${namespace}; create it or fix the reference`;
    return blocked(`${kind}NotFound`, message, PARENT_RETRY_MS);
  }
  if (parent.metadata.deletionTimestamp) {
    return blocked(`${kind}NotReady`, `${kind} ${name} is being deleted`, PARENT_RETRY_MS);
  }
  const ready = parent.status?.conditions?.find((c) => c.type === "Ready");
  if ((ready?.status === "True" && parent.status?.id) || usableAnyway(parent, ready, now)) return parent;
  return blocked(`${kind}NotReady`, `${kind} ${name} is not Ready: ${rootCause(ready)}`, PARENT_RETRY_MS);
}

function usableAnyway(parent: Linked, ready: ReadyCondition | undefined, now: Date): boolean {
  if (!ready?.reason || !parent.status?.id || parent.status.provisioningState !== "Succeeded") return false;
  if (USABLE_REASONS.has(ready.reason)) return true;
  const since = Date.parse(ready.lastTransitionTime ?? "");
  return TRANSIENT_REASONS.has(ready.reason) && now.getTime() - since < PARENT_GRACE_MS;
}

/**
 * Why a parent is not Ready, as its Ready condition says: "AzureError: <message>". A parent that
 * itself waits on its own parent already names the cause in its message, so its reason is left out.
 */
function rootCause(ready: ReadyCondition | undefined): string {
  if (!ready) return "no status yet";
  if (ready.status === "True") return "no ARM id in its status yet";
  const message = ready.message ?? "";
  if (!ready.reason || /(NotReady|NotFound)$/.test(ready.reason)) return message || "waiting";
  return message ? `${ready.reason}: ${message}` : ready.reason;
}

/**
 * Names of the objects in `store` that point at `parent`, sorted: found by the reference index
 * `index` (indexes.ts), not by a scan of the cache.
 */
export function childrenOf<C extends Linked>(
  store: ReadonlyStore<C>,
  index: string,
  parent: Named,
): string[] {
  return store
    .byIndex(index, refKey(parent.metadata.namespace, parent.metadata.name))
    .map((c) => c.metadata.name)
    .sort();
}

/** "a, b, c and 4 more": a list that fits a condition message. */
export function namesList(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** While children remain, a deleting parent looks again this often (their deletion wakes it first). */
const CHILDREN_RETRY_MS = 60_000;

/**
 * Why a parent being deleted must wait: the children of kind `childKind` in `store` that still
 * point at it, found by the reference index `index` (reason `DeletionBlocked`, naming them).
 * Undefined when none are left.
 */
export function blockedByChildren<C extends Linked>(
  store: ReadonlyStore<C>,
  index: string,
  parent: Named,
  childKind: string,
): Blocked | undefined {
  const children = childrenOf(store, index, parent);
  if (children.length === 0) return undefined;
  const message = `waiting for ${children.length} ${childKind}(s) to be deleted first: ${namesList(children)}; to leave this resource in Azure and let the object go now, set spec.deletionPolicy: Orphan`;
  return blocked("DeletionBlocked", message, CHILDREN_RETRY_MS);
}
