import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, checklistVersions, requirements } from "../../../db/schema";
import { login } from "../../../app/features/accounts/auth.server";
import {
  ChecklistInvalidError,
  diffChecklistVersions,
  getChecklistVersion,
  importChecklistFile,
  importShippedChecklists,
  listShippedFiles,
  retireChecklistVersion,
  selectableVersions,
} from "../../../app/features/catalogue/checklists.server";
import { db } from "../../../app/platform/db.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { startup } from "../../../app/startup.server";

const system = { system: "test" };
const shipped = (f: string) => path.resolve("checklists", f);
const count = (table: typeof requirements | typeof checklistVersions | typeof auditEvents) =>
  db()
    .select({ n: sql<number>`count(*)` })
    .from(table)
    .get()!.n;

/** A copy of a shipped file at <tmp>/<id>/<version>.yaml, optionally edited. */
function copyOf(rel: string, edit: (text: string) => string = (t) => t): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ck-"));
  const target = path.join(dir, rel);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, edit(fs.readFileSync(shipped(rel), "utf8")));
  return target;
}

describe("importing a checklist version", () => {
  it("imports ETSI 2.1.1 with every requirement, and importing it again is a no-op that says so", () => {
    const first = importChecklistFile(system, shipped("etsi-en-303-645/2.1.1.yaml"));
    expect(first).toMatchObject({ outcome: "imported", versionId: "etsi-en-303-645@2.1.1", requirements: 67 });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    const reqs = count(requirements);
    const audits = count(auditEvents);

    // The same content, reformatted and commented, is still the same version.
    const reformatted = copyOf(
      "etsi-en-303-645/2.1.1.yaml",
      (t) => `# a comment an author added\n${t.replace(/\n\n/g, "\n")}`,
    );
    const again = importChecklistFile(system, reformatted);
    expect(again).toMatchObject({ outcome: "unchanged", hash: first.hash });
    expect(count(requirements)).toBe(reqs);
    expect(count(auditEvents)).toBe(audits);
  });

  it("refuses different content under a published id and version, telling the author to bump the version", async () => {
    const changed = copyOf("etsi-en-303-645/2.1.1.yaml", (t) =>
      t.replace("Unique or user-defined passwords", "Unique passwords (edited)"),
    );
    const before = db().select().from(requirements).where(eq(requirements.id, "etsi-en-303-645@2.1.1#5.1-1")).get();
    await expect(() => importChecklistFile(system, changed)).toBeRefused(
      "conflict",
      /already published with different content.*new version number/,
    );
    expect(db().select().from(requirements).where(eq(requirements.id, "etsi-en-303-645@2.1.1#5.1-1")).get()).toEqual(
      before,
    );
  });

  it("refuses a version whose publication date is still to come (imported means offered to suppliers)", async () => {
    const future = copyOf("uk-psti/2023.yaml", (t) => t.replace(/^published: .*$/m, "published: 2999-01-01"));
    const versions = count(checklistVersions);
    await expect(() => importChecklistFile(system, future)).toBeRefused(
      "invalid",
      /published 2999-01-01 is in the future/,
    );
    expect(count(checklistVersions)).toBe(versions);
  });

  it("rejects an invalid file with every problem located, and writes nothing", () => {
    const broken = copyOf("uk-psti/2023.yaml", (t) =>
      t
        .replace("validity_months: 24", 'validity_months: "two years"')
        .replace('title: "Passwords"', 'titel: "Passwords"'),
    );
    const versions = count(checklistVersions);
    let error: ChecklistInvalidError | undefined;
    try {
      importChecklistFile(system, broken);
    } catch (e) {
      error = e as ChecklistInvalidError;
    }
    expect(error).toBeInstanceOf(ChecklistInvalidError);
    expect(error!.lines).toHaveLength(3);
    expect(error!.lines.join("\n")).toMatch(
      /2023\.yaml:\d+:\d+: validity_months: validity_months must be a whole number/,
    );
    expect(error!.lines.join("\n")).toMatch(
      /sections\[0\]\.requirements\[0\]\.titel: unknown key "titel" \(did you mean "title"\?\)/,
    );
    expect(error!.lines.join("\n")).toMatch(/sections\[0\]\.requirements\[0\]\.title: title is required/);
    expect(count(checklistVersions)).toBe(versions);
  });

  it("--all imports nothing when any file is invalid", () => {
    const good = copyOf("uk-psti/2023.yaml");
    const bad = copyOf("iotsf-assurance-framework/3.0.yaml", (t) =>
      t.replace("id: iotsf-assurance-framework", "id: iotsf_framework"),
    );
    const versions = count(checklistVersions);
    const report = importShippedChecklists(system, [good, bad], true);
    expect(report.results).toEqual([]);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0].lines[0]).toMatch(/3\.0\.yaml:\d+:5: id: id must be a slug/);
    expect(count(checklistVersions)).toBe(versions);
  });
});

describe("crosswalk", () => {
  it("keeps a link to a checklist not imported yet as unresolved, and resolves it after that import", () => {
    const before = getChecklistVersion("etsi-en-303-645", "2.1.1")!;
    const r511 = before.sections.flatMap((s) => s.requirements).find((r) => r.ref === "5.1-1")!;
    expect(r511.mapsTo).toContainEqual(expect.objectContaining({ checklistId: "uk-psti", ref: "1", version: null }));

    importChecklistFile(system, shipped("uk-psti/2023.yaml"));
    const after = getChecklistVersion("etsi-en-303-645", "2.1.1")!
      .sections.flatMap((s) => s.requirements)
      .find((r) => r.ref === "5.1-1")!;
    expect(after.mapsTo).toContainEqual({
      checklistId: "uk-psti",
      checklistTitle: expect.stringMatching(/Product Security/),
      ref: "1",
      version: "2023",
      title: "Passwords",
      kind: null, // a plain maps_to string: kind unspecified
    });

    // ... and the other way round: PSTI 1 shows what maps to it.
    const psti1 = getChecklistVersion("uk-psti", "2023")!
      .sections.flatMap((s) => s.requirements)
      .find((r) => r.ref === "1")!;
    expect(psti1.mappedFrom).toContainEqual(
      expect.objectContaining({ checklistId: "etsi-en-303-645", ref: "5.1-1", version: "2.1.1" }),
    );
    expect(psti1.mapsTo).toContainEqual(
      expect.objectContaining({ checklistId: "etsi-en-303-645", ref: "5.1-1", version: "2.1.1" }),
    );
  });
});

describe("start-up", () => {
  it("imports every shipped file that is missing, once", async () => {
    const first = await startup();
    expect(first.checklists.problems).toEqual([]);
    expect(first.checklists.imported.sort()).toEqual([
      "en-18031@2024",
      "etsi-en-303-645@3.1.3",
      "etsi-en-303-645@3.1.3-r1",
      "eu-cra-annex-i@2024",
      "iotsf-assurance-framework@3.0",
      "iotsf-assurance-framework@3.0-r1",
    ]);
    const second = await startup();
    expect(second.checklists.imported).toEqual([]);
    expect(count(checklistVersions)).toBe(listShippedFiles().length);
  });

  it("imports the CRA Annex I checklist: 22 mandatory requirements, crosswalked to ETSI 3.1.3, IoTSF and UK PSTI both ways", () => {
    expect(importShippedChecklists(system).failures).toEqual([]); // a no-op after start-up; lets the test run alone
    const cra = getChecklistVersion("eu-cra-annex-i", "2024")!;
    expect(cra.meta.source).toBe("https://eur-lex.europa.eu/eli/reg/2024/2847/oj");
    const reqs = cra.sections.flatMap((s) => s.requirements);
    // Part I point (1), points (2)(a)-(m) and Part II points (1)-(8): 1 + 13 + 8.
    const letters = "abcdefghijklm".split("");
    expect(reqs.map((r) => r.ref)).toEqual([
      "I.1",
      ...letters.map((l) => `I.2.${l}`),
      ...Array.from({ length: 8 }, (_, i) => `II.${i + 1}`),
    ]);
    expect(reqs).toHaveLength(22);
    for (const r of reqs) {
      expect(r.applies).toEqual({ essential: "mandatory" });
      expect(r.text).toMatch(/^Annex I, Part (I|II), point \(/);
      expect(r.evidenceHint).toBeTruthy();
    }
    const byRef = new Map(reqs.map((r) => [r.ref, r]));
    expect(byRef.get("II.3")!.recursEveryDays).toBe(180); // "effective and regular tests and reviews"
    expect(byRef.get("II.1")!.text).toContain("software bill of materials");

    // Every link resolves to an imported version, and at least two other checklists are reached.
    const links = reqs.flatMap((r) => r.mapsTo);
    expect(links.filter((l) => l.version === null)).toEqual([]);
    expect(new Set(links.map((l) => l.checklistId))).toEqual(
      new Set(["etsi-en-303-645", "iotsf-assurance-framework", "uk-psti"]),
    );
    expect(byRef.get("II.5")!.mapsTo).toContainEqual(
      expect.objectContaining({ checklistId: "etsi-en-303-645", ref: "5.2-1", version: "3.1.3-r1" }),
    );
    // ... and the other way round: ETSI 5.2-1 and PSTI 2 show the CRA point that maps to them.
    const etsi521 = getChecklistVersion("etsi-en-303-645", "3.1.3-r1")!
      .sections.flatMap((s) => s.requirements)
      .find((r) => r.ref === "5.2-1")!;
    expect(etsi521.mappedFrom).toContainEqual(
      expect.objectContaining({ checklistId: "eu-cra-annex-i", ref: "II.5", version: "2024" }),
    );
    const psti2 = getChecklistVersion("uk-psti", "2023")!
      .sections.flatMap((s) => s.requirements)
      .find((r) => r.ref === "2")!;
    expect(psti2.mappedFrom).toContainEqual(expect.objectContaining({ checklistId: "eu-cra-annex-i", ref: "II.5" }));
  });

  it("the 2.1.1 -> 3.1.3 diff shows real differences", () => {
    const { diff } = diffChecklistVersions("etsi-en-303-645", "2.1.1", "3.1.3");
    expect(diff.added.map((r) => r.ref)).toEqual(expect.arrayContaining(["5.0-1", "5.13-1A", "5.13-1B"]));
    expect(diff.removed.map((r) => r.ref)).toContain("5.13-1");
    expect(diff.unchanged).toBeGreaterThan(30);
    expect(diff.added.length + diff.changed.length + diff.unchanged).toBe(78);
  });
});

describe("retiring a version", () => {
  it("keeps it readable but no longer selectable; only admins may; only once", async () => {
    await seedDemoData();
    const supplier = (await login({ email: "supplier@demo.test", password: DEMO_PASSWORD }, { ip: "127.0.0.9" })).user;
    const admin = (await login({ email: "admin@demo.test", password: DEMO_PASSWORD }, { ip: "127.0.0.9" })).user;
    expect(() =>
      retireChecklistVersion(supplier, "etsi-en-303-645@2.1.1", "superseded by 3.1.3", { confirmed: true }),
    ).toThrow(/permission/);

    expect(selectableVersions().map((v) => v.id)).toContain("etsi-en-303-645@2.1.1");
    // Asked first: without the confirmation nothing is retired (a crafted POST cannot skip it).
    await expect(() =>
      retireChecklistVersion(admin, "etsi-en-303-645@2.1.1", "superseded by 3.1.3", { confirmed: false }),
    ).toBeRefused("invalid", /^Tick the box to confirm that .* is retired for good/);
    expect(selectableVersions().map((v) => v.id)).toContain("etsi-en-303-645@2.1.1");
    expect(
      retireChecklistVersion(admin, "etsi-en-303-645@2.1.1", "superseded by 3.1.3", { confirmed: true }).label,
    ).toMatch(/2\.1\.1/);
    expect(selectableVersions().map((v) => v.id)).not.toContain("etsi-en-303-645@2.1.1");
    const still = getChecklistVersion("etsi-en-303-645", "2.1.1")!;
    expect(still.version).toMatchObject({
      status: "retired",
      retiredReason: "superseded by 3.1.3",
      requirementCount: 67,
    });
    expect(() => retireChecklistVersion(admin, "etsi-en-303-645@2.1.1", "again", { confirmed: true })).toThrow(
      /already retired/,
    );
    // Retiring is not a content change: the unchanged file is still "unchanged" on import, and says it stays retired.
    expect(importChecklistFile(system, shipped("etsi-en-303-645/2.1.1.yaml"))).toMatchObject({
      outcome: "unchanged",
      retired: true,
    });
  });
});

describe("npm run checklist:import", () => {
  const tsx = path.resolve("node_modules/.bin/tsx");
  const script = path.resolve("scripts/checklist-import.ts");

  it("prints file:line:col, the path and the problem for each failure, exits non-zero, imports nothing", () => {
    const bad = copyOf("uk-psti/2023.yaml", (t) =>
      t.replace("  high: 90\n", "  high: 90\n  urgent: 7\n").replace("published: 2023-09-14", "published: 2023-02-30"),
    );
    const versions = count(checklistVersions);
    let status = 0;
    let stderr = "";
    try {
      execFileSync(tsx, [script, bad], { env: process.env, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      ({ status, stderr } = e as { status: number; stderr: string });
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/2023\.yaml:10:12: published: published is not a real calendar date/);
    expect(stderr).toMatch(/2023\.yaml:\d+:3: disclosure_days\.urgent: unknown key "urgent"/);
    expect(stderr).toMatch(/nothing was imported/);
    expect(count(checklistVersions)).toBe(versions);
  });

  it("says an unchanged file is already imported", () => {
    const out = execFileSync(tsx, [script, shipped("uk-psti/2023.yaml")], { env: process.env, encoding: "utf8" });
    expect(out).toMatch(/^unchanged uk-psti 2023: already imported with the same content/);
  });
});
