// Resync reads from lists. A resync looks at every object once per period to catch changes made
// outside the operator; one GET per object made it cost ARM a read per object per period
// (2,000 image versions: 2,000 GetGalleryImageVersion reads every period). ARM's list of a
// parent (a resource group's galleries, a gallery's image definitions, a definition's versions)
// carries the same body as the GET of each child (docs/arm-behaviour.md), so one list per parent
// per period answers the resync reads of all its children. Reads made for a change never come
// from here: they GET, and what they see replaces the child's entry, so the snapshot never holds
// anything older than the operator's own latest look.
import { classifyArmError } from "./errors.js";
import { sameArmId } from "./ids.js";

/** One parent's children as a list (and the operator's later GETs) showed them. */
interface Snapshot {
  takenAt: number;
  /** Children by lower-case name (ARM names are case-insensitive). */
  children: Map<string, unknown>;
}

export interface ListSnapshotOptions {
  /**
   * How long a list answers resync reads: the resync period, so each parent is listed about once
   * per period however its children's resyncs are spread over it.
   */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * Lists per parent, kept for `maxAgeMs`.
 *
 * Guarantees: at most one list of a parent at a time (concurrent resyncs of siblings share it);
 * a child's entry is the newest of the list and every GET of it since; an expired snapshot is
 * listed again on its next use; a list that fails is not kept (the read falls back to a GET,
 * which reports the failure as reads always did).
 */
export class ListSnapshots {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly listing = new Map<string, Promise<Snapshot | undefined>>();
  private readonly now: () => number;

  constructor(private readonly options: ListSnapshotOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The child `name` of `parent` as a recent list showed it: `{ value }` (undefined value: the
   * list did not have it), or undefined when no list could be made (read it with a GET instead).
   */
  async lookup<T>(
    parent: string,
    name: string,
    list: () => AsyncIterable<T & { name?: string }>,
  ): Promise<{ value: T | undefined } | undefined> {
    const key = parent.toLowerCase();
    let snapshot = this.fresh(key);
    if (!snapshot) {
      let pending = this.listing.get(key);
      if (!pending) {
        pending = this.take(key, list).finally(() => this.listing.delete(key));
        this.listing.set(key, pending);
      }
      snapshot = await pending;
    }
    if (!snapshot) return undefined;
    return { value: snapshot.children.get(name.toLowerCase()) as T | undefined };
  }

  /** What a GET of `parent`'s child `name` just answered (undefined: gone), for a snapshot that holds the parent. */
  remember(parent: string, name: string, value: unknown): void {
    const snapshot = this.snapshots.get(parent.toLowerCase());
    if (!snapshot) return;
    if (value === undefined) snapshot.children.delete(name.toLowerCase());
    else snapshot.children.set(name.toLowerCase(), value);
  }

  private fresh(key: string): Snapshot | undefined {
    const snapshot = this.snapshots.get(key);
    return snapshot && this.now() - snapshot.takenAt < this.options.maxAgeMs ? snapshot : undefined;
  }

  private async take<T>(
    key: string,
    list: () => AsyncIterable<T & { name?: string }>,
  ): Promise<Snapshot | undefined> {
    const takenAt = this.now();
    const children = new Map<string, unknown>();
    try {
      // The SDK's pager follows nextLink, so a long list arrives whole.
      for await (const child of list()) if (child.name) children.set(child.name.toLowerCase(), child);
    } catch (err) {
      // A parent that does not exist has no children; anything else is for the GET to report.
      if (classifyArmError(err).kind !== "NotFound") return undefined;
    }
    this.dropExpired();
    const snapshot = { takenAt, children };
    this.snapshots.set(key, snapshot);
    return snapshot;
  }

  /** Parents not looked at for a period hold memory for nothing (their objects may be gone). */
  private dropExpired(): void {
    const now = this.now();
    for (const [key, snapshot] of this.snapshots) {
      if (now - snapshot.takenAt >= this.options.maxAgeMs) this.snapshots.delete(key);
    }
  }
}

/** How a facade reads: fresh (a GET each time), or for a resync (from a recent list of the parent). */
export interface ChildReads {
  snapshots?: ListSnapshots;
  /** True for the resync view: reads may come from the parent's list. */
  listed: boolean;
}

/** A child resource as a read needs it: its parent's id (the list's key), its name and its own id. */
export interface ChildRef {
  parent: string;
  name: string;
  id: string;
}

/**
 * A read through a snapshot: from the parent's list when `reads.listed` (a resync) and a list can
 * be made, else one GET whose answer also refreshes the snapshot.
 *
 * Guarantees: only a child absent from the list or at rest (provisioningState Succeeded) is
 * answered from it, anything else is read with a GET; a listed child's `id` is spelled as `child.id` when it names the same resource (list
 * answers spell the resource group in upper case, docs/arm-behaviour.md), so status does not
 * flip between spellings from one read to the next.
 */
export async function readChild<T extends { id?: string; provisioningState?: string }>(
  reads: ChildReads,
  child: ChildRef,
  list: () => AsyncIterable<T & { name?: string }>,
  get: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const snapshots = reads.snapshots;
  if (snapshots && reads.listed) {
    const hit = await snapshots.lookup(child.parent, child.name, list);
    const value = hit?.value;
    // Only a resource at rest is taken from a list: one being created, updated or deleted moves
    // on by the minute, and what it shows decides status.
    if (hit && (value === undefined || value.provisioningState === "Succeeded")) {
      return value?.id && sameArmId(value.id, child.id) ? { ...value, id: child.id } : value;
    }
  }
  const value = await get();
  snapshots?.remember(child.parent, child.name, value);
  return value;
}
