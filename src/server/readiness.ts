// Whether this replica is ready, computed from two facts the operator reports: its leadership and
// which controllers' caches have synced. Kept apart from the HTTP server so the rule is tested alone.

/** Where this replica stands in leader election. "unknown": it has not found out yet. */
export type Leadership = "leader" | "standby" | "unknown";

/** The answer `/readyz` serves: `detail` says why, in words an operator reads in `kubectl describe`. */
export interface Readiness {
  ready: boolean;
  detail: string;
}

/**
 * The readiness of one operator replica.
 *
 * Expected flow:
 * 1. At start-up: `expectControllers([...names])`; leadership is "unknown", so not ready.
 * 2. When the elector answers: `leadership("standby")` (ready) or `leadership("leader")`.
 * 3. As each controller's `start()` resolves (its caches synced): `cachesSynced(name)`.
 * 4. `/readyz` calls `check()`.
 *
 * Rule: ready = leader with every expected controller's caches synced, OR standby.
 * Why a standby is ready: it is healthy and waiting to take over, and it runs no controllers (so it has
 * no caches to sync). Reporting it unready would block a Deployment's rolling update — the new pod
 * stays standby while the old one holds the lease — and would drop standbys from the metrics Service.
 *
 * Guarantees:
 * - A leader with no expected controllers is ready (nothing to sync).
 * - Leaving "leader" forgets which caches synced: a replica that leads again restarts its controllers,
 *   and must not look ready before their fresh caches sync.
 * - `check()` is pure: it only reads the state.
 */
export class ReadinessState {
  private expected: readonly string[] = [];
  private readonly synced = new Set<string>();
  private state: Leadership = "unknown";

  /** Sets the controllers whose caches must sync before a leader is ready (replaces any earlier list). */
  expectControllers(names: readonly string[]): void {
    this.expected = [...names];
  }

  /** Records that `controllerName`'s caches synced (its `start()` resolved). */
  cachesSynced(controllerName: string): void {
    this.synced.add(controllerName);
  }

  /** Records this replica's leadership as it changes. */
  leadership(state: Leadership): void {
    if (this.state === "leader" && state !== "leader") this.synced.clear();
    this.state = state;
  }

  /** Whether this replica is ready now, and why (or why not). */
  check(): Readiness {
    switch (this.state) {
      case "unknown":
        return { ready: false, detail: "leader election has not answered yet" };
      case "standby":
        return { ready: true, detail: "standby: healthy, waiting to lead" };
      case "leader": {
        const waiting = this.expected.filter((name) => !this.synced.has(name));
        if (waiting.length > 0)
          return { ready: false, detail: `leader: caches not synced: ${waiting.join(", ")}` };
        return { ready: true, detail: `leader: caches synced (${this.expected.length} controllers)` };
      }
    }
  }
}
