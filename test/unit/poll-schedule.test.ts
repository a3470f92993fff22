import { describe, expect, it } from "vitest";
import { firstPollMs, MIN_POLL_MS, nextPollMs } from "../../src/reconcilers/driver/poll-schedule.js";

describe("operation poll schedule", () => {
  it("polls a new operation when it usually ends, not after the whole interval", () => {
    expect(firstPollMs(500, 10_000)).toBe(500);
    // A simulated Azure ten times faster: its operations end ten times sooner.
    expect(firstPollMs(500, 1_000, 0.1)).toBe(50);
  });

  it("keeps the first poll between the floor and the interval; no hint waits the interval", () => {
    expect(firstPollMs(undefined, 10_000)).toBe(10_000);
    expect(firstPollMs(10, 10_000)).toBe(MIN_POLL_MS);
    expect(firstPollMs(60_000, 10_000)).toBe(10_000);
  });

  it("waits the operation's age again while it runs, up to the interval", () => {
    const polls = [500];
    while (polls.length < 8) {
      const at = polls.reduce((a, b) => a + b, 0);
      polls.push(nextPollMs(at, 10_000));
    }
    expect(polls).toEqual([500, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it("polls an operation of unknown age at the interval, and never below the floor", () => {
    expect(nextPollMs(Number.NaN, 10_000)).toBe(10_000);
    expect(nextPollMs(0, 10_000)).toBe(MIN_POLL_MS);
    expect(nextPollMs(0, 1_000, 0.1)).toBe(MIN_POLL_MS * 0.1);
  });
});
