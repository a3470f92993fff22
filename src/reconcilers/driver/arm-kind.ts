// The contract between the generic ARM reconcile driver (driver.ts) and one kind. A kind says how
// to find its Azure resource, read it, decide the next write, and describe what Azure holds; the
// driver owns everything kinds share: finalizers, saved operations, status, events, error mapping.

import type { CommonStatus, CustomResource, DeletionPolicy, OperationEvent } from "../../api/index.js";
import type { ArmError, LroProgress } from "../../azure/index.js";
import { READY, type ResourceClient } from "../../kube/index.js";
import type { ReconcilerContext } from "./context.js";

/** One of our objects as the driver sees it. */
export type ArmObject = CustomResource<
  string,
  { deletionPolicy: DeletionPolicy; operatorSpec?: { configMaps?: object } },
  CommonStatus
> & {
  metadata: { name: string; namespace?: string; generation?: number; uid?: string };
};

/** The status of an object type. */
export type StatusOf<T extends ArmObject> = NonNullable<T["status"]>;

/** A condition a kind decides; the driver stamps its generation and transition time. */
export interface ConditionSpec {
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
}

/** The object cannot go on now (a parent missing, a rule only Azure-side state can judge). */
export interface Blocked {
  blocked: true;
  reason: string;
  message: string;
  /** Look again after this long even if nothing wakes the object; watches usually come first. */
  requeueAfterMs: number;
  /** Optional status fields to record with it (what a kind read in Azure before it had to wait). */
  status?: object;
}

/**
 * One field a write corrects: its path (`tags.CostCenter`, `description`) and, when they are
 * short values, what the spec wants and what Azure had (undefined: absent). The driver watches
 * these to tell a one-off outside change from a fight with another writer (drift-fight.ts).
 */
export interface FieldDifference {
  field: string;
  want?: string;
  have?: string;
  /** Another of the operator's own objects writes it too (a GallerySharing's Reset): never a fight. */
  shared?: boolean;
}

/** "tags.CostCenter: the spec has "A", Azure had "B"", for events and conditions. */
export function describeDifference(d: FieldDifference): string {
  if (d.want === undefined && d.have === undefined) return d.field;
  const value = (v: string | undefined) => (v === undefined ? "nothing" : JSON.stringify(v));
  return `${d.field}: the spec has ${value(d.want)}, Azure had ${value(d.have)}`;
}

/** One write to ARM that starts a long-running operation. */
export interface ArmWrite {
  /** Saved with the operation, e.g. `CreateOrUpdate`, `Share`, `Delete`. */
  action: string;
  /** The event recorded when ARM accepted the write, e.g. `GalleryUpdated`. */
  eventReason: string;
  /** For humans: what is being written and why. */
  note: string;
  /** The event recorded once Azure finished the write, e.g. `GalleryCreated`; none when absent. */
  onSuccess?: OperationEvent;
  start(): Promise<LroProgress<unknown>>;
  /**
   * Optional: the ARM request `start` sends (method and resource id). The driver then asks the
   * operator's rate budget before saving the intent, so a write the budget holds back costs no
   * status writes, only the Throttled report (docs/runtime.md, "Safe writes"). Ignored for writes
   * with `failed`, whose refusals their kind answers itself.
   */
  sends?: { method: "PUT" | "DELETE"; id: string };
  /** Set when the write puts back what the operator itself changed: not drift, no DriftCorrected warning. */
  followsOwnChange?: boolean;
  /**
   * Optional: how long after ARM accepted this write a read may still not show it. The driver
   * waits this long (from the saved intent) before sending the same write again when a crash kept
   * it from recording ARM's answer. Default 5 s (a PUT or DELETE shows at once); a share's groups
   * change only when its operation ends (`SHARE_SHOWS_WITHIN_MS`, intent.ts).
   */
  showsWithinMs?: number;
  /**
   * Optional: how long Azure usually takes to finish this write's operation (Azure's time, from
   * docs/arm-behaviour.md#durations). The first poll comes then instead of after the poll interval
   * (poll-schedule.ts); unset for operations that take longer than the interval anyway.
   */
  expectedMs?: number;
  /** Optional: status fields recorded with the operation this write starts. */
  status?: object;
  /**
   * Optional, for kinds whose writes are independent steps (GallerySharing): how to answer ARM
   * refusing this write, or its operation failing at once, so that the object's other steps go
   * on: the status to record and when to look again. Without it a refusal follows the driver's
   * usual failure handling (backoff, or a wait for the user).
   */
  failed?(error: ArmError): OperationView<object>;
  /**
   * Optional: what this write changes in Azure, field by field (a create names every field it
   * sets). Undefined: the action itself is the one field (a Reset, a Delete).
   */
  fields?: FieldDifference[];
}

/** How the object looks once Azure matches its spec (no write needed). */
export interface Observation<S> {
  /** Status fields read from Azure (ids, names, progress); the driver adds conditions. */
  status: Partial<S>;
  ready: ConditionSpec;
  /** Extra conditions besides Ready (e.g. Replicated). */
  conditions?: (ConditionSpec & { type: string })[];
  /** Look again after this long (e.g. while Azure replicates); undefined = the resync period. */
  requeueAfterMs?: number;
}

/** A saved operation as `observeOperation` sees it after one poll. */
export interface OperationPoll {
  /** What was started (`ArmWrite.action`). */
  action: string;
  /** `apply` while making Azure match the spec, `cleanup` while undoing it. */
  phase: "apply" | "cleanup";
  /** Still running, or just ended in failure (success goes on to `read`/`observe`). */
  state: "running" | "failed";
  /** ARM's error, when the operation failed. */
  error?: ArmError;
}

/** What a kind shows while an operation runs, beyond "running since". */
export interface OperationView<S> {
  status?: Partial<S>;
  /** Replaces the driver's Ready (Provisioning while running, the ARM failure when failed). */
  ready?: ConditionSpec;
  conditions?: (ConditionSpec & { type: string })[];
  /** Poll again after this long; undefined = the context's poll interval. */
  requeueAfterMs?: number;
}

export interface ArmKind<T extends ArmObject, Target, Actual> {
  kind: string;
  client: ResourceClient<T>;
  /**
   * Optional, for kinds whose Azure resource carries the ownership tag (docs/runtime.md, "One
   * owner per Azure resource"): the resource's tags as read.
   */
  tagsOf?(actual: Actual): Record<string, string> | undefined;
  /**
   * Optional: the other objects of this kind in the caches naming the same Azure resource as `obj`
   * (the earliest created of them all owns it; the others change nothing in Azure).
   */
  rivalsOf?(obj: T, ctx: ReconcilerContext): readonly ArmObject[];
  /** Optional: the write that takes the ownership tag off and leaves the rest (deletionPolicy Orphan). */
  untag?(obj: T, target: Target, actual: Actual, ctx: ReconcilerContext): ArmWrite;
  /**
   * Optional: labels the object should carry (links to its parents, for `kubectl get -l`).
   * The driver adds missing or different ones before anything else, in the same metadata patch
   * as the finalizer when the object is new (kube/labels.ts); labels it did not name are left alone.
   */
  labels?(obj: T, ctx: ReconcilerContext): Record<string, string>;
  /**
   * Resolves where the object lives in Azure from its spec and its parents (read from the caches).
   * Blocked while a parent is missing or not Ready.
   */
  target(obj: T, ctx: ReconcilerContext): Target | Blocked;
  /**
   * Where the object's Azure resource was, for cleanup: from what status recorded, so that a
   * parent deleted meanwhile does not strand it. Undefined when nothing was ever made in Azure.
   */
  cleanupTarget(obj: T, ctx: ReconcilerContext): Target | undefined;
  /** One read of the actual state (undefined when it does not exist). */
  read(obj: T, target: Target, ctx: ReconcilerContext): Promise<Actual | undefined>;
  /** Polls once an operation this kind started on `target`. */
  resume(obj: T, target: Target, resumeToken: string, ctx: ReconcilerContext): Promise<LroProgress<unknown>>;
  /**
   * Optional: looks at Azure after a poll found the saved operation still running (or failed),
   * for what the operation itself does not tell (an image version's per-region replication).
   * Called once per poll, never instead of it; undefined keeps the driver's defaults.
   * Errors: as `read`; the driver handles them like any other failed step.
   */
  observeOperation?(
    obj: T,
    target: Target,
    poll: OperationPoll,
    ctx: ReconcilerContext,
  ): Promise<OperationView<StatusOf<T>> | undefined>;
  /** The next write that brings Azure closer to the spec; undefined when Azure matches. */
  plan(
    obj: T,
    target: Target,
    actual: Actual | undefined,
    ctx: ReconcilerContext,
  ): ArmWrite | Blocked | undefined;
  /**
   * Optional, with `tagsOf`: the write that applies the whole spec again though Azure already
   * matches it, so that the resource gains the ownership tag. Undefined: nothing to re-apply now
   * (e.g. an operation someone else started is running).
   */
  rewrite?(obj: T, target: Target, actual: Actual, ctx: ReconcilerContext): ArmWrite | undefined;
  /**
   * Optional: the values this kind can export to ConfigMaps (`spec.operatorSpec.configMaps`), by
   * the names its schema gives them, read from the status about to be written; undefined when
   * not known. Called only while the object is Ready.
   */
  exports?(obj: T, status: StatusOf<T>, ctx: ReconcilerContext): Record<string, string | undefined>;
  /** What Azure holds, once it matches the spec. */
  observe(obj: T, target: Target, actual: Actual, ctx: ReconcilerContext): Observation<StatusOf<T>>;
  /**
   * The next write that undoes what this object made in Azure; undefined when nothing is left.
   * Blocked while something still depends on it (children in the cluster).
   */
  cleanup(
    obj: T,
    target: Target,
    actual: Actual | undefined,
    ctx: ReconcilerContext,
  ): ArmWrite | Blocked | undefined;
}

/**
 * Ready=True for the object's current generation, as the driver last reported it: Azure matched
 * this very spec when the object was last looked at.
 */
export function settledForSpec(obj: ArmObject): boolean {
  const ready = readyOf(obj);
  return ready?.status === "True" && readyDescribesSpec(obj);
}

/**
 * Whether the object's Ready condition (True or not) speaks of its current spec: written for its
 * generation. A parent Ready for an older spec may be changing in Azure.
 */
export function readyDescribesSpec(obj: {
  metadata: { generation?: number };
  status?: { conditions?: { type: string; observedGeneration?: number }[] };
}): boolean {
  const ready = readyOf(obj);
  return ready?.observedGeneration === undefined || ready.observedGeneration === obj.metadata.generation;
}

function readyOf<C extends { type: string }>(obj: { status?: { conditions?: C[] } }): C | undefined {
  return obj.status?.conditions?.find((c) => c.type === READY);
}

export function isBlocked(value: unknown): value is Blocked {
  return typeof value === "object" && value !== null && (value as Blocked).blocked === true;
}

export function blocked(reason: string, message: string, requeueAfterMs: number): Blocked {
  return { blocked: true, reason, message, requeueAfterMs };
}
