/**
 * The rate limits' counters, shared by every process of the server (WEB_CONCURRENCY, decision
 * record 031): in DATA_DIR/rate-limits.db, a SQLite file of its own. Each hit is one statement
 * (atomic across processes: SQLite takes the write lock for it), so no count is lost whichever
 * worker a request reaches. A file of its own because the counters are short-lived scratch state:
 * they are not worth replicating (Litestream) or backing up, a write per public API request would
 * otherwise grow the main database's WAL, and the hot path never waits for the main database's
 * write lock (a long import, a sweep). Lost with the file, nothing is lost but a minute of counts.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getEnv } from "./env.server";
import type { RateDecision } from "./rate-limit";

export const RATE_LIMITS_FILE = "rate-limits.db";
/**
 * The layout's version (PRAGMA user_version): a file of another layout is emptied and recreated.
 * 2: each sliding-window hit keeps when it leaves its window (`until`), so the pruner keeps a
 * 15-minute window's hits for 15 minutes (layout 1 pruned every hit older than a minute).
 */
const LAYOUT = 2;

interface Store {
  file: string;
  sqlite: Database.Database;
  bucket: Database.Statement;
  windowInsert: Database.Statement;
  windowOldest: Database.Statement;
  pruneBuckets: Database.Statement;
  pruneHits: Database.Statement;
}

let store: Store | undefined;

function open(file: string): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // The busy timeout first: workers starting together all open a new file, and switching it to WAL
  // takes a lock the others must wait for. SQLite does not always call the busy handler for that
  // switch (it answers SQLITE_BUSY at once while another process lays the new file out: seen in
  // CI), so the opening steps are also retried for a while.
  sqlite.pragma("busy_timeout = 5000");
  whileBusy(() => {
    if (sqlite.pragma("journal_mode", { simple: true }) !== "wal") sqlite.pragma("journal_mode = WAL");
  });
  sqlite.pragma("synchronous = OFF"); // scratch state: a power cut may lose the last counts, nothing more
  if (whileBusy(() => sqlite.pragma("user_version", { simple: true })) !== LAYOUT)
    whileBusy(() =>
      sqlite
        .transaction(() => {
          // Asked again under the write lock: another process may have laid the file out meanwhile.
          if (sqlite.pragma("user_version", { simple: true }) === LAYOUT) return;
          sqlite.exec("DROP TABLE IF EXISTS buckets; DROP TABLE IF EXISTS hits;");
          // A token bucket per key: tokens left at `at` (ms).
          sqlite.exec(
            "CREATE TABLE buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL, allowed INTEGER NOT NULL) WITHOUT ROWID",
          );
          // A sliding window's log: one row per counted attempt, made at `at`, counted until `until` (at + window).
          sqlite.exec("CREATE TABLE hits (key TEXT NOT NULL, at INTEGER NOT NULL, until INTEGER NOT NULL)");
          sqlite.exec("CREATE INDEX hits_key_at ON hits (key, at)");
          sqlite.exec("CREATE INDEX hits_until ON hits (until)");
          sqlite.pragma(`user_version = ${LAYOUT}`);
        })
        .immediate(),
    );
  // The bucket, refilled for the time since `at`, loses `cost` tokens if it has them; `allowed` says whether it had.
  // (SET expressions all read the row as it was.)
  const refilled = "min(@burst, tokens + max(0, @now - at) * @rate)";
  return {
    file,
    sqlite,
    bucket: sqlite.prepare(
      `INSERT INTO buckets (key, tokens, at, allowed)
         VALUES (@key, CASE WHEN @burst >= @cost THEN @burst - @cost ELSE @burst END, @now, @burst >= @cost)
       ON CONFLICT (key) DO UPDATE SET
         tokens = ${refilled} - (${refilled} >= @cost) * @cost,
         allowed = (${refilled} >= @cost),
         at = max(at, @now)
       RETURNING tokens, allowed`,
    ),
    windowInsert: sqlite.prepare(
      `INSERT INTO hits (key, at, until) SELECT @key, @now, @now + @windowMs
       WHERE (SELECT count(*) FROM hits WHERE key = @key AND at > @since) < @limit`,
    ),
    windowOldest: sqlite.prepare("SELECT min(at) AS at, count(*) AS n FROM hits WHERE key = ? AND at > ?"),
    pruneBuckets: sqlite.prepare("DELETE FROM buckets WHERE at < ?"),
    pruneHits: sqlite.prepare("DELETE FROM hits WHERE until <= ?"),
  };
}

/** Runs `f`, again after a short pause while SQLite answers SQLITE_BUSY (for up to 10 s). */
function whileBusy<T>(f: () => T): T {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      return f();
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > until) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a synchronous 20 ms pause
    }
  }
}

function current(): Store {
  const file = path.join(getEnv().dataDir, RATE_LIMITS_FILE);
  if (store?.file === file) return store;
  store?.sqlite.close();
  store = open(file);
  return store;
}

/**
 * A token bucket per key: `perMinute` a minute on average, bursts up to `burst` (default:
 * `perMinute`). Counts one request for `key` at `now`, or `cost` tokens at once (a bulk check's
 * rows): all of them or, refused, none. Refused, `remaining` is what the bucket holds now and
 * `retryAfterMs` when it holds `cost` (never, for a cost above `burst`: Infinity).
 */
export function hitTokenBucket(key: string, perMinute: number, now: number, burst = perMinute, cost = 1): RateDecision {
  const rate = perMinute / 60_000;
  const s = current();
  const row = whileBusy(() => s.bucket.get({ key, burst, now, rate, cost })) as { tokens: number; allowed: number };
  if (row.allowed) return { allowed: true, remaining: Math.floor(row.tokens), retryAfterMs: 0 };
  return {
    allowed: false,
    remaining: Math.floor(row.tokens),
    retryAfterMs: cost > burst ? Infinity : Math.ceil((cost - row.tokens) / rate),
  };
}

/** A sliding window: at most `limit` attempts for `key` in any `windowMs`. Counts one at `now` if within. */
export function hitSlidingWindow(key: string, limit: number, windowMs: number, now: number): RateDecision {
  const s = current();
  const since = now - windowMs;
  const counted = whileBusy(() => s.windowInsert.run({ key, now, since, limit, windowMs })).changes === 1;
  const w = s.windowOldest.get(key, since) as { at: number | null; n: number };
  if (counted) return { allowed: true, remaining: Math.max(0, limit - w.n), retryAfterMs: 0 };
  return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, (w.at ?? now) + windowMs - now) };
}

/**
 * Deletes what no longer counts: buckets untouched for `bucketIdleMs` (full again by then) and
 * attempts that have left their own window (each hit keeps when: a 15-minute window's hits stay
 * 15 minutes, whatever the other windows are). Run every minute by one process (its lease).
 * `slower` gives the buckets whose key starts with a prefix an idle time of their own (a budget
 * refilled over an hour is not full again after a minute).
 */
export function pruneRateLimits(
  now: number,
  bucketIdleMs: number,
  slower: Readonly<Record<string, number>> = {},
): { buckets: number; hits: number } {
  const s = current();
  const prefixes = Object.entries(slower);
  const hits = s.pruneHits.run(now).changes;
  if (!prefixes.length) return { buckets: s.pruneBuckets.run(now - bucketIdleMs).changes, hits };
  const hasPrefix = (i: number) => `substr(key, 1, length(@p${i})) = @p${i}`;
  const params: Record<string, string | number> = { before: now - bucketIdleMs };
  prefixes.forEach(([prefix, idleMs], i) => {
    params[`p${i}`] = prefix;
    params[`b${i}`] = now - idleMs;
  });
  const other = prefixes.map((_, i) => `NOT ${hasPrefix(i)}`).join(" AND ");
  const own = prefixes.map((_, i) => `(${hasPrefix(i)} AND at < @b${i})`).join(" OR ");
  const buckets = s.sqlite.prepare(`DELETE FROM buckets WHERE (at < @before AND ${other}) OR ${own}`).run(params);
  return { buckets: buckets.changes, hits };
}

/** Forgets every count whose key starts with `prefix` (all of them without one): tests, and an operator's reset. */
export function resetRateLimitCounts(prefix = ""): void {
  const s = current();
  s.sqlite.prepare("DELETE FROM buckets WHERE substr(key, 1, length(@p)) = @p").run({ p: prefix });
  s.sqlite.prepare("DELETE FROM hits WHERE substr(key, 1, length(@p)) = @p").run({ p: prefix });
}

export function closeRateLimitStore(): void {
  store?.sqlite.close();
  store = undefined;
}
