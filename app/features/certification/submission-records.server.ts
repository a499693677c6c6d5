/**
 * Submission records: the reads and writes of submissions that several use cases share
 * (submissions, recertification, review, verdicts, evidence, seals). No use case of its own.
 */
import crypto from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import {
  answers,
  checklistVersions,
  evidenceLinks,
  products,
  productVersions,
  requirements,
  submissions,
} from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertSameOrganization } from "../../platform/authorize.server";
import { nowMs } from "../../platform/clock.server";
import { preparedQueries, type Tx } from "../../platform/db.server";
import { DEFAULT_VERDICT_MODEL, type VerdictModel } from "../catalogue/domain/checklist/schema";
import { verdictModelOfContent } from "../catalogue/domain/checklist/verdict-model";
import { newestOf } from "../catalogue/domain/checklist/newest";
import { en18031LevelProblem } from "../catalogue/domain/en18031";
import { ServiceError } from "../../platform/errors.server";
import { EMPTY_ANSWER, type AnswerFacts } from "./domain/answers";

/** What opening a submission needs (the form's parsed value). */
export interface OpenSubmission {
  productVersionId: string;
  target: { checklistVersionId: string; targetLevel: string };
}

export type SubmissionRow = typeof submissions.$inferSelect;

/** The hot reads of a submission (every review step and the seal's issuing make them), prepared once. */
const queries = preparedQueries((t) => ({
  submission: t
    .select()
    .from(submissions)
    .where(eq(submissions.id, sql.placeholder("id")))
    .prepare(),
  versionHash: t
    .select({ contentHash: checklistVersions.contentHash })
    .from(checklistVersions)
    .where(eq(checklistVersions.id, sql.placeholder("id")))
    .prepare(),
  versionContent: t
    .select({ content: checklistVersions.content })
    .from(checklistVersions)
    .where(eq(checklistVersions.id, sql.placeholder("id")))
    .prepare(),
  requirements: t
    .select()
    .from(requirements)
    .where(eq(requirements.versionId, sql.placeholder("versionId")))
    .orderBy(asc(requirements.position))
    .prepare(),
  answers: t
    .select()
    .from(answers)
    .where(eq(answers.submissionId, sql.placeholder("id")))
    .prepare(),
  evidenceCounts: t
    .select({ ref: evidenceLinks.requirementRef, n: sql<number>`count(*)` })
    .from(evidenceLinks)
    .where(eq(evidenceLinks.submissionId, sql.placeholder("id")))
    .groupBy(evidenceLinks.requirementRef)
    .prepare(),
}));

export function loadSubmission(tx: Pick<Tx, "select">, id: string): SubmissionRow {
  const s = queries(tx).submission.get({ id });
  if (!s) throw new ServiceError("not_found", "There is no such submission.");
  return s;
}

/** The requirements a submission covers: those mandatory or advisory at its target level, in checklist order. */
/** The verdict model of a checklist version (`verdicts` in its file), read from its stored canonical content. */
export function checklistVerdictModel(tx: Pick<Tx, "select">, checklistVersionId: string): VerdictModel {
  return versionFacts(tx, checklistVersionId)?.verdictModel ?? DEFAULT_VERDICT_MODEL;
}

export function requirementsInScope(tx: Pick<Tx, "select">, checklistVersionId: string, level: string) {
  return (versionFacts(tx, checklistVersionId)?.requirements ?? [])
    .filter((r) => r.applies[level] !== undefined)
    .map((r) => ({ ...r, applicability: r.applies[level] }));
}

type RequirementRow = typeof requirements.$inferSelect;

/**
 * A checklist version's verdict model and requirements, parsed once: both follow from its content,
 * which never changes once imported (retiring changes only its status), so they are kept under the
 * content's SHA-256 and looked up by one indexed read of it. Every score (each review step, each
 * seal issued) needs them; parsing the content and reading the rows each time was a third of it.
 */
const byContent = new Map<string, { verdictModel: VerdictModel; requirements: readonly Readonly<RequirementRow>[] }>();

function versionFacts(tx: Pick<Tx, "select">, versionId: string) {
  const q = queries(tx);
  const version = q.versionHash.get({ id: versionId });
  if (!version) return undefined;
  const key = `${versionId} ${version.contentHash}`;
  let facts = byContent.get(key);
  if (!facts) {
    const content = q.versionContent.get({ id: versionId })!.content;
    facts = {
      verdictModel: verdictModelOfContent(content),
      requirements: q.requirements.all({ versionId }).map((r) => Object.freeze(r)),
    };
    if (facts.requirements.length) byContent.set(key, facts); // (a version being imported has none yet)
  }
  return facts;
}

/** Opens a draft submission (the caller's transaction): checks the product version is the actor's, the checklist version published and the level its own. */
export function openSubmissionTx(tx: Tx, actor: Actor, input: OpenSubmission): string {
  {
    const pv = tx
      .select({
        id: productVersions.id,
        organizationId: products.organizationId,
        name: products.name,
        category: products.category,
        firmware: productVersions.firmwareVersion,
      })
      .from(productVersions)
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(eq(productVersions.id, input.productVersionId))
      .get();
    if (!pv)
      throw new ServiceError("invalid", "Choose one of your product versions.", {
        productVersionId: "Choose one of your product versions.",
      });
    assertSameOrganization(actor, pv.organizationId);
    const cv = tx
      .select()
      .from(checklistVersions)
      .where(eq(checklistVersions.id, input.target.checklistVersionId))
      .get();
    if (!cv)
      throw new ServiceError("invalid", "Choose a checklist version.", {
        target: "Choose a checklist version and level.",
      });
    if (cv.status !== "published")
      throw new ServiceError("invalid", `${cv.checklistId} ${cv.version} is retired; choose a current version.`, {
        target: "This version is retired.",
      });
    if (!cv.levels.some((l) => l.id === input.target.targetLevel))
      throw new ServiceError("invalid", "Choose a level of that checklist.", { target: "Unknown level." });
    // EN 18031: the least level the product's declared category needs (RED Article 3(3), Delegated Regulation 2022/30).
    const en18031 = en18031LevelProblem({
      checklistId: cv.checklistId,
      level: input.target.targetLevel,
      category: pv.category,
    });
    if (en18031) throw new ServiceError("invalid", en18031, { target: en18031 });
    const open = tx
      .select({ id: submissions.id })
      .from(submissions)
      .where(
        and(
          eq(submissions.productVersionId, pv.id),
          eq(submissions.checklistVersionId, cv.id),
          inArray(submissions.status, ["draft", "submitted", "in_review", "changes_requested"]),
        ),
      )
      .get();
    if (open)
      throw new ServiceError(
        "conflict",
        "This product version already has an open submission against this checklist version.",
        { target: "Already open: continue that submission." },
      );
    const id = crypto.randomUUID();
    const at = new Date(nowMs());
    tx.insert(submissions)
      .values({
        id,
        organizationId: actor.organizationId,
        productVersionId: pv.id,
        checklistVersionId: cv.id,
        targetLevel: input.target.targetLevel,
        status: "draft",
        createdBy: actor.userId,
        createdAt: at,
        updatedAt: at,
      })
      .run();
    recordAudit(tx, actor, {
      action: "submission.opened",
      target: { type: "submission", id },
      details: { product: pv.name, firmware: pv.firmware, checklist: cv.id, level: input.target.targetLevel },
    });
    return id;
  }
}

/**
 * Why the submission's EN 18031 level is below the floor of its product's CURRENT category (null:
 * it is not, or it is not EN 18031): en18031LevelProblem, the rule opening a submission applies,
 * judged again at submitting, proposing and confirming, since the category may change meanwhile.
 */
export function en18031ProblemOf(
  t: Pick<Tx, "select">,
  s: Pick<SubmissionRow, "productVersionId" | "checklistVersionId" | "targetLevel">,
): string | null {
  const product = t
    .select({ category: products.category })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(productVersions.id, s.productVersionId))
    .get();
  const cv = t
    .select({ checklistId: checklistVersions.checklistId })
    .from(checklistVersions)
    .where(eq(checklistVersions.id, s.checklistVersionId))
    .get();
  if (!product || !cv) return null;
  return en18031LevelProblem({ checklistId: cv.checklistId, level: s.targetLevel, category: product.category });
}

/** The checklist version a renewal or re-certification continues on: the same one, or the newest published version of that checklist if it was retired. */
export function continuingChecklistVersion(tx: Pick<Tx, "select">, checklistVersionId: string) {
  const cv = tx.select().from(checklistVersions).where(eq(checklistVersions.id, checklistVersionId)).get()!;
  if (cv.status === "published") return cv;
  // The newest by the catalogue's one rule (byNewest: publication date, then version number).
  const newest = newestOf(
    tx
      .select()
      .from(checklistVersions)
      .where(and(eq(checklistVersions.checklistId, cv.checklistId), eq(checklistVersions.status, "published")))
      .all(),
  );
  if (!newest) throw new ServiceError("conflict", `${cv.title} has no published version to continue on.`);
  return newest;
}

/** Copies the answers and evidence links of every requirement still in scope from one submission to another; returns the answers copied. */
export function copyAnswersAndEvidence(
  tx: Tx,
  actor: Actor,
  fromId: string,
  toId: string,
  checklistVersionId: string,
  level: string,
): number {
  const inScope = new Set(requirementsInScope(tx, checklistVersionId, level).map((r) => r.ref));
  const at = new Date(nowMs());
  let copied = 0;
  for (const a of tx.select().from(answers).where(eq(answers.submissionId, fromId)).all()) {
    if (!inScope.has(a.requirementRef)) continue;
    tx.insert(answers)
      .values({
        id: crypto.randomUUID(),
        submissionId: toId,
        requirementRef: a.requirementRef,
        claim: a.claim,
        justification: a.justification,
        noEvidenceReason: a.noEvidenceReason,
        updatedBy: actor.userId,
        updatedAt: at,
      })
      .run();
    copied++;
  }
  for (const l of tx.select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, fromId)).all()) {
    if (!inScope.has(l.requirementRef)) continue;
    tx.insert(evidenceLinks)
      .values({
        id: crypto.randomUUID(),
        submissionId: toId,
        requirementRef: l.requirementRef,
        sha256: l.sha256,
        originalName: l.originalName,
        linkedBy: actor.userId,
        linkedAt: at,
      })
      .run();
  }
  return copied;
}

/** Answer facts of every requirement in scope (claims, texts, evidence counts). */
export function answerFacts(
  tx: Pick<Tx, "select">,
  submissionId: string,
): Map<string, AnswerFacts & { revision: number }> {
  const rows = queries(tx).answers.all({ id: submissionId });
  const counts = queries(tx).evidenceCounts.all({ id: submissionId });
  const map = new Map<string, AnswerFacts & { revision: number }>();
  for (const c of counts) map.set(c.ref, { ...EMPTY_ANSWER, evidenceCount: c.n, revision: 0 });
  for (const a of rows) {
    map.set(a.requirementRef, {
      claim: a.claim,
      justification: a.justification,
      noEvidenceReason: a.noEvidenceReason,
      evidenceCount: map.get(a.requirementRef)?.evidenceCount ?? 0,
      revision: a.revision,
    });
  }
  return map;
}
