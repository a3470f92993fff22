// The benchmark's clock. The simulator stamps each request-log entry with its own real clock
// (performance.timeOrigin + performance.now(), tools/sim/clock.ts) when the clock mode is "real";
// reading the same sum here makes the two directly comparable, to the sub-millisecond.

/** Wall-clock milliseconds since the epoch, with sub-millisecond digits. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The inverse of the simulator's `formatArmTime` (`2024-08-26T09:52:23.518406+00:00`): Date.parse
 * stops at milliseconds, and the 7-digit fraction carries the rest.
 */
export function parseArmTime(text: string): number {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?\+00:00$/.exec(text);
  if (!match) return Date.parse(text);
  const whole = Date.parse(`${match[1]}Z`);
  const fraction = match[2] ? Number(`0.${match[2]}`) * 1000 : 0;
  return whole + fraction;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it returns something other than undefined, or until
 * `timeoutMs` passes (then resolves undefined: callers report what they saw, a benchmark does
 * not throw on a slow system).
 */
export async function pollUntil<T>(
  check: () => T | undefined,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T | undefined> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (nowMs() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}
