// Reads what dev mode shows: our objects from the API server (as `kubectl get` would show them) and
// what Azure did from the simulator's state and request log.
import {
  type Gallery,
  type GallerySharing,
  type ImageDefinition,
  type ImageVersion,
  KINDS,
  type KindName,
} from "../../src/api/index.js";
import { type KubeTransport, ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import { READER_ROLE_ID, type Simulator, type StateSnapshot } from "../sim/index.js";
import {
  type ArmTotals,
  keyString,
  type ObjectKey,
  type ObjectRow,
  type ReadyState,
  type ShareActivity,
  type Snapshot,
} from "./model.js";

type OurObject = Gallery | ImageDefinition | ImageVersion | GallerySharing;

const KIND_ORDER = Object.keys(KINDS) as KindName[];
/** Share activities kept on screen. */
const RECENT_SHARES = 8;

/**
 * Takes snapshots of one dev run.
 *
 * Guarantees: rows list every applied object (in the order applied, `found: false` when missing),
 * then any other object of our kinds (applied by hand in another terminal), by namespace and kind.
 * Errors: `snapshot()` rejects when the API server does not answer; the caller keeps the last one.
 */
export class Observer {
  private readonly clients: Map<KindName, ResourceClient<OurObject>>;
  /** Write calls (not GET/HEAD) per lower-case ARM path, read incrementally from the request log. */
  private readonly writesByPath = new Map<string, number>();
  private lastSeq = 0;

  constructor(
    transport: KubeTransport,
    private readonly sim: Pick<Simulator, "requests" | "stats" | "state" | "now">,
    private readonly applied: readonly ObjectKey[],
    private readonly startedAt: number,
  ) {
    this.clients = new Map(
      KIND_ORDER.map((kind) => [kind, new ResourceClient(transport, descriptorOf(kind))]),
    );
  }

  async snapshot(signal?: AbortSignal): Promise<Snapshot> {
    const listed = await Promise.all(
      KIND_ORDER.map(async (kind) => {
        const list = await this.clients.get(kind)?.list({ signal });
        return (list?.items ?? []).map((obj) => ({ kind, obj }));
      }),
    );
    this.countWrites();
    const objects = new Map(listed.flat().map((o) => [keyString(keyOf(o.kind, o.obj)), o]));
    const galleryIds = galleryIdsByRef(objects.values());
    const keys = [...this.applied];
    const appliedKeys = new Set(keys.map(keyString));
    const extra = [...objects.values()]
      .map((o) => keyOf(o.kind, o.obj))
      .filter((k) => !appliedKeys.has(keyString(k)))
      .sort(
        (a, b) =>
          a.namespace.localeCompare(b.namespace) ||
          KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
          a.name.localeCompare(b.name),
      );
    const rows = [...keys, ...extra].map((key) => {
      const found = objects.get(keyString(key));
      return found ? this.rowOf(key, found.obj, galleryIds) : missingRow(key);
    });
    const state = this.sim.state();
    return {
      elapsedMs: Date.now() - this.startedAt,
      rows,
      shares: shareActivities(state, this.sim.now(), this.startedAt, galleryLabels(galleryIds)).slice(
        -RECENT_SHARES,
      ),
      arm: totals(this.sim.stats()),
    };
  }

  private countWrites(): void {
    for (const r of this.sim.requests(this.lastSeq)) {
      this.lastSeq = Math.max(this.lastSeq, r.seq);
      if (r.method === "GET" || r.method === "HEAD") continue;
      const path = r.path.toLowerCase();
      this.writesByPath.set(path, (this.writesByPath.get(path) ?? 0) + 1);
    }
  }

  /** Writes to `path` itself, plus to anything under each of `prefixes`. */
  private writes(path: string | undefined, prefixes: string[] = []): number {
    if (!path) return 0;
    let count = this.writesByPath.get(path.toLowerCase()) ?? 0;
    const lower = prefixes.map((p) => p.toLowerCase());
    if (lower.length > 0) {
      for (const [p, n] of this.writesByPath) if (lower.some((prefix) => p.startsWith(prefix))) count += n;
    }
    return count;
  }

  private rowOf(key: ObjectKey, obj: OurObject, galleryIds: Map<string, string>): ObjectRow {
    const row: ObjectRow = {
      ...key,
      found: true,
      deleting: obj.metadata.deletionTimestamp !== undefined,
      armWrites: 0,
      ...readyOf(obj),
    };
    if (key.kind === "ImageVersion") {
      const replication = (obj as ImageVersion).status?.replication;
      if (replication) row.replication = replication;
    }
    if (key.kind === "GallerySharing") {
      const sharing = obj as GallerySharing;
      const status = sharing.status;
      row.sharing = {
        subscriptions:
          status?.sharedWith?.subscriptions?.length ?? status?.sharedWith?.subscriptionCount ?? 0,
        tenants: status?.sharedWith?.tenants?.length ?? status?.sharedWith?.tenantCount ?? 0,
        community: status?.community?.enabled === true,
        roleAssignments: status?.roleAssignments?.length ?? status?.roleAssignmentCount ?? 0,
      };
      // Sharing writes land on the gallery: its `share` action and role assignments at its scope.
      const galleryId = galleryIds.get(`${key.namespace}/${sharing.spec?.galleryRef?.name}`);
      row.armWrites = galleryId
        ? this.writes(`${galleryId}/share`, [
            `${galleryId}/providers/Microsoft.Authorization/roleAssignments/`,
          ])
        : 0;
    } else {
      row.armWrites = this.writes(obj.status?.id);
    }
    return row;
  }
}

function keyOf(kind: KindName, obj: OurObject): ObjectKey {
  return { kind, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name };
}

function missingRow(key: ObjectKey): ObjectRow {
  return { ...key, found: false, deleting: false, armWrites: 0 };
}

function readyOf(obj: OurObject): { ready?: ReadyState } {
  const condition = obj.status?.conditions?.find((c) => c.type === "Ready");
  if (!condition) return {};
  const observed = condition.observedGeneration ?? obj.status?.observedGeneration;
  return {
    ready: {
      status: condition.status,
      reason: condition.reason,
      message: condition.message,
      current:
        observed === undefined ||
        obj.metadata.generation === undefined ||
        observed === obj.metadata.generation,
    },
  };
}

/** `namespace/gallery name` → the gallery's ARM id, for objects that point at a gallery. */
function galleryIdsByRef(objects: Iterable<{ kind: KindName; obj: OurObject }>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const { kind, obj } of objects) {
    if (kind === "Gallery" && obj.status?.id)
      ids.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj.status.id);
  }
  return ids;
}

/** Lower-case gallery ARM id → `namespace/name` of the Gallery object managing it. */
function galleryLabels(galleryIds: Map<string, string>): Map<string, string> {
  return new Map([...galleryIds].map(([ref, id]) => [id.toLowerCase(), ref]));
}

function totals(stats: ArmTotals): ArmTotals {
  return { reads: stats.reads, writes: stats.writes, deletes: stats.deletes, throttled: stats.throttled };
}

type Operation = StateSnapshot["operations"][number];
type RoleAssignment = StateSnapshot["roleAssignments"][number];

/**
 * Share operations and role assignments on galleries, oldest first, timed from `startedAt` (the
 * simulator's real clock reads epoch milliseconds, like Date.now()). Galleries are named by the
 * Gallery object managing them when `labels` knows it (several examples call theirs `myGallery`).
 */
export function shareActivities(
  state: StateSnapshot,
  now: number,
  startedAt: number,
  labels: ReadonlyMap<string, string>,
): ShareActivity[] {
  const shares = state.operations.filter((op) => op.kind === "share").map((op) => shareOf(op, now));
  const roles = state.roleAssignments.filter((ra) => /\/galleries\/[^/]+$/i.test(ra.scope)).map(roleOf);
  return [...shares, ...roles]
    .map((activity) => ({
      ...activity,
      at: activity.at - startedAt,
      gallery: labels.get(activity.gallery.toLowerCase()) ?? lastSegment(activity.gallery),
    }))
    .sort((a, b) => a.at - b.at);
}

// Both leave the gallery's ARM id in `gallery`; shareActivities names it.
function shareOf(op: Operation, now: number): ShareActivity {
  const change = op.share;
  const groups = (change?.groups ?? [])
    .map((g) => `${g.type === "AADTenants" ? "tenants" : "subscriptions"} ${g.ids.map(shortId).join(", ")}`)
    .join(" · ");
  const span = Math.max(1, op.dueAt - op.startAt);
  return {
    at: op.startAt,
    gallery: op.target,
    what: [change?.operationType ?? "share", groups].filter(Boolean).join(" "),
    state: op.status,
    progress: op.status === "InProgress" ? Math.min(99, Math.max(0, ((now - op.startAt) / span) * 100)) : 100,
  };
}

function roleOf(ra: RoleAssignment): ShareActivity {
  const roleId = lastSegment(ra.roleDefinitionId);
  const role = roleId.toLowerCase() === READER_ROLE_ID ? "Reader" : `role ${shortId(roleId)}`;
  return {
    at: ra.createdOn,
    gallery: ra.scope,
    what: `${role} → ${ra.principalType} ${shortId(ra.principalId)}`,
    state: "Succeeded",
    progress: 100,
  };
}

function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

/** The first block of a GUID: enough to tell the examples' ids apart on screen. */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-/i.test(id) ? `${id.slice(0, 8)}…` : id;
}
