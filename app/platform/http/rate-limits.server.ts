/**
 * Per-address rate limits of the public, anonymous surface: the machine API (PUBLIC_API_PER_MINUTE)
 * and the public pages that do real work for anyone, the seal pages /s/<serial> and /verify, which
 * parses uploaded PDFs (PUBLIC_PAGE_PER_MINUTE). A token bucket per client address each. With
 * WEB_CONCURRENCY > 1 the buckets are kept in DATA_DIR/rate-limits.db so that every process of the
 * server counts against the same ones (decision record 031); a server of one process keeps them in
 * its memory, the same arithmetic without a write per request (the seal API's hot path: a fifth of
 * its CPU went to that write). Either way no count is lost: one process is the only one counting.
 */
import { nowMs } from "../clock.server";
import { getEnv } from "../env.server";
import { hitTokenBucket, pruneRateLimits } from "../rate-limit-store.server";
import { TokenBucketLimiter, type RateDecision } from "../rate-limit";

export type PublicLimit = "api" | "page";

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

/** The buckets of a one-process server, by kind and limit (a changed limit starts afresh). */
const local = new Map<string, TokenBucketLimiter>();

function hitBucket(kind: PublicLimit, ip: string, perMinute: number, shared: boolean): RateDecision {
  if (shared) return hitTokenBucket(`${kind}:${ip}`, perMinute, nowMs());
  const key = `${kind}:${perMinute}`;
  let limiter = local.get(key);
  if (!limiter) local.set(key, (limiter = new TokenBucketLimiter(perMinute)));
  return limiter.hit(ip, nowMs());
}

/** Counts one request from `ip` against the limit of its kind. */
export function hitPublicLimit(kind: PublicLimit, ip: string): LimitDecision {
  const env = getEnv();
  const perMinute = kind === "api" ? env.publicApiPerMinute : env.publicPagePerMinute;
  const d = hitBucket(kind, ip, perMinute, env.webConcurrency > 1);
  if (d.allowed) return { allowed: true };
  const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
  return {
    allowed: false,
    retryAfterSeconds: seconds,
    message: `Too many requests from your address; try again in ${seconds} s.`,
  };
}

/**
 * For the loaders and actions of the public pages: throws a 429 with Retry-After and a message
 * (pages show it on their error page, resource routes answer the JSON) when the address is over.
 */
export function requireWithinPageLimit(context: { ip: string }): void {
  const d = hitPublicLimit("page", context.ip);
  if (d.allowed) return;
  throw new Response(JSON.stringify({ message: d.message }), {
    status: 429,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "Retry-After": String(d.retryAfterSeconds),
    },
  });
}

/** A bucket untouched this long is full again (a burst of a minute's worth refills in a minute); an attempt older is out of every window. */
const IDLE_MS = 60_000;

/** Deletes the counters that no longer count (every minute, by the process holding the lease). */
export function pruneRateLimitCounters(): { buckets: number; hits: number } {
  return pruneRateLimits(nowMs(), IDLE_MS, IDLE_MS);
}
