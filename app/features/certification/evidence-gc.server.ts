/**
 * Storage hygiene: the evidence garbage collector and the temporary-upload sweep.
 *
 * What names an evidence file (and so keeps it, for ever): an evidence link of any submission,
 * whatever its state (a draft, a withdrawn or rejected one, and the approved submission of every
 * seal, whose evidence the credential's Merkle root covers: its links can never be removed, since
 * an approved submission is frozen and cannot be deleted), and any recurring evidence (pending,
 * accepted or rejected). Nothing else refers to evidence bytes (the audit log only mentions them).
 *
 * A file no row names is first marked (`evidence_files.unreferenced_since`, by the sweep that
 * first finds it so: within 15 minutes of its last link going), unmarked if a row names it again,
 * and deleted (row and bytes) once the mark is older than the grace period (7 days). Bytes on disk
 * with no row at all (left by a crash between a failed transaction and its clean-up, or by an old
 * backup) go once they are older than the grace period too. Deletions happen inside one IMMEDIATE
 * transaction that re-checks that nothing names the file, so an upload in any process either
 * names it first (and it stays) or comes after (and stores its bytes afresh). Each run that
 * deletes something writes one audit event, `evidence.collected`.
 *
 * Runs with the lifecycle sweep (start-up and every 15 minutes) and as `npm run evidence:gc`
 * (`--dry-run` to list what it would delete, changing nothing).
 */
import { sql } from "drizzle-orm";
import { evidenceStore } from "./adapters/evidence-store.server";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import { EVIDENCE_GC_GRACE_DAYS, EVIDENCE_GC_GRACE_MS, isStaleUpload } from "./domain/evidence-quota";
import type { AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";

/** At most this many files are deleted per run (the rest on the next run), to keep the write lock short. */
const BATCH = 1000;

/** No evidence link and no recurring evidence names `f.sha256` (f: an alias of evidence_files). */
const UNREFERENCED = sql`not exists (select 1 from evidence_links l where l.sha256 = f.sha256)
  and not exists (select 1 from recurring_evidence r where r.sha256 = f.sha256)`;

export interface CollectReport {
  dryRun: boolean;
  /** Rows and bytes deleted (or, in a dry run, that would be). */
  deleted: { sha256: string; size: number; unreferencedSince: string }[];
  /** Files on disk with no row, older than the grace period, deleted (or that would be). */
  orphanFiles: string[];
  /** Files found unreferenced for the first time by this run: their grace period starts now. */
  marked: string[];
  /** Files named again, whose grace period was cancelled. */
  unmarked: number;
  bytes: number;
}

type Reader = Pick<Tx, "all" | "get">;

function dueForDeletion(t: Reader, cutoff: number) {
  return t.all<{ sha256: string; size: number; since: number }>(
    sql`select f.sha256, f.size, f.unreferenced_since as since from evidence_files f where f.unreferenced_since is not null and f.unreferenced_since <= ${cutoff} and ${UNREFERENCED} order by f.unreferenced_since limit ${BATCH}`,
  );
}

function orphanCandidates(t: Reader, cutoff: number): string[] {
  const out: string[] = [];
  for (const f of evidenceStore(getEnv().dataDir).storedFiles()) {
    if (out.length >= BATCH) break;
    if (f.mtimeMs > cutoff) continue;
    if (!t.get(sql`select 1 as x from evidence_files where sha256 = ${f.sha256}`)) out.push(f.sha256);
  }
  return out;
}

export function collectEvidence(
  actor: AnyActor = { system: "evidence-gc" },
  opts: { dryRun?: boolean } = {},
): CollectReport {
  const now = nowMs();
  const cutoff = now - EVIDENCE_GC_GRACE_MS;
  const files = evidenceStore(getEnv().dataDir);

  if (opts.dryRun) {
    const t = db();
    const due = dueForDeletion(t, cutoff);
    const marked = t
      .all<{ sha256: string }>(
        sql`select f.sha256 from evidence_files f where f.unreferenced_since is null and ${UNREFERENCED}`,
      )
      .map((r) => r.sha256);
    const orphanFiles = orphanCandidates(t, cutoff);
    return {
      dryRun: true,
      deleted: due.map((d) => ({ sha256: d.sha256, size: d.size, unreferencedSince: new Date(d.since).toISOString() })),
      orphanFiles,
      marked,
      unmarked: 0,
      bytes: due.reduce((a, d) => a + d.size, 0),
    };
  }

  const orphanCandidatesSeen = orphanCandidates(db(), cutoff); // walked outside the write lock; re-checked inside
  return transaction((tx) => {
    const unmarked = tx.run(
      sql`update evidence_files as f set unreferenced_since = null where f.unreferenced_since is not null and not (${UNREFERENCED})`,
    ).changes;
    const marked = tx
      .all<{ sha256: string }>(
        sql`update evidence_files as f set unreferenced_since = ${now} where f.unreferenced_since is null and ${UNREFERENCED} returning sha256`,
      )
      .map((r) => r.sha256);
    const due = dueForDeletion(tx, cutoff);
    for (const d of due) {
      tx.run(sql`delete from evidence_files where sha256 = ${d.sha256}`);
      files.removeSync(d.sha256); // inside the transaction: no upload can name it meanwhile
    }
    const orphanFiles = orphanCandidatesSeen.filter(
      (sha) => !tx.get(sql`select 1 as x from evidence_files where sha256 = ${sha}`),
    );
    for (const sha of orphanFiles) files.removeSync(sha);
    const deleted = due.map((d) => ({
      sha256: d.sha256,
      size: d.size,
      unreferencedSince: new Date(d.since).toISOString(),
    }));
    const bytes = due.reduce((a, d) => a + d.size, 0);
    if (deleted.length || orphanFiles.length) {
      recordAudit(tx, actor, {
        action: "evidence.collected",
        target: { type: "evidence", id: "garbage-collection" },
        details: { graceDays: EVIDENCE_GC_GRACE_DAYS, files: deleted, orphanFiles, bytes },
      });
    }
    return { dryRun: false, deleted, orphanFiles, marked, unmarked, bytes };
  });
}

export function describeCollection(r: CollectReport): string {
  const verb = r.dryRun ? "would delete" : "deleted";
  const parts = [
    r.deleted.length
      ? `${verb} ${r.deleted.length} unreferenced evidence file${r.deleted.length === 1 ? "" : "s"} (${r.bytes} bytes)`
      : "",
    r.orphanFiles.length
      ? `${verb} ${r.orphanFiles.length} stored file${r.orphanFiles.length === 1 ? "" : "s"} no row names`
      : "",
    r.marked.length
      ? `${r.dryRun ? "would start" : "started"} the ${EVIDENCE_GC_GRACE_DAYS}-day grace period of ${r.marked.length} file${r.marked.length === 1 ? "" : "s"} no longer named`
      : "",
    r.unmarked ? `kept ${r.unmarked} file${r.unmarked === 1 ? "" : "s"} named again` : "",
  ].filter(Boolean);
  return parts.length ? `Evidence collection: ${parts.join("; ")}.` : "Evidence collection: nothing to delete.";
}

/**
 * Removes temporary uploads (`.part`) no request owns: not held by a request of this process and
 * not written to for 10 minutes (see STALE_UPLOAD_MS). Run at start-up and with every lifecycle
 * sweep; a kill -9 during an upload leaves at most that long a file behind.
 */
export function sweepTemporaryUploads(): string[] {
  const now = nowMs();
  return evidenceStore(getEnv().dataDir).sweepTemporary((lastWriteMs) => isStaleUpload(lastWriteMs, now));
}
