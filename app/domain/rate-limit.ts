/**
 * A sliding-window rate limiter (pure: the caller passes the time). Used to limit login and
 * signup attempts per client address and per email.
 */
export interface RateDecision {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

export class SlidingWindowLimiter {
  private hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Records an attempt for `key` at `now` and says whether it is within the limit. */
  hit(key: string, now: number): RateDecision {
    const recent = this.recent(key, now);
    if (recent.length >= this.limit) {
      return { allowed: false, remaining: 0, retryAfterMs: recent[0] + this.windowMs - now };
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) this.prune(now);
    return { allowed: true, remaining: this.limit - recent.length, retryAfterMs: 0 };
  }

  /** Checks without recording. */
  peek(key: string, now: number): RateDecision {
    const recent = this.recent(key, now);
    const allowed = recent.length < this.limit;
    return { allowed, remaining: Math.max(0, this.limit - recent.length), retryAfterMs: allowed ? 0 : recent[0] + this.windowMs - now };
  }

  reset(key?: string): void {
    if (key === undefined) this.hits.clear();
    else this.hits.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }

  private prune(now: number): void {
    for (const [key, times] of this.hits) {
      if (!times.some((t) => t > now - this.windowMs)) this.hits.delete(key);
    }
  }
}
