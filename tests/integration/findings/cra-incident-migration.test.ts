// Migration 0031: the severe incident's own awareness time and each submission's subject. An install
// whose reports were flagged before it (one awareness time, one list of submissions) keeps its clocks:
// a report flagged a severe incident gets that time as the incident's; the submissions of an
// incident-only report are the incident's; those of a report flagged both ways count for both; the
// exploitation's time stays only where the report is flagged actively exploited.
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findMigrationsFolder } from "../../../db/connection";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The migrations as they stood before 0031 (the journal cut there), in a folder of their own. */
function migrationsBefore0031(): string {
  const from = findMigrationsFolder();
  const to = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-mig-"));
  dirs.push(to);
  const journal = JSON.parse(fs.readFileSync(path.join(from, "meta/_journal.json"), "utf8")) as {
    entries: { idx: number; tag: string }[];
  };
  journal.entries = journal.entries.filter((e) => e.idx < 31);
  expect(journal.entries.at(-1)?.tag).toBe("0030_csaf_snapshot");
  fs.mkdirSync(path.join(to, "meta"));
  fs.writeFileSync(path.join(to, "meta/_journal.json"), JSON.stringify(journal));
  for (const e of journal.entries) fs.copyFileSync(path.join(from, `${e.tag}.sql`), path.join(to, `${e.tag}.sql`));
  return to;
}

const T = (iso: string) => Date.parse(iso);

describe("migration 0031 on an install with reports flagged before it", () => {
  it("splits the one awareness time and the one list of submissions sensibly", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-0031-"));
    dirs.push(dir);
    const raw = new Database(path.join(dir, "iot-seal.db"));
    migrate(drizzle(raw), { migrationsFolder: migrationsBefore0031() });
    raw.pragma("foreign_keys = OFF"); // only the reports and their submissions matter here
    const insert = raw.prepare(
      `insert into findings (id, product_id, organization_id, title, description, severity, reporter, reported_at,
         deadline, status, created_by, updated_at, exploited_aware_at, actively_exploited, severe_incident)
       values (?, 'p', 'o', ?, 'd', 'high', 'r', ?, ?, 'open', 'u', ?, ?, ?, ?)`,
    );
    const at = T("2026-12-01T00:00:00Z");
    const aware = T("2026-12-02T09:00:00Z");
    insert.run("exploited", "Exploited only", at, at + 90 * 86_400_000, at, aware, 1, 0);
    insert.run("incident", "Incident only", at, at + 90 * 86_400_000, at, aware, 0, 1);
    insert.run("both", "Both", at, at + 90 * 86_400_000, at, aware, 1, 1);
    insert.run("plain", "Not flagged", at, at + 90 * 86_400_000, at, null, 0, 0);
    const sub = raw.prepare(
      `insert into finding_authority_reports (finding_id, kind, submitted_at, reference, actor_id, at) values (?, ?, ?, ?, 'u', ?)`,
    );
    sub.run("exploited", "early_warning", aware + 3_600_000, "E-1", aware + 3_600_000);
    sub.run("incident", "early_warning", aware + 3_600_000, "I-1", aware + 3_600_000);
    sub.run("both", "early_warning", aware + 3_600_000, "B-1", aware + 3_600_000);
    sub.run("both", "notification", aware + 7_200_000, "B-2", aware + 7_200_000);

    migrate(drizzle(raw), { migrationsFolder: findMigrationsFolder() });

    const reports = raw
      .prepare(
        "select id, actively_exploited a, severe_incident s, exploited_aware_at e, incident_aware_at i from findings order by id",
      )
      .all();
    expect(reports).toEqual([
      { id: "both", a: 1, s: 1, e: aware, i: aware },
      { id: "exploited", a: 1, s: 0, e: aware, i: null },
      { id: "incident", a: 0, s: 1, e: null, i: aware },
      { id: "plain", a: 0, s: 0, e: null, i: null },
    ]);
    const submissions = raw
      .prepare(
        "select finding_id f, subject, kind, submitted_at t, reference r from finding_authority_reports order by f, subject, kind",
      )
      .all();
    expect(submissions).toEqual([
      { f: "both", subject: "incident", kind: "early_warning", t: aware + 3_600_000, r: "B-1" },
      { f: "both", subject: "incident", kind: "notification", t: aware + 7_200_000, r: "B-2" },
      { f: "both", subject: "vulnerability", kind: "early_warning", t: aware + 3_600_000, r: "B-1" },
      { f: "both", subject: "vulnerability", kind: "notification", t: aware + 7_200_000, r: "B-2" },
      { f: "exploited", subject: "vulnerability", kind: "early_warning", t: aware + 3_600_000, r: "E-1" },
      { f: "incident", subject: "incident", kind: "early_warning", t: aware + 3_600_000, r: "I-1" },
    ]);
    raw.close();
  });
});
