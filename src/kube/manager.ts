// Runs controllers for the life of the process: only while this replica leads, and stopped cleanly
// (work drained, lease released) when the process is asked to stop.
import type { Logger } from "pino";
import { type LeaderElectionOptions, LeaderElector, type StepDownReason, TermEnded } from "./leader.js";
import type { ShutdownResult } from "./queue.js";

/** What the manager runs; `Controller` is one. */
export interface Runnable {
  readonly name: string;
  start(signal?: AbortSignal): Promise<void>;
  stop(options?: { deadlineMs?: number }): Promise<ShutdownResult>;
}

export interface ManagerOptions {
  controllers: Runnable[];
  logger: Logger;
  /** Without it, this replica always leads (a single replica, or local development). */
  leaderElection?: Omit<LeaderElectionOptions, "onStartedLeading" | "onStoppedLeading" | "logger">;
  /**
   * How long stopping (SIGTERM) waits for running reconciles before aborting their signals. Keep it
   * shorter than the lease (15 s): renewals stop with the signal, and another replica may lead once
   * the lease expired. A lost lease does not wait at all.
   */
  shutdownDeadlineMs?: number;
  /** Told when this replica starts or stops leading (readiness, metrics). */
  onLeadingChanged?(leading: boolean): void;
}

/** Below the 15 s lease less a 2 s renew period: the drain ends before another replica may lead. */
const DEFAULT_SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Runs `controllers` while leading, until `signal` aborts or leadership is lost.
 *
 * Expected flow:
 * 1. Stand for election (or skip it when `leaderElection` is unset).
 * 2. On winning: start every controller (caches sync, then reconciles run).
 * 3. On `signal` (SIGTERM): stop every controller — no new reconciles, running ones get
 *    `shutdownDeadlineMs` — then release the lease so another replica takes over at once.
 * 4. On losing the lease: stop every controller at once (running reconciles' signals abort now,
 *    so no ARM write starts after the loss; another replica may already lead), without releasing.
 *
 * Guarantees: controllers never run on a replica that is not leading, and they are stopped before the
 * lease is released. Resolves with why it ended: "cancelled" (exit 0) or "lost" (exit non-zero and let
 * the pod restart, as client-go recommends, since caches and queues cannot be trusted to resume).
 */
export async function runManager(options: ManagerOptions, signal: AbortSignal): Promise<StepDownReason> {
  const { controllers, logger } = options;
  const deadlineMs = options.shutdownDeadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
  const lead = async (leading: AbortSignal): Promise<void> => {
    options.onLeadingChanged?.(true);
    try {
      await Promise.all(controllers.map((c) => c.start(leading)));
    } catch (err) {
      // Only an abort of `leading` rejects start: leadership ended before the caches synced.
      if (!leading.aborted) throw err;
    }
    if (!leading.aborted)
      await new Promise((resolve) => leading.addEventListener("abort", resolve, { once: true }));
    const lost = leading.reason instanceof TermEnded && leading.reason.reason === "lost";
    await Promise.all(controllers.map((c) => c.stop({ deadlineMs: lost ? 0 : deadlineMs })));
    options.onLeadingChanged?.(false);
  };
  if (!options.leaderElection) {
    await lead(signal);
    return "cancelled";
  }
  let ended: StepDownReason = "cancelled";
  const elector = new LeaderElector({
    ...options.leaderElection,
    logger,
    onStartedLeading: lead,
    onStoppedLeading: (reason) => {
      ended = reason;
    },
  });
  await elector.run(signal);
  return ended;
}

/**
 * An AbortSignal that aborts on the first of `signals` (SIGTERM, SIGINT by default).
 *
 * Guarantees: a second signal after the first is left to Node's default (so a stuck shutdown can
 * still be killed with another Ctrl-C).
 */
export function abortOnSignals(signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    for (const s of signals) process.off(s, onSignal);
    controller.abort(new Error(`received ${name}`));
  };
  for (const s of signals) process.once(s, onSignal);
  return controller.signal;
}
