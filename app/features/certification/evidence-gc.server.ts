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
 *
 * On S3 (EVIDENCE_STORE=s3://…, decision 027) deleting an object cannot happen inside the
 * synchronous database transaction, so deletion takes three steps (`collectRemoteEvidence`, run
 * after the sweep's marking): one transaction claims the files due (their rows' mark becomes
 * BEING_REMOVED; an object no row names, older than the grace period, gets a claiming row), then
 * the objects are deleted, then one transaction deletes the claimed rows. An upload that names a
 * claimed file in between is refused ("send it again in a minute": `nameEvidenceBytes`), so no
 * upload can ever rely on bytes that are being deleted; a run that dies half-way leaves its claims
 * for the next run to finish. It also aborts multipart uploads older than a day (a process killed
 * while it uploaded).
 */
import { eq, sql } from "drizzle-orm";
import { evidenceFiles } from "../../../db/schema";
import { evidenceStore, LocalEvidenceStore } from "./adapters/evidence-store.server";
import { configuredEvidenceStore } from "./adapters/configured-store.server";
import { S3EvidenceStore } from "./adapters/s3-evidence-store.server";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import { DAY_MS, EVIDENCE_GC_GRACE_DAYS, EVIDENCE_GC_GRACE_MS, isStaleUpload } from "./domain/evidence-quota";
import type { AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";

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
  /** S3 only: multipart uploads older than a day that were aborted (or, in a dry run, would be). */
  abortedUploads?: string[];
}

/**
 * `evidence_files.unreferenced_since` of a file whose bytes the S3 collector is deleting right now
 * (no real mark is ever the epoch). The row goes once the object is gone.
 */
export const BEING_REMOVED = 0;

/**
 * Makes sure `evidence_files` has the row of bytes an upload is about to name (inside the
 * upload's transaction). Refused while the collector is deleting those bytes from S3: the upload's
 * own copy is stored afresh once the collector is done, so the user just sends it again.
 */
export function nameEvidenceBytes(
  tx: Pick<Tx, "select" | "insert">,
  file: { sha256: string; size: number; mediaType: string; createdAt: Date },
): void {
  const row = tx
    .select({ since: evidenceFiles.unreferencedSince })
    .from(evidenceFiles)
    .where(eq(evidenceFiles.sha256, file.sha256))
    .get();
  if (!row) {
    tx.insert(evidenceFiles).values(file).run();
    return;
  }
  if (row.since?.getTime() === BEING_REMOVED)
    throw new ServiceError(
      "conflict",
      "The evidence store is clearing out unused files at this very moment; send this upload again in a minute.",
      { file: "Send the file again in a minute." },
    );
}

type Reader = Pick<Tx, "all" | "get">;

function dueForDeletion(t: Reader, cutoff: number) {
  return t.all<{ sha256: string; size: number; since: number }>(
    sql`select f.sha256, f.size, f.unreferenced_since as since from evidence_files f where f.unreferenced_since is not null and f.unreferenced_since <= ${cutoff} and ${UNREFERENCED} order by f.unreferenced_since limit ${BATCH}`,
  );
}

function orphanCandidates(t: Reader, files: LocalEvidenceStore, cutoff: number): string[] {
  const out: string[] = [];
  for (const f of files.storedFiles()) {
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
  const configured = configuredEvidenceStore(getEnv());
  // On S3 this run only marks and unmarks; collectRemoteEvidence deletes (outside the transaction).
  const files = configured instanceof LocalEvidenceStore ? configured : null;
  const due = (t: Reader) => (files ? dueForDeletion(t, cutoff) : []);
  const orphans = (t: Reader) => (files ? orphanCandidates(t, files, cutoff) : []);

  if (opts.dryRun) {
    const t = db();
    const dueRows = due(t);
    const marked = t
      .all<{ sha256: string }>(
        sql`select f.sha256 from evidence_files f where f.unreferenced_since is null and ${UNREFERENCED}`,
      )
      .map((r) => r.sha256);
    const orphanFiles = orphans(t);
    return {
      dryRun: true,
      deleted: dueRows.map(describeDue),
      orphanFiles,
      marked,
      unmarked: 0,
      bytes: dueRows.reduce((a, d) => a + d.size, 0),
    };
  }

  const orphanCandidatesSeen = orphans(db()); // walked outside the write lock; re-checked inside
  return transaction((tx) => {
    const unmarked = tx.run(
      sql`update evidence_files as f set unreferenced_since = null where f.unreferenced_since is not null and not (${UNREFERENCED})`,
    ).changes;
    const marked = tx
      .all<{ sha256: string }>(
        sql`update evidence_files as f set unreferenced_since = ${now} where f.unreferenced_since is null and ${UNREFERENCED} returning sha256`,
      )
      .map((r) => r.sha256);
    const dueRows = due(tx);
    for (const d of dueRows) {
      tx.run(sql`delete from evidence_files where sha256 = ${d.sha256}`);
      files?.removeSync(d.sha256); // inside the transaction: no upload can name it meanwhile
    }
    const orphanFiles = orphanCandidatesSeen.filter(
      (sha) => !tx.get(sql`select 1 as x from evidence_files where sha256 = ${sha}`),
    );
    for (const sha of orphanFiles) files?.removeSync(sha);
    const deleted = dueRows.map(describeDue);
    const bytes = dueRows.reduce((a, d) => a + d.size, 0);
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

function describeDue(d: { sha256: string; size: number; since: number }) {
  return {
    sha256: d.sha256,
    size: d.size,
    unreferencedSince:
      d.since === BEING_REMOVED ? "(claimed by an interrupted collection)" : new Date(d.since).toISOString(),
  };
}

/** A multipart upload this old belongs to no live request (one that old was cut off long ago). */
const STALE_MULTIPART_MS = DAY_MS;

/**
 * The S3 store's deletions (see the top of this file): claim, delete the objects, delete the
 * rows. Does nothing on the local store (collectEvidence deletes there, in its transaction).
 */
export async function collectRemoteEvidence(
  actor: AnyActor = { system: "evidence-gc" },
  opts: { dryRun?: boolean } = {},
): Promise<CollectReport> {
  const report: CollectReport = {
    dryRun: !!opts.dryRun,
    deleted: [],
    orphanFiles: [],
    marked: [],
    unmarked: 0,
    bytes: 0,
    abortedUploads: [],
  };
  const files = configuredEvidenceStore(getEnv());
  if (!(files instanceof S3EvidenceStore)) return report;
  const now = nowMs();
  const cutoff = now - EVIDENCE_GC_GRACE_MS;

  // Objects no row names, older than the grace period (listed outside any transaction).
  const orphansSeen: { sha256: string; size: number; mtimeMs: number }[] = [];
  for await (const f of files.storedFiles()) {
    if (orphansSeen.length >= BATCH) break;
    if (f.mtimeMs > cutoff) continue;
    if (!db().get(sql`select 1 as x from evidence_files where sha256 = ${f.sha256}`)) orphansSeen.push(f);
  }
  if (opts.dryRun) {
    const due = dueForDeletion(db(), cutoff);
    return {
      ...report,
      deleted: due.map(describeDue),
      bytes: due.reduce((a, d) => a + d.size, 0),
      orphanFiles: orphansSeen.map((o) => o.sha256),
    };
  }

  // 1. Claim: from now on no upload can name these bytes (nameEvidenceBytes refuses).
  const claimed = transaction((tx) => {
    const due = dueForDeletion(tx, cutoff);
    for (const d of due)
      tx.run(sql`update evidence_files set unreferenced_since = ${BEING_REMOVED} where sha256 = ${d.sha256}`);
    const orphans = orphansSeen.filter(
      (o) =>
        tx.run(
          sql`insert into evidence_files (sha256, size, media_type, created_at, unreferenced_since) values (${o.sha256}, ${o.size}, 'application/octet-stream', ${now}, ${BEING_REMOVED}) on conflict do nothing`,
        ).changes === 1,
    );
    return { due, orphans: orphans.map((o) => o.sha256) };
  });

  // 2. Delete the objects; a failure stops here, and the next run finishes what stays claimed.
  const removed = new Set<string>();
  let failure: unknown;
  for (const sha of [...claimed.due.map((d) => d.sha256), ...claimed.orphans]) {
    try {
      await files.remove(sha);
      removed.add(sha);
    } catch (error) {
      failure = error;
      break;
    }
  }

  // 3. Delete the claimed rows whose objects are gone, and say so in the audit log.
  const result = transaction((tx) => {
    for (const sha of removed)
      tx.run(
        sql`delete from evidence_files as f where f.sha256 = ${sha} and f.unreferenced_since = ${BEING_REMOVED} and ${UNREFERENCED}`,
      );
    const deleted = claimed.due.filter((d) => removed.has(d.sha256)).map(describeDue);
    const orphanFiles = claimed.orphans.filter((sha) => removed.has(sha));
    const bytes = claimed.due.filter((d) => removed.has(d.sha256)).reduce((a, d) => a + d.size, 0);
    if (deleted.length || orphanFiles.length) {
      recordAudit(tx, actor, {
        action: "evidence.collected",
        target: { type: "evidence", id: "garbage-collection" },
        details: { graceDays: EVIDENCE_GC_GRACE_DAYS, files: deleted, orphanFiles, bytes, store: "s3" },
      });
    }
    return { deleted, orphanFiles, bytes };
  });
  if (failure) throw failure;
  const abortedUploads = await files.abortStaleUploads(now - STALE_MULTIPART_MS);
  return { ...report, ...result, abortedUploads };
}

let remoteRun: Promise<void> | null = null;

/**
 * Starts collectRemoteEvidence in the background (the lifecycle sweep is synchronous), one run at
 * a time; what it deleted, or why it failed, goes to the log. Nothing on the local store.
 */
export function kickRemoteEvidenceCollection(actor: AnyActor = { system: "evidence-gc" }): void {
  if (remoteRun || !(configuredEvidenceStore(getEnv()) instanceof S3EvidenceStore)) return;
  remoteRun = collectRemoteEvidence(actor)
    .then(
      (r) => {
        if (r.deleted.length || r.orphanFiles.length || r.abortedUploads?.length) console.log(describeCollection(r));
      },
      (error: unknown) => console.error(`[evidence-gc] S3 collection failed: ${(error as Error).message}`),
    )
    .finally(() => {
      remoteRun = null;
    });
}

/** Resolves once the background S3 collection (if one is running) has finished. */
export async function remoteEvidenceCollectionIdle(): Promise<void> {
  await remoteRun;
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
    r.abortedUploads?.length
      ? `${r.dryRun ? "would abort" : "aborted"} ${r.abortedUploads.length} abandoned multipart upload${r.abortedUploads.length === 1 ? "" : "s"}`
      : "",
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
  // Both stores receive into the local store's temporary files (the S3 store's staging is this same instance).
  return evidenceStore(getEnv().dataDir).sweepTemporary((lastWriteMs) => isStaleUpload(lastWriteMs, now));
}
