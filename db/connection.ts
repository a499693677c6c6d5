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

/** The migrations this version of IoT Seal knows (db/migrations/meta/_journal.json), oldest first. */
export function knownMigrations(): string[] {
  const journal = JSON.parse(fs.readFileSync(path.join(findMigrationsFolder(), "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  return journal.entries.map((e) => e.tag);
}

/**
 * The one rule for a schema this version cannot run: a database (or a backup of one) with more
 * migrations applied than this version knows was migrated by a newer version of IoT Seal. Says so
 * (which migration, how many this version knows); null when this version knows them all.
 */
export function newerSchemaProblem(applied: number, lastMigration?: string | null): string | null {
  const known = knownMigrations().length;
  if (applied <= known) return null;
  return `a newer version of IoT Seal (database migration ${lastMigration ?? applied}; this version knows ${known})`;
}

/** The database was migrated by a newer version of IoT Seal: it is not opened (nor migrated, nor written). */
export class NewerSchemaError extends Error {
  /** Read by server.mjs: a refusal to start on this data directory, printed without a stack trace. */
  readonly refusal = true;
}

export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  const migrated = sqlite
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get()
    ? (sqlite.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number }).n
    : 0;
  const newer = newerSchemaProblem(migrated);
  if (newer) {
    sqlite.close();
    throw new NewerSchemaError(
      `The database ${file} was migrated by ${newer}. Run that version (or a later one) on it: this version does not start on a database it does not know, nor changes it.`,
    );
  }
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(cachingStatements(sqlite), { schema }) as Db;
  db.$client = sqlite; // code on the driver itself prepares (and keeps) its own statements
  migrate(db, { migrationsFolder: findMigrationsFolder() });
  return db;
}

/** How many distinct SQL texts keep their compiled statement (the app has a few hundred). */
export const STATEMENT_CACHE_SIZE = 2000;

/**
 * The connection as drizzle sees it: `prepare` keeps the compiled statement of each SQL text
 * (least recently used out first), because drizzle prepares every query it runs afresh and
 * SQLite's compiling was the largest single cost of a write such as issuing a seal after the PDF
 * (a quarter of the rest). Everything else is the connection itself (its prototype). Safe because
 * drizzle runs a statement to its end before returning and sets no mode on it but `raw()`, which
 * is switched back off when a statement is handed out again.
 */
function cachingStatements(sqlite: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  const client = Object.create(sqlite) as Database.Database;
  client.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source); // to the back: most recently used
      if (stmt.reader) stmt.raw(false);
    } else {
      stmt = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, stmt);
    return stmt;
  }) as Database.Database["prepare"];
  return client;
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
