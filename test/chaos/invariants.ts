// The invariants I2-I6, judged from the simulator's request log and state and from the API server
// (I1 is judged while the schedule settles, in converge.ts). docs/reliability.md states them.
import type { RequestRecord, StateSnapshot } from "../../tools/sim/index.js";
import { accepted, armTime, azureHolds, lower, operatorWrites, writeTarget } from "./azure-view.js";
import { BOUNDS } from "./bounds.js";
import type { Interval, Journal, Revocation } from "./journal.js";
import type { Desired } from "./model.js";

export interface Violation {
  invariant: "I1" | "I2" | "I3" | "I4" | "I5" | "I6";
  text: string;
  /** The ARM requests that show it. */
  requests: RequestRecord[];
}

export interface Evidence {
  journal: Journal;
  model: Map<string, Desired>;
  log: RequestRecord[];
  state: StateSnapshot;
  /** Keys of model objects the API server still has at the end. */
  present: Set<string>;
  /** Ready condition of each present object at the end. */
  ready: Map<string, { status: string; reason?: string; message?: string } | undefined>;
}

const RA_SEGMENT = "/providers/microsoft.authorization/roleassignments/";
const galleryOfRoleAssignment = (id: string) => id.slice(0, id.indexOf(RA_SEGMENT));

/** Model objects whose Azure resource is `id` (a sharing counts for its gallery). */
function ownersOf(e: Evidence, id: string): [string, Desired][] {
  return [...e.model.entries()].filter(([, d]) => d.azureId === id);
}

function changedBetween(e: Evidence, resource: string, from: number, to: number): boolean {
  const edited = ownersOf(e, resource).some(([key]) =>
    e.journal.edits.some((x) => x.key === key && x.at > from && x.at <= to),
  );
  const outside = e.journal.outside.some((o) => o.resource === resource && o.at > from && o.at <= to);
  return edited || outside;
}

function requestsOn(e: Evidence, prefix: string, from = 0, to = Number.POSITIVE_INFINITY): RequestRecord[] {
  return e.log.filter((r) => {
    const t = armTime(r);
    return lower(r.path).startsWith(prefix) && t >= from && t <= to && r.method !== "GET";
  });
}

/** Duplicates found on one resource, reported once with the requests of the first few. */
function duplicates(invariant: "I2", what: string, pairs: [RequestRecord[], string][]): Violation[] {
  if (pairs.length === 0) return [];
  const [first] = pairs;
  return [
    {
      invariant,
      text: `${what}: ${pairs.length} time(s) with no spec change, outside change or failure in between; first: ${first?.[1]}`,
      requests: pairs.slice(0, 3).flatMap(([requests]) => requests),
    },
  ];
}

/** I2: one share POST per intent, one PUT per spec generation (and per outside change). */
export function exactlyOnce(e: Evidence): Violation[] {
  const violations: Violation[] = [];
  const shares = e.state.operations
    .filter((op) => op.kind === "share" && op.share && !e.journal.outsideOperations.has(lower(op.id)))
    .sort((a, b) => a.startAt - b.startAt);
  const intent = (op: (typeof shares)[number]) =>
    `${op.share?.operationType} ${JSON.stringify(op.share?.groups.map((g) => [g.type, [...g.ids].map(lower).sort()]))}`;
  for (const [gallery, ops] of Map.groupBy(shares, (op) => lower(op.target))) {
    const pairs: [RequestRecord[], string][] = [];
    for (let i = 1; i < ops.length; i++) {
      const [a, b] = [ops[i - 1], ops[i]];
      if (!a || !b || intent(a) !== intent(b)) continue;
      if (a.status === "Failed" || changedBetween(e, gallery, a.startAt, b.startAt)) continue;
      pairs.push([
        requestsOn(e, `${gallery}/share`, a.startAt - 1, b.startAt + 1),
        `share ${intent(b).slice(0, 200)}`,
      ]);
    }
    violations.push(...duplicates("I2", `${gallery}: the same share accepted twice`, pairs));
  }
  const puts = operatorWrites(e.log).filter((r) => r.method === "PUT" && accepted(r));
  for (const [target, list] of Map.groupBy(puts, writeTarget)) {
    const owner = target.includes(RA_SEGMENT) ? galleryOfRoleAssignment(target) : target;
    const pairs: [RequestRecord[], string][] = [];
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1], list[i]];
      if (!a || !b) continue;
      const [ta, tb] = [armTime(a), armTime(b)];
      const failed = e.state.operations.some(
        (op) =>
          lower(op.target) === target &&
          op.startAt >= ta - 1 &&
          op.startAt <= tb &&
          op.status !== "Succeeded",
      );
      const deleted = e.log.some(
        (r) =>
          r.method === "DELETE" && writeTarget(r) === target && accepted(r) && r.seq > a.seq && r.seq < b.seq,
      );
      if (failed || deleted || changedBetween(e, owner, ta, tb)) continue;
      pairs.push([[a, b], `#${a.seq} then #${b.seq}`]);
    }
    violations.push(...duplicates("I2", `${target}: PUT again`, pairs));
  }
  return violations;
}

/**
 * I3: nothing deleted but what the user deleted under Delete; no finalizer gone while it still
 * exists. (Under Orphan, any DELETE the operator sends is caught by the first rule.)
 */
export function nothingLost(e: Evidence): Violation[] {
  const violations: Violation[] = [];
  for (const r of operatorWrites(e.log).filter((x) => x.method === "DELETE" && accepted(x))) {
    const target = writeTarget(r);
    const t = armTime(r);
    if (target.includes(RA_SEGMENT)) {
      const gallery = galleryOfRoleAssignment(target);
      const principal = e.journal.rolePrincipals.get(target);
      const foreign = e.journal.foreignRoleAssignments.includes(target);
      const revoked = e.journal.revocations.some(
        (v) =>
          v.type === "principal" &&
          v.gallery === gallery &&
          v.at <= t &&
          (!principal || lower(v.id) === principal),
      );
      if (foreign || !revoked)
        violations.push({
          invariant: "I3",
          text: `role assignment ${target} (principal ${principal ?? "unknown"}) deleted though ${foreign ? "someone else made it" : "no spec removed it"}`,
          requests: [r],
        });
      continue;
    }
    const allowed = ownersOf(e, target).some(([, d]) => {
      if (d.deletedAt === undefined || d.deletedAt > t || d.deletionPolicy !== "Delete") return false;
      // Once the user applied it again, the old deletion allows nothing more.
      if (d.supersededAt !== undefined && t > d.supersededAt) return false;
      // An intruder's deletion never allows deleting what its owner still manages.
      return !d.intruderOf || e.model.get(d.intruderOf)?.deletedAt !== undefined;
    });
    if (!allowed)
      violations.push({
        invariant: "I3",
        text: `${target} deleted though no object managing it was deleted under deletionPolicy Delete`,
        requests: [r],
      });
  }
  for (const [key, d] of e.model) {
    if (
      d.deletedAt === undefined ||
      d.supersededAt !== undefined ||
      d.kind === "GallerySharing" ||
      e.present.has(key) ||
      d.intruderOf
    )
      continue;
    const holds = azureHolds(d, e.state);
    if (d.deletionPolicy === "Delete" && holds)
      violations.push({
        invariant: "I3",
        text: `${key} is gone from the API server (deletionPolicy Delete) but ${d.azureId} is still in Azure: orphaned`,
        requests: requestsOn(e, d.azureId, d.deletedAt),
      });
  }
  return violations;
}

/** Time the operator could not revoke over [from, to]: outages and faults on the revoking request. */
function blockedFor(
  blockers: Interval[],
  from: number,
  to: number,
  revokes: (b: Interval) => boolean,
): number {
  return blockers
    .filter((b) => !b.path || revokes(b))
    .reduce((sum, b) => sum + Math.max(0, Math.min(b.to, to) - Math.max(b.from, from)), 0);
}

/**
 * When `id` left (for good) what Azure grants, given the grant/revoke events in time order; with
 * `firstLoss` (the user granted it again later), when it first left.
 */
function revokedAt(events: { at: number; grants: boolean }[], since: number, firstLoss: boolean): number {
  let holds = false;
  let leftAt = since;
  for (const ev of events.sort((a, b) => a.at - b.at)) {
    if (ev.at <= since) {
      holds = ev.grants;
      continue;
    }
    if (firstLoss && !holds) return leftAt;
    if (ev.grants && !holds) holds = true;
    else if (!ev.grants && holds) {
      holds = false;
      leftAt = ev.at;
    }
  }
  return holds ? Number.POSITIVE_INFINITY : leftAt;
}

function accessEvents(e: Evidence, r: Revocation): { at: number; grants: boolean }[] {
  if (r.type === "principal") {
    const ids = new Set(
      [...e.journal.rolePrincipals]
        .filter(([id, p]) => p === lower(r.id) && id.startsWith(r.gallery))
        .map(([id]) => id),
    );
    return e.log
      .filter((x) => ids.has(writeTarget(x)) && accepted(x) && (x.method === "PUT" || x.method === "DELETE"))
      .map((x) => ({ at: armTime(x), grants: x.method === "PUT" }));
  }
  const type = r.type === "subscription" ? "Subscriptions" : "AADTenants";
  return e.state.operations
    .filter(
      (op) => op.kind === "share" && op.status === "Succeeded" && lower(op.target) === r.gallery && op.share,
    )
    .flatMap((op) => {
      const at = op.endAt ?? op.dueAt;
      const named = op.share?.groups.some((g) => g.type === type && g.ids.map(lower).includes(lower(r.id)));
      if (op.share?.operationType === "Reset") return [{ at, grants: false }];
      if (!named) return [];
      return [{ at, grants: op.share?.operationType === "Add" }];
    });
}

/** I4: a removed subscription, tenant or principal loses access within the bound. */
export function revocationFirst(e: Evidence): Violation[] {
  const violations: Violation[] = [];
  for (const r of e.journal.revocations) {
    const revokingPath = r.type === "principal" ? `${r.gallery}${RA_SEGMENT}x` : `${r.gallery}/share`;
    const revokingMethod = r.type === "principal" ? "DELETE" : "POST";
    const hits = (b: Interval) =>
      Boolean(b.path && new RegExp(b.path, "i").test(revokingPath)) &&
      (!b.method || b.method === revokingMethod || b.method === "GET");
    const nominal = r.at + BOUNDS.revocationMs;
    const deadline = nominal + blockedFor(e.journal.blockers, r.at, nominal, hits);
    const at = revokedAt(accessEvents(e, r), r.at, r.regrantedAt !== undefined);
    if (at <= deadline) continue;
    violations.push({
      invariant: "I4",
      text: `${r.type} ${r.id} removed from ${r.gallery}'s spec at +${((r.at - e.journal.startedAt) / 1000).toFixed(1)}s still had access ${
        Number.isFinite(at) ? `until +${((at - e.journal.startedAt) / 1000).toFixed(1)}s` : "at the end"
      } (bound ${((deadline - r.at) / 1000).toFixed(1)} s)`,
      requests: requestsOn(e, r.gallery, r.at, Number.isFinite(at) ? at : Number.POSITIVE_INFINITY).slice(
        0,
        12,
      ),
    });
  }
  return violations;
}

/** I5: writes per resource bounded by spec changes plus outside changes. */
export function noLoops(e: Evidence): Violation[] {
  const violations: Violation[] = [];
  const writes = operatorWrites(e.log).filter(accepted);
  const scopeOf = (r: RequestRecord) => {
    const target = writeTarget(r);
    return target.includes(RA_SEGMENT) ? `${galleryOfRoleAssignment(target)}${RA_SEGMENT}*` : target;
  };
  for (const [scope, list] of Map.groupBy(writes, scopeOf)) {
    const resource = scope.replace(/\/share$/, "").replace(`${RA_SEGMENT}*`, "");
    const edits = ownersOf(e, resource).reduce(
      (n, [key]) => n + e.journal.edits.filter((x) => x.key === key).length,
      0,
    );
    const outside = e.journal.outside.filter((o) => o.resource === resource);
    const oneShot = outside.filter((o) => !o.fight).length;
    const fights = Math.min(outside.filter((o) => o.fight).length, BOUNDS.fightCorrections);
    const allowed = 2 * edits + oneShot + fights + e.journal.operatorStarts + BOUNDS.writeSlack;
    if (list.length <= allowed) continue;
    violations.push({
      invariant: "I5",
      text: `${list.length} writes to ${scope} for ${edits} spec changes and ${outside.length} outside changes (at most ${allowed})`,
      requests: list.slice(0, 6).concat(list.length > 6 ? list.slice(-3) : []),
    });
  }
  return violations;
}

/** I6: one writer per Azure resource; the second object is refused with a condition naming the owner. */
export function oneOwner(e: Evidence): Violation[] {
  const violations: Violation[] = [];
  for (const [key, d] of e.model) {
    if (!d.intruderOf) continue;
    const owner = e.model.get(d.intruderOf);
    const created = e.journal.edits.find((x) => x.key === key)?.at ?? 0;
    const marked = e.journal.intruderMarks.get(d.azureId);
    if (marked !== undefined)
      violations.push({
        invariant: "I6",
        text: `${key} wrote ${d.azureId}, which ${d.intruderOf} manages (its marks were in Azure at +${((marked - e.journal.startedAt) / 1000).toFixed(1)}s)`,
        requests: requestsOn(e, d.azureId, created, marked)
          .filter((r) => r.method === "PUT")
          .slice(0, 6),
      });
    if (!e.present.has(key) || !owner) continue;
    const ready = e.ready.get(key);
    const names = ready?.message?.includes(owner.name) && ready.message.includes(owner.namespace);
    if (ready?.status !== "False" || !names)
      violations.push({
        invariant: "I6",
        text: `${key} names ${d.azureId}, managed by ${d.intruderOf}, yet its Ready is ${ready?.status ?? "absent"} (${ready?.reason ?? ""}: ${ready?.message ?? ""}); it must be False and name the owner`,
        requests: [],
      });
  }
  return violations;
}
