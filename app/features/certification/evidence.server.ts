/**
 * Evidence files: attach uploaded files to a requirement (all or nothing), reuse a file the
 * organisation already uploaded, detach, and download with the right checks.
 */
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { evidenceFiles, evidenceLinks, submissions } from "../../../db/schema";
import type { ReceivedFile } from "./adapters/evidence-store.server";
import { configuredEvidenceStore } from "./adapters/configured-store.server";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import { fileNameForMessage, fileNameProblem, sniffMediaType } from "./domain/evidence-type";
import { refusedFileMessage } from "./domain/upload-result";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan, assertSameOrganization } from "../../platform/authorize.server";
import { assertNoConflict } from "../accounts/conflicts.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { assertEvidenceQuota } from "./evidence-quota.server";
import { requireInScope } from "./submissions.server";
import { loadSubmission, type SubmissionRow } from "./submission-records.server";
import { editableScope } from "./domain/submission-state";
import { reachedAssessors } from "./domain/review";
import { editableRefs } from "./submissions.server";
import { checkSbomFile, recordSbom, type SbomCheck } from "./sbom.server";
import { nameEvidenceBytes } from "./evidence-gc.server";

type SbomFound = Extract<SbomCheck, { kind: "sbom" }>;

/** The evidence store EVIDENCE_STORE names (the local disk by default, or S3). */
export function store() {
  return configuredEvidenceStore(getEnv());
}

export interface UploadedFile {
  originalName: string;
  received: ReceivedFile;
}

function distinctFiles(tx: Pick<Tx, "select">, submissionId: string): number {
  return (
    tx
      .select({ n: sql<number>`count(distinct ${evidenceLinks.sha256})` })
      .from(evidenceLinks)
      .where(eq(evidenceLinks.submissionId, submissionId))
      .get()?.n ?? 0
  );
}

/**
 * The per-submission file limit (EVIDENCE_MAX_FILES_PER_SUBMISSION): `adding` distinct files the
 * submission does not hold yet must fit beside those it holds (409 otherwise). Checked before an
 * upload's first byte is read (one more file must fit), exactly when files are attached, and when
 * a file is linked from another submission. Carrying files across when a submission is opened is
 * exempt (carry-across.server.ts).
 */
function assertRoomForFiles(tx: Pick<Tx, "select">, submissionId: string, adding: number): void {
  const limit = getEnv().evidenceMaxFilesPerSubmission;
  const has = distinctFiles(tx, submissionId);
  if (adding > 0 && has + adding > limit)
    throw new ServiceError(
      "conflict",
      `A submission can hold at most ${limit} files; this one has ${has}. Remove files you no longer need from it first.`,
      { file: "Too many files for one submission." },
    );
}

function assertMayAttach(tx: Pick<Tx, "select">, actor: Actor, s: SubmissionRow, ref: string): void {
  assertSameOrganization(actor, s.organizationId);
  requireInScope(tx, s, ref);
  const editable = editableRefs(tx, s);
  if (editable !== "all" && !editable.has(ref)) {
    throw new ServiceError(
      "conflict",
      editableScope(s.status) === "reopened"
        ? `Requirement ${ref} was not sent back for changes.`
        : `This submission is ${s.status.replace("_", " ")}: its evidence is frozen.`,
    );
  }
}

/**
 * Checked before a single byte of an upload is read: the submission exists, is the actor's,
 * can still change, covers the requirement, and has room for one more file.
 */
export function preflightUpload(actor: Actor, submissionId: string, ref: string): void {
  assertCan(actor, "supplier.workspace");
  const t = db();
  const s = loadSubmission(t, submissionId);
  assertMayAttach(t, actor, s, ref);
  assertRoomForFiles(t, s.id, 1);
}

/**
 * Attaches received files to a requirement: every file is checked (name, sniffed type, limits)
 * before anything is kept; on any refusal all received files are discarded and nothing changes.
 *
 * The store is content-addressed (the same bytes are kept once, whoever sent them), but the
 * answer never depends on other organisations' files (issue 13.7: otherwise it would tell anyone
 * that someone else uploaded these exact bytes): it says only how many of the files were already
 * attached to this requirement of this submission.
 */
export async function attachUploads(
  actor: Actor,
  submissionId: string,
  ref: string,
  files: UploadedFile[],
): Promise<{ linkIds: string[]; alreadyAttached: number }> {
  assertCan(actor, "supplier.workspace");
  const discardAll = () => Promise.all(files.map((f) => store().discard(f.received)));
  try {
    if (files.length === 0)
      throw new ServiceError("invalid", "Choose at least one file to upload.", { file: "No file was sent." });
    const typed: (UploadedFile & { mediaType: string; sbom?: SbomFound })[] = [];
    // One refused file refuses the upload: the answer says so when other files were chosen with it.
    const refuseFile = (shownName: string, reason: string, field: string) =>
      new ServiceError("invalid", refusedFileMessage(shownName, reason, files.length), { file: field });
    for (const f of files) {
      const nameProblem = fileNameProblem(f.originalName);
      if (nameProblem) throw refuseFile(fileNameForMessage(f.originalName), nameProblem, nameProblem);
      if (f.received.size === 0) throw refuseFile(f.originalName, "the file is empty.", "The file is empty.");
      const sniffed = await sniffMediaType(f.received.head, f.received.size <= f.received.head.length);
      if (!sniffed.ok) throw refuseFile(f.originalName, sniffed.message, sniffed.message);
      let sbom: SbomFound | undefined;
      if (sniffed.mediaType === "application/json") {
        const checked = checkSbomFile(f.received.tempPath, f.received.size, f.received.head);
        if (checked.kind === "invalid") throw refuseFile(f.originalName, checked.message, checked.message);
        if (checked.kind === "sbom") sbom = checked;
      }
      typed.push({ ...f, mediaType: sniffed.mediaType, sbom });
    }
    // Database first (one transaction), then the bytes move into place; if that fails the rows are undone.
    const result = transaction((tx) => {
      const s = loadSubmission(tx, submissionId);
      assertMayAttach(tx, actor, s, ref);
      const existingShas = new Set(
        tx
          .select({ sha: evidenceLinks.sha256 })
          .from(evidenceLinks)
          .where(eq(evidenceLinks.submissionId, s.id))
          .all()
          .map((r) => r.sha),
      );
      const newShas = new Set(typed.map((f) => f.received.sha256).filter((sha) => !existingShas.has(sha)));
      assertRoomForFiles(tx, s.id, newShas.size);
      assertEvidenceQuota(
        tx,
        s.organizationId,
        typed.map((f) => f.received),
      ); // the organisation's evidence quota (413)
      const linkIds: string[] = [];
      const created: { id: string; sha256: string; name: string }[] = []; // this upload's new links
      let alreadyAttached = 0;
      const at = new Date(nowMs());
      for (const f of typed) {
        // Silent deduplication: whether these bytes are already stored (perhaps by another organisation) is never reported.
        nameEvidenceBytes(tx, {
          sha256: f.received.sha256,
          size: f.received.size,
          mediaType: f.mediaType,
          createdAt: at,
        });
        if (f.sbom) recordSbom(tx, f.received.sha256, f.sbom);
        const dup = tx
          .select({ id: evidenceLinks.id })
          .from(evidenceLinks)
          .where(
            and(
              eq(evidenceLinks.submissionId, s.id),
              eq(evidenceLinks.requirementRef, ref),
              eq(evidenceLinks.sha256, f.received.sha256),
            ),
          )
          .get();
        if (dup) {
          linkIds.push(dup.id);
          alreadyAttached++;
          continue;
        }
        const id = crypto.randomUUID();
        tx.insert(evidenceLinks)
          .values({
            id,
            submissionId: s.id,
            requirementRef: ref,
            sha256: f.received.sha256,
            originalName: f.originalName,
            linkedBy: actor.userId,
            linkedAt: at,
          })
          .run();
        linkIds.push(id);
        created.push({ id, sha256: f.received.sha256, name: f.originalName });
      }
      tx.update(submissions)
        .set({ version: sql`${submissions.version} + 1`, updatedAt: at })
        .where(eq(submissions.id, s.id))
        .run();
      recordAudit(tx, actor, {
        action: "evidence.uploaded",
        target: { type: "submission", id: s.id },
        details: {
          ref,
          files: typed.map((f) => ({
            name: f.originalName,
            sha256: f.received.sha256,
            size: f.received.size,
            type: f.mediaType,
          })),
        },
      });
      return { linkIds, alreadyAttached, created };
    });
    try {
      for (const f of typed) await store().commit(f.received);
    } catch (error) {
      await undoUpload(actor, submissionId, ref, result.created);
      throw error;
    }
    return { linkIds: result.linkIds, alreadyAttached: result.alreadyAttached };
  } catch (error) {
    await discardAll();
    throw error;
  }
}

/**
 * Undoes the links an upload made when the store failed to take its bytes (S3 unreachable after
 * the SDK's retries): the rows were written first (decision 027), so without this they would name
 * bytes the store lacks. All of the upload's new links go, also those whose bytes were stored
 * before the failure: an upload is attached whole or not at all, and the supplier is told that
 * nothing was kept. Their evidence_files rows, named by nothing now, go with the collector.
 */
async function undoUpload(
  actor: Actor,
  submissionId: string,
  ref: string,
  created: { id: string; sha256: string; name: string }[],
): Promise<void> {
  if (!created.length) return;
  transaction((tx) => {
    for (const c of created) tx.delete(evidenceLinks).where(eq(evidenceLinks.id, c.id)).run();
    tx.update(submissions)
      .set({ version: sql`${submissions.version} + 1`, updatedAt: new Date(nowMs()) })
      .where(eq(submissions.id, submissionId))
      .run();
    recordAudit(tx, actor, {
      action: "evidence.upload_failed",
      target: { type: "submission", id: submissionId },
      details: { ref, files: created.map((c) => ({ name: c.name, sha256: c.sha256 })) },
    });
  });
}

/** Links a file this organisation already uploaded (to any of its submissions) to another requirement. */
export function linkExistingEvidence(actor: Actor, submissionId: string, ref: string, sha256: string): string {
  assertCan(actor, "supplier.workspace");
  return transaction((tx) => {
    const s = loadSubmission(tx, submissionId);
    assertMayAttach(tx, actor, s, ref);
    const source = tx
      .select({ originalName: evidenceLinks.originalName })
      .from(evidenceLinks)
      .innerJoin(submissions, eq(submissions.id, evidenceLinks.submissionId))
      .where(and(eq(evidenceLinks.sha256, sha256), eq(submissions.organizationId, actor.organizationId)))
      .get();
    if (!source) throw new ServiceError("not_found", "That file is not one your organisation uploaded.");
    const held = tx
      .select({ id: evidenceLinks.id })
      .from(evidenceLinks)
      .where(and(eq(evidenceLinks.submissionId, s.id), eq(evidenceLinks.sha256, sha256)))
      .get();
    assertRoomForFiles(tx, s.id, held ? 0 : 1);
    const dup = tx
      .select({ id: evidenceLinks.id })
      .from(evidenceLinks)
      .where(
        and(
          eq(evidenceLinks.submissionId, s.id),
          eq(evidenceLinks.requirementRef, ref),
          eq(evidenceLinks.sha256, sha256),
        ),
      )
      .get();
    if (dup) return dup.id;
    const id = crypto.randomUUID();
    const at = new Date(nowMs());
    tx.insert(evidenceLinks)
      .values({
        id,
        submissionId: s.id,
        requirementRef: ref,
        sha256,
        originalName: source.originalName,
        linkedBy: actor.userId,
        linkedAt: at,
      })
      .run();
    tx.update(submissions)
      .set({ version: sql`${submissions.version} + 1`, updatedAt: at })
      .where(eq(submissions.id, s.id))
      .run();
    recordAudit(tx, actor, {
      action: "evidence.linked",
      target: { type: "submission", id: s.id },
      details: { ref, sha256, name: source.originalName },
    });
    return id;
  });
}

export function unlinkEvidence(actor: Actor, submissionId: string, linkId: string): void {
  assertCan(actor, "supplier.workspace");
  transaction((tx) => {
    const s = loadSubmission(tx, submissionId);
    const link = tx
      .select()
      .from(evidenceLinks)
      .where(and(eq(evidenceLinks.id, linkId), eq(evidenceLinks.submissionId, s.id)))
      .get();
    if (!link) throw new ServiceError("not_found", "That file is not attached to this submission.");
    assertMayAttach(tx, actor, s, link.requirementRef);
    tx.delete(evidenceLinks).where(eq(evidenceLinks.id, linkId)).run();
    tx.update(submissions)
      .set({ version: sql`${submissions.version} + 1`, updatedAt: new Date(nowMs()) })
      .where(eq(submissions.id, s.id))
      .run();
    recordAudit(tx, actor, {
      action: "evidence.unlinked",
      target: { type: "submission", id: s.id },
      details: { ref: link.requirementRef, sha256: link.sha256, name: link.originalName },
    });
  });
}

/**
 * The stored bytes of a file a row names. Missing bytes (a store emptied or restored without
 * them) are a 404 that says so, not a 500.
 */
export async function openStored(sha256: string): Promise<Readable> {
  try {
    return await store().open(sha256);
  } catch (error) {
    const e = error as { name?: string; code?: string };
    if (e.name === "NoSuchKey" || e.name === "NotFound" || e.code === "ENOENT")
      throw new ServiceError("not_found", "The bytes of this evidence file are missing from the store.");
    throw error;
  }
}

export interface EvidenceDownload {
  stream: Readable;
  mediaType: string;
  size: number;
  originalName: string;
  sha256: string;
}

/**
 * Only the supplier's own organisation and the certification body's assessors without a conflict of
 * interest may download evidence; assessors only of a submission that reached them (reachedAssessors).
 */
export async function openEvidence(actor: Actor, linkId: string): Promise<EvidenceDownload> {
  const t = db();
  const row = t
    .select({
      link: evidenceLinks,
      file: evidenceFiles,
      organizationId: submissions.organizationId,
      status: submissions.status,
      firstSubmittedAt: submissions.firstSubmittedAt,
      submittedAt: submissions.submittedAt,
    })
    .from(evidenceLinks)
    .innerJoin(evidenceFiles, eq(evidenceFiles.sha256, evidenceLinks.sha256))
    .innerJoin(submissions, eq(submissions.id, evidenceLinks.submissionId))
    .where(eq(evidenceLinks.id, linkId))
    .get();
  if (!row) throw new ServiceError("not_found", "There is no such evidence file.");
  if (actor.role === "supplier") assertSameOrganization(actor, row.organizationId);
  else if (actor.role !== "assessor")
    throw new ServiceError("forbidden", "Evidence is visible only to the supplier and the assessors.");
  // A draft never submitted (or withdrawn before it was) is the supplier's alone, its evidence too.
  else if (!reachedAssessors(row)) throw new ServiceError("not_found", "There is no such evidence file.");
  else assertNoConflict(t, actor, row.organizationId, "Another assessor must review this submission.");
  return {
    stream: await openStored(row.file.sha256),
    mediaType: row.file.mediaType,
    size: row.file.size,
    originalName: row.link.originalName,
    sha256: row.file.sha256,
  };
}
