// The operator scripts against a wrong data directory and bad arguments: a DATA_DIR without a
// database is refused (exit 2, nothing made there) rather than given a new empty portal and a
// report of success; a DATA_DIR that is a file is named, for the scripts and the server alike; a
// database migrated by a newer version of IoT Seal is refused by the server and the scripts as a
// backup of one is by npm run restore; unknown options and missing files get a usage line or a
// refusal, never a stack trace; user:create names its options, not the form's fields.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, knownMigrations, NewerSchemaError, openDatabase } from "../../../db/connection";
import { db } from "../../../app/platform/db.server";
import { EnvError, getEnv } from "../../../app/platform/env.server";
import { startup } from "../../../app/startup.server";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-scripts-"));

beforeAll(() => {
  db(); // the test's own data directory has its database
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function run(script: string, args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", `scripts/${script}`, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  expect(r.stderr, "no stack trace").not.toMatch(/\n\s+at /);
  return r;
}

describe("a DATA_DIR without the portal's database", () => {
  it("is refused by the scripts, naming the database file; nothing is made there", () => {
    const typo = path.join(scratch, "typo");
    for (const script of ["audit-verify.ts", "lifecycle-sweep.ts"]) {
      const r = run(script, [], { DATA_DIR: typo });
      expect(r.status, `${script}: ${r.stdout}`).toBe(2);
      expect(r.stderr).toContain(
        `No IoT Seal database at ${path.join(typo, "iot-seal.db")}: set DATA_DIR to the portal's data directory.`,
      );
      expect(fs.existsSync(typo)).toBe(false);
    }
  }, 60_000);

  it("that is a file is named as DATA_DIR, by the scripts and by the server's start", async () => {
    const file = path.join(scratch, "a-file");
    fs.writeFileSync(file, "not a directory\n");
    const r = run("audit-verify.ts", [], { DATA_DIR: file });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`DATA_DIR: ${file} is a file, not a directory`);

    const saved = process.env.DATA_DIR;
    try {
      closeDb();
      process.env.DATA_DIR = file;
      expect(() => getEnv()).toThrow(EnvError);
      expect(() => getEnv()).toThrow(`DATA_DIR: ${file} is a file, not a directory`);
      process.env.DATA_DIR = path.join(file, "data");
      expect(() => getEnv()).toThrow(`DATA_DIR: ${path.join(file, "data")} is inside a file`);
    } finally {
      process.env.DATA_DIR = saved;
    }
    expect(getEnv().dataDir).toBe(saved);
  }, 30_000);
});

describe("a database migrated by a newer version of IoT Seal", () => {
  it("is not opened: the server does not start on it, nor do the scripts", async () => {
    const dir = path.join(scratch, "newer");
    const file = path.join(dir, "iot-seal.db");
    openDatabase(file).$client.close();
    const raw = new Database(file);
    raw.prepare("insert into __drizzle_migrations (hash, created_at) values ('from-the-future', ?)").run(Date.now());
    raw.close();
    const known = knownMigrations().length;
    const message = `was migrated by a newer version of IoT Seal (database migration ${known + 1}; this version knows ${known})`;
    expect(() => openDatabase(file)).toThrow(NewerSchemaError);
    expect(() => openDatabase(file)).toThrow(message);

    const r = run("audit-verify.ts", [], { DATA_DIR: dir });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(message);

    const saved = process.env.DATA_DIR;
    try {
      closeDb();
      process.env.DATA_DIR = dir;
      // server.mjs prints a refusal's message ("IoT Seal cannot start: …") and exits 3.
      await expect(startup()).rejects.toMatchObject({ refusal: true, message: expect.stringContaining(message) });
    } finally {
      process.env.DATA_DIR = saved;
    }
    // Nothing was migrated or written: the row from the future is the last one still.
    const check = new Database(file, { readonly: true });
    expect(
      (check.prepare("select hash from __drizzle_migrations order by id desc limit 1").get() as { hash: string }).hash,
    ).toBe("from-the-future");
    check.close();
  }, 60_000);
});

describe("bad arguments", () => {
  it("user:create: an unknown option gets the usage (exit 2); a service error names the option", () => {
    const unknown = run("user-create.ts", ["--email", "x@example.com", "--rol", "assessor"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--rol'");
    expect(unknown.stderr).toContain("Usage: npm run user:create");

    const noOrg = run("user-create.ts", ["--email", "new-supplier@example.com", "--role", "supplier"]);
    expect(noOrg.status).toBe(2);
    expect(noOrg.stderr).toContain("--organization: Choose an organisation.");
    expect(noOrg.stderr).not.toContain("organizationId");
  }, 60_000);

  it("checklist:import: an unknown option gets the usage (exit 2); a missing file is refused, nothing imported", () => {
    const unknown = run("checklist-import.ts", ["--al"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--al'");
    expect(unknown.stderr).toContain("Usage: npm run checklist:import");

    const missing = path.join(scratch, "no-such", "1.0.yaml");
    const r = run("checklist-import.ts", [missing]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path.relative(process.cwd(), missing)}: no such file`);
    expect(r.stderr).toContain("1 file refused; nothing was imported.");
  }, 60_000);
});
