// The one reconcile loop every kind runs (level-triggered, diff-then-act: README.md): resume a
// saved operation, read Azure, write only what differs, describe what Azure holds. Kinds plug in
// through ArmKind; nothing here knows galleries from versions.
import { FINALIZER, type OperationEvent, type PendingOperation, REASONS } from "../../api/index.js";
import { ArmError, InvalidResumeTokenError, type LroProgress } from "../../azure/index.js";
import {
  addLabelsOps,
  describeError,
  isConflict,
  isInvalid,
  isWriteRace,
  keyOf,
  type Lane,
  READY,
  type ReconcileFn,
  type ReconcileResult,
  reconcileWithFinalizer,
  removeCondition,
  setCondition,
  writeStatus,
} from "../../kube/index.js";
import {
  type ArmKind,
  type ArmObject,
  type ArmWrite,
  type Blocked,
  blocked,
  type ConditionSpec,
  describeDifference,
  isBlocked,
  type OperationPoll,
  type OperationView,
  type StatusOf,
  settledForSpec,
} from "./arm-kind.js";
import type { PolicyViolation, ReconcilerContext } from "./context.js";
import type { Fight } from "./drift-fight.js";
import { exportsOf, writeExports } from "./exports.js";
import { logStepFailure } from "./failure-log.js";
import { failureOutcome } from "./failures.js";
import {
  certainlyNotSent,
  FailedAfterIntent,
  intentOf,
  saveAnswer,
  saveOperation,
  saveToken,
  unconfirmed,
  waitForEarlierWrite,
} from "./intent.js";
import { acceptedAtOf, savedToken } from "./operation-token.js";
import { OWNERSHIP_TAG, ownerOf, rivalClaim, type TagVerdict, tagVerdict } from "./ownership.js";
import { firstPollMs, nextPollMs, PollTimes } from "./poll-schedule.js";
import { isStalled, progressConditions } from "./progress.js";
import { keptInAzure, pausedReady, reconcilePolicyOf, wasPaused } from "./reconcile-policy.js";
import { type PlannedWrite, uidOf, WriteMemory } from "./write-memory.js";

type Phase = OperationPoll["phase"];

/** A saved operation was polled and ended well: go on, and drop it from status. */
const FINISHED = Symbol("finished");

/** A policy violation waits for the spec or the policy to change (either wakes the object); this is a backstop. */
const POLICY_RETRY_MS = 5 * 60_000;

/** A failed operation is not retried at once: the next attempt would most likely fail the same way. */
const FAILED_OPERATION_RETRY_MS = 60_000;

/**
 * Builds the reconcile function of a kind.
 *
 * Expected flow (apply; the object carries our finalizer):
 * 0. A new object gets our finalizer and the labels the kind names (parent links) in one
 *    metadata patch, and comes back with them on its watch event; labels it lacks later (a
 *    version's gallery, known once its definition is in the cache) get a patch of their own.
 * 1. Resolve the Azure target; a missing or unready parent blocks (Ready=False, look again later).
 * 2. A saved operation in `status.operation` is polled once: still running → the kind may add
 *    what it sees meanwhile (`observeOperation`), look again after the poll interval; failed →
 *    Ready=False with ARM's code (or the kind's reading of it); done → go on.
 * 3. One read of Azure; `plan` decides the next write. A write is saved in status as an intent
 *    first, then sent; ARM's answer is saved, then the event recorded; look again soon.
 * 4. No write: `observe` describes Azure in status; Ready from the kind.
 * Cleanup (the object is being deleted): `Orphan` forgets; otherwise the same loop runs `cleanup`
 * steps until none is left, then the finalizer goes.
 *
 * Guarantees: at most one ARM write per reconcile and never while a saved operation runs; a
 * settled object costs one read and no write; status is written only when it changed; a
 * restarted operator polls the saved operation instead of writing again, and decides from Azure
 * whether an intent without ARM's answer was sent (docs/runtime.md, "Safe writes").
 * Errors: transient ARM failures (5xx, network) and Kubernetes errors are thrown (backoff); user,
 * auth, not-found, conflict and throttling failures become Ready=False and a timed look again.
 */
export function armReconciler<T extends ArmObject, Target, Actual>(
  kind: ArmKind<T, Target, Actual>,
  ctx: ReconcilerContext,
): ReconcileFn<T> {
  // Every line names the kind: a Gallery and a GallerySharing may share a namespace and name.
  const base: ReconcilerContext = { ...ctx, log: ctx.log.child({ kind: kind.kind }) };
  const memory = new WriteMemory();
  const polls = new PollTimes();
  return async ({ object, signal, lane }) => {
    if (!object) return undefined;
    // Every ARM request of this reconcile (reads, writes, polls) ends with its signal, which a
    // lost lease aborts at once: a request on the wire is cut, none leaves afterwards.
    const arm = (namespace: string) => base.arm(namespace).abortingOn(signal);
    const loop = new DriverLoop(kind, { ...base, arm }, memory, polls);
    return reconcileWithFinalizer(kind.client, FINALIZER, object, {
      metadata: (obj) => addLabelsOps(obj, kind.labels?.(obj, base) ?? {}),
      apply: (obj) => loop.guard(obj, signal, () => loop.apply(obj, signal, lane)),
      cleanup: (obj) => loop.guard(obj, signal, () => loop.cleanup(obj, signal)),
    });
  };
}

/** One reconcile of one object; `memory` and `polls` are the kind's, shared by all its reconciles. */
class DriverLoop<T extends ArmObject, Target, Actual> {
  constructor(
    private readonly kind: ArmKind<T, Target, Actual>,
    private readonly ctx: ReconcilerContext,
    private readonly memory: WriteMemory,
    private readonly polls: PollTimes,
  ) {}

  async apply(obj: T, signal: AbortSignal, lane: Lane = "change"): Promise<ReconcileResult> {
    const reconcilePolicy = reconcilePolicyOf(obj);
    if (isBlocked(reconcilePolicy)) return this.block(obj, reconcilePolicy);
    if (reconcilePolicy === "skip") return this.pause(obj);
    // What already runs in Azure is watched first: neither a policy nor a parent's trouble stops it.
    const saved = await this.pollSaved(obj);
    if (saved !== undefined && saved !== FINISHED) return saved;
    // Blocked after the saved operation finished: status forgets the operation too.
    const stop = (why: Blocked) =>
      this.block(obj, saved === FINISHED ? { ...why, status: { ...why.status, operation: undefined } } : why);
    const policy = this.judge(obj);
    if (isBlocked(policy)) return stop(policy);
    // Under remediation the kind works from the remedied spec; status and events stay on `obj`.
    const acting = policy?.acting ?? obj;
    const target = this.kind.target(acting, this.ctx);
    if (isBlocked(target)) return stop(target);
    const rival = this.rival(obj);
    if (rival) return stop(rival);
    // Held back by the rate budget: status says so already; wait for the write's turn.
    const held = this.memory.heldFor(obj, this.nowMs());
    if (held > 0) return { requeueAfter: held };
    const { actual, step, verdict } = await this.readAndPlan(acting, target, lane);
    if (isBlocked(step)) return stop(step);
    if (step) {
      const write = this.memory.plan(obj, target, step);
      const fight = this.memory.fight(write, this.nowMs());
      if (fight) return this.driftFight(obj, step, fight);
      const refused = this.memory.refused(write, this.nowMs());
      if (refused) return stop(refused);
      if (policy) {
        await this.ctx.events.record(obj, {
          type: "Warning",
          reason: "PolicyViolation",
          action: step.action,
          note: policy.ready.message,
        });
      } else if (actual !== undefined && settledForSpec(obj) && !step.followsOwnChange) {
        // Azure matched this spec before: the difference was made outside the operator.
        await this.ctx.events.record(obj, {
          type: "Warning",
          reason: "DriftCorrected",
          action: step.action,
          note: `Azure no longer matched the spec (changed outside the operator): ${step.note}`,
        });
      }
      return this.start(obj, step, "apply", signal, write);
    }
    // Azure matches the spec, but the resource does not carry our tag yet: the next PUT adds it.
    const mark =
      verdict === "mark" ? this.kind.rewrite?.(acting, target, actual as Actual, this.ctx) : undefined;
    if (mark) {
      const note = `marking the Azure resource as managed by this object (tag ${OWNERSHIP_TAG})`;
      return this.start(obj, { ...mark, note }, "apply", signal);
    }
    const seen = this.kind.observe(acting, target, actual as Actual, this.ctx);
    const status = { ...seen.status, operation: undefined } as Partial<StatusOf<T>>;
    const ready = await this.export(obj, status, policy?.ready ?? seen.ready);
    await this.report(obj, status, ready, seen.conditions);
    return seen.requeueAfterMs === undefined ? undefined : { requeueAfter: seen.requeueAfterMs };
  }

  async cleanup(obj: T, signal: AbortSignal): Promise<ReconcileResult> {
    const result = await this.cleanupStep(obj, signal);
    if (result === undefined) {
      this.memory.forget(obj);
      this.polls.forget(uidOf(obj));
    }
    return result;
  }

  private async cleanupStep(obj: T, signal: AbortSignal): Promise<ReconcileResult> {
    const kept = keptInAzure(obj);
    if (isBlocked(kept)) return this.block(obj, kept);
    // An object refused in favour of an earlier one never touched the resource: it goes alone.
    const rival = this.rival(obj);
    if (rival) return this.release(obj, rival.message);
    const target = this.kind.cleanupTarget(obj, this.ctx);
    if (kept !== undefined) return this.orphan(obj, kept, target, signal);
    if (target === undefined) return undefined;
    const pending = await this.resumeSaved(obj, target, "cleanup");
    if (pending) return pending;
    const actual = await this.kind.read(obj, target, this.ctx);
    // Never delete what another object owns, or what this one never managed.
    const verdict = this.verdict(obj, actual);
    if (isBlocked(verdict)) return this.release(obj, verdict.message);
    const step = this.kind.cleanup(obj, target, actual, this.ctx);
    if (step === undefined) return undefined;
    // No operation runs any more (a saved one finished): a wait drops it from status.
    if (isBlocked(step)) return this.block(obj, withoutOperation(step));
    return this.start(obj, step, "cleanup", signal);
  }

  /**
   * Writes what `spec.operatorSpec.configMaps` asks for once the object is Ready (exports.ts);
   * returns Ready as it stands, or False with the reason when a ConfigMap is not the operator's.
   */
  private async export(obj: T, fields: Partial<StatusOf<T>>, ready: ConditionSpec): Promise<ConditionSpec> {
    const configMaps = obj.spec.operatorSpec?.configMaps;
    if (ready.status !== "True" || !configMaps || !this.kind.exports || !this.ctx.configMaps) return ready;
    const status = { ...obj.status, ...fields } as StatusOf<T>;
    const values = this.kind.exports(obj, status, this.ctx);
    const refused = await writeExports(this.ctx.configMaps, obj, exportsOf(configMaps, values));
    if (!refused) return ready;
    await this.ctx.events.record(obj, {
      type: "Warning",
      reason: refused.reason,
      action: "Export",
      note: refused.message,
    });
    return { status: "False", reason: refused.reason, message: refused.message };
  }

  /**
   * deletionPolicy Orphan (or reconcile-policy detach-on-delete): the resource stays in Azure
   * without our ownership tag, so that another object or cluster may adopt it; then the object goes.
   * A resource Azure will not show (Inaccessible, Auth) is left as it is: the user asked to let go.
   */
  private async orphan(
    obj: T,
    kept: string,
    target: Target | undefined,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    // reconcile-policy skip or detach-on-delete: Azure is left exactly as it is, tag included.
    const untag = reconcilePolicyOf(obj) === "manage" ? this.kind.untag : undefined;
    if (target !== undefined && untag && ownerOf(obj, this.kind.kind, this.ctx)) {
      const pending = await this.resumeSaved(obj, target, "cleanup");
      if (pending) return pending;
      const actual = await this.kind.read(obj, target, this.ctx).catch((err: unknown) => {
        this.ctx.log.warn(
          { key: keyOf(obj), error: describeError(err) },
          "orphaning without removing the ownership tag",
        );
        return undefined;
      });
      if (actual !== undefined && this.verdict(obj, actual) === "owned") {
        return this.start(obj, untag(obj, target, actual, this.ctx), "cleanup", signal);
      }
    }
    await this.ctx.events.record(obj, {
      type: "Normal",
      reason: "Orphaned",
      action: "Delete",
      note: `${kept}: left ${obj.status?.id ?? "the Azure resource"} in Azure`,
    });
    return undefined;
  }

  /** The object goes without touching Azure: the resource is not its to delete. */
  private async release(obj: T, why: string): Promise<ReconcileResult> {
    await this.ctx.events.record(obj, {
      type: "Normal",
      reason: "Released",
      action: "Delete",
      note: `left the Azure resource alone: ${why}`,
    });
    return undefined;
  }

  /** An earlier object of this cluster naming the same Azure resource, as a reason to stand aside. */
  private rival(obj: T): Blocked | undefined {
    const others = this.kind.rivalsOf?.(obj, this.ctx);
    return others ? rivalClaim(obj, others, this.kind.kind) : undefined;
  }

  /** What the ownership tag of `actual` lets this object do ("owned" when there is nothing to judge). */
  private verdict(obj: T, actual: Actual | undefined): TagVerdict {
    const owner = ownerOf(obj, this.kind.kind, this.ctx);
    if (actual === undefined || !owner || !this.kind.tagsOf) return "owned";
    // Made or managed before tags: its status names the resource, or it saved an intent to write it.
    const managedBefore = obj.status?.id !== undefined || obj.status?.operation !== undefined;
    return tagVerdict(obj, this.kind.tagsOf(actual), owner, managedBefore);
  }

  /** `reconcile-policy: skip`: no Azure call; Ready says Paused (an event when the pause begins). */
  private async pause(obj: T): Promise<ReconcileResult> {
    const ready = pausedReady(obj);
    if (!wasPaused(obj)) {
      await this.ctx.events.record(obj, {
        type: "Normal",
        reason: "Paused",
        action: "Reconcile",
        note: ready.message,
      });
    }
    await this.report(obj, {}, ready);
    return undefined;
  }

  /**
   * Reads Azure and plans the next step. A resync reads through the ARM facades' resync view, which
   * may answer from a list of the parent up to a resync period old (azure/list-snapshot.ts);
   * whatever that plan would do besides describing Azure (a write, or a block) is decided again on
   * a fresh read, so no write and no Ready=False ever rests on a listed answer.
   */
  private async readAndPlan(
    obj: T,
    target: Target,
    lane: Lane,
  ): Promise<{ actual: Actual | undefined; step: ArmWrite | Blocked | undefined; verdict: TagVerdict }> {
    const readWith = async (ctx: ReconcilerContext) => {
      const actual = await this.kind.read(obj, target, ctx);
      // The ownership tag decides before the plan: a resource that is not ours is never planned for.
      const verdict = this.verdict(obj, actual);
      const step = isBlocked(verdict) ? verdict : this.kind.plan(obj, target, actual, this.ctx);
      return { actual, step, verdict };
    };
    if (lane !== "resync") return readWith(this.ctx);
    const listed = await readWith({ ...this.ctx, arm: (namespace) => this.ctx.arm(namespace).resync() });
    const quiet = listed.step === undefined && listed.verdict === "owned";
    return quiet ? listed : readWith(this.ctx);
  }

  /**
   * What the cluster administrator's GalleryPolicies say about `obj` now.
   * Undefined: nothing forbidden, go on. Blocked: a violation the operator may not undo itself
   * (anything under `enforcement: Audit`, and rules whose undoing would destroy data): no Azure
   * write until the spec or the policy changes. Otherwise every violation is a share a
   * `Remediate` policy forbids: go on with the spec minus those shares, so the kind removes them
   * and keeps the rest; Ready stays False with reason PolicyViolation while the spec names them.
   */
  private judge(obj: T): Blocked | { acting: T; ready: ConditionSpec } | undefined {
    const violations = this.ctx.policyViolations?.(obj) ?? [];
    if (violations.length === 0) return undefined;
    const message = violations.map(describeViolation).join("; ");
    if (!violations.every((v) => v.remedy)) {
      return blocked(
        "PolicyViolation",
        `${message}; no Azure changes are made until the spec or the policy changes`,
        POLICY_RETRY_MS,
      );
    }
    const spec = violations.reduce<object>((remedied, v) => v.remedy?.(remedied) ?? remedied, obj.spec);
    return {
      acting: { ...obj, spec } as T,
      ready: {
        status: "False",
        reason: "PolicyViolation",
        message: `${message}; enforcement is Remediate: the operator removes what the policy forbids and keeps the rest`,
      },
    };
  }

  /**
   * Runs one step; failures that wait on the user or on Azure become status, others back off. A
   * step stopped by `signal` (leadership lost, or shutdown gave up waiting) reports nothing: the
   * next leader reads Azure and the object afresh.
   */
  async guard(obj: T, signal: AbortSignal, step: () => Promise<ReconcileResult>): Promise<ReconcileResult> {
    try {
      return await step();
    } catch (err) {
      if (signal.aborted) throw err;
      // After an intent was saved, the failure is written over the status that save left.
      if (err instanceof FailedAfterIntent) return this.failed(err.latest as T, err.error);
      return this.failed(obj, err);
    }
  }

  /**
   * Reports a failed step in status, with `fields` (and an event when the user must act); rethrows
   * transient ones.
   */
  private async failed(obj: T, err: unknown, fields: Partial<StatusOf<T>> = {}): Promise<ReconcileResult> {
    const outcome = failureOutcome(err);
    logStepFailure(this.ctx.log, obj, err, outcome.reason);
    try {
      await this.report(obj, fields, { status: "False", reason: outcome.reason, message: outcome.message });
    } catch (statusErr) {
      // Losing a race to a concurrent change is routine: the next reconcile records it.
      const level = isWriteRace(statusErr) ? "debug" : "warn";
      this.ctx.log[level](
        { key: keyOf(obj), error: describeError(statusErr) },
        "could not record the failure in status",
      );
    }
    // Throttling waits on Azure, not the user, but it is why nothing moves: say so (bucket, retry).
    if (outcome.warn || outcome.reason === REASONS.Throttled) {
      await this.ctx.events.record(obj, {
        type: "Warning",
        reason: outcome.reason,
        action: "Reconcile",
        note: outcome.message,
      });
    }
    if (outcome.backoff) throw err;
    return { requeueAfter: outcome.requeueAfterMs ?? FAILED_OPERATION_RETRY_MS };
  }

  /**
   * Polls the operation saved in status during apply, where its parents say it runs or, while a
   * parent cannot say (not Ready), where status recorded it. FINISHED: it ended well (or cannot be
   * resumed); the caller goes on and forgets it. An intent without ARM's answer is left to `start`.
   */
  private async pollSaved(obj: T): Promise<ReconcileResult | typeof FINISHED | undefined> {
    const saved = obj.status?.operation;
    if (!saved || unconfirmed(obj)) return undefined;
    const resolved = this.kind.target(obj, this.ctx);
    const target = isBlocked(resolved) ? this.kind.cleanupTarget(obj, this.ctx) : resolved;
    if (target === undefined) return undefined;
    return (await this.resumeSaved(obj, target, "apply")) ?? FINISHED;
  }

  /**
   * Polls the operation saved in status, if any.
   * Returns the reconcile result when the object must wait (still running, or it failed);
   * undefined when there was none or it finished, so the caller goes on and reads Azure.
   */
  private async resumeSaved(obj: T, target: Target, phase: Phase): Promise<ReconcileResult | undefined> {
    const saved = obj.status?.operation;
    // An intent ARM's answer never completed has nothing to poll: the read that follows decides.
    if (!saved || unconfirmed(obj)) return undefined;
    // Woken before the operation's next poll is due (its own status writes wake it): wait for it.
    const due = this.polls.wait(uidOf(obj), this.nowMs());
    if (due > 0) return { requeueAfter: due };
    let progress: LroProgress<unknown>;
    try {
      // A token lost between two writes fails as unreadable below, and the read decides.
      progress = await this.kind.resume(obj, target, savedToken(obj) ?? "", this.ctx);
    } catch (err) {
      // An unreadable token, or an operation ARM no longer knows: the read that follows decides.
      if (err instanceof InvalidResumeTokenError || (err instanceof ArmError && err.kind === "NotFound")) {
        this.ctx.log.warn({ key: keyOf(obj), err }, "dropping a saved operation that cannot be resumed");
        return undefined;
      }
      throw err;
    }
    if (progress.status === "running") {
      const view = await this.viewOperation(obj, target, { action: saved.action, phase, state: "running" });
      const { resumeToken: _keptBefore, ...rest } = saved;
      const operation: PendingOperation = { ...rest, acceptedAt: acceptedAtOf(obj) ?? saved.startedAt };
      const current = await saveToken(this.kind.client, obj, progress.resumeToken);
      await this.report(
        current,
        { ...view?.status, operation } as Partial<StatusOf<T>>,
        view?.ready ?? this.working(phase, saved.action, saved.startedAt),
        view?.conditions,
      );
      const age = this.nowMs() - Date.parse(operation.acceptedAt ?? "");
      return this.pollAgain(
        obj,
        view?.requeueAfterMs ?? nextPollMs(age, this.ctx.pollIntervalMs, this.ctx.armTimeScale),
      );
    }
    this.polls.forget(uidOf(obj));
    if (progress.status === "failed") {
      const view = await this.viewOperation(obj, target, {
        action: saved.action,
        phase,
        state: "failed",
        error: progress.error,
      });
      if (phase === "apply") this.memory.operationFailed(obj, progress.error, this.nowMs());
      return this.operationFailed(obj, saved.action, progress.error, view);
    }
    await this.succeeded(obj, saved.action, saved.onSuccess);
    return undefined;
  }

  /** The success event of a write Azure finished, if the kind named one. */
  private async succeeded(obj: T, action: string, event: OperationEvent | undefined): Promise<void> {
    if (event) await this.ctx.events.record(obj, { type: "Normal", action, ...event });
  }

  private viewOperation(
    obj: T,
    target: Target,
    poll: OperationPoll,
  ): Promise<OperationView<StatusOf<T>> | undefined> {
    return this.kind.observeOperation?.(obj, target, poll, this.ctx) ?? Promise.resolve(undefined);
  }

  /**
   * Sends one ARM write, write-ahead: the intent is saved in status first (against the object as
   * read, so a cache behind the API server or a concurrent edit stops the write), then the write
   * is sent, then ARM's answer is saved (retried until the API server takes it), then the event.
   * A write the rate budget would hold back fails before its intent is saved (ArmWrite.sends).
   * An unconfirmed intent of the very same write, recent enough that it may not show in Azure
   * yet, is waited out instead (see intent.ts).
   */
  private async start(
    obj: T,
    step: ArmWrite,
    phase: Phase,
    signal: AbortSignal,
    write?: PlannedWrite,
  ): Promise<ReconcileResult> {
    const now = this.ctx.now();
    const earlier = obj.status?.operation;
    const wait = waitForEarlierWrite(obj, step, now, this.ctx.armTimeScale);
    if (earlier && wait !== undefined) {
      const note = `${step.note}: an earlier attempt decided to send this at ${earlier.startedAt} and did not record Azure's answer; waiting up to ${Math.ceil(wait / 1000)}s for it to show in Azure before sending it again`;
      await this.report(obj, {}, this.working(phase, step.action, earlier.startedAt, note));
      return { requeueAfter: Math.min(wait, this.ctx.pollIntervalMs) };
    }
    // Held back by the operator's own rate budget: no intent to save, and none to clear again.
    // Leadership lost first: a write that will not be sent takes no turn.
    signal.throwIfAborted();
    const held =
      step.sends && !step.failed
        ? this.ctx.arm(obj.metadata.namespace ?? "").heldBack(step.sends.method, step.sends.id)
        : undefined;
    if (held) {
      if (write) this.memory.refusedNow(write, held, this.nowMs());
      // An operation status still names (one that finished, or an intent whose wait is over) goes
      // with the Throttled report: a new intent used to replace it, and polling it again would
      // repeat its success event.
      return this.failed(obj, held, { operation: undefined } as Partial<StatusOf<T>>);
    }
    const intent = intentOf(obj, step, now);
    let current: T;
    try {
      current = await this.report(
        obj,
        { ...step.status, operation: intent } as Partial<StatusOf<T>>,
        this.working(phase, step.action, intent.startedAt, step.note),
      );
    } catch (err) {
      if (!isInvalid(err) && !isConflict(err)) throw err;
      this.ctx.log.debug(
        { key: keyOf(obj), action: step.action },
        "object changed since read; not writing to ARM yet",
      );
      return { requeueAfter: this.memory.staleRetryMs(obj) };
    }
    let progress: LroProgress<unknown>;
    try {
      // Leadership lost (or shutting down) while the intent was saved: send nothing.
      signal.throwIfAborted();
      progress = await step.start();
    } catch (err) {
      if (write) this.memory.refusedNow(write, err, this.nowMs());
      // Nothing left (refused, held back, or stopped before sending): the intent goes, and no
      // successor waits for a write that never happened. Stopped: its one try may fail, no matter.
      const stopped = signal.aborted && err === signal.reason;
      if (certainlyNotSent(err) || stopped) {
        current = await saveOperation(this.kind.client, current, null, signal).catch((saveErr: unknown) => {
          if (!stopped) throw saveErr;
          return current;
        });
      }
      // A kind with independent steps answers a refused step itself (see ArmWrite.failed).
      if (!step.failed || !(err instanceof ArmError)) throw new FailedAfterIntent(err, current);
      progress = { done: true, status: "failed", error: err };
    }
    if (progress.status === "failed") {
      // Its status write drops the operation: nothing runs in Azure.
      const view = step.failed?.(progress.error) as OperationView<StatusOf<T>> | undefined;
      if (write) this.memory.refusedNow(write, progress.error, this.nowMs());
      return this.operationFailed(current, step.action, progress.error, view);
    }
    if (write) this.memory.accepted(write, this.nowMs());
    this.ctx.log.info({ key: keyOf(obj), action: step.action, note: step.note }, "ARM write accepted");
    // Running: the token and the intent it answers, in one write (status.operation.acceptedAt
    // follows with the first poll's status). Done at once: the intent goes, nothing to resume.
    if (progress.status === "running") {
      const answer = { intentId: intent.intentId, acceptedAt: this.ctx.now().toISOString() };
      current = await saveAnswer(this.kind.client, current, answer, progress.resumeToken, signal);
    } else {
      current = await saveOperation(this.kind.client, current, null, signal);
    }
    await this.ctx.events.record(current, {
      type: "Normal",
      reason: step.eventReason,
      action: step.action,
      note: step.note,
    });
    if (progress.status === "running") {
      return this.pollAgain(
        current,
        firstPollMs(step.expectedMs, this.ctx.pollIntervalMs, this.ctx.armTimeScale),
      );
    }
    await this.succeeded(current, step.action, step.onSuccess);
    // Finished at once: read Azure again right away rather than trusting the answer's shape.
    return { requeueAfter: 1 };
  }

  private async operationFailed(
    obj: T,
    action: string,
    error: ArmError,
    view?: OperationView<StatusOf<T>>,
  ): Promise<ReconcileResult> {
    const outcome = failureOutcome(error);
    const ready = view?.ready ?? {
      status: "False" as const,
      reason: outcome.reason,
      message: `Azure operation ${action} failed: ${outcome.message}`,
    };
    await this.report(
      obj,
      { ...view?.status, operation: undefined } as Partial<StatusOf<T>>,
      ready,
      view?.conditions,
    );
    await this.ctx.events.record(obj, { type: "Warning", reason: ready.reason, action, note: ready.message });
    return { requeueAfter: view?.requeueAfterMs ?? outcome.requeueAfterMs ?? FAILED_OPERATION_RETRY_MS };
  }

  /**
   * Stops correcting a field something outside keeps setting back (drift-fight.ts): Ready=False
   * with reason DriftFight naming the field and both values, a Warning event, and no write; the
   * object is read again at resync pace.
   */
  private async driftFight(obj: T, step: ArmWrite, fight: Fight): Promise<ReconcileResult> {
    const minutes = Math.round((fight.retryAt - this.nowMs()) / 60_000);
    const message =
      `${describeDifference(fight.field)} again after ${fight.corrections} correction(s): something outside ` +
      "the operator keeps changing it (an Azure Policy modify effect, another tool or person). " +
      "The operator stopped correcting it; make the spec agree with the other writer, or stop that writer. " +
      `It corrects it once more in ${minutes} min, or at once when the spec changes.`;
    await this.report(obj, {}, { status: "False", reason: "DriftFight", message });
    await this.ctx.events.record(obj, {
      type: "Warning",
      reason: "DriftFight",
      action: step.action,
      note: message,
    });
    return undefined;
  }

  /** Looks at `obj`'s running operation again in `afterMs`, and not before (PollTimes). */
  private pollAgain(obj: T, afterMs: number): ReconcileResult {
    this.polls.set(uidOf(obj), this.nowMs() + afterMs);
    return { requeueAfter: afterMs };
  }

  private nowMs(): number {
    return this.ctx.now().getTime();
  }

  /** Ready=False for why the object cannot go on, and an event saying so (Warning when it waits for the user). */
  private async block(obj: T, why: Blocked): Promise<ReconcileResult> {
    const ready = { status: "False" as const, reason: why.reason, message: why.message };
    await this.report(obj, (why.status ?? {}) as Partial<StatusOf<T>>, ready);
    await this.ctx.events.record(obj, {
      type: isStalled(ready) ? "Warning" : "Normal",
      reason: why.reason,
      action: "Reconcile",
      note: why.message,
    });
    return { requeueAfter: why.requeueAfterMs };
  }

  private working(phase: Phase, action: string, since: string, note?: string): ConditionSpec {
    const what = note ?? `Azure operation ${action}`;
    return phase === "apply"
      ? { status: "False", reason: "Provisioning", message: `${what}: running since ${since}` }
      : { status: "False", reason: "Deleting", message: `${what}: running since ${since}` };
  }

  /** Writes status: the previous one, `fields` over it, Ready and any extra conditions; returns the object written. */
  private async report(
    obj: T,
    fields: Partial<StatusOf<T>>,
    ready: ConditionSpec,
    extra: (ConditionSpec & { type: string })[] = [],
  ): Promise<T> {
    const now = this.ctx.now();
    const generation = obj.metadata.generation;
    const stamp = (type: string, c: ConditionSpec) => ({
      type,
      ...c,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    });
    let conditions = setCondition(obj.status?.conditions, stamp(READY, ready), now);
    const progress = progressConditions(ready);
    for (const c of [...extra, ...progress.set]) conditions = setCondition(conditions, stamp(c.type, c), now);
    for (const type of progress.drop) conditions = removeCondition(conditions, type);
    // The identity the namespace's GalleryPolicies chose, ids only (never a secret).
    const identity = this.ctx.identity(obj.metadata.namespace ?? "");
    const merged: Record<string, unknown> = { ...(obj.status ?? {}), ...fields, identity, conditions };
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    return (await writeStatus(this.kind.client, obj, merged as StatusOf<T>, { requireCurrent: true })).object;
  }
}

function describeViolation(v: PolicyViolation): string {
  const source = v.policy ? `GalleryPolicy ${v.policy}` : "operator default";
  return `${source} (${v.rule}): ${v.message}`;
}

/** `why` with the saved operation dropped from status (it finished before the kind had to wait). */
function withoutOperation(why: Blocked): Blocked {
  return { ...why, status: { ...why.status, operation: undefined } };
}
