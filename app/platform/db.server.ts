/** The services' handle on the database, at DATA_DIR from the environment. */
import { sql } from "drizzle-orm";
import { getDb, type Db } from "../../db/connection";
import { getEnv } from "./env.server";
import { startSync, syncNow } from "./wal-sync.server";

export type { Db };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export function db(): Db {
  return getDb(getEnv().dataDir);
}

let depth = 0;
let committed: (() => void)[] = [];
/** Asked for with whileCommitSyncs inside the open transaction. */
let meanwhile: (() => void)[] = [];
/** While such work runs (null: none runs): the after-commit work of its transactions, run once the sync has ended. */
let deferred: (() => void)[] | null = null;
/** Asked for by commitDurably inside the open transaction: sync the WAL once it has committed. */
let syncOnCommit = false;

/**
 * Runs `fn` in one IMMEDIATE transaction (the write lock is taken at the start, so two
 * processes never interleave a read-then-write, e.g. of the audit chain's head). What was asked
 * for with `afterCommit` inside it runs once the outermost transaction has committed (and is
 * dropped if it rolls back).
 */
export function transaction<T>(fn: (tx: Tx) => T): T {
  const asked = meanwhile.length;
  const askedAfter = committed.length;
  depth++;
  let result: T;
  try {
    result = db().transaction(fn, { behavior: "immediate" });
  } catch (error) {
    if (depth === 1) {
      committed = [];
      meanwhile = [];
      syncOnCommit = false;
    } else {
      // A rolled-back inner transaction's work never runs (what was asked before it stays).
      meanwhile.length = asked;
      committed.length = askedAfter;
    }
    throw error;
  } finally {
    depth--;
  }
  if (depth > 0) return result;
  // Taken first: a transaction run meanwhile runs only its own after-commit work.
  const run = committed;
  const overlap = meanwhile;
  committed = [];
  meanwhile = [];
  let overlapped: (() => void)[];
  if (syncOnCommit) {
    syncOnCommit = false;
    overlapped = syncWal(overlap); // before anything that runs after the commit can tell of it
  } else overlapped = runMeanwhile(overlap);
  // In commit order, each once (the same work asked for by several of them, such as the outbox's drain, runs once).
  const after = [...new Set([...run, ...overlapped])];
  // Work run while an earlier commit syncs: its after-commit work waits for that sync too.
  if (deferred) {
    for (const f of after) if (!deferred.includes(f)) deferred.push(f);
  } else for (const f of after) f();
  return result;
}

/**
 * Queries prepared once per connection, for hot paths: drizzle builds a query's SQL afresh on
 * every call (a cost larger than running it), a prepared query only binds its placeholders.
 * `queries(t)` gives the set for the connection `t` (the handle or a transaction on it) runs on:
 * the same set inside and outside a transaction, and its own set for another database (a restore
 * opens one). A query prepared on a connection reads that connection's open transaction.
 */
export function preparedQueries<T>(make: (t: Tx) => T) {
  const cache = new WeakMap<object, T>();
  return (t: Pick<Tx, "select">): T => {
    // drizzle's handle and its transactions share one session object per connection.
    const key = (t as unknown as { session: object }).session;
    let q = cache.get(key);
    if (!q) cache.set(key, (q = make(t as Tx)));
    return q;
  };
}

/**
 * `{ a: sql.placeholder("a"), ... }`: the values of a prepared insert, bound when it runs. (A
 * nullable timestamp cannot be one: drizzle's encoder calls getTime() on the value.)
 */
export function placeholders<K extends string>(keys: readonly K[]): Record<K, ReturnType<typeof sql.placeholder>> {
  return Object.fromEntries(keys.map((k) => [k, sql.placeholder(k)])) as unknown as Record<
    K,
    ReturnType<typeof sql.placeholder>
  >;
}

/** Runs `f` after the current transaction commits (at once when none is open). */
export function afterCommit(f: () => void): void {
  if (depth > 0) {
    if (!committed.includes(f)) committed.push(f);
  } else if (deferred) {
    if (!deferred.includes(f)) deferred.push(f);
  } else f();
}

/**
 * Runs `f` once the current transaction has committed, while its commit is put on the disk (a
 * durable commit's fdatasync runs on a helper thread meanwhile): for work that follows the commit
 * but need not wait for the disk, such as a seal's certificate PDF, rendered while the log leaf it
 * carries is synced (decision record 035). `f` writes in transactions of its own, which are not
 * synced unless they ask; what was asked for with `afterCommit`, in the first transaction or in
 * those, runs once the sync has ended. `f` must not throw (the transaction has committed): an error
 * is logged, and its work is left to a later repair. At once when no transaction is open.
 */
export function whileCommitSyncs(f: () => void): void {
  if (depth === 0) for (const g of runMeanwhile([f])) afterCommit(g);
  else meanwhile.push(f);
}

/**
 * Runs work asked for with whileCommitSyncs; returns the after-commit work its transactions asked
 * for (held back meanwhile, so that it runs after that of the transaction that asked for the work).
 */
function runMeanwhile(work: (() => void)[]): (() => void)[] {
  const later: (() => void)[] = [];
  if (!work.length) return later;
  const outer = deferred;
  deferred = later;
  try {
    for (const f of work)
      try {
        f();
      } catch (error) {
        console.error("[db] work run after a commit failed (the commit stands):", error);
      }
  } finally {
    deferred = outer;
  }
  return later;
}

/**
 * Puts the current transaction's commit on the disk before `transaction()` returns. With
 * synchronous = NORMAL (db/connection.ts) a commit is in the WAL file, safe from a crash of the
 * process but not yet from a power cut: that waits for the next WAL checkpoint. Enough for most
 * writes, not for what is told outside as soon as it is committed and may never be taken back: a
 * log leaf and its signed checkpoint (a seal's PDF carries them; the publisher and the witnesses
 * send them on). Losing one and appending another in its place would fork the log. One fdatasync
 * of the WAL, once per transaction however often asked.
 */
export function commitDurably(): void {
  if (depth === 0) syncWal();
  else syncOnCommit = true;
}

/**
 * Never throws: the transaction has committed, and its caller's work is done; a failure is logged.
 * `overlap` runs on this thread while the sync runs on the helper thread (wal-sync.server.ts);
 * returns the after-commit work its transactions asked for, to run now that the sync has ended.
 */
function syncWal(overlap: (() => void)[] = []): (() => void)[] {
  const wal = `${db().$client.name}-wal`;
  const pending = overlap.length ? startSync(wal) : null;
  const later = runMeanwhile(overlap);
  const error = pending ? pending.wait() : syncNow(wal);
  // No WAL: checkpointed into the database file, which SQLite synced before it reset the WAL.
  if (error && error.code !== "ENOENT")
    console.error(`[db] could not sync the WAL (${wal}) after a commit that must be durable: ${error.message}`);
  return later;
}
