// What the campaign did and when (virtual time of the simulator, ms): the timeline printed per
// schedule, and the facts the invariants need to tell a justified ARM write from a wrong one.

export interface Interval {
  from: number;
  to: number;
  what: string;
  /** For ARM faults: the path pattern (case-insensitive) and method it hit. */
  path?: string;
  method?: string;
}

export interface Revocation {
  at: number;
  /** Lower-case ARM id of the gallery. */
  gallery: string;
  type: "subscription" | "tenant" | "principal";
  id: string;
  /**
   * Set when the user applied the sharing again later (sim ms): access may come back then, so the
   * first loss of access counts, not only a loss for good.
   */
  regrantedAt?: number;
}

export interface OutsideChange {
  at: number;
  /** Lower-case ARM id (or the gallery's id for a sharing change). */
  resource: string;
  what: string;
  /** Part of something that keeps changing it back (an Azure Policy modify effect). */
  fight: boolean;
}

export interface Journal {
  startedAt: number;
  actionEndedAt: number;
  timeline: { at: number; text: string }[];
  /** Spec changes, creations and deletions the user made: `key` of the object, when. */
  edits: { at: number; key: string }[];
  outside: OutsideChange[];
  revocations: Revocation[];
  /** Times the operator could not act: down, API server frozen or restarting, ARM faults. */
  blockers: Interval[];
  /** Ids of share operations someone else started (they are not the operator's writes). */
  outsideOperations: Set<string>;
  /** Role assignments created by someone else at a gallery's scope (lower-case ids). */
  foreignRoleAssignments: string[];
  /** Role assignment id (lower case) -> principal, from the simulator's state as it went. */
  rolePrincipals: Map<string, string>;
  /** Marks left by an intruder in Azure, as sampled (I6): gallery id -> first time seen. */
  intruderMarks: Map<string, number>;
  faultsByType: Record<string, number>;
  operatorStarts: number;
}

export function newJournal(now: number): Journal {
  return {
    startedAt: now,
    actionEndedAt: now,
    timeline: [],
    edits: [],
    outside: [],
    revocations: [],
    blockers: [],
    outsideOperations: new Set(),
    foreignRoleAssignments: [],
    rolePrincipals: new Map(),
    intruderMarks: new Map(),
    faultsByType: {},
    operatorStarts: 0,
  };
}

export function countFault(journal: Journal, type: string): void {
  journal.faultsByType[type] = (journal.faultsByType[type] ?? 0) + 1;
}
