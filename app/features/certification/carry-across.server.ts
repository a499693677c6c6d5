/**
 * Reuse across schemes: a new submission is pre-filled, in the transaction that opens it, from
 * the organisation's other submissions for the same product version through the crosswalk
 * (rules: domain/carry-across.ts). Carried answers and files are marked until the supplier saves
 * the answer or an assessor records a verdict on it.
 */
import crypto from "node:crypto";
import { and, eq, inArray, isNotNull, ne } from "drizzle-orm";
import { answers, checklistVersions, evidenceFiles, evidenceLinks, submissions } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertSameOrganization } from "../../platform/authorize.server";
import { nowMs } from "../../platform/clock.server";
import type { Tx } from "../../platform/db.server";
import { crosswalkFor } from "../catalogue/checklists.server";
import { checklistShortName } from "../catalogue/domain/checklist/crosswalk";
import { mayClaimNotApplicable } from "./domain/answers";
import {
  carryNotice,
  carrySourceLabel,
  carrySourcesLabel,
  planCarryAcross,
  rankSources,
  summarisePlan,
  type CarrySource,
  type CarrySummary,
} from "./domain/carry-across";
import { assertEvidenceQuota } from "./evidence-quota.server";
import { loadSubmission, requirementsInScope } from "./submission-records.server";

type Reader = Pick<Tx, "select">;

/**
 * Pre-fills the new (empty) submission `submissionId` from the organisation's other submissions
 * of the same product version against other checklists; records what it did on the submission
 * and in the audit log. Call it in the transaction that opened the submission.
 */
export function carryAcrossTx(tx: Tx, actor: Actor, submissionId: string): CarrySummary {
  const s = loadSubmission(tx, submissionId);
  assertSameOrganization(actor, s.organizationId);
  const cv = tx.select().from(checklistVersions).where(eq(checklistVersions.id, s.checklistVersionId)).get()!;
  // Only this organisation's submissions of this very product version: never another
  // organisation's answers, never another firmware's.
  const candidates = tx
    .select({
      id: submissions.id,
      checklistId: checklistVersions.checklistId,
      version: checklistVersions.version,
      status: submissions.status,
      updatedAt: submissions.updatedAt,
    })
    .from(submissions)
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(
      and(
        eq(submissions.productVersionId, s.productVersionId),
        eq(submissions.organizationId, s.organizationId),
        ne(submissions.id, s.id),
      ),
    )
    .all()
    .map((c) => ({ ...c, updatedAt: c.updatedAt.getTime() }));
  const ranked = rankSources(candidates, cv.checklistId);
  const reqs = requirementsInScope(tx, cv.id, s.targetLevel);
  const ids = ranked.map((r) => r.id);
  let plan: ReturnType<typeof planCarryAcross> = [];
  if (ids.length) {
    const walk = crosswalkFor(
      cv.id,
      cv.checklistId,
      reqs.map((r) => r.ref),
    );
    const targets = reqs.map((r) => ({
      ref: r.ref,
      mayBeNotApplicable: mayClaimNotApplicable({ applicability: r.applicability, condition: r.condition }),
      links: [...(walk.outgoing.get(r.ref) ?? []), ...(walk.incoming.get(r.ref) ?? [])].map((e) => ({
        checklistId: e.checklistId,
        ref: e.ref,
      })),
    }));
    const sourceAnswers = tx
      .select({
        submissionId: answers.submissionId,
        ref: answers.requirementRef,
        claim: answers.claim,
        justification: answers.justification,
        noEvidenceReason: answers.noEvidenceReason,
      })
      .from(answers)
      .where(inArray(answers.submissionId, ids))
      .all();
    const sourceFiles = tx
      .select({
        submissionId: evidenceLinks.submissionId,
        ref: evidenceLinks.requirementRef,
        sha256: evidenceLinks.sha256,
        originalName: evidenceLinks.originalName,
      })
      .from(evidenceLinks)
      .where(inArray(evidenceLinks.submissionId, ids))
      .all();
    plan = planCarryAcross(targets, ranked, sourceAnswers, sourceFiles);
  }
  const shas = [...new Set(plan.flatMap((p) => p.files.map((f) => f.sha256)))];
  if (shas.length) {
    // The organisation already holds every one of these files, so this never refuses; it keeps
    // the quota rule in one place should that ever change.
    const sizes = tx
      .select({ sha256: evidenceFiles.sha256, size: evidenceFiles.size })
      .from(evidenceFiles)
      .where(inArray(evidenceFiles.sha256, shas))
      .all();
    assertEvidenceQuota(tx, s.organizationId, sizes);
  }
  // Exempt from the per-submission file limit (EVIDENCE_MAX_FILES_PER_SUBMISSION): these are files
  // the organisation already holds, carried from submissions that each kept to the limit, and opening
  // a submission is never refused nor any of them silently left out for it. A submission carried over
  // the limit takes no further file (upload or link) until enough are removed (evidence.server.ts).
  const at = new Date(nowMs());
  for (const p of plan) {
    tx.insert(answers)
      .values({
        id: crypto.randomUUID(),
        submissionId: s.id,
        requirementRef: p.ref,
        claim: p.claim,
        justification: p.justification,
        noEvidenceReason: p.noEvidenceReason,
        updatedBy: actor.userId,
        updatedAt: at,
        carriedFrom: p.from,
      })
      .run();
    for (const f of p.files)
      tx.insert(evidenceLinks)
        .values({
          id: crypto.randomUUID(),
          submissionId: s.id,
          requirementRef: p.ref,
          sha256: f.sha256,
          originalName: f.originalName,
          linkedBy: actor.userId,
          linkedAt: at,
          carriedFrom: f.from,
        })
        .run();
  }
  const summary = summarisePlan(plan, ranked);
  tx.update(submissions).set({ carriedAcross: summary }).where(eq(submissions.id, s.id)).run();
  recordAudit(tx, actor, {
    action: "submission.carried_across",
    target: { type: "submission", id: s.id },
    details: {
      answers: summary.answers,
      evidenceLinks: summary.evidenceLinks,
      evidenceFiles: summary.evidenceFiles,
      from: summary.from.map((f) => `${f.checklistId} ${f.version} (submission ${f.submissionId})`),
    },
  });
  return summary;
}

/**
 * Clears the carried-across mark of one requirement's answer and files: the supplier saved the
 * answer, or an assessor recorded a verdict on it (which confirms it). Returns whether it was marked.
 */
export function clearCarryMark(tx: Tx, submissionId: string, ref: string): boolean {
  const marked = tx
    .select({ id: answers.id })
    .from(answers)
    .where(and(eq(answers.submissionId, submissionId), eq(answers.requirementRef, ref), isNotNull(answers.carriedFrom)))
    .get();
  tx.update(answers)
    .set({ carriedFrom: null })
    .where(and(eq(answers.submissionId, submissionId), eq(answers.requirementRef, ref)))
    .run();
  tx.update(evidenceLinks)
    .set({ carriedFrom: null })
    .where(
      and(
        eq(evidenceLinks.submissionId, submissionId),
        eq(evidenceLinks.requirementRef, ref),
        isNotNull(evidenceLinks.carriedFrom),
      ),
    )
    .run();
  return Boolean(marked);
}

/** The carried-across marks of a submission's answers, by requirement ref. */
export function carryMarks(t: Reader, submissionId: string): Map<string, CarrySource[]> {
  const rows = t
    .select({ ref: answers.requirementRef, from: answers.carriedFrom })
    .from(answers)
    .where(and(eq(answers.submissionId, submissionId), isNotNull(answers.carriedFrom)))
    .all();
  return new Map(rows.map((r) => [r.ref, r.from ?? []]));
}

/** A mark as the pages show it: its sources in words, with the submissions they came from. */
export function describeMark(from: readonly CarrySource[]) {
  return {
    label: carrySourcesLabel(from),
    /** The source submissions' checklists and versions: "ETSI EN 303 645 3.1.3-r1". */
    submissions: [...new Set(from.map((f) => `${checklistShortName(f.checklistId)} ${f.version}`))].join(" and "),
    sources: from.map((f) => ({ ...f, label: carrySourceLabel(f) })),
  };
}

/** The submission page's notice: what opening it carried across, and how many marks are still to check. */
export function carryNoticeOf(t: Reader, s: { id: string; carriedAcross: CarrySummary | null }) {
  if (!s.carriedAcross) return null;
  return { text: carryNotice(s.carriedAcross), stillMarked: carryMarks(t, s.id).size, ...s.carriedAcross };
}
