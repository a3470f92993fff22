// The bounds the invariants hold the operator to (docs/reliability.md explains each). Times are
// real milliseconds, which the simulator's real clock also counts; every Azure duration and rate
// window inside them is already shrunk by the simulator's time scale.
export const BOUNDS = {
  /** I1: after the last fault stops, everything agrees with its spec within this. */
  convergenceMs: 60_000,
  /** I4: a removed subscription, tenant or principal loses access within this of the edit (a share
   * already running on the gallery, 4.5 s; its own, 4.5 s; the PostShareGallery window, 18 s), plus
   * the time the operator itself could not act (down, API server frozen or restarting, an ARM
   * fault on the very request that revokes). */
  revocationMs: 30_000,
  /** I5: corrections of one fighting outside source (a policy that puts a tag back) the operator may send. */
  fightCorrections: 3,
  /** I5: writes per resource on top of 2 per spec change and 1 per outside change. */
  writeSlack: 2,
} as const;
