/**
 * A sliding-window rate limiter (pure: the caller passes the time). Used to limit login and
 * signup attempts per client address (never per email alone, which would let anyone lock a known
 * account out).
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
    return {
      allowed,
      remaining: Math.max(0, this.limit - recent.length),
      retryAfterMs: allowed ? 0 : recent[0] + this.windowMs - now,
    };
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

/**
 * A token bucket per key (pure: the caller passes the time): `perMinute` requests a minute on
 * average, bursts up to `burst`. O(1) per hit, for the public API where limits are high.
 */
export class TokenBucketLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perMinute: number,
    readonly burst: number = perMinute,
    private readonly maxKeys = 100_000,
  ) {}

  hit(key: string, now: number): RateDecision {
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    // A clock that steps back refills nothing (as the shared store does: max(0, now - at)).
    b.tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) * rate);
    b.at = Math.max(b.at, now);
    if (this.buckets.size >= this.maxKeys && !this.buckets.has(key)) this.prune(now);
    this.buckets.set(key, b);
    if (b.tokens < 1) return { allowed: false, remaining: 0, retryAfterMs: Math.ceil((1 - b.tokens) / rate) };
    b.tokens -= 1;
    return { allowed: true, remaining: Math.floor(b.tokens), retryAfterMs: 0 };
  }

  private prune(now: number): void {
    const full = this.burst / (this.perMinute / 60_000);
    for (const [key, b] of this.buckets) if (now - b.at > full) this.buckets.delete(key);
  }
}
