// ARM's subscription throttling since 2024: a token bucket that refills continuously.

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes one token; returns the whole tokens left, or the wait until one is available. */
  take(now: number): { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number } {
    this.refill(now);
    if (this.tokens < 1) {
      const retryAfterMs =
        this.refillPerMs > 0 ? (1 - this.tokens) / this.refillPerMs : Number.POSITIVE_INFINITY;
      return { allowed: false, retryAfterMs };
    }
    this.tokens -= 1;
    return { allowed: true, remaining: Math.floor(this.tokens) };
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerMs);
      this.updatedAt = now;
    }
  }
}
