// Counts requests over two trailing windows (3 and 30 minutes) with one array of timestamps and
// two read heads, so checking a bucket is O(1) amortized however busy it is.

export interface WindowCheck {
  allowed: boolean;
  remaining3Min: number;
  remaining30Min: number;
  /** Set when refused: which window is full and when its oldest request leaves it. */
  exhausted?: { window: "3Min" | "30Min"; oldestAt: number; retryAfterMs: number; measured: number };
}

export class SlidingWindowCounter {
  private times: number[] = [];
  private head3 = 0;
  private head30 = 0;

  constructor(
    private readonly window3Ms: number,
    private readonly window30Ms: number,
  ) {}

  /**
   * Counts a request at `now` if both windows have room. A refused request is not counted, so a
   * client that waits `retryAfterMs` is let through, as the `Retry-After` header promises.
   */
  take(now: number, limit3: number, limit30: number): WindowCheck {
    this.expire(now);
    const count3 = this.times.length - this.head3;
    const count30 = this.times.length - this.head30;
    if (count3 >= limit3)
      return this.refuse("3Min", this.head3, this.window3Ms, now, count3, count30, limit3, limit30);
    if (count30 >= limit30)
      return this.refuse("30Min", this.head30, this.window30Ms, now, count3, count30, limit3, limit30);
    this.times.push(now);
    return { allowed: true, remaining3Min: limit3 - count3 - 1, remaining30Min: limit30 - count30 - 1 };
  }

  /** Remaining counts without taking one (for headers on refused requests of other buckets). */
  peek(now: number, limit3: number, limit30: number): { remaining3Min: number; remaining30Min: number } {
    this.expire(now);
    return {
      remaining3Min: Math.max(0, limit3 - (this.times.length - this.head3)),
      remaining30Min: Math.max(0, limit30 - (this.times.length - this.head30)),
    };
  }

  private refuse(
    window: "3Min" | "30Min",
    head: number,
    windowMs: number,
    now: number,
    count3: number,
    count30: number,
    limit3: number,
    limit30: number,
  ): WindowCheck {
    const oldestAt = this.times[head] ?? now;
    return {
      allowed: false,
      remaining3Min: Math.max(0, limit3 - count3),
      remaining30Min: Math.max(0, limit30 - count30),
      exhausted: {
        window,
        oldestAt,
        retryAfterMs: Math.max(0, oldestAt + windowMs - now),
        measured: (window === "3Min" ? count3 : count30) + 1,
      },
    };
  }

  private expire(now: number): void {
    const times = this.times;
    while (this.head30 < times.length && (times[this.head30] ?? 0) <= now - this.window30Ms) this.head30++;
    if (this.head3 < this.head30) this.head3 = this.head30;
    while (this.head3 < times.length && (times[this.head3] ?? 0) <= now - this.window3Ms) this.head3++;
    // Drop the expired prefix now and then rather than shifting on every request.
    if (this.head30 > 4096 && this.head30 * 2 > times.length) {
      this.times = times.slice(this.head30);
      this.head3 -= this.head30;
      this.head30 = 0;
    }
  }
}
