// What the driver remembers about its own ARM writes, per object, so that it does not repeat them
// blindly (docs/runtime.md, "Living with Azure"): fields something outside keeps setting back
// (drift-fight.ts), writes ARM refused for a user error (refusals.ts), writes the rate budget held
// back until their turn, and how often in a row a write had to wait for the cache. One instance
// per kind; everything is dropped on deletion.
import { ArmError } from "../../azure/index.js";
import { type ArmObject, type ArmWrite, type Blocked, blocked, type FieldDifference } from "./arm-kind.js";
import { type Fight, FightTracker } from "./drift-fight.js";
import { failureOutcome } from "./failures.js";
import { RefusalMemory, refusalKey } from "./refusals.js";

/**
 * How soon to look again when the object changed since it was read (its watch event is on the
 * way, and usually wakes the object first): doubling from the first to the last, per object.
 */
export const STALE_RETRY_MS = { first: 100, max: 10_000 };

/** One planned write, as the memory knows it. */
export interface PlannedWrite {
  uid: string;
  generation: number;
  fields: FieldDifference[];
  /** The key a refusal of it is remembered under; undefined for steps the kind answers itself. */
  refusal?: string;
}

export class WriteMemory {
  private readonly fights = new FightTracker();
  private readonly refusals = new RefusalMemory();
  private readonly stale = new Map<string, number>();
  private readonly held = new Map<string, { generation: number; until: number }>();

  /** What the memory needs of a write `obj` is about to make on `target`. */
  plan(obj: ArmObject, target: unknown, step: ArmWrite): PlannedWrite {
    const generation = obj.metadata.generation ?? 0;
    return {
      uid: uidOf(obj),
      generation,
      fields: fieldsOf(step),
      // A kind that answers its steps' refusals itself (ArmWrite.failed) decides their retries too.
      ...(step.failed ? {} : { refusal: refusalKey(generation, target, step.action, step.note) }),
    };
  }

  /** The fight this write would continue, if any (then it is not sent). */
  fight(write: PlannedWrite, now: number): Fight | undefined {
    return this.fights.check(write.uid, write.generation, write.fields, now);
  }

  /** Why this write is not sent: ARM refused it for this very spec and parents, not long ago. */
  refused(write: PlannedWrite, now: number): Blocked | undefined {
    if (write.refusal === undefined) return undefined;
    const refused = this.refusals.recall(write.uid, write.refusal, now);
    if (!refused) return undefined;
    const message = `${refused.message}; Azure refused this spec: not sent again until the spec or what it references changes, or until ${new Date(refused.retryAt).toISOString()}`;
    return blocked(refused.reason, message, refused.retryAt - now);
  }

  /**
   * How long `obj` still waits for its turn at the rate budget (0: go on). Until then a wake (a
   * parent's status, a resync) reads nothing and writes nothing: the write would be held back
   * again, and each try costs a read of Azure and status writes. A new spec goes at once.
   */
  heldFor(obj: ArmObject, now: number): number {
    const held = this.held.get(uidOf(obj));
    if (!held || held.generation !== (obj.metadata.generation ?? 0) || held.until <= now) return 0;
    return held.until - now;
  }

  /** ARM accepted the write (its operation may still fail: `operationFailed`). */
  accepted(write: PlannedWrite, now: number): void {
    this.stale.delete(write.uid);
    this.held.delete(write.uid);
    if (write.refusal !== undefined) this.refusals.started(write.uid, write.refusal);
    this.fights.wrote(write.uid, write.generation, write.fields, now);
  }

  /** ARM refused the write at once. */
  refusedNow(write: PlannedWrite, error: unknown, now: number): void {
    this.stale.delete(write.uid);
    // A kind whose writes are independent steps (no refusal key) answers refusals itself and goes
    // on with its other steps: a GallerySharing's role assignment never waits for its share's turn.
    if (write.refusal === undefined) return;
    if (error instanceof ArmError && error.code === "RateLimitReserve" && error.retryAfterMs) {
      // Held back by the operator's own rate budget, which named the write's turn.
      this.held.set(write.uid, { generation: write.generation, until: now + error.retryAfterMs });
    }
    this.rememberRefusal(write.uid, write.refusal, error, now);
  }

  /** The operation of the last accepted write of `obj` failed: Azure never took its values. */
  operationFailed(obj: ArmObject, error: unknown, now: number): void {
    this.fights.undoLast(uidOf(obj));
    this.rememberRefusal(uidOf(obj), undefined, error, now);
  }

  /** How long to wait before trying a write again whose object changed since it was read. */
  staleRetryMs(obj: ArmObject): number {
    const times = (this.stale.get(uidOf(obj)) ?? 0) + 1;
    this.stale.set(uidOf(obj), times);
    return Math.min(STALE_RETRY_MS.first * 2 ** (times - 1), STALE_RETRY_MS.max);
  }

  /** The object is gone (its cleanup finished). */
  forget(obj: ArmObject): void {
    this.fights.forget(uidOf(obj));
    this.refusals.forget(uidOf(obj));
    this.stale.delete(uidOf(obj));
    this.held.delete(uidOf(obj));
  }

  private rememberRefusal(uid: string, key: string | undefined, error: unknown, now: number): void {
    if (!(error instanceof ArmError) || error.kind !== "UserError") return;
    const { reason, message } = failureOutcome(error);
    this.refusals.remember(uid, key, { reason, message }, now);
  }
}

/**
 * What a write changes, for the fight tracker: its fields, or, when it names none, the write
 * itself (its action and note), so that different steps of one generation are different fields.
 */
function fieldsOf(step: ArmWrite): FieldDifference[] {
  return step.fields ?? [{ field: `${step.action} (${step.note})` }];
}

/** The key the driver's memories keep an object under: its uid (a recreated object starts afresh). */
export function uidOf(obj: ArmObject): string {
  return obj.metadata.uid ?? `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}
