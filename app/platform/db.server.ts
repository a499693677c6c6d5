/** The services' handle on the database, at DATA_DIR from the environment. */
import { getDb, type Db } from "../../db/connection";
import { getEnv } from "./env.server";

export type { Db };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export function db(): Db {
  return getDb(getEnv().dataDir);
}

/**
 * Runs `fn` in one IMMEDIATE transaction (the write lock is taken at the start, so two
 * processes never interleave a read-then-write, e.g. of the audit chain's head).
 */
export function transaction<T>(fn: (tx: Tx) => T): T {
  return db().transaction(fn, { behavior: "immediate" });
}
