// The work queue between watch events and reconciles: it decides which key runs when, and makes sure
// no key runs twice at once. Keys are opaque strings (the controller uses `namespace/name`).
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";

/**
 * Which line a key waits in, first served first. `change`: something happened to it (its own watch
 * event, a timer it asked for, a retry). `related`: something it depends on changed (a parent
 * became Ready, a child went): a user's edit must not wait behind the ten versions its parent's
 * edit woke. `resync`: a periodic or start-up pass over every key, which must delay neither: a
 * user's edit that lands while thousands of resync keys wait runs before all of them.
 */
export type Lane = "change" | "related" | "resync";

/** The lanes in the order workers serve them. */
const LANES = ["change", "related", "resync"] as const satisfies readonly Lane[];
const rank = (lane: Lane) => LANES.indexOf(lane);
const RESYNC_FIRST = ["resync", "change", "related"] as const satisfies readonly Lane[];

/** A group's keys: the FIFO line of each lane (with stale entries of keys that moved or ran, skipped by `queued`), and how many run now. */
interface Group {
  lines: Record<Lane, string[]>;
  running: number;
  /** Of the running keys, those taken from the resync lane. */
  resyncs: number;
}

/** What a worker returns: nothing (done until something changes) or when to look again. */
export type WorkResult = undefined | { requeueAfter?: number };

/**
 * Processes one key. `signal` aborts when shutdown gives up waiting for it; `lane` is the line the
 * key was taken from (a resync may read less eagerly than a change).
 */
export type Worker = (key: string, signal: AbortSignal, lane: Lane) => Promise<WorkResult | undefined>;

/** Callbacks for metrics; each is called synchronously and must not throw. */
export interface QueueHooks {
  /** A key was added (also when it was already queued: this counts adds, not runs). */
  added?(key: string): void;
  /** The number of keys waiting to run (not counting delayed or running ones) changed. */
  depth?(depth: number): void;
  /** A key started running after waiting `waitedMs` in the queue. */
  started?(key: string, waitedMs: number): void;
  /** A key failed and will run again after `delayMs` (its `attempt`-th consecutive failure). */
  retried?(key: string, delayMs: number, attempt: number, error: unknown): void;
  /** A key's run (started with `started`) ended after `workedMs`, whatever its outcome. */
  finished?(key: string, workedMs: number): void;
}

/** With groups, at most this many workers in all (a cluster naming a hundred subscriptions must not get 400). */
export const MAX_WORKERS = 64;

/** How many workers a queue runs for a `concurrency` option: at least one, whole. */
export function workerCount(concurrency: number | undefined): number {
  return Math.max(1, Math.floor(concurrency ?? 1));
}

export interface WorkQueueOptions {
  /** How many keys run at the same time (different keys only), per group when `groupOf` is set. */
  concurrency?: number;
  /**
   * Optional: the group a key belongs to (the operator's: the key's Azure subscription). Each group
   * runs up to `concurrency` keys at once, and workers are added as groups appear (up to
   * `maxWorkers`): ARM's limits are per subscription, so one subscription's many keys, or keys
   * waiting for its budget, must not hold the workers another subscription's keys could use.
   */
  groupOf?: (key: string) => string;
  /** With `groupOf`: the most workers all groups together get (default MAX_WORKERS). */
  maxWorkers?: number;
  /** Delay between runs of a key that keeps failing. */
  backoff?: BackoffPolicy;
  hooks?: QueueHooks;
  /** Source of jitter; tests pass a fixed one. */
  random?: () => number;
}

export interface ShutdownResult {
  /** Keys still running when the deadline passed; their workers' signals were aborted. */
  abandoned: string[];
}

interface Delayed {
  dueAt: number;
  timer: NodeJS.Timeout;
}

/**
 * A deduplicating, rate-limited work queue with built-in workers.
 *
 * Expected flow:
 * 1. Watch events call `add(key)`, wakes from related objects `add(key, "related")`, resync passes
 *    `add(key, "resync")`; many adds of a queued key collapse into one run.
 * 2. `start(worker)` runs up to `concurrency` workers, each taking the oldest waiting key of the
 *    `change` lane, else of the `related` lane, and of the `resync` lane only when neither has one and fewer than
 *    `concurrency − 1` resync keys run (at least one): one worker is always left for changes, so a
 *    change never waits for a resync's read to end (a read may wait seconds for ARM budget). With
 *    more than one worker, the first takes resync keys first, so no lane starves.
 * 3. A worker's outcome schedules the key's next run: returning `{ requeueAfter }` runs it again after
 *    that many ms; returning nothing forgets it; throwing runs it again after an exponential backoff.
 * 4. `shutdown()` stops taking work and waits for running keys, abandoning them at the deadline.
 *
 * Guarantees:
 * - One entry per key: a key waits at most once (in one lane) and has at most one pending timer
 *   (the earliest wins).
 * - A key never runs in two workers at once. A key added while it runs is not lost: it runs once more
 *   after the current run ends, whatever the outcome of that run.
 * - A run supersedes timers set before it started: its own outcome decides the next run.
 * - Backoff is per key: the n-th consecutive failure waits `backoffDelay(n − 1)` (capped, jittered);
 *   a success (or `forget`) resets the count.
 * - Keys wait in FIFO order within a lane. A key waits in one lane only: an add in a lane served
 *   sooner moves it there (a change never waits behind a resync or a related wake).
 *
 * Caveats: state lives in memory only; a restarted process relies on the initial list to re-add keys.
 */
export class WorkQueue {
  /** Per group: its FIFO lines, and how many of its keys run now (of those, taken from the resync lane). */
  private readonly groups = new Map<string, Group>();
  /** The groups in the order workers look at them; each take starts after the group served last. */
  private readonly order: string[] = [];
  private nextGroup = 0;
  /** The lane and group each waiting key is in: the one truth about which keys wait. */
  private readonly queued = new Map<string, { lane: Lane; group: string }>();
  private readonly running = new Set<string>();
  /** The group each running key was taken from (its group may change while it runs). */
  private readonly runningIn = new Map<string, string>();
  /** Workers a group's resync keys may hold at once: all but one, so a change always finds one free. */
  private readonly resyncWorkers: number;
  private readonly groupOf: ((key: string) => string) | undefined;
  private readonly maxWorkers: number;
  private worker: Worker | undefined;
  /** Keys added while they ran, with the lane they go back to. */
  private readonly dirty = new Map<string, Lane>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  private readonly sleepers: Array<() => void> = [];
  private readonly workers: Promise<void>[] = [];
  private readonly abort = new AbortController();
  private readonly concurrency: number;
  private readonly backoff: BackoffPolicy;
  private readonly hooks: QueueHooks;
  private readonly random: () => number;
  private stopping = false;

  constructor(options: WorkQueueOptions = {}) {
    this.concurrency = workerCount(options.concurrency);
    this.resyncWorkers = Math.max(1, this.concurrency - 1);
    this.groupOf = options.groupOf;
    this.maxWorkers = Math.max(this.concurrency, workerCount(options.maxWorkers ?? MAX_WORKERS));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.hooks = options.hooks ?? {};
    this.random = options.random ?? Math.random;
  }

  /**
   * Marks `key` to run as soon as a worker is free.
   *
   * Guarantees: idempotent while the key waits (a `change` add moves a key waiting for a resync
   * ahead); a key that is running is run once more afterwards. Does nothing after `shutdown()`.
   */
  add(key: string, lane: Lane = "change"): void {
    if (this.stopping) return;
    this.hooks.added?.(key);
    this.enqueue(key, lane);
  }

  /**
   * Marks `key` to run after `delayMs` (at once when `delayMs` ≤ 0).
   *
   * Guarantees: a key has one timer; when one is already set for an earlier time, this does nothing,
   * otherwise it replaces it (a sooner run is never postponed).
   */
  addAfter(key: string, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueAt = Date.now() + delayMs;
    const current = this.delayed.get(key);
    if (current && current.dueAt <= dueAt) return;
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    // A forgotten queue must not keep the process alive; the watches are what keep it running.
    timer.unref();
    this.delayed.set(key, { dueAt, timer });
  }

  /**
   * Schedules `key` after its next backoff delay and counts a failure. Returns the delay.
   *
   * Guarantees: the n-th call since the last `forget(key)` waits `backoffDelay(n − 1)`.
   */
  addRateLimited(key: string, error?: unknown): number {
    const attempt = this.failures.get(key) ?? 0;
    this.failures.set(key, attempt + 1);
    const delay = backoffDelay(attempt, this.backoff, this.random);
    this.hooks.retried?.(key, delay, attempt + 1, error);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets `key`'s failure count, so its next failure starts the backoff over. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures of `key` since it last succeeded. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys waiting to run now (not delayed, not running). */
  get depth(): number {
    return this.queued.size;
  }

  /** Keys running now. */
  get active(): readonly string[] {
    return [...this.running];
  }

  /**
   * Starts `concurrency` workers running `worker`.
   *
   * Errors: throws if called twice or after `shutdown()`.
   */
  start(worker: Worker): void {
    if (this.worker || this.stopping) throw new Error("work queue already started or shut down");
    this.worker = worker;
    this.grow();
  }

  /** Starts the workers the groups seen so far need: `concurrency` per group, up to `maxWorkers`. */
  private grow(): void {
    const worker = this.worker;
    if (!worker || this.stopping) return;
    const wanted = Math.min(this.maxWorkers, this.concurrency * Math.max(1, this.groups.size));
    while (this.workers.length < wanted) {
      // With more than one worker, the first serves resyncs first: a steady stream of changes and
      // timers (10,000 blocked objects looking again every 30 s) must not starve a start-up pass.
      const order = this.workers.length === 0 && this.concurrency > 1 ? RESYNC_FIRST : LANES;
      this.workers.push(this.workLoop(worker, order));
    }
  }

  /**
   * Stops taking work, drops waiting and delayed keys, and waits for running keys to finish.
   *
   * Guarantees: no worker starts a key after this is called. Resolves when every running key finished,
   * or at `deadlineMs` (default: wait for ever), when the still-running keys' signals are aborted and
   * they are reported as abandoned (their workers may still be unwinding).
   */
  async shutdown(options: { deadlineMs?: number } = {}): Promise<ShutdownResult> {
    this.stopping = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const group of this.groups.values()) for (const lane of LANES) group.lines[lane].length = 0;
    this.queued.clear();
    this.dirty.clear();
    this.hooks.depth?.(0);
    for (const wake of this.sleepers.splice(0)) wake();
    const finished = Promise.all([...this.workers]).then(() => "finished" as const);
    if (options.deadlineMs === undefined) {
      await finished;
      return { abandoned: [] };
    }
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => {
      deadline = setTimeout(() => resolve("expired"), options.deadlineMs);
    });
    const outcome = await Promise.race([finished, expired]);
    clearTimeout(deadline);
    if (outcome === "finished") return { abandoned: [] };
    const abandoned = [...this.running];
    this.abort.abort(new Error("work queue shut down before this key finished"));
    return { abandoned };
  }

  private enqueue(key: string, lane: Lane): void {
    if (this.running.has(key)) {
      const dirty = this.dirty.get(key);
      this.dirty.set(key, dirty !== undefined && rank(dirty) < rank(lane) ? dirty : lane);
      return;
    }
    const current = this.queued.get(key);
    if (current !== undefined && rank(current.lane) <= rank(lane)) return;
    const name = current?.group ?? this.groupOf?.(key) ?? "";
    // New, or moving up to a lane served sooner: its old entry goes stale.
    this.queued.set(key, { lane, group: name });
    this.group(name).lines[lane].push(key);
    if (current === undefined) this.enqueuedAt.set(key, Date.now());
    this.hooks.depth?.(this.queued.size);
    this.sleepers.shift()?.();
  }

  private async workLoop(worker: Worker, order: readonly Lane[]): Promise<void> {
    for (;;) {
      const next = await this.nextKey(order);
      if (next === undefined) return;
      await this.run(next.key, next.lane, worker);
    }
  }

  private async nextKey(order: readonly Lane[]): Promise<{ key: string; lane: Lane } | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      for (const lane of order) {
        const key = this.take(lane);
        if (key === undefined) continue;
        this.hooks.depth?.(this.queued.size);
        return { key, lane };
      }
      await new Promise<void>((wake) => this.sleepers.push(wake));
    }
  }

  /**
   * The oldest key waiting in `lane` of the next group (round robin) that has a worker for it,
   * removed from the waiting set and counted in its group; stale entries are dropped on the way.
   * Costs one look per group, not per waiting key.
   */
  private take(lane: Lane): string | undefined {
    for (let i = 0; i < this.order.length; i++) {
      const name = this.order[(this.nextGroup + i) % this.order.length] as string;
      const group = this.group(name);
      if (this.full(group, lane)) continue;
      const line = group.lines[lane];
      for (let key = line.shift(); key !== undefined; key = line.shift()) {
        const waiting = this.queued.get(key);
        if (waiting?.lane !== lane || waiting.group !== name) continue;
        this.queued.delete(key);
        // Counted as it is taken: workers take keys before any of them starts running one.
        group.running++;
        if (lane === "resync") group.resyncs++;
        this.runningIn.set(key, name);
        this.nextGroup = (this.nextGroup + i + 1) % this.order.length;
        return key;
      }
    }
    return undefined;
  }

  /** The state of group `name`, made (and its workers started) on first use. */
  private group(name: string): Group {
    let group = this.groups.get(name);
    if (!group) {
      group = { running: 0, resyncs: 0, lines: { change: [], related: [], resync: [] } };
      this.groups.set(name, group);
      this.order.push(name);
      this.grow();
    }
    return group;
  }

  /** Whether `group` runs as many keys as it may, of any lane or (for `lane` resync) of resyncs. */
  private full(group: Group, lane: Lane): boolean {
    return group.running >= this.concurrency || (lane === "resync" && group.resyncs >= this.resyncWorkers);
  }

  private async run(key: string, lane: Lane, worker: Worker): Promise<void> {
    this.running.add(key);
    const timer = this.delayed.get(key);
    if (timer) {
      clearTimeout(timer.timer);
      this.delayed.delete(key);
    }
    const startedAt = Date.now();
    this.hooks.started?.(key, startedAt - (this.enqueuedAt.get(key) ?? startedAt));
    this.enqueuedAt.delete(key);
    try {
      const result = await worker(key, this.abort.signal, lane);
      this.forget(key);
      if (result?.requeueAfter !== undefined) this.addAfter(key, result.requeueAfter);
    } catch (error) {
      this.addRateLimited(key, error);
    } finally {
      this.running.delete(key);
      const group = this.groups.get(this.runningIn.get(key) ?? "");
      this.runningIn.delete(key);
      if (group) {
        group.running--;
        if (lane === "resync") group.resyncs--;
      }
      // A worker may be asleep with keys waiting for this slot of their group.
      if (this.queued.size > 0) this.sleepers.shift()?.();
      this.hooks.finished?.(key, Date.now() - startedAt);
      const again = this.dirty.get(key);
      this.dirty.delete(key);
      if (again && !this.stopping) this.enqueue(key, again);
    }
  }
}
