/**
 * The rules of a lease (decision record 031), pure: the caller passes the time. A lease names
 * something only one process at a time may do (a background worker, a publication run); its
 * holder keeps it by renewing it before it expires, and any process may take it once it has.
 */
export interface LeaseState {
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}

export type LeaseDecision =
  | { take: true; lease: LeaseState; kind: "new" | "renewed" | "taken-over" }
  | { take: false; holder: string; expiresAt: number };

/**
 * Whether `me` may hold the lease now, and until when: free, mine (renewed), expired (taken over),
 * or held by a process known to be gone (`holderGone`: on this host, and its pid no longer runs),
 * taken over at once rather than after its expiry.
 */
export function decideLease(
  current: LeaseState | null,
  me: string,
  now: number,
  ttlMs: number,
  holderGone = false,
): LeaseDecision {
  if (!(ttlMs > 0)) throw new RangeError("A lease's duration must be positive");
  if (!current) return { take: true, kind: "new", lease: { holder: me, acquiredAt: now, expiresAt: now + ttlMs } };
  if (current.holder === me)
    // A renewal never shortens the lease (a clock that stepped back does not free it early).
    return {
      take: true,
      kind: "renewed",
      lease: { holder: me, acquiredAt: current.acquiredAt, expiresAt: Math.max(current.expiresAt, now + ttlMs) },
    };
  if (current.expiresAt <= now || holderGone)
    return { take: true, kind: "taken-over", lease: { holder: me, acquiredAt: now, expiresAt: now + ttlMs } };
  return { take: false, holder: current.holder, expiresAt: current.expiresAt };
}

/**
 * Whether a holder may still act on its lease at `now`: up to `marginMs` before it expires, so
 * that a tick started at the last moment never overlaps the next holder's first (the margin
 * covers the time between this check and the work, and clock drift between processes).
 */
export function mayAct(expiresAt: number | null, now: number, marginMs: number): boolean {
  return expiresAt !== null && now < expiresAt - marginMs;
}

/** How often a holder renews a lease of `ttlMs`: three times per duration, so two failed renewals still leave time. */
export function renewEveryMs(ttlMs: number): number {
  return Math.max(1, Math.floor(ttlMs / 3));
}

/** A holder's name: `<host>:<pid>:<random>` (the random part, because a pid is reused once its process is gone). */
export function holderName(host: string, pid: number, random: string): string {
  return `${host}:${pid}:${random}`;
}

/** The host and pid in a holder's name; null for a name of another form. */
export function parseHolder(holder: string): { host: string; pid: number } | null {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(holder);
  return m ? { host: m[1], pid: Number(m[2]) } : null;
}
