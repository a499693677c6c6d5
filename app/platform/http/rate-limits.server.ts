/**
 * Per-address rate limits of the public, anonymous surface: the machine API (PUBLIC_API_PER_MINUTE)
 * and the public pages that do real work for anyone, the seal pages /s/<serial> and /verify, which
 * parses uploaded PDFs (PUBLIC_PAGE_PER_MINUTE). A token bucket per client address each. With
 * WEB_CONCURRENCY > 1 the buckets are kept in DATA_DIR/rate-limits.db so that every process of the
 * server counts against the same ones (decision record 031); a server of one process keeps them in
 * its memory, the same arithmetic without a write per request (the seal API's hot path: a fifth of
 * its CPU went to that write). Either way no count is lost: one process is the only one counting.
 * Bulk checks also have a budget counted in rows (hitBulkRowBudget), per organisation or address.
 * An address is counted under clientAddressKey (an IPv6 client by its /64, which it holds whole).
 */
import { nowMs } from "../clock.server";
import { getEnv } from "../env.server";
import { hitTokenBucket, pruneRateLimits } from "../rate-limit-store.server";
import { clientAddressKey, TokenBucketLimiter, type RateDecision } from "../rate-limit";

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
  const d = hitBucket(kind, clientAddressKey(ip), perMinute, env.webConcurrency > 1);
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
      // The seal's credential and PDF are fetched by browser verifiers on other origins: they may read why.
      "Access-Control-Allow-Origin": "*",
    },
  });
}

// --- Bulk checks: a budget counted in rows ---------------------------------------------------------

/**
 * Who a bulk check's rows are counted against: a retail organisation (the bulk check page, and the
 * API with one of its tokens), or a client address (the anonymous API).
 */
export type BulkRowHolder = { organizationId: string } | { ip: string };

const BULK_ROWS_PREFIX = "bulk-rows:";
const HOUR_MS = 3_600_000;

export type BulkRowDecision =
  | { allowed: true; remaining: number }
  | {
      allowed: false;
      /** 429 (wait, or send fewer rows) or 413 (the file is larger than the whole hour's budget: never). */
      status: 429 | 413;
      /** Rows the holder may check now. */
      remaining: number;
      /** When `rows` fit again (429 only). */
      retryAfterSeconds?: number;
      message: string;
    };

/** "45 s", "12 min", "2 h 5 min". */
function inWords(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const count = (n: number) => `${n.toLocaleString("en")} row${n === 1 ? "" : "s"}`;

/**
 * Counts a bulk check of `rows` rows against its holder's budget: BULK_ROWS_PER_HOUR rows, refilled
 * evenly over the hour (a token bucket of rows: a whole hour's worth may be used at once). All or
 * nothing: a refused check costs no row. Kept in the shared counters (rate-limit-store.server.ts)
 * whatever WEB_CONCURRENCY is, so every process counts against the same budget: a bulk check is
 * heavy enough that one write more does not count.
 */
export function hitBulkRowBudget(holder: BulkRowHolder, rows: number): BulkRowDecision {
  const perHour = getEnv().bulkRowsPerHour;
  const whose = "organizationId" in holder ? "your organisation" : "your address";
  const key = "organizationId" in holder ? `org:${holder.organizationId}` : `ip:${clientAddressKey(holder.ip)}`;
  if (rows > perHour)
    return {
      allowed: false,
      status: 413,
      remaining: perHour,
      message: `This file has ${count(rows)}; bulk checks are limited to ${count(perHour)} an hour for ${whose}: split it into files of at most ${perHour.toLocaleString("en")} rows.`,
    };
  const now = nowMs();
  const d = hitTokenBucket(`${BULK_ROWS_PREFIX}${key}`, perHour / 60, now, perHour, rows);
  if (d.allowed) return { allowed: true, remaining: d.remaining };
  const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
  const at = new Date(now + seconds * 1000).toISOString().slice(11, 16);
  return {
    allowed: false,
    status: 429,
    remaining: d.remaining,
    retryAfterSeconds: seconds,
    message: `Bulk checks are limited to ${count(perHour)} an hour for ${whose}: ${count(d.remaining)} left now, and this file has ${count(rows)}. Enough rows for it are available again in ${inWords(seconds)} (at ${at} UTC); or check a smaller file.`,
  };
}

/** A bucket untouched this long is full again (a burst of a minute's worth refills in a minute). */
const IDLE_MS = 60_000;

/**
 * Deletes the counters that no longer count (every minute, by the process holding the lease): a
 * bulk budget refills over an hour; a sliding window's attempts are kept until they leave their
 * own window (the 15 minutes of reset mails per address, the minute of logins per address).
 */
export function pruneRateLimitCounters(): { buckets: number; hits: number } {
  return pruneRateLimits(nowMs(), IDLE_MS, { [BULK_ROWS_PREFIX]: HOUR_MS });
}
