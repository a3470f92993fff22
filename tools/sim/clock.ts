// Virtual time. Every duration, replication progress and rate-limit window in the simulator is
// measured on this clock, so a test can freeze it ("manual") and step it, and nothing depends on
// timers firing: state is computed from the clock whenever a request arrives.

export type ClockMode = "real" | "manual";

export interface Clock {
  readonly mode: ClockMode;
  /** Milliseconds since the epoch, possibly fractional (the real clock keeps sub-ms digits). */
  now(): number;
  /** Moves time forward by `ms` (both modes; on the real clock it adds a lasting offset). */
  advance(ms: number): number;
}

class RealClock implements Clock {
  readonly mode = "real" as const;
  private offset = 0;
  now(): number {
    return performance.timeOrigin + performance.now() + this.offset;
  }
  advance(ms: number): number {
    this.offset += Math.max(0, ms);
    return this.now();
  }
}

class ManualClock implements Clock {
  readonly mode = "manual" as const;
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): number {
    this.current += Math.max(0, ms);
    return this.current;
  }
}

/** A clock of the given mode; a manual clock starts at `start` (default: the real time now). */
export function createClock(mode: ClockMode, start = Date.now()): Clock {
  return mode === "manual" ? new ManualClock(Math.floor(start)) : new RealClock();
}

/**
 * Formats a time the way the Compute RP does (.NET round-trip format with trailing zeros of
 * the 7-digit fraction dropped and an explicit +00:00 offset), e.g. `2024-08-26T09:52:23.518406+00:00`.
 */
export function formatArmTime(ms: number): string {
  const wholeSecondsMs = Math.floor(ms / 1000) * 1000;
  const seconds = new Date(wholeSecondsMs).toISOString().slice(0, 19);
  const ticks = Math.min(9_999_999, Math.round((ms - wholeSecondsMs) * 10_000));
  const fraction = String(ticks).padStart(7, "0").replace(/0+$/, "");
  return `${seconds}${fraction ? `.${fraction}` : ""}+00:00`;
}

/**
 * A UTC time the way ARM's gateway prints it in token messages (.NET's en-US general format):
 * `11/24/2025 11:31:00 PM`.
 */
export function formatGatewayTime(ms: number): string {
  const d = new Date(ms);
  const hour = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${hour}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? "AM" : "PM"}`;
}

/** .NET ticks (100 ns since 0001-01-01): the `t` parameter of signed operation URLs. */
export function dotnetTicks(ms: number): string {
  const epochTicks = 621_355_968_000_000_000n;
  return (epochTicks + BigInt(Math.floor(ms)) * 10_000n).toString();
}
