// Links between our objects: a child names its parent by `spec.*Ref.name` in the same namespace.
// No ownerReferences (deleting a Gallery must never cascade into deleting image versions that
// take hours to rebuild); parents and children find each other through the caches instead.
import type { ReadonlyStore } from "../kube/index.js";
import { type Blocked, blocked } from "./arm-kind.js";

interface Linked {
  metadata: { name: string; namespace?: string; deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string }[]; id?: string };
}

/** A parent not yet there or not yet Ready is looked at again after this long (its watch usually wakes us first). */
export const PARENT_RETRY_MS = 30_000;

/**
 * The Ready parent `name` of kind `kind` in `namespace`, or why the child must wait: reason
 * `{Kind}NotFound` (no such object) or `{Kind}NotReady` (being created, failing, or deleted).
 * Guarantees: a returned parent is Ready and has its ARM id in status.
 */
export function readyParent<P extends Linked>(
  store: ReadonlyStore<P>,
  kind: string,
  namespace: string,
  name: string,
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
  if (ready?.status !== "True" || !parent.status?.id) {
    const why = ready ? `: ${ready.status === "False" ? "not Ready" : "pending"}` : " yet";
    return blocked(`${kind}NotReady`, `${kind} ${name} is not Ready${why}; waiting for it`, PARENT_RETRY_MS);
  }
  return parent;
}

/** Names of the objects in `store` of `namespace` that point at `parentName`, sorted. */
export function childrenOf<C extends Linked>(
  store: ReadonlyStore<C>,
  namespace: string,
  refersTo: (child: C) => string | undefined,
  parentName: string,
): string[] {
  return store
    .list()
    .filter((c) => c.metadata.namespace === namespace && refersTo(c) === parentName)
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
 * point at it (reason `DeletionBlocked`, naming them). Undefined when none are left.
 */
export function blockedByChildren<C extends Linked>(
  store: ReadonlyStore<C>,
  parent: { metadata: { name: string; namespace?: string } },
  refersTo: (child: C) => string | undefined,
  childKind: string,
): Blocked | undefined {
  const children = childrenOf(store, parent.metadata.namespace ?? "", refersTo, parent.metadata.name);
  if (children.length === 0) return undefined;
  const message = `waiting for ${children.length} ${childKind}(s) to be deleted first: ${namesList(children)}; to leave this resource in Azure and let the object go now, set spec.deletionPolicy: Orphan`;
  return blocked("DeletionBlocked", message, CHILDREN_RETRY_MS);
}
