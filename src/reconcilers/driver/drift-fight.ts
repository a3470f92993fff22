// Fights with another writer are detected, not fought (docs/runtime.md, "Drift"). Something
// outside the operator that keeps setting a field back (an Azure Policy `modify` effect, a
// pipeline, a person in the portal) would otherwise meet a PUT after every resync or poll, each
// spending the subscription's write quota that every other gallery of that subscription needs.
//
// A field counts as corrected when the operator writes the same value to it again for the same
// spec generation: it had written it, and Azure went back. Each field may be corrected
// FIGHT_CORRECTIONS times per FIGHT_WINDOW_MS; the next difference stops the writes for that
// object (Ready=False, reason DriftFight) until the spec changes, Azure comes back to the spec by
// itself, or the window has passed since the last write of that field.
import type { FieldDifference } from "./arm-kind.js";

/** Corrections of one field per window; the first write of a generation is not one. */
export const FIGHT_CORRECTIONS = 1;

/** How long a write of a field is remembered. One hour: a policy fight costs at most one PUT an hour. */
export const FIGHT_WINDOW_MS = 60 * 60_000;

/** One accepted write: the fields it set and when. */
interface Write {
  keys: string[];
  at: number;
}

interface Remembered {
  generation: number;
  writes: Write[];
}

/** One field and the correction the operator would have to repeat. */
export interface Fight {
  field: FieldDifference;
  /** Corrections of it already made within the window. */
  corrections: number;
  /** When the window of its oldest remembered write ends: a correction is allowed again then. */
  retryAt: number;
}

/**
 * What the operator wrote, per object, for its current generation.
 * Guarantees: memory per object is bounded by its writes in one window; objects with no write in
 * the window are dropped on the next `wrote`; a new generation starts afresh.
 * Caveats: in memory only; a restarted operator may correct each field once more.
 */
export class FightTracker {
  private readonly objects = new Map<string, Remembered>();

  constructor(
    private readonly corrections = FIGHT_CORRECTIONS,
    private readonly windowMs = FIGHT_WINDOW_MS,
  ) {}

  /** The first field of `fields` that this write would correct once too often, if any. */
  check(uid: string, generation: number, fields: readonly FieldDifference[], now: number): Fight | undefined {
    const record = this.current(uid, generation, now);
    if (!record) return undefined;
    for (const field of fields) {
      if (field.shared) continue;
      const earlier = record.writes.filter((w) => w.keys.includes(fieldKey(field)));
      // The first write set it; each later one corrected it.
      const corrections = earlier.length - 1;
      if (corrections >= this.corrections) {
        return { field, corrections, retryAt: (earlier[0]?.at ?? now) + this.windowMs };
      }
    }
    return undefined;
  }

  /** Remembers an accepted write of `fields`. */
  wrote(uid: string, generation: number, fields: readonly FieldDifference[], now: number): void {
    this.sweep(now);
    const record = this.current(uid, generation, now) ?? { generation, writes: [] };
    record.writes.push({ keys: fields.map(fieldKey), at: now });
    this.objects.set(uid, record);
  }

  /** Forgets the last write of `uid`: its operation failed, so Azure never took the values. */
  undoLast(uid: string): void {
    this.objects.get(uid)?.writes.pop();
  }

  /** Forgets an object (deleted). */
  forget(uid: string): void {
    this.objects.delete(uid);
  }

  /** Objects remembered (for tests of the memory bound). */
  get size(): number {
    return this.objects.size;
  }

  private current(uid: string, generation: number, now: number): Remembered | undefined {
    const record = this.objects.get(uid);
    if (!record || record.generation !== generation) return undefined;
    record.writes = record.writes.filter((w) => w.at > now - this.windowMs);
    return record;
  }

  private sweep(now: number): void {
    for (const [uid, record] of this.objects) {
      if (!record.writes.some((w) => w.at > now - this.windowMs)) this.objects.delete(uid);
    }
  }
}

function fieldKey(field: FieldDifference): string {
  return `${field.field}\u0000${field.want ?? ""}`;
}
