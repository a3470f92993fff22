// The long-running operation engine. An operation is a record with a due time on the virtual
// clock; `settle(now)` finishes every operation that is due, oldest first, by handing it to the
// completion function. Nothing runs in the background, so the simulator is deterministic under a
// manual clock and costs nothing while idle.
import { randomUUID } from "node:crypto";
import type { OperationRecord } from "../state/model.js";
import type { Store } from "../state/store.js";

export type OperationStart = Omit<OperationRecord, "id" | "status" | "endAt" | "error">;

/** Finished operations kept for status polls; older ones are forgotten first. */
const RETAINED_OPERATIONS = 20_000;

export class OperationEngine {
  private readonly pending = new Set<OperationRecord>();
  private nextDueAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly store: Store,
    private readonly complete: (operation: OperationRecord, at: number) => void,
  ) {}

  /** Records a new operation in progress and schedules its completion at `dueAt`. */
  start(fields: OperationStart): OperationRecord {
    const operation: OperationRecord = { id: randomUUID(), status: "InProgress", ...fields };
    this.store.operations.set(operation.id, operation);
    this.pending.add(operation);
    this.nextDueAt = Math.min(this.nextDueAt, operation.dueAt);
    this.forgetOldOperations();
    return operation;
  }

  /** Moves the due time of a pending operation (replication faults shorten or end it early). */
  reschedule(operation: OperationRecord, dueAt: number): void {
    operation.dueAt = dueAt;
    this.recomputeNextDue();
  }

  /**
   * Completes, in due order, every pending operation due at or before `now`.
   * Returns how many completed (0 means the state did not change).
   */
  settle(now: number): number {
    let completed = 0;
    while (this.nextDueAt <= now) {
      let earliest: OperationRecord | undefined;
      for (const operation of this.pending)
        if (!earliest || operation.dueAt < earliest.dueAt) earliest = operation;
      if (!earliest || earliest.dueAt > now) break;
      this.pending.delete(earliest);
      this.complete(earliest, earliest.dueAt);
      completed++;
      this.recomputeNextDue();
    }
    return completed;
  }

  /** Operations still running. */
  running(): OperationRecord[] {
    return [...this.pending];
  }

  /** Re-reads pending operations after the store was restored or cleared. */
  reload(): void {
    this.pending.clear();
    for (const operation of this.store.operations.values()) {
      if (operation.status === "InProgress") this.pending.add(operation);
    }
    this.recomputeNextDue();
  }

  private recomputeNextDue(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const operation of this.pending) next = Math.min(next, operation.dueAt);
    this.nextDueAt = next;
  }

  private forgetOldOperations(): void {
    const operations = this.store.operations;
    if (operations.size <= RETAINED_OPERATIONS) return;
    for (const [id, operation] of operations) {
      if (operations.size <= RETAINED_OPERATIONS) break;
      if (operation.status !== "InProgress") operations.delete(id);
    }
  }
}
