// Migration 0022 and the EU CRA Annex I file rewritten with kinds: an install that imported the
// file's earlier content (before maps_to had kinds) starts up cleanly, with the new content, when no
// submission uses that import; when one does, or when the stored version is not that earlier
// content, nothing is deleted and start-up reports the conflict.
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importShippedChecklists } from "../../../app/features/catalogue/checklists.server";
import { canonicalChecklist, checklistHash } from "../../../app/features/catalogue/domain/checklist/canonical";
import { parseChecklistText } from "../../../app/features/catalogue/domain/checklist/parse";
import { closeDb, findMigrationsFolder } from "../../../db/connection";
import { db } from "../../../app/platform/db.server";
import { sql } from "drizzle-orm";

const ROOT = path.resolve(__dirname, "../../..");
const BEFORE_KINDS = path.join(ROOT, "tests/fixtures/checklists-before-kinds/eu-cra-annex-i/2024.yaml");
/** The content hash migration 0022 matches on: the file as first shipped. */
const OLD_HASH = "6c35a21e48e8ae3d42732e69735f43038c771438c343c77b0e8afd1df727c777";
const VERSION_ID = "eu-cra-annex-i@2024";

const dirs: string[] = [];
const originalDataDir = process.env.DATA_DIR;

/** The migrations as they stood before 0022 (the journal cut there), in a folder of their own. */
function migrationsBefore0022(): string {
  const from = findMigrationsFolder();
  const to = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-mig-"));
  dirs.push(to);
  const journal = JSON.parse(fs.readFileSync(path.join(from, "meta/_journal.json"), "utf8")) as {
    entries: { idx: number; tag: string }[];
  };
  journal.entries = journal.entries.filter((e) => e.idx < 22);
  expect(journal.entries.at(-1)?.tag).toBe("0021_finding_actively_exploited");
  fs.mkdirSync(path.join(to, "meta"));
  fs.writeFileSync(path.join(to, "meta/_journal.json"), JSON.stringify(journal));
  for (const e of journal.entries) fs.copyFileSync(path.join(from, `${e.tag}.sql`), path.join(to, `${e.tag}.sql`));
  return to;
}

/**
 * A data directory whose database stands at migration 0021 with the EU CRA file imported as it
 * was first shipped (the rows the importer wrote then), optionally used by a submission.
 */
function installBefore0022(opts: { referenced?: boolean; hash?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-0022-"));
  dirs.push(dir);
  const raw = new Database(path.join(dir, "iot-seal.db"));
  migrate(drizzle(raw), { migrationsFolder: migrationsBefore0022() });
  const parsed = parseChecklistText(fs.readFileSync(BEFORE_KINDS, "utf8"), {
    folder: "eu-cra-annex-i",
    fileStem: "2024",
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const f = parsed.file;
  expect(checklistHash(f)).toBe(OLD_HASH);
  const now = Date.now();
  const count = f.sections.reduce((n, s) => n + s.requirements.length, 0);
  raw
    .prepare("insert into checklists (id, title, publisher, created_at) values (?, ?, ?, ?)")
    .run(f.id, f.title, f.publisher, now);
  raw
    .prepare(
      `insert into checklist_versions (id, checklist_id, version, title, publisher, published_on, source, levels,
         validity_months, disclosure_days, recurring_grace_days, status, content_hash, content, requirement_count,
         imported_at, imported_by)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, 'system:startup')`,
    )
    .run(
      VERSION_ID,
      f.id,
      f.version,
      f.title,
      f.publisher,
      f.published,
      f.source ?? null,
      JSON.stringify(f.levels),
      f.validity_months,
      JSON.stringify(f.disclosure_days),
      f.recurring_grace_days ?? 14,
      opts.hash ?? OLD_HASH,
      canonicalChecklist(f),
      count,
      now,
    );
  let position = 0;
  f.sections.forEach((s, i) => {
    raw
      .prepare("insert into checklist_sections (version_id, ref, title, position) values (?, ?, ?, ?)")
      .run(VERSION_ID, s.ref, s.title, i);
    for (const r of s.requirements) {
      raw
        .prepare(
          `insert into requirements (id, version_id, section_ref, ref, title, text, applies, condition, evidence_hint,
             recurs_every_days, position) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          `${VERSION_ID}#${r.ref}`,
          VERSION_ID,
          s.ref,
          r.ref,
          r.title,
          r.text,
          JSON.stringify(r.applies),
          r.condition ?? null,
          r.evidence ?? null,
          r.recurs_every_days ?? null,
          position++,
        );
      for (const target of r.maps_to ?? []) {
        expect(typeof target).toBe("string"); // the first shipped file had no kinds
        const [to, ref] = (target as string).split(":");
        raw
          .prepare(
            "insert into crosswalk_links (from_version_id, from_ref, to_checklist_id, to_ref) values (?, ?, ?, ?)",
          )
          .run(VERSION_ID, r.ref, to, ref);
      }
    }
  });
  if (opts.referenced) {
    // Only the reference matters here: the rest of the submission's graph is left out.
    raw.pragma("foreign_keys = OFF");
    raw
      .prepare(
        `insert into submissions (id, organization_id, product_version_id, checklist_version_id, target_level, status,
           created_by, updated_at) values ('sub-cra', 'org', 'pv', ?, 'essential', 'draft', 'user', ?)`,
      )
      .run(VERSION_ID, now);
  }
  raw.close();
  return dir;
}

/** Start-up on that install: the database opens (migrations 0022 onwards run), then the shipped files are imported. */
function startUp(dir: string) {
  closeDb();
  process.env.DATA_DIR = dir;
  return importShippedChecklists({ system: "startup" });
}

const versionRow = () =>
  db().all<{ content_hash: string; requirement_count: number }>(
    sql`select content_hash, requirement_count from checklist_versions where id = ${VERSION_ID}`,
  );
const links = () =>
  db().all<{ from_ref: string; to_ref: string; kind: string | null }>(
    sql`select from_ref, to_ref, kind from crosswalk_links where from_version_id = ${VERSION_ID}`,
  );

afterAll(() => {
  closeDb();
  process.env.DATA_DIR = originalDataDir;
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("migration 0022 on an install with the EU CRA file imported before kinds", () => {
  it("replaces that import when no submission uses it, so start-up imports the file with its kinds", () => {
    const report = startUp(installBefore0022());
    expect(report.failures).toEqual([]);
    const cra = report.results.find((r) => r.checklistId === "eu-cra-annex-i")!;
    expect(cra.outcome).toBe("imported");
    expect(cra.hash).not.toBe(OLD_HASH);
    expect(versionRow()).toEqual([{ content_hash: cra.hash, requirement_count: 22 }]);
    const l = links();
    expect(l.length).toBe(72);
    expect(l.filter((x) => x.kind === "equivalent").map((x) => `${x.from_ref}->${x.to_ref}`)).toEqual([
      "II.5->5.2-1",
      "II.5->2.4.3.5.1",
    ]);
    expect(l.filter((x) => x.kind === "partial").length).toBe(70);
    // A second start-up changes nothing.
    expect(startUp(process.env.DATA_DIR!).results.every((r) => r.outcome === "unchanged")).toBe(true);
  });

  it("keeps the import a submission uses, and start-up reports the conflict", () => {
    const report = startUp(installBefore0022({ referenced: true }));
    expect(report.failures).toEqual([
      {
        file: expect.stringContaining("eu-cra-annex-i"),
        lines: [expect.stringMatching(/already published with different content \(hash 6c35a21e48e8/)],
      },
    ]);
    expect(versionRow()).toEqual([{ content_hash: OLD_HASH, requirement_count: 22 }]);
    expect(links().length).toBe(72);
    expect(links().every((x) => x.kind === null)).toBe(true);
  });

  it("deletes nothing when the stored version is other content than the first shipped file", () => {
    const other = "0".repeat(64);
    const report = startUp(installBefore0022({ hash: other }));
    expect(report.failures.map((f) => f.file)).toEqual([expect.stringContaining("eu-cra-annex-i")]);
    expect(versionRow()).toEqual([{ content_hash: other, requirement_count: 22 }]);
    expect(links().length).toBe(72);
  });
});
