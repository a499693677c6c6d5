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

// --- Client addresses as rate-limit keys ------------------------------------------------------------

const V4_OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const V4 = new RegExp(`^${V4_OCTET}(?:\\.${V4_OCTET}){3}$`);

/** The eight 16-bit groups of an IPv6 address ("2001:db8::1", "::ffff:192.0.2.1"), or null for anything else. */
export function parseIPv6(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const tail: number[] = [];
  if (s.includes(".")) {
    const cut = s.lastIndexOf(":");
    const v4 = s.slice(cut + 1);
    if (cut < 0 || !V4.test(v4)) return null;
    const [a, b, c, d] = v4.split(".").map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    s = s.slice(0, cut + 1);
    // "::1.2.3.4" leaves "::", "::ffff:1.2.3.4" leaves "::ffff:"; a single trailing ":" is not "::".
    if (s.endsWith(":") && !s.endsWith("::")) s = s.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === "") return [];
    const parts = part.split(":");
    return parts.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? parts.map((g) => parseInt(g, 16)) : null;
  };
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !rest) return null;
  const fill = 8 - tail.length - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...rest, ...tail];
}

/**
 * The key a client address is counted under by the per-address limits. An IPv4 address as it is.
 * An IPv6 address by its /64 ("2001:db8:1:2::/64"): a client is given a whole /64 and could take a
 * new address in it for every attempt. An IPv4-mapped IPv6 address (::ffff:192.0.2.1, as a
 * dual-stack socket reports an IPv4 client) as the IPv4 address. A zone id or the brackets of
 * "[2001:db8::1]:443" are dropped first; anything that is not an address is returned unchanged.
 */
export function clientAddressKey(ip: string): string {
  let s = ip.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1];
  s = s.replace(/%.*$/, "");
  if (V4.test(s)) return s;
  const g = parseIPv6(s);
  if (!g) return ip;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join(".");
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(":")}::/64`;
}
