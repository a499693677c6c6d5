/**
 * The database connection: one better-sqlite3 handle per process, WAL, foreign keys on, a busy
 * timeout so several processes can share the file, and the drizzle migrations applied on open.
 */
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Finds db/migrations whether this code runs from source (tsx, vitest) or from the Remix build. */
export function findMigrationsFolder(start = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, "migrations"), path.join(dir, "db", "migrations")]) {
      if (fs.existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`db/migrations not found above ${start}`);
}

export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: findMigrationsFolder() });
  return db;
}

let current: { dataDir: string; file: string; db: Db } | undefined;

/** The process-wide connection to `<dataDir>/iot-seal.db`, opened (and migrated) on first use. */
export function getDb(dataDir: string): Db {
  if (current && current.dataDir === dataDir) return current.db; // the hot path: no path work per call
  const file = path.resolve(dataDir, "iot-seal.db");
  if (current && current.file === file) return current.db;
  if (current) current.db.$client.close();
  current = { dataDir, file, db: openDatabase(file) };
  return current.db;
}

export function closeDb(): void {
  current?.db.$client.close();
  current = undefined;
}
