/** The services' handle on the database, at DATA_DIR from the environment. */
import { getDb, type Db } from "../../db/connection";
import { getEnv } from "./env.server";

export type { Db };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export function db(): Db {
  return getDb(getEnv().dataDir);
}

let depth = 0;
let committed: (() => void)[] = [];

/**
 * Runs `fn` in one IMMEDIATE transaction (the write lock is taken at the start, so two
 * processes never interleave a read-then-write, e.g. of the audit chain's head). What was asked
 * for with `afterCommit` inside it runs once the outermost transaction has committed (and is
 * dropped if it rolls back).
 */
export function transaction<T>(fn: (tx: Tx) => T): T {
  depth++;
  let result: T;
  try {
    result = db().transaction(fn, { behavior: "immediate" });
  } catch (error) {
    if (depth === 1) committed = [];
    throw error;
  } finally {
    depth--;
  }
  if (depth === 0 && committed.length) {
    const run = committed;
    committed = [];
    for (const f of run) f();
  }
  return result;
}

/** Runs `f` after the current transaction commits (at once when none is open). */
export function afterCommit(f: () => void): void {
  if (depth === 0) f();
  else if (!committed.includes(f)) committed.push(f);
}
