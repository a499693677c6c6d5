/**
 * Checklist versions: import (from the shipped files, the CLI or an admin's upload), browse,
 * diff, crosswalk and retire. A published version never changes; the same content imported
 * again is a no-op; different content under a published id+version is refused.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { checklists, checklistSections, checklistVersions, crosswalkLinks, requirements } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { canonicalChecklist, checklistHash } from "./domain/checklist/canonical";
import {
  crosswalkEntry,
  parseCrosswalkTarget,
  resolveCrosswalk,
  unknownCrosswalkTargets,
  type KnownRefs,
} from "./domain/checklist/crosswalk";
import { diffRequirements, type RequirementFacts } from "./domain/checklist/diff";
import { byNewest, newestOf } from "./domain/checklist/newest";
import { parseChecklistText, type ChecklistProblem, type ExpectedLocation } from "./domain/checklist/parse";
import { checklistShortLabel, checklistVersionLabel } from "./domain/checklist/label";
import { verdictModelOfContent } from "./domain/checklist/verdict-model";
import { checklistIdOf } from "../trust/domain/checklist-url";
import { formatProblem } from "./domain/checklist/problems";
import {
  countsPerLevel,
  DEFAULT_RECURRING_GRACE_DAYS,
  type ChecklistFile,
  type CrosswalkKind,
} from "./domain/checklist/schema";
import { isSystem, type AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { requireConfirmation } from "../../platform/confirmation.server";

export class ChecklistInvalidError extends ServiceError {
  constructor(
    readonly file: string,
    readonly problems: ChecklistProblem[],
  ) {
    super(
      "invalid",
      `${file} has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was imported.`,
    );
  }

  get lines(): string[] {
    return this.problems.map((p) => formatProblem(this.file, p));
  }
}

export type ImportOutcome =
  | { outcome: "imported"; versionId: string; checklistId: string; version: string; hash: string; requirements: number }
  | {
      outcome: "unchanged";
      versionId: string;
      checklistId: string;
      version: string;
      hash: string;
      requirements: number;
      /** The version was retired (importing it again does not bring it back). */
      retired: boolean;
    };

/** Where the shipped checklist files live (found from this module, so it works from the build too). */
export function shippedChecklistsDir(start = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "checklists");
    if (fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("checklists");
}

export function listShippedFiles(dir = shippedChecklistsDir()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(dir, d.name))
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => path.join(dir, d.name, f)),
    )
    .sort();
}

/** The folder and file name a path implies: `<id>/<version>.yaml`. */
export function expectedFromPath(file: string): ExpectedLocation {
  return { folder: path.basename(path.dirname(path.resolve(file))), fileStem: path.basename(file, ".yaml") };
}

/**
 * Validates; throws ChecklistInvalidError listing every problem. With `knownRefs` (importedRefs), a
 * crosswalk target in an imported checklist that none of its versions has is a problem too.
 */
export function validateChecklist(
  source: string,
  label: string,
  expected: ExpectedLocation,
  knownRefs?: KnownRefs,
): ChecklistFile {
  const parsed = parseChecklistText(source, expected, { knownRefs });
  if (!parsed.ok) throw new ChecklistInvalidError(label, parsed.problems);
  return parsed.file;
}

/**
 * The refs of every imported version of each checklist (read once per checklist asked about), plus
 * those of `alsoComing`: files about to be imported with it, so a batch may link to a ref its own
 * new version of another checklist brings.
 */
export function importedRefs(alsoComing: readonly ChecklistFile[] = []): KnownRefs {
  const cache = new Map<string, ReadonlySet<string> | null>();
  return (checklistId) => {
    if (!cache.has(checklistId)) {
      const refs = new Set(
        db()
          .select({ ref: requirements.ref })
          .from(requirements)
          .innerJoin(checklistVersions, eq(checklistVersions.id, requirements.versionId))
          .where(eq(checklistVersions.checklistId, checklistId))
          .all()
          .map((r) => r.ref),
      );
      const coming = alsoComing.filter((f) => f.id === checklistId);
      for (const f of coming) for (const section of f.sections) for (const r of section.requirements) refs.add(r.ref);
      const imported = coming.length > 0 || !!getAnyVersion(checklistId);
      cache.set(checklistId, imported ? refs : null);
    }
    return cache.get(checklistId)!;
  };
}

function getAnyVersion(checklistId: string) {
  return db()
    .select({ id: checklistVersions.id })
    .from(checklistVersions)
    .where(eq(checklistVersions.checklistId, checklistId))
    .limit(1)
    .get();
}

export function importChecklist(
  actor: AnyActor,
  source: string,
  label: string,
  expected: ExpectedLocation,
): ImportOutcome {
  assertCan(actor, "admin.workspace");
  const file = validateChecklist(source, label, expected, importedRefs());
  return importValidated(actor, file, label);
}

export function importChecklistFile(actor: AnyActor, filePath: string): ImportOutcome {
  return importChecklist(
    actor,
    fs.readFileSync(filePath, "utf8"),
    path.relative(process.cwd(), filePath) || filePath,
    expectedFromPath(filePath),
  );
}

function importValidated(actor: AnyActor, file: ChecklistFile, label: string): ImportOutcome {
  const hash = checklistHash(file);
  const versionId = `${file.id}@${file.version}`;
  const count = file.sections.reduce((n, s) => n + s.requirements.length, 0);
  return transaction((tx) => {
    const existing = tx.select().from(checklistVersions).where(eq(checklistVersions.id, versionId)).get();
    if (existing) {
      if (existing.contentHash === hash)
        return {
          outcome: "unchanged",
          versionId,
          checklistId: file.id,
          version: file.version,
          hash,
          requirements: count,
          retired: existing.status === "retired",
        } as const;
      throw new ServiceError(
        "conflict",
        `${label}: ${file.id} version ${file.version} is already published with different content (hash ${existing.contentHash.slice(0, 12)}…, this file ${hash.slice(0, 12)}…). A published version never changes: give your changes a new version number (a new file).`,
      );
    }
    const at = new Date(nowMs());
    // Imported means offered to suppliers at once: a version whose publication date is still to come
    // is not published yet (the date is the standard's, a UTC calendar day).
    if (file.published > at.toISOString().slice(0, 10))
      throw new ServiceError(
        "invalid",
        `${label}: published ${file.published} is in the future. A version is offered to suppliers as soon as it is imported: import it on or after its publication date.`,
      );
    if (!tx.select({ id: checklists.id }).from(checklists).where(eq(checklists.id, file.id)).get()) {
      tx.insert(checklists).values({ id: file.id, title: file.title, publisher: file.publisher, createdAt: at }).run();
    } else {
      // The checklist's display title follows its newest version (byNewest: the same rule as every list).
      const newest = newestOf(
        tx
          .select({ publishedOn: checklistVersions.publishedOn, version: checklistVersions.version })
          .from(checklistVersions)
          .where(eq(checklistVersions.checklistId, file.id))
          .all(),
      );
      if (!newest || byNewest({ publishedOn: file.published, version: file.version }, newest) <= 0)
        tx.update(checklists)
          .set({ title: file.title, publisher: file.publisher })
          .where(eq(checklists.id, file.id))
          .run();
    }
    tx.insert(checklistVersions)
      .values({
        id: versionId,
        checklistId: file.id,
        version: file.version,
        title: file.title,
        publisher: file.publisher,
        publishedOn: file.published,
        source: file.source ?? null,
        levels: file.levels,
        validityMonths: file.validity_months,
        disclosureDays: file.disclosure_days,
        recurringGraceDays: file.recurring_grace_days ?? DEFAULT_RECURRING_GRACE_DAYS,
        status: "published",
        contentHash: hash,
        content: canonicalChecklist(file),
        requirementCount: count,
        importedAt: at,
        importedBy: isSystem(actor) ? `system:${actor.system}` : actor.email,
      })
      .run();
    let position = 0;
    file.sections.forEach((section, s) => {
      tx.insert(checklistSections).values({ versionId, ref: section.ref, title: section.title, position: s }).run();
      for (const r of section.requirements) {
        tx.insert(requirements)
          .values({
            id: `${versionId}#${r.ref}`,
            versionId,
            sectionRef: section.ref,
            ref: r.ref,
            title: r.title,
            text: r.text,
            applies: r.applies,
            condition: r.condition ?? null,
            evidenceHint: r.evidence ?? null,
            recursEveryDays: r.recurs_every_days ?? null,
            position: position++,
          })
          .run();
        for (const entry of r.maps_to ?? []) {
          const { target, kind } = crosswalkEntry(entry);
          const t = parseCrosswalkTarget(target)!;
          tx.insert(crosswalkLinks)
            .values({ fromVersionId: versionId, fromRef: r.ref, toChecklistId: t.checklistId, toRef: t.ref, kind })
            .run();
        }
      }
    });
    recordAudit(tx, actor, {
      action: "checklist.imported",
      target: { type: "checklist_version", id: versionId },
      details: { file: label, hash, requirements: count },
    });
    return {
      outcome: "imported",
      versionId,
      checklistId: file.id,
      version: file.version,
      hash,
      requirements: count,
    } as const;
  });
}

export interface ShippedImportReport {
  results: ImportOutcome[];
  failures: { file: string; lines: string[] }[];
}

/**
 * Imports every shipped file that is not in the database yet. With `allOrNothing` (the CLI) any
 * refused file stops the whole import: an invalid file before anything is written, and one refused
 * as it is imported (different content under a published version, a publication date still to
 * come) rolls the batch back, imported in one transaction. A file that cannot be read (no such
 * file) is refused like an invalid one.
 */
export function importShippedChecklists(
  actor: AnyActor,
  files = listShippedFiles(),
  allOrNothing = false,
): ShippedImportReport {
  const report: ShippedImportReport = { results: [], failures: [] };
  let valid: { file: string; source: string; expected: ExpectedLocation; checklist: ChecklistFile }[] = [];
  for (const file of files) {
    const label = path.relative(process.cwd(), file) || file;
    let source: string;
    try {
      source = fs.readFileSync(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "no such file"
          : code === "EISDIR"
            ? "is a directory, not a checklist file"
            : `cannot be read (${(e as Error).message})`;
      report.failures.push({ file: label, lines: [`${label}: ${why}`] });
      continue;
    }
    const expected = expectedFromPath(file);
    try {
      valid.push({ file: label, source, expected, checklist: validateChecklist(source, label, expected) });
    } catch (e) {
      if (e instanceof ChecklistInvalidError) report.failures.push({ file: label, lines: e.lines });
      else throw e;
    }
  }
  // Crosswalk targets are checked against what is imported and what this batch brings (a file may
  // link to the ref a newer version of another checklist adds); a file with a mistyped one is read
  // again for the line numbers.
  const known = importedRefs(valid.map((v) => v.checklist));
  valid = valid.filter((v) => {
    if (!unknownCrosswalkTargets(v.checklist, known).length) return true;
    const again = parseChecklistText(v.source, v.expected, { knownRefs: known });
    if (!again.ok)
      report.failures.push({ file: v.file, lines: new ChecklistInvalidError(v.file, again.problems).lines });
    return false;
  });
  if (allOrNothing && report.failures.length) return report;
  // Older versions first, so a checklist's title ends up as its newest version's.
  valid.sort((a, b) => a.checklist.published.localeCompare(b.checklist.published));
  const importAll = () => {
    for (const v of valid) {
      try {
        report.results.push(importValidated(actor, v.checklist, v.file));
      } catch (e) {
        if (e instanceof ServiceError) report.failures.push({ file: v.file, lines: [e.message] });
        else throw e;
      }
    }
  };
  if (!allOrNothing) {
    importAll();
    return report;
  }
  // Each file's import is a savepoint in the batch's transaction, which a refusal undoes whole.
  const refused = new Error("a file of the batch was refused");
  try {
    transaction(() => {
      importAll();
      if (report.failures.length) throw refused;
    });
  } catch (e) {
    if (e !== refused) throw e;
    report.results = [];
  }
  return report;
}

/**
 * What retiring a version stops: new submissions, and, when it is its checklist's last published
 * version, renewals and re-certifications too (they continue on a published version of the same
 * checklist: certification/submission-records.server.ts, continuingChecklistVersion).
 */
export function retirementConsequence(lastPublished: boolean): string {
  return lastPublished
    ? "no new submissions, and, as no other version of this checklist is published, no renewals or re-certifications on this checklist until a new version is imported; seals already issued stay valid"
    : "no new submissions; seals already issued stay valid";
}

/** Whether no other version of the checklist is published. */
function isLastPublished(t: Pick<Tx, "select">, v: { id: string; checklistId: string }): boolean {
  return !t
    .select({ id: checklistVersions.id })
    .from(checklistVersions)
    .where(
      and(
        eq(checklistVersions.checklistId, v.checklistId),
        eq(checklistVersions.status, "published"),
        sql`${checklistVersions.id} <> ${v.id}`,
      ),
    )
    .limit(1)
    .get();
}

export function retireChecklistVersion(
  actor: AnyActor,
  versionId: string,
  reason: string,
  opts: { confirmed: boolean },
): { label: string; lastPublished: boolean } {
  assertCan(actor, "admin.workspace");
  const retired = transaction((tx) => {
    const v = tx.select().from(checklistVersions).where(eq(checklistVersions.id, versionId)).get();
    if (!v) throw new ServiceError("not_found", "No such checklist version.");
    if (v.status === "retired") throw new ServiceError("conflict", `${v.checklistId} ${v.version} is already retired.`);
    const lastPublished = isLastPublished(tx, v);
    requireConfirmation(
      opts.confirmed,
      `${summarise(v).label} is retired for good (${retirementConsequence(lastPublished)})`,
    );
    tx.update(checklistVersions)
      .set({ status: "retired", retiredAt: new Date(nowMs()), retiredReason: reason })
      .where(eq(checklistVersions.id, versionId))
      .run();
    recordAudit(tx, actor, {
      action: "checklist.retired",
      target: { type: "checklist_version", id: versionId },
      details: { reason, lastPublished },
    });
    return { ...v, lastPublished };
  });
  return { label: summarise(retired).label, lastPublished: retired.lastPublished };
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface VersionSummary {
  id: string;
  checklistId: string;
  version: string;
  /** The checklist's title as this version names it. */
  title: string;
  /** Title and version in words (checklistVersionLabel): no slug, no repeated version, "-r1" explained. */
  label: string;
  /** The designation and version (checklistShortLabel): "ETSI EN 303 645 3.1.3", "UK PSTI 2023". */
  shortLabel: string;
  publishedOn: string;
  status: "draft" | "published" | "retired";
  contentHash: string;
  requirementCount: number;
  levels: { id: string; title: string; mandatory: number; advisory: number }[];
  retiredReason: string | null;
  /** Requirements that need fresh evidence after the seal (`recurs_every_days`), and the shortest period. */
  recurring: { count: number; shortestDays: number | null; longestDays: number | null };
}

function levelCounts(
  versionId: string,
  levels: { id: string; title: string }[],
): Pick<VersionSummary, "levels" | "recurring"> {
  const rows = db()
    .select({ applies: requirements.applies, every: requirements.recursEveryDays })
    .from(requirements)
    .where(eq(requirements.versionId, versionId))
    .all();
  const periods = rows.map((r) => r.every).filter((d): d is number => d !== null);
  return {
    levels: countsPerLevel(
      levels,
      rows.map((r) => r.applies),
    ),
    recurring: {
      count: periods.length,
      shortestDays: periods.length ? Math.min(...periods) : null,
      longestDays: periods.length ? Math.max(...periods) : null,
    },
  };
}

function summarise(v: typeof checklistVersions.$inferSelect): VersionSummary {
  const counts = levelCounts(v.id, v.levels);
  return {
    id: v.id,
    checklistId: v.checklistId,
    version: v.version,
    title: v.title,
    label: checklistVersionLabel({
      title: v.title,
      version: v.version,
      continuousMonitoring: counts.recurring.count > 0,
    }),
    shortLabel: checklistShortLabel({
      checklistId: v.checklistId,
      version: v.version,
      continuousMonitoring: counts.recurring.count > 0,
    }),
    publishedOn: v.publishedOn,
    status: v.status,
    contentHash: v.contentHash,
    requirementCount: v.requirementCount,
    ...counts,
    retiredReason: v.retiredReason,
  };
}

/**
 * A checklist version in words (checklistVersionLabel), for a version named by a credential: whether
 * it asks for continuous monitoring is read from its requirements; an unknown version is named by
 * its title and version alone. `id` is the checklist id, or a credential's checklist page URL (issue 17).
 */
/** Whether a checklist version (by id, "etsi-en-303-645@3.1.3-r1") has requirements that recur. */
export function hasRecurringRequirements(versionId: string): boolean {
  return !!db()
    .select({ one: sql<number>`1` })
    .from(requirements)
    .where(and(eq(requirements.versionId, versionId), sql`${requirements.recursEveryDays} is not null`))
    .limit(1)
    .get();
}

export function checklistLabelFor(c: { id: string; version: string; title: string }): string {
  const recurring = db()
    .select({ n: sql<number>`count(*)` })
    .from(requirements)
    .innerJoin(checklistVersions, eq(checklistVersions.id, requirements.versionId))
    .where(
      and(
        eq(checklistVersions.checklistId, checklistIdOf(c)),
        eq(checklistVersions.version, c.version),
        sql`${requirements.recursEveryDays} is not null`,
      ),
    )
    .get();
  return checklistVersionLabel({ title: c.title, version: c.version, continuousMonitoring: (recurring?.n ?? 0) > 0 });
}

/** A level of a checklist version by its title ("Baseline", "Class 1"); its id when the version or level is unknown here. */
export function levelTitleFor(c: { id: string; version: string }, levelId: string): string {
  const row = getVersionRow(checklistIdOf(c), c.version);
  return row?.levels.find((l) => l.id === levelId)?.title ?? levelId;
}

/** Newest first (domain/checklist/newest.ts): the one rule for "the newest version", here for every caller. */
export { byNewest, newestOf };

export function listChecklists() {
  const all = db().select().from(checklists).orderBy(asc(checklists.title)).all();
  const versions = db().select().from(checklistVersions).all();
  return all.map((c) => {
    const own = versions.filter((v) => v.checklistId === c.id).sort(byNewest);
    const published = own.filter((v) => v.status === "published").length;
    return {
      ...c,
      versions: own.map((v) => ({
        ...summarise(v),
        /** Its checklist's only published version: retiring it stops renewals and re-certifications too. */
        lastPublished: v.status === "published" && published === 1,
      })),
    };
  });
}

export function getChecklist(checklistId: string) {
  return listChecklists().find((c) => c.id === checklistId) ?? null;
}

export function getVersionRow(checklistId: string, version: string) {
  return db()
    .select()
    .from(checklistVersions)
    .where(and(eq(checklistVersions.checklistId, checklistId), eq(checklistVersions.version, version)))
    .get();
}

export interface CrosswalkEnd {
  checklistId: string;
  /** null while no version of that checklist is imported (with a title but no version: none of them has the ref). */
  checklistTitle: string | null;
  ref: string;
  version: string | null; // null: not imported yet (unresolved)
  title: string | null;
  /** How closely the two say the same, as the linking file states it; null: unspecified. */
  kind: CrosswalkKind | null;
}

export interface RequirementView {
  ref: string;
  sectionRef: string;
  title: string;
  text: string;
  applies: Record<string, "mandatory" | "advisory">;
  condition: string | null;
  evidenceHint: string | null;
  /** Fresh accepted evidence is needed this often after the seal (null: once is enough). */
  recursEveryDays: number | null;
  mapsTo: CrosswalkEnd[];
  mappedFrom: CrosswalkEnd[];
}

export function getChecklistVersion(checklistId: string, version: string) {
  const v = getVersionRow(checklistId, version);
  if (!v) return null;
  const sections = db()
    .select()
    .from(checklistSections)
    .where(eq(checklistSections.versionId, v.id))
    .orderBy(asc(checklistSections.position))
    .all();
  const reqs = db()
    .select()
    .from(requirements)
    .where(eq(requirements.versionId, v.id))
    .orderBy(asc(requirements.position))
    .all();
  const walk = crosswalkFor(
    v.id,
    checklistId,
    reqs.map((r) => r.ref),
  );
  const views: RequirementView[] = reqs.map((r) => ({
    ref: r.ref,
    sectionRef: r.sectionRef,
    title: r.title,
    text: r.text,
    applies: r.applies,
    condition: r.condition,
    evidenceHint: r.evidenceHint,
    recursEveryDays: r.recursEveryDays,
    mapsTo: walk.outgoing.get(r.ref) ?? [],
    mappedFrom: walk.incoming.get(r.ref) ?? [],
  }));
  return {
    version: summarise(v),
    meta: {
      title: v.title,
      publisher: v.publisher,
      source: v.source,
      validityMonths: v.validityMonths,
      disclosureDays: v.disclosureDays,
      recurringGraceDays: v.recurringGraceDays,
      verdictModel: verdictModelOfContent(v.content),
      importedAt: v.importedAt,
      importedBy: v.importedBy,
    },
    sections: sections.map((s) => ({
      ref: s.ref,
      title: s.title,
      requirements: views.filter((r) => r.sectionRef === s.ref),
    })),
    otherVersions: db()
      .select({ version: checklistVersions.version, publishedOn: checklistVersions.publishedOn })
      .from(checklistVersions)
      .where(eq(checklistVersions.checklistId, checklistId))
      .all()
      .sort(byNewest)
      .map((x) => x.version),
  };
}

type VersionIndex = Map<
  string,
  { version: string; publishedOn: string; status: string; refs: Set<string>; titles: Map<string, string> }[]
>;

function versionIndex(checklistIds: string[]): VersionIndex {
  const index: VersionIndex = new Map();
  if (!checklistIds.length) return index;
  const rows = db()
    .select({
      checklistId: checklistVersions.checklistId,
      version: checklistVersions.version,
      publishedOn: checklistVersions.publishedOn,
      status: checklistVersions.status,
      ref: requirements.ref,
      title: requirements.title,
    })
    .from(requirements)
    .innerJoin(checklistVersions, eq(checklistVersions.id, requirements.versionId))
    .where(inArray(checklistVersions.checklistId, checklistIds))
    .all();
  for (const r of rows) {
    const list = index.get(r.checklistId) ?? [];
    let v = list.find((x) => x.version === r.version);
    if (!v)
      list.push(
        (v = { version: r.version, publishedOn: r.publishedOn, status: r.status, refs: new Set(), titles: new Map() }),
      );
    v.refs.add(r.ref);
    v.titles.set(r.ref, r.title);
    index.set(r.checklistId, list);
  }
  return index;
}

/** Both directions of the crosswalk for the requirements of one version. */
export function crosswalkFor(versionId: string, checklistId: string, refs: string[]) {
  const out = db().select().from(crosswalkLinks).where(eq(crosswalkLinks.fromVersionId, versionId)).all();
  const inc = refs.length
    ? db()
        .select({
          fromVersionId: crosswalkLinks.fromVersionId,
          fromRef: crosswalkLinks.fromRef,
          toRef: crosswalkLinks.toRef,
          kind: crosswalkLinks.kind,
          fromChecklistId: checklistVersions.checklistId,
          fromVersion: checklistVersions.version,
        })
        .from(crosswalkLinks)
        .innerJoin(checklistVersions, eq(checklistVersions.id, crosswalkLinks.fromVersionId))
        .where(and(eq(crosswalkLinks.toChecklistId, checklistId), inArray(crosswalkLinks.toRef, refs)))
        .all()
    : [];
  const ids = [...new Set([...out.map((l) => l.toChecklistId), ...inc.map((l) => l.fromChecklistId)])];
  const titles = new Map(
    db()
      .select({ id: checklists.id, title: checklists.title })
      .from(checklists)
      .all()
      .map((c) => [c.id, c.title]),
  );
  const index = versionIndex(ids);
  const outgoing = new Map<string, CrosswalkEnd[]>();
  for (const l of out) {
    const resolved = resolveCrosswalk(index.get(l.toChecklistId) ?? [], l.toRef);
    const list = outgoing.get(l.fromRef) ?? [];
    list.push({
      checklistId: l.toChecklistId,
      checklistTitle: titles.get(l.toChecklistId) ?? null,
      ref: l.toRef,
      version: resolved?.version ?? null,
      title: resolved?.titles.get(l.toRef) ?? null,
      kind: l.kind,
    });
    outgoing.set(l.fromRef, list);
  }
  const incoming = new Map<string, CrosswalkEnd[]>();
  for (const l of inc) {
    const v = index.get(l.fromChecklistId)?.find((x) => x.version === l.fromVersion);
    const list = incoming.get(l.toRef) ?? [];
    list.push({
      checklistId: l.fromChecklistId,
      checklistTitle: titles.get(l.fromChecklistId) ?? null,
      ref: l.fromRef,
      version: l.fromVersion,
      title: v?.titles.get(l.fromRef) ?? null,
      kind: l.kind,
    });
    incoming.set(l.toRef, list);
  }
  return { outgoing, incoming };
}

function facts(versionId: string): RequirementFacts[] {
  const links = new Map<string, NonNullable<RequirementFacts["mapsTo"]>>();
  for (const l of db().select().from(crosswalkLinks).where(eq(crosswalkLinks.fromVersionId, versionId)).all())
    links.set(l.fromRef, [...(links.get(l.fromRef) ?? []), { to: `${l.toChecklistId}:${l.toRef}`, kind: l.kind }]);
  const sections = new Map(
    db()
      .select()
      .from(checklistSections)
      .where(eq(checklistSections.versionId, versionId))
      .all()
      .map((s) => [s.ref, s.title]),
  );
  return db()
    .select()
    .from(requirements)
    .where(eq(requirements.versionId, versionId))
    .orderBy(asc(requirements.position))
    .all()
    .map((r) => ({
      ref: r.ref,
      sectionRef: r.sectionRef,
      sectionTitle: sections.get(r.sectionRef) ?? "",
      title: r.title,
      text: r.text,
      applies: r.applies,
      condition: r.condition,
      recursEveryDays: r.recursEveryDays,
      evidenceHint: r.evidenceHint,
      mapsTo: links.get(r.ref) ?? [],
    }));
}

/** Two versions compared; each side's requirements are read with its own version's levels. */
export function diffChecklistVersions(checklistId: string, from: string, to: string) {
  const a = getVersionRow(checklistId, from);
  const b = getVersionRow(checklistId, to);
  if (!a || !b) throw new ServiceError("not_found", `${checklistId} has no version ${!a ? from : to}.`);
  return {
    from: summarise(a),
    to: summarise(b),
    fromLevels: a.levels,
    toLevels: b.levels,
    diff: diffRequirements(facts(a.id), facts(b.id)),
  };
}

/** Versions a new submission may be opened against (published, not retired). */
export function selectableVersions() {
  return db()
    .select()
    .from(checklistVersions)
    .where(eq(checklistVersions.status, "published"))
    .all()
    .sort(byNewest)
    .map(summarise);
}
