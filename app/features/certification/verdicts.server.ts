/**
 * Verdicts: the latest verdict per requirement of a submission, and the score they give (what is
 * met, what blocks approval). Shared reads of the review, the seal issuing and the recurring
 * evidence schedule; no use case of its own.
 */
import { asc, eq, sql } from "drizzle-orm";
import { verdicts } from "../../../db/schema";
import { preparedQueries, type Tx } from "../../platform/db.server";
import { describeReason } from "./domain/recertification";
import {
  scoreSubmission,
  withMoreBlockers,
  type ReviewedRequirement,
  type Score,
  type VerdictFacts,
} from "./domain/review";
import { recertificationContext, type RecertificationContext } from "./recertification.server";
import {
  answerFacts,
  checklistVerdictModel,
  requirementsInScope,
  type SubmissionRow,
} from "./submission-records.server";

type Reader = Pick<Tx, "select">;

const queries = preparedQueries((t) => ({
  verdicts: t
    .select()
    .from(verdicts)
    .where(eq(verdicts.submissionId, sql.placeholder("id")))
    .orderBy(asc(verdicts.id))
    .prepare(),
}));

export function latestVerdicts(
  t: Reader,
  submissionId: string,
): Map<string, VerdictFacts & { id: number; assessorId: string; createdAt: Date; carriedFromId: number | null }> {
  const rows = queries(t).verdicts.all({ id: submissionId });
  const map = new Map<
    string,
    VerdictFacts & { id: number; assessorId: string; createdAt: Date; carriedFromId: number | null }
  >();
  for (const r of rows)
    map.set(r.requirementRef, {
      verdict: r.verdict,
      comment: r.comment,
      accepted: r.accepted,
      id: r.id,
      assessorId: r.assessorId,
      createdAt: r.createdAt,
      carriedFromId: r.carriedFromId,
    });
  return map;
}

export function reviewedRequirements(t: Reader, s: SubmissionRow): ReviewedRequirement[] {
  const facts = answerFacts(t, s.id);
  const verdictModel = checklistVerdictModel(t, s.checklistVersionId);
  return requirementsInScope(t, s.checklistVersionId, s.targetLevel).map((r) => ({
    ref: r.ref,
    sectionRef: r.sectionRef,
    applicability: r.applicability,
    condition: r.condition,
    claim: facts.get(r.ref)?.claim ?? null,
    verdictModel,
  }));
}

export function scoreOf(t: Reader, s: SubmissionRow) {
  const latest = latestVerdicts(t, s.id);
  const reqs = reviewedRequirements(t, s);
  return withStaleCarriedVerdicts(scoreSubmission(reqs, latest), recertificationContext(t, s), latest, reqs);
}

/**
 * A re-certification: a requirement whose verdict was carried over but that must now be reviewed
 * again (an open vulnerability report recorded after submission names it) blocks approval until
 * an assessor records a verdict of their own; it no longer counts as met (withMoreBlockers).
 */
function withStaleCarriedVerdicts(
  score: Score,
  recert: RecertificationContext | null,
  latest: ReturnType<typeof latestVerdicts>,
  reqs: readonly ReviewedRequirement[],
): Score {
  if (!recert) return score;
  const stale = recert.delta.toReview.filter((d) => latest.get(d.ref)?.carriedFromId != null);
  if (!stale.length) return score;
  const blockers = stale.map((d) => ({
    ref: d.ref,
    reason: `its verdict was carried over, but it must be reviewed again (${d.reasons.map(describeReason).join("; ")})`,
  }));
  return withMoreBlockers(score, blockers, reqs);
}
