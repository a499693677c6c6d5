// The demo data for an integration test file, as a fresh copy: the first file of a run (per setting
// of the environment and options) seeds it for real and leaves a copy of its data directory (the
// SQLite file, the signing keys, the evidence) in the run's template folder; the next ones copy that
// instead of seeding again (about 3.5 s of each file's CPU: the checklists' import, six scrypt
// hashes, the demo seals' signatures and PDFs). Whenever a copy could differ from a seed (the clock
// moved, the database not empty, a template of another environment), it seeds for real.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { closeDb } from "../../db/connection";
import { users } from "../../db/schema";
import { seedDemoData as seedForReal, type SeedReport } from "../../app/demo/seed.server";
import { nowMs } from "../../app/platform/clock.server";
import { db } from "../../app/platform/db.server";
import { getEnv } from "../../app/platform/env.server";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's folder of seeded data directories (tests/setup/demo-templates.ts); removed at its end. */
    demoTemplates: string;
  }
}

const DB_FILES = ["iot-seal.db", "iot-seal.db-wal", "iot-seal.db-shm"];
const REPORT = "seed-report.json";

/** What a seed depends on besides the code: its options and the environment (but the file's own DATA_DIR and the worker's ids). */
function templateKey(opts: { seals?: boolean }): string {
  const env = Object.entries(process.env)
    .filter(([k]) => k !== "DATA_DIR" && !/^(VITEST|TINYPOOL)/.test(k))
    .sort(([a], [b]) => a.localeCompare(b));
  return crypto
    .createHash("sha256")
    .update(JSON.stringify({ seals: opts.seals ?? true, env }))
    .digest("hex")
    .slice(0, 16);
}

const clockMoved = () => Math.abs(nowMs() - Date.now()) > 1000;

function databaseIsEmpty(): boolean {
  return !db().select({ id: users.id }).from(users).limit(1).get();
}

/** The seeded directory's files but its database (copied consistently by VACUUM INTO) and uploads in progress. */
function copyFiles(from: string, to: string) {
  for (const entry of fs.readdirSync(from)) {
    if (DB_FILES.includes(entry) || entry === "tmp") continue;
    fs.cpSync(path.join(from, entry), path.join(to, entry), { recursive: true });
  }
}

export async function seedDemoData(opts: { seals?: boolean } = {}): Promise<SeedReport> {
  const root = inject("demoTemplates");
  if (!root || clockMoved() || !databaseIsEmpty()) return seedForReal(opts);
  const dataDir = getEnv().dataDir;
  const template = path.join(root, templateKey(opts));
  if (fs.existsSync(path.join(template, REPORT))) {
    closeDb(); // the empty database the check above opened: replaced by the template's
    for (const f of DB_FILES) fs.rmSync(path.join(dataDir, f), { force: true });
    copyFiles(template, dataDir);
    fs.copyFileSync(path.join(template, "iot-seal.db"), path.join(dataDir, "iot-seal.db"));
    return JSON.parse(fs.readFileSync(path.join(template, REPORT), "utf8")) as SeedReport;
  }
  const report = await seedForReal(opts);
  // Leave a copy for the next files: built aside, then renamed into place (another file may race to it).
  const staging = `${template}.${process.pid}`;
  fs.mkdirSync(staging, { recursive: true });
  db().$client.prepare("VACUUM INTO ?").run(path.join(staging, "iot-seal.db"));
  copyFiles(dataDir, staging);
  fs.writeFileSync(path.join(staging, REPORT), JSON.stringify(report));
  try {
    fs.renameSync(staging, template);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another file's copy is there already
  }
  return report;
}
