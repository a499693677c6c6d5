/**
 * The assessor's use cases: the review queue, taking and releasing a submission, verdicts,
 * requests for changes, four-eyes approval and rejection. Every call checks the role, the
 * conflict-of-interest rule and (for changes) the submission's version, in one transaction.
 */
import { and, asc, count, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { decimalNumber } from "../../platform/forms";
import {
  answers,
  checklistVersions,
  conflictDeclarations,
  decisions,
  evidenceLinks,
  organizations,
  products,
  productVersions,
  submissions,
  users,
  verdicts,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import {
  awaitingConfirmationBy,
  waitingForSentence,
  checkConfirmation,
  currentVerdictAuthors,
  heldBy,
  mayTakeOver,
  NO_LONGER_ABLE,
  proposerNoLongerAble,
  reachedAssessors,
  scoringClosedReason,
  STALE_PROPOSAL,
  TAKEN_BY_ANOTHER,
  verdictProblem,
  withConflictedVerdicts,
  type Proposal,
  type Score,
  type VerdictFacts,
} from "./domain/review";
import { supportEndsAt, supportHasEnded } from "./domain/support-period-end";
import { formatDate } from "../../platform/format";
import type { Actor, AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { assertNoConflict as assertNoConflictWith, conflictChecker } from "../accounts/conflicts.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { decisionReason, REASON_REQUIRED, type verdictInput } from "./forms";
import { prepareSeal, recordIssuedSeal, sealForSubmission } from "./seals.server";
import { emit, type SubmissionChange } from "../../platform/events.server";
import {
  completeRecertification,
  endedSourceProblem,
  fixesCertifiedBy,
  recertificationContext,
} from "./recertification.server";
import { describeReason } from "./domain/recertification";
import { evidenceOf, transitionSubmission } from "./submissions.server";
import { latestVerdicts, reviewedRequirements, scoreOf } from "./verdicts.server";
import {
  answerFacts,
  en18031ProblemOf,
  loadSubmission,
  requirementsInScope,
  type SubmissionRow,
} from "./submission-records.server";
import { checklistLabelFor } from "../catalogue/checklists.server";
import { verdictModelOfContent } from "../catalogue/domain/checklist/verdict-model";
import { carryMarks, clearCarryMark, describeMark } from "./carry-across.server";

type Reader = Pick<Tx, "select">;

// ---------------------------------------------------------------------------------------------
// Guards

/** The one conflict-of-interest rule (conflicts.server.ts), for a submission: refused with a 403 naming the supplier. */
function assertNoConflict(t: Reader, actor: Actor, s: SubmissionRow): void {
  assertNoConflictWith(t, actor, s.organizationId, "Another assessor must review this submission.");
}

/** A submission as assessors may see it: never one that was not submitted (a draft, or a draft withdrawn), which is not found. */
function loadForAssessor(t: Reader, actor: Actor, id: string): SubmissionRow {
  assertCan(actor, "assessor.workspace");
  const s = loadSubmission(t, id);
  if (!reachedAssessors(s)) throw new ServiceError("not_found", "There is no such submission.");
  return s;
}

/** Who holds the review: the assignee while it is in review, nobody otherwise (one sent back for changes and resubmitted is in the queue again). */
function holderOf(s: Pick<SubmissionRow, "status" | "assigneeId">): string | null {
  return s.status === "in_review" ? s.assigneeId : null;
}

function assertVersion(s: SubmissionRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== s.version) {
    throw new ServiceError(
      "conflict",
      "This submission changed while you were working on it (in another tab, or by someone else). The page now shows its current state; check it and try again.",
    );
  }
}

function bump(tx: Tx, s: SubmissionRow): void {
  tx.update(submissions)
    .set({ version: sql`${submissions.version} + 1`, updatedAt: new Date(nowMs()) })
    .where(eq(submissions.id, s.id))
    .run();
}

/** The user facts the conflict-of-interest rule reads. */
const ASSESSOR_COLUMNS = {
  userId: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  organizationId: users.organizationId,
};

/** Why an assessor may not assess this supplier now (the one conflict-of-interest rule), or null. */
function conflictOf(t: Reader, userId: string, supplierOrganizationId: string): string | null {
  const u = t.select(ASSESSOR_COLUMNS).from(users).where(eq(users.id, userId)).get();
  return u ? conflictChecker(t, u)(supplierOrganizationId) : null;
}

/**
 * Whether an assessor who holds or proposed a review can still act on it: their account is enabled
 * and they have no conflict of interest with the supplier (declared since they took it, say).
 */
interface Standing {
  userId: string;
  name: string;
  able: boolean;
  /** Why not (for the audit log and administrators; assessors are only told "no longer able"). */
  why: "disabled" | "conflict_of_interest" | null;
}

function standingOf(t: Reader, userId: string, supplierOrganizationId: string): Standing {
  const u = t.select({ name: users.name, disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).get();
  if (!u) return { userId, name: "an assessor", able: false, why: "disabled" };
  if (u.disabledAt) return { userId, name: u.name, able: false, why: "disabled" };
  if (conflictOf(t, userId, supplierOrganizationId))
    return { userId, name: u.name, able: false, why: "conflict_of_interest" };
  return { userId, name: u.name, able: true, why: null };
}

// ---------------------------------------------------------------------------------------------
// Reading the state of a review

/** The approval proposal still waiting for a second assessor, if any. */
export function pendingProposal(t: Reader, submissionId: string) {
  const last = t
    .select()
    .from(decisions)
    .where(
      and(
        eq(decisions.submissionId, submissionId),
        inArray(decisions.kind, [
          "approval_proposed",
          "proposal_returned",
          "proposal_withdrawn",
          "approval_confirmed",
          "changes_requested",
          "rejected",
        ]),
      ),
    )
    .orderBy(desc(decisions.id))
    .limit(1)
    .get();
  return last?.kind === "approval_proposed" ? last : null;
}

/** The assessors who recorded the current verdicts of this review (latest, not carried over): none of them confirms it. */
export function verdictAuthors(t: Reader, submissionId: string): Set<string> {
  return currentVerdictAuthors(latestVerdicts(t, submissionId).values());
}

/** Refused while an approval proposal waits: it is confirmed, sent back or withdrawn first, never dropped by another decision. */
function assertNoPendingProposal(t: Reader, s: SubmissionRow): void {
  if (pendingProposal(t, s.id))
    throw new ServiceError(
      "conflict",
      "An approval proposal is waiting for confirmation; it must be confirmed or returned first.",
    );
}

/**
 * The score the approval checks (scoreOf), in which a verdict recorded by an assessor who now has
 * a conflict of interest with the supplier blocks (withConflictedVerdicts): a review taken over
 * from them is approved on the new reviewer's verdicts.
 */
function reviewScore(t: Reader, s: SubmissionRow): Score {
  const latest = latestVerdicts(t, s.id);
  const conflicted = new Set(
    [...currentVerdictAuthors(latest.values())].filter((id) => conflictOf(t, id, s.organizationId) !== null),
  );
  return withConflictedVerdicts(scoreOf(t, s), latest, conflicted, reviewedRequirements(t, s));
}

/**
 * Why no seal can be issued for the submission's product now (null: it can): its security support
 * period has ended (supportHasEnded, the rule the submission and the seal's issuing apply), in the
 * words an assessor needs: the supplier must extend it first.
 */
function supportEndedForAssessors(t: Reader, s: SubmissionRow): string | null {
  const p = t
    .select({ name: products.name, supportPeriodEnd: products.supportPeriodEnd })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(productVersions.id, s.productVersionId))
    .get();
  if (!p || !supportHasEnded(p.supportPeriodEnd, new Date(nowMs()))) return null;
  return `The security support period of ${p.name} ended on ${formatDate(supportEndsAt(p.supportPeriodEnd))}, so no seal can be issued for it: the supplier must extend the support period (on the product's page) before it can be approved.`;
}

/**
 * Why no seal can be issued at the submission's EN 18031 level (null: it can): its product's
 * category, changed since the submission was opened, needs a higher level (en18031ProblemOf, the
 * rule opening and submitting apply), in the words an assessor needs.
 */
function levelBelowFloorForAssessors(t: Reader, s: SubmissionRow): string | null {
  const problem = en18031ProblemOf(t, s);
  if (!problem) return null;
  return `The product's category was changed after this submission was opened at ${s.targetLevel}, so no seal can be issued at that level: ${problem} A submission's level cannot change: the supplier must open a new submission at the level the category needs.`;
}

/** Why a score does not approve, naming the blockers (the first five). */
function blockersMessage(score: Score): string {
  return `${score.blockers.length} requirement${score.blockers.length === 1 ? "" : "s"} still block approval: ${score.blockers
    .slice(0, 5)
    .map((b) => `${b.ref} (${b.reason})`)
    .join(", ")}${score.blockers.length > 5 ? ", …" : ""}.`;
}

// ---------------------------------------------------------------------------------------------
// Use cases

/**
 * Takes a submission for review: one waiting for an assessor, or one in review whose assessor can
 * no longer review it (disabled, or a conflict of interest with the supplier declared since), which
 * is taken over. Only an able assessor's review is theirs until they release it.
 */
export function takeSubmission(actor: Actor, id: string, expectedVersion?: number): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    assertNoConflict(tx, actor, s);
    if (s.status === "in_review") {
      if (s.assigneeId === actor.userId) return;
      const holder = s.assigneeId ? standingOf(tx, s.assigneeId, s.organizationId) : null;
      if (!mayTakeOver(holder)) throw new ServiceError("conflict", TAKEN_BY_ANOTHER);
      takeOver(tx, actor, s, holder, expectedVersion);
      return;
    }
    transitionSubmission(tx, actor, s, "start_review", expectedVersion);
    tx.update(submissions)
      .set({ assigneeId: actor.userId, assignedAt: new Date(nowMs()) })
      .where(eq(submissions.id, s.id))
      .run();
  });
}

/**
 * The review passes to `actor`, in the taking transaction. The previous holder's approval proposal,
 * if one waits, is sent back (it could not be confirmed: proposerNoLongerAble), without telling
 * them: they may no longer hear of this supplier's submissions. Their verdicts stay on record, and
 * count as before, except that one by an assessor now in conflict blocks approval (reviewScore).
 */
function takeOver(tx: Tx, actor: Actor, s: SubmissionRow, holder: Standing | null, expectedVersion?: number): void {
  assertVersion(s, expectedVersion);
  const proposal = pendingProposal(tx, s.id);
  if (proposal)
    decide(
      tx,
      actor,
      s,
      "proposal_returned",
      `Sent back when the review was taken over: ${holder?.name ?? "the proposer"} is ${NO_LONGER_ABLE}.`,
    );
  tx.update(submissions)
    .set({
      assigneeId: actor.userId,
      assignedAt: new Date(nowMs()),
      version: sql`${submissions.version} + 1`,
      updatedAt: new Date(nowMs()),
    })
    .where(eq(submissions.id, s.id))
    .run();
  recordAudit(tx, actor, {
    action: "submission.reassigned",
    target: { type: "submission", id: s.id },
    organizationId: s.organizationId,
    details: {
      from: holder?.userId ?? null,
      fromName: holder?.name ?? null,
      reason: holder?.why ?? "nobody",
      ...(proposal ? { proposalReturned: proposal.id } : {}),
    },
  });
}

export function releaseSubmission(actor: Actor, id: string, expectedVersion?: number): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    if (s.assigneeId !== actor.userId)
      throw new ServiceError("forbidden", "Only the assessor who has this submission can release it.");
    assertNoPendingProposal(tx, s);
    transitionSubmission(tx, actor, s, "release", expectedVersion);
    tx.update(submissions).set({ assigneeId: null, assignedAt: null }).where(eq(submissions.id, s.id)).run();
  });
}

export function recordVerdict(actor: Actor, id: string, ref: string, input: z.infer<typeof verdictInput>): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    assertNoConflict(tx, actor, s);
    const isMe = s.assigneeId === actor.userId;
    const holder =
      !isMe && s.status === "in_review" && s.assigneeId ? standingOf(tx, s.assigneeId, s.organizationId) : null;
    const closed = scoringClosedReason({
      status: s.status,
      // A review held by an assessor no longer able to review it: the message says to take it over.
      reviewer: { isMe, name: holder && !holder.able ? holder.name : null, able: holder?.able },
      proposalPending: isMe && s.status === "in_review" && pendingProposal(tx, s.id) !== null,
    });
    if (closed) throw new ServiceError(s.status === "in_review" && !isMe ? "forbidden" : "conflict", closed);
    assertVersion(s, input.version);
    const req = reviewedRequirements(tx, s).find((r) => r.ref === ref);
    if (!req) throw new ServiceError("invalid", `Requirement ${ref} is not part of this submission.`);
    const v: VerdictFacts = { verdict: input.verdict, comment: input.comment.trim(), accepted: input.accepted };
    const problem = verdictProblem(req, v);
    if (problem)
      throw new ServiceError("invalid", problem, {
        [problem.startsWith("A comment") ? "comment" : "verdict"]: problem,
      });
    tx.insert(verdicts)
      .values({ submissionId: s.id, requirementRef: ref, ...v, assessorId: actor.userId, createdAt: new Date(nowMs()) })
      .run();
    // A verdict on an answer carried across (through the crosswalk) is the assessor's confirmation of it.
    const confirmedCarried = clearCarryMark(tx, s.id, ref);
    bump(tx, s);
    recordAudit(tx, actor, {
      action: "verdict.recorded",
      target: { type: "submission", id: s.id },
      organizationId: s.organizationId,
      details: {
        ref,
        verdict: v.verdict,
        accepted: v.accepted,
        ...(confirmedCarried ? { carriedAcrossConfirmed: true } : {}),
      },
    });
  });
}

function decide(
  tx: Tx,
  actor: Actor,
  s: SubmissionRow,
  kind: (typeof decisions.$inferInsert)["kind"],
  comment: string,
): void {
  tx.insert(decisions)
    .values({
      submissionId: s.id,
      kind,
      assessorId: actor.userId,
      comment,
      submissionVersion: s.version,
      createdAt: new Date(nowMs()),
    })
    .run();
}

/**
 * Emits `submission.changed` for a decision on `s` (taken on its version `s.version`), in the
 * decision's transaction: the notifications subscribe (who hears what is theirs to decide).
 */
function announce(tx: Tx, actor: Actor, s: SubmissionRow, change: SubmissionChange): void {
  emit(tx, "submission.changed", { submissionId: s.id, change, byUserId: actor.userId, version: s.version });
}

/**
 * The reason a rejection or a returned proposal must give (the supplier or the proposing assessor
 * reads it), trimmed; refused as "invalid" on the form's `comment` field.
 */
function requireReason(reason: string): string {
  const parsed = decisionReason.safeParse(reason);
  if (!parsed.success) throw new ServiceError("invalid", REASON_REQUIRED, { comment: parsed.error.issues[0].message });
  return parsed.data;
}

/**
 * Only the assessor who holds the review decides it. Another assessor is told who holds it, and is
 * told to take it over only when that is open to them (the holder can no longer review it: mayTakeOver).
 */
const REVIEWER_DECISIONS = {
  request_changes: { done: "sent back for changes", act: "send it back for changes" },
  propose: { done: "proposed for approval", act: "propose its approval" },
  reject: { done: "rejected", act: "reject it" },
} as const;

function assertReviewer(t: Reader, s: SubmissionRow, actor: Actor, decision: keyof typeof REVIEWER_DECISIONS): void {
  const { done, act } = REVIEWER_DECISIONS[decision];
  if (s.status !== "in_review") throw new ServiceError("conflict", `Only a submission in review can be ${done}.`);
  if (s.assigneeId === actor.userId) return;
  const holder = s.assigneeId ? standingOf(t, s.assigneeId, s.organizationId) : null;
  throw new ServiceError(
    "forbidden",
    holder && !mayTakeOver(holder)
      ? `${holder.name} is reviewing this submission: only they can ${act}.`
      : `Only the assessor reviewing this submission can ${act}; take the review over first.`,
  );
}

export function requestChanges(actor: Actor, id: string, expectedVersion: number, comment: string): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    assertNoConflict(tx, actor, s);
    assertReviewer(tx, s, actor, "request_changes");
    assertVersion(s, expectedVersion);
    assertNoPendingProposal(tx, s);
    const score = reviewScore(tx, s);
    if (!score.toSendBack.length)
      throw new ServiceError("conflict", 'Mark at least one requirement "fail" or "needs information" to send back.');
    decide(tx, actor, s, "changes_requested", comment);
    transitionSubmission(tx, actor, s, "request_changes", expectedVersion, { refs: score.toSendBack });
    announce(tx, actor, s, "changes_requested");
  });
}

export function proposeApproval(actor: Actor, id: string, expectedVersion: number, comment: string): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    assertNoConflict(tx, actor, s);
    assertReviewer(tx, s, actor, "propose");
    assertVersion(s, expectedVersion);
    if (pendingProposal(tx, s.id))
      throw new ServiceError("conflict", "An approval is already proposed and waiting for a second assessor.");
    const score = reviewScore(tx, s);
    if (!score.canApprove) throw new ServiceError("conflict", blockersMessage(score));
    const support = supportEndedForAssessors(tx, s);
    if (support) throw new ServiceError("conflict", support);
    const level = levelBelowFloorForAssessors(tx, s);
    if (level) throw new ServiceError("conflict", level);
    decide(tx, actor, s, "approval_proposed", comment);
    recordAudit(tx, actor, {
      action: "submission.approval_proposed",
      target: { type: "submission", id: s.id },
      organizationId: s.organizationId,
      details: { version: s.version },
    });
    announce(tx, actor, s, "proposed");
  });
}

/** The serial of the seal this assessor's confirmation issued, when the submission was approved by them (else null). */
function confirmedBy(t: Reader, actor: Actor, id: string): string | null {
  const s = loadForAssessor(t, actor, id);
  if (s.status !== "approved") return null;
  const last = t
    .select({ kind: decisions.kind, assessorId: decisions.assessorId })
    .from(decisions)
    .where(eq(decisions.submissionId, s.id))
    .orderBy(desc(decisions.id))
    .limit(1)
    .get();
  if (last?.kind !== "approval_confirmed" || last.assessorId !== actor.userId) return null;
  return sealForSubmission(s.id)?.serial ?? null;
}

/**
 * Everything a confirmation needs, checked before signing and again inside the transaction: the
 * version the confirming assessor saw (a proposal withdrawn or returned since bumps it, so a page
 * showing an earlier proposal never confirms a later one), four eyes (not the proposer, not an
 * author of the current verdicts), a proposer still able to review it (not disabled, no conflict of
 * interest declared since), a review unchanged since the proposal, and a score that still approves
 * (a report recorded since the proposal may block it).
 */
function checkConfirmable(t: Reader, actor: Actor, id: string, expectedVersion: number) {
  const s = loadForAssessor(t, actor, id);
  assertNoConflict(t, actor, s);
  assertVersion(s, expectedVersion);
  const proposal = pendingProposal(t, s.id);
  if (!proposal) throw new ServiceError("conflict", "There is no approval proposal to confirm.");
  const refused = confirmationRefusal(t, s, proposal, actor.userId);
  if (refused) throw new ServiceError(refused.kind === "four_eyes" ? "forbidden" : "conflict", refused.reason);
  return { s, proposal };
}

/** Why a confirmation would be refused, and of which kind (what the pages add to it depends on it). */
interface ConfirmationRefusal {
  kind: "four_eyes" | "stale" | "proposer_unable" | "ended" | "blocked" | "support" | "level";
  reason: string;
}

/** Stands for "any assessor who may confirm": not the proposer, not an author of the current verdicts. */
const ANY_SECOND_ASSESSOR = "";

/**
 * The one rule of what a confirmation checks besides the confirming assessor's own conflict of
 * interest (assertNoConflict) and the version they saw: four eyes and a proposer still able to
 * review it (checkConfirmation), a review unchanged since the proposal, a re-certification's seal
 * that still stands (a revocation after the proposal: not on carried verdicts), a score that still
 * approves (a report recorded since may block it), a support period that has not ended (no
 * seal could be issued), and an EN 18031 level the product's current category allows.
 * `confirmerId` null: whether anyone could confirm it (what its proposer is told), where the
 * score's blockers say more than the ended seal.
 */
function confirmationRefusal(
  t: Reader,
  s: SubmissionRow,
  proposal: Proposal,
  confirmerId: string | null,
): ConfirmationRefusal | null {
  const check = checkConfirmation(
    { assessorId: proposal.assessorId, submissionVersion: proposal.submissionVersion },
    confirmerId ?? ANY_SECOND_ASSESSOR,
    s.version,
    verdictAuthors(t, s.id),
    standingOf(t, proposal.assessorId, s.organizationId),
  );
  if (!check.ok)
    return {
      kind: check.reason.startsWith("Four eyes")
        ? "four_eyes"
        : check.reason === STALE_PROPOSAL
          ? "stale"
          : "proposer_unable",
      reason: check.reason,
    };
  const ended = endedSourceProblem(t, s, latestVerdicts(t, s.id));
  const score = reviewScore(t, s);
  const blocked = score.canApprove ? null : `The approval can no longer be confirmed: ${blockersMessage(score)}`;
  if (ended && (confirmerId !== null || !blocked)) return { kind: "ended", reason: ended };
  if (blocked) return { kind: "blocked", reason: blocked };
  const support = supportEndedForAssessors(t, s);
  if (support) return { kind: "support", reason: support };
  const level = levelBelowFloorForAssessors(t, s);
  if (level) return { kind: "level", reason: level };
  return null;
}

/**
 * Why `viewerId` cannot confirm the waiting proposal now (null: they can), as the review page's
 * banner and the dashboard say it (confirmationRefusal, the rule the confirmation applies). To its
 * proposer: why nobody can confirm it as it stands, and what to do (withdraw it, or wait for the
 * supplier); to any other assessor: why they cannot, and that they can send it back.
 */
export function cannotConfirm(t: Reader, s: SubmissionRow, proposal: Proposal, viewerId: string): string | null {
  if (proposal.assessorId === viewerId) {
    const r = confirmationRefusal(t, s, proposal, null);
    if (!r) return null;
    switch (r.kind) {
      case "stale":
        return `${r.reason} Withdraw it, then propose again.`;
      case "proposer_unable":
        return "You can no longer review this submission (a conflict of interest with the supplier was declared), so nobody can confirm your proposal. Withdraw it and release the review; otherwise another assessor takes the review over, which sends the proposal back.";
      case "support":
        return `${r.reason} Nobody can confirm the proposal until then.`;
      case "level":
        return `${r.reason} Nobody can confirm the proposal: withdraw it, then reject the submission.`;
      default:
        return `${r.reason} Nobody can confirm the proposal as it stands: withdraw it, record the verdicts needed, then propose again.`;
    }
  }
  const r = confirmationRefusal(t, s, proposal, viewerId);
  if (!r) return null;
  switch (r.kind) {
    case "four_eyes":
      return `${r.reason} You can send it back.`;
    case "stale":
      return `${r.reason} Send it back to the reviewing assessor.`;
    case "blocked":
      return `${r.reason} Send it back.`;
    case "support":
      return `${r.reason} Confirm it once the supplier has extended it, or send it back.`;
    case "level":
      return `${r.reason} Send it back.`;
    default:
      return r.reason; // proposerNoLongerAble and endedSourceProblem say to send it back
  }
}

/**
 * The second assessor confirms: the submission is approved and its seal issued in the same
 * transaction. The credential is signed first (asynchronously); everything is checked again
 * inside the transaction, so a change in between refuses the confirmation and nothing is kept.
 */
export async function confirmApproval(
  actor: Actor,
  id: string,
  expectedVersion: number,
  comment: string,
): Promise<string> {
  // The same confirmation sent twice (a double click, a resent form): the seal it issued, nothing new.
  const issued = confirmedBy(db(), actor, id);
  if (issued) return issued;
  checkConfirmable(db(), actor, id, expectedVersion); // refuse early, before anything is signed
  const prepared = await prepareSeal(id);
  return transaction((tx) => {
    const { s, proposal } = checkConfirmable(tx, actor, id, expectedVersion);
    decide(tx, actor, s, "approval_confirmed", comment);
    transitionSubmission(tx, actor, s, "approve", s.version, {
      proposedBy: proposal.assessorId,
      seal: prepared.serial,
    });
    recordIssuedSeal(tx, prepared, actor);
    announce(tx, actor, s, "proposal_confirmed"); // the proposer hears it
    announce(tx, actor, s, "approved"); // the supplier hears it, with the seal just issued
    const fixesCertified = completeRecertification(tx, actor, s, prepared.serial); // a re-certification supersedes the seal it replaces
    // Certified fixes may release other seals the same findings held (another version's, say): at once, not at the next sweep.
    if (fixesCertified) emit(tx, "fixes.certified", { submissionId: s.id, count: fixesCertified });
    return prepared.serial;
  });
}

export function returnProposal(actor: Actor, id: string, expectedVersion: number, reason: string): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    assertNoConflict(tx, actor, s);
    const proposal = pendingProposal(tx, s.id);
    if (!proposal) throw new ServiceError("conflict", "There is no approval proposal to send back.");
    if (proposal.assessorId === actor.userId)
      throw new ServiceError("forbidden", "Four eyes: a second assessor sends a proposal back, not its proposer.");
    const comment = requireReason(reason);
    // The proposal the sending assessor saw: one withdrawn (or returned) and proposed again since bumped the version.
    assertVersion(s, expectedVersion);
    decide(tx, actor, s, "proposal_returned", comment);
    bump(tx, s);
    announce(tx, actor, s, "proposal_returned");
    recordAudit(tx, actor, {
      action: "submission.proposal_returned",
      target: { type: "submission", id: s.id },
      organizationId: s.organizationId,
      details: { comment },
    });
  });
}

/**
 * The proposer takes back their approval proposal while it still waits (a mistake noticed after
 * proposing, say): the submission stays in review with them, nothing is approved, and approving it
 * needs a new proposal. Only the assessor who proposed may withdraw; a second assessor confirms or
 * sends it back instead. Like releasing a submission, it is allowed to an assessor with a conflict
 * of interest declared since: stepping back never needs the clearance that acting does.
 */
export function withdrawProposal(actor: Actor, id: string, expectedVersion: number, comment: string): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    const proposal = pendingProposal(tx, s.id);
    if (!proposal)
      throw new ServiceError(
        "conflict",
        "There is no approval proposal waiting: it was confirmed, sent back or withdrawn already.",
      );
    if (proposal.assessorId !== actor.userId)
      throw new ServiceError(
        "forbidden",
        "Only the assessor who proposed the approval can withdraw it; as a second assessor, confirm it or send it back.",
      );
    assertVersion(s, expectedVersion);
    decide(tx, actor, s, "proposal_withdrawn", comment.trim());
    bump(tx, s);
    announce(tx, actor, s, "proposal_withdrawn");
    recordAudit(tx, actor, {
      action: "submission.proposal_withdrawn",
      target: { type: "submission", id: s.id },
      organizationId: s.organizationId,
      details: { proposal: proposal.id, comment: comment.trim() },
    });
  });
}

export function rejectSubmission(actor: Actor, id: string, expectedVersion: number, givenReason: string): void {
  transaction((tx) => {
    const s = loadForAssessor(tx, actor, id);
    assertNoConflict(tx, actor, s);
    assertReviewer(tx, s, actor, "reject");
    const reason = requireReason(givenReason);
    assertVersion(s, expectedVersion);
    assertNoPendingProposal(tx, s);
    decide(tx, actor, s, "rejected", reason);
    transitionSubmission(tx, actor, s, "reject", expectedVersion, { reason });
    announce(tx, actor, s, "rejected");
  });
}

// ---------------------------------------------------------------------------------------------
// The queue

export const QUEUE_STATUSES = ["submitted", "in_review"] as const;
export const queueQuery = z.object({
  status: z.enum(QUEUE_STATUSES).optional().catch(undefined),
  checklist: z.string().max(80).optional().catch(undefined),
  level: z.string().max(64).optional().catch(undefined),
  supplier: z.string().max(64).optional().catch(undefined),
  page: decimalNumber(z.number().int().min(1).max(100_000)).catch(1),
});
export const QUEUE_PAGE_SIZE = 25;

export function reviewQueue(actor: Actor, q: z.infer<typeof queueQuery>) {
  assertCan(actor, "assessor.workspace");
  const t = db();
  const assignee = alias(users, "assignee");
  const where = and(
    q.status ? eq(submissions.status, q.status) : inArray(submissions.status, [...QUEUE_STATUSES]),
    q.checklist ? eq(submissions.checklistVersionId, q.checklist) : undefined,
    q.level ? eq(submissions.targetLevel, q.level) : undefined,
    q.supplier ? eq(submissions.organizationId, q.supplier) : undefined,
  );
  const total = t.select({ n: count() }).from(submissions).where(where).get()?.n ?? 0;
  const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
  // A page past the end (items taken or sent back since the link was made) shows the last one.
  const page = Math.min(q.page, pages);
  const rows = t
    .select({
      id: submissions.id,
      status: submissions.status,
      submittedAt: submissions.submittedAt,
      targetLevel: submissions.targetLevel,
      checklistVersionId: submissions.checklistVersionId,
      organizationId: submissions.organizationId,
      supplier: organizations.name,
      product: products.name,
      hardwareRevision: productVersions.hardwareRevision,
      firmwareVersion: productVersions.firmwareVersion,
      assigneeName: assignee.name,
      assigneeId: submissions.assigneeId,
      recertifiesSerial: submissions.recertifiesSerial,
    })
    .from(submissions)
    .innerJoin(organizations, eq(organizations.id, submissions.organizationId))
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .leftJoin(assignee, eq(assignee.id, submissions.assigneeId))
    .where(where)
    .orderBy(asc(submissions.submittedAt), asc(submissions.id))
    .limit(QUEUE_PAGE_SIZE)
    .offset((page - 1) * QUEUE_PAGE_SIZE)
    .all()
    // Only a submission in review has someone who holds it (one sent back and resubmitted is nobody's).
    .map((r) =>
      r.status === "in_review" ? r : { ...r, assigneeId: null as string | null, assigneeName: null as string | null },
    );
  const conflictWith = conflictChecker(t, actor);
  const checklistsInQueue = t
    .select({ id: submissions.checklistVersionId, level: submissions.targetLevel })
    .from(submissions)
    .where(inArray(submissions.status, [...QUEUE_STATUSES]))
    .groupBy(submissions.checklistVersionId, submissions.targetLevel)
    .all();
  const suppliersInQueue = t
    .select({ id: organizations.id, name: organizations.name })
    .from(submissions)
    .innerJoin(organizations, eq(organizations.id, submissions.organizationId))
    .where(inArray(submissions.status, [...QUEUE_STATUSES]))
    .groupBy(organizations.id)
    .orderBy(asc(organizations.name))
    .all();
  // Each checklist version in words (the queue's column and filter show titles, not slugs).
  const versionIds = [...new Set([...rows.map((r) => r.checklistVersionId), ...checklistsInQueue.map((c) => c.id)])];
  const versionRows = new Map(
    (versionIds.length
      ? t.select().from(checklistVersions).where(inArray(checklistVersions.id, versionIds)).all()
      : []
    ).map((v) => [v.id, v]),
  );
  const labelOf = (id: string) => {
    const v = versionRows.get(id);
    return v ? checklistLabelFor({ id: v.checklistId, version: v.version, title: v.title }) : id.replace("@", " ");
  };
  // A level by its title ("Class 1 — …", "Parts 1 and 2"), as the review and the supplier's pages name it, not its id.
  const levelTitleOf = (versionId: string, level: string) =>
    versionRows.get(versionId)?.levels.find((l) => l.id === level)?.title ?? level;
  // The level filter spans checklists: an id's titles in the checklists waiting (one, unless they name it differently).
  const levelTitles = new Map<string, Set<string>>();
  for (const c of checklistsInQueue)
    levelTitles.set(c.level, (levelTitles.get(c.level) ?? new Set()).add(levelTitleOf(c.id, c.level)));
  return {
    /** The time the queue was read at (the page shows how long each submission has waited). */
    now: nowMs(),
    total,
    /** The page shown: the one asked for, or the last one when it is past the end. */
    page,
    pages,
    // Listed so the assessor sees the whole queue, but marked: a conflicted assessor cannot open the review page.
    rows: rows.map((r) => ({
      ...r,
      checklistLabel: labelOf(r.checklistVersionId),
      levelTitle: levelTitleOf(r.checklistVersionId, r.targetLevel),
      conflicted: conflictWith(r.organizationId) !== null,
      mine: r.assigneeId === actor.userId,
      /** In review with an assessor who can no longer review it (disabled, or in conflict since): anyone able may take it over. */
      takeOver:
        r.status === "in_review" &&
        r.assigneeId !== actor.userId &&
        mayTakeOver(r.assigneeId ? standingOf(t, r.assigneeId, r.organizationId) : null),
    })),
    options: {
      checklists: [...new Set(checklistsInQueue.map((c) => c.id))].sort().map((id) => ({ id, label: labelOf(id) })),
      levels: [...levelTitles]
        .map(([id, titles]) => ({ id, label: [...titles].sort().join(" / ") }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      suppliers: suppliersInQueue,
    },
  };
}

/**
 * For the administrators' pages: how many submissions each assessor holds in review (`byAssessor`,
 * by user id), and of those, how many are of the supplier of each declared conflict of interest
 * (`byConflict`, by declaration id): stranded until another assessor takes them over.
 */
export function heldInReview(actor: AnyActor): {
  byAssessor: Record<string, number>;
  byConflict: Record<string, number>;
} {
  assertCan(actor, "admin.users.manage");
  const t = db();
  const byAssessor = t
    .select({ assessorId: submissions.assigneeId, n: count() })
    .from(submissions)
    .where(eq(submissions.status, "in_review"))
    .groupBy(submissions.assigneeId)
    .all();
  const byConflict = t
    .select({ id: conflictDeclarations.id, n: count() })
    .from(conflictDeclarations)
    .innerJoin(
      submissions,
      and(
        eq(submissions.assigneeId, conflictDeclarations.assessorId),
        eq(submissions.organizationId, conflictDeclarations.organizationId),
        eq(submissions.status, "in_review"),
      ),
    )
    .groupBy(conflictDeclarations.id)
    .all();
  return {
    byAssessor: Object.fromEntries(byAssessor.filter((r) => r.assessorId).map((r) => [r.assessorId!, r.n])),
    byConflict: Object.fromEntries(byConflict.map((r) => [r.id, r.n])),
  };
}

/** How many submissions an assessor holds in review, of one supplier organisation or of any. */
export function heldInReviewBy(actor: AnyActor, assessorId: string, supplierOrganizationId?: string): number {
  assertCan(actor, "admin.users.manage");
  return (
    db()
      .select({ n: count() })
      .from(submissions)
      .where(
        and(
          eq(submissions.status, "in_review"),
          eq(submissions.assigneeId, assessorId),
          supplierOrganizationId ? eq(submissions.organizationId, supplierOrganizationId) : undefined,
        ),
      )
      .get()?.n ?? 0
  );
}

/**
 * How many approvals proposed on this supplier organisation's work wait for a second assessor that
 * this assessor may confirm now (possibleConfirmers): for the admin who lifted a conflict of interest.
 */
export function confirmableBy(actor: AnyActor, assessorId: string, supplierOrganizationId: string): number {
  assertCan(actor, "admin.users.manage");
  const t = db();
  return waitingProposals(t, supplierOrganizationId).filter(({ submissionId, proposal }) =>
    possibleConfirmers(t, supplierOrganizationId, proposal.assessorId, verdictAuthors(t, submissionId)).some(
      (c) => c.id === assessorId,
    ),
  ).length;
}

/**
 * The approval proposals waiting for a second assessor on this supplier organisation's work (null:
 * every supplier's), with the submission each is on.
 */
export function waitingProposals(t: Reader, supplierOrganizationId: string | null) {
  return t
    .select({ id: submissions.id })
    .from(submissions)
    .where(
      and(
        eq(submissions.status, "in_review"),
        supplierOrganizationId ? eq(submissions.organizationId, supplierOrganizationId) : undefined,
      ),
    )
    .all()
    .flatMap(({ id }) => {
      const proposal = pendingProposal(t, id);
      return proposal ? [{ submissionId: id, proposal }] : [];
    });
}

/**
 * The assessors who could confirm an approval proposal on a supplier's submission now: every enabled
 * assessor but the proposer and the authors of the current verdicts (`verdictAuthorIds`) who has
 * no conflict of interest with the supplier (the same rules that refuse the confirmation), by name.
 */
export function possibleConfirmers(
  t: Reader,
  supplierOrganizationId: string,
  proposerId: string,
  verdictAuthorIds: ReadonlySet<string>,
) {
  return t
    .select(ASSESSOR_COLUMNS)
    .from(users)
    .where(and(eq(users.role, "assessor"), isNull(users.disabledAt)))
    .orderBy(asc(users.name))
    .all()
    .filter(
      (u) =>
        u.userId !== proposerId &&
        !verdictAuthorIds.has(u.userId) &&
        conflictChecker(t, u)(supplierOrganizationId) === null,
    )
    .map((u) => ({ id: u.userId, name: u.name }));
}

/**
 * Whom the proposer's approval waits for (awaitingConfirmationBy over possibleConfirmers). When
 * nobody can confirm it, the assessors kept out only because they recorded verdicts that count
 * (four eyes), with those verdicts' requirements: the proposer can record their own there.
 */
function confirmationWait(
  t: Reader,
  submissionId: string,
  supplierOrganizationId: string,
  proposerId: string,
  before = false,
) {
  const latest = latestVerdicts(t, submissionId);
  const authors = currentVerdictAuthors(latest.values());
  const confirmers = possibleConfirmers(t, supplierOrganizationId, proposerId, authors);
  if (confirmers.length) return awaitingConfirmationBy(confirmers.map((c) => c.name));
  const scoredByOthers = possibleConfirmers(t, supplierOrganizationId, proposerId, new Set())
    .filter((c) => authors.has(c.id))
    .map((c) => ({
      name: c.name,
      refs: [...latest].filter(([, v]) => v.assessorId === c.id && v.carriedFromId == null).map(([ref]) => ref),
    }));
  return awaitingConfirmationBy([], scoredByOthers, before);
}

/**
 * The assessor dashboard's work: the queue counts (waiting for an assessor, in review by this
 * assessor, in review by others), the approvals proposed by a colleague that wait for this
 * assessor's confirmation (none of a supplier they have a conflict of interest with: not theirs to
 * confirm), and their own proposals still waiting, with whom they wait for. Oldest first.
 */
export function assessorWork(actor: Actor) {
  assertCan(actor, "assessor.workspace");
  const t = db();
  const waiting = t.select({ n: count() }).from(submissions).where(eq(submissions.status, "submitted")).get()?.n ?? 0;
  const inReview = t
    .select({
      id: submissions.id,
      version: submissions.version,
      organizationId: submissions.organizationId,
      assigneeId: submissions.assigneeId,
      supplier: organizations.name,
      product: products.name,
      firmwareVersion: productVersions.firmwareVersion,
    })
    .from(submissions)
    .innerJoin(organizations, eq(organizations.id, submissions.organizationId))
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(submissions.status, "in_review"))
    .orderBy(asc(submissions.submittedAt), asc(submissions.id))
    .all();
  const mine = inReview.filter((r) => r.assigneeId === actor.userId).length;
  const conflictWith = conflictChecker(t, actor);
  const nameOf = (id: string) => t.select({ name: users.name }).from(users).where(eq(users.id, id)).get()?.name ?? "";
  const confirmations = [];
  const myProposals = [];
  for (const r of inReview) {
    const p = pendingProposal(t, r.id);
    if (!p) continue;
    const row = { submissionId: r.id, supplier: r.supplier, product: r.product, firmwareVersion: r.firmwareVersion };
    const authors = verdictAuthors(t, r.id);
    if (p.assessorId === actor.userId) {
      myProposals.push({
        ...row,
        proposedAt: p.createdAt,
        waitingFor: confirmationWait(t, r.id, r.organizationId, p.assessorId),
        /** Why nobody can confirm it as it stands, and what to do (null: it waits for a second assessor). */
        cannotConfirm: cannotConfirm(t, loadSubmission(t, r.id), p, actor.userId),
        /** The proposer now has a conflict of interest with the supplier: their link leads to stepping back only. */
        conflicted: conflictWith(r.organizationId) !== null,
      });
    } else if (!conflictWith(r.organizationId) && !authors.has(actor.userId)) {
      // Not offered to an assessor who recorded verdicts of this review (four eyes): not theirs to confirm.
      // The checks the confirmation makes (cannotConfirm): what it refuses can only be sent back.
      const why = cannotConfirm(t, loadSubmission(t, r.id), p, actor.userId);
      confirmations.push({
        ...row,
        proposedAt: p.createdAt,
        proposer: nameOf(p.assessorId),
        comment: p.comment,
        canConfirm: why === null,
        /** Why it can only be sent back (null: it can be confirmed). */
        cannotConfirm: why,
      });
    }
  }
  return { counts: { waiting, mine, others: inReview.length - mine }, confirmations, myProposals };
}

/** The dashboard's numbers alone: waiting, in review by this assessor, the submissions waiting for their confirmation. */
export function assessorCounts(actor: Actor) {
  const w = assessorWork(actor);
  return {
    waiting: w.counts.waiting,
    mine: w.counts.mine,
    awaitingConfirmation: w.confirmations.map((c) => c.submissionId),
  };
}

// ---------------------------------------------------------------------------------------------
// The review page

/** What changed since this assessor's last look (their last verdict or decision). */
function changesSince(t: Reader, s: SubmissionRow, assessorId: string) {
  const lastVerdict = t
    .select({ at: verdicts.createdAt })
    .from(verdicts)
    .where(and(eq(verdicts.submissionId, s.id), eq(verdicts.assessorId, assessorId), isNull(verdicts.carriedFromId)))
    .orderBy(desc(verdicts.id))
    .limit(1)
    .get()?.at;
  const lastDecision = t
    .select({ at: decisions.createdAt })
    .from(decisions)
    .where(and(eq(decisions.submissionId, s.id), eq(decisions.assessorId, assessorId)))
    .orderBy(desc(decisions.id))
    .limit(1)
    .get()?.at;
  const since = [lastVerdict, lastDecision]
    .filter((d): d is Date => Boolean(d))
    .sort((a, b) => b.getTime() - a.getTime())[0];
  if (!since) return null;
  const changedAnswers = t
    .select({ ref: answers.requirementRef })
    .from(answers)
    .where(and(eq(answers.submissionId, s.id), gt(answers.updatedAt, since)))
    .all()
    .map((r) => r.ref);
  const newEvidence = t
    .select({ ref: evidenceLinks.requirementRef, name: evidenceLinks.originalName })
    .from(evidenceLinks)
    .where(and(eq(evidenceLinks.submissionId, s.id), gt(evidenceLinks.linkedAt, since)))
    .all();
  return { since, changedAnswers, newEvidence };
}

/** Why a requirement of a re-certification is reviewed when nothing names it now: its verdict did not carry over. */
const NOT_CARRIED_AT_SUBMISSION =
  "Its certified verdict did not carry over when the re-certification was submitted: it needs a verdict of this review";

/** The review page (and its per-requirement pages): refused to an assessor with a conflict of interest with the supplier. */
export function reviewView(actor: Actor, id: string) {
  const t = db();
  const s = loadForAssessor(t, actor, id);
  assertNoConflict(t, actor, s);
  const header = t
    .select({
      supplier: organizations.name,
      product: products.name,
      model: products.model,
      gtin: products.gtin,
      hardwareRevision: productVersions.hardwareRevision,
      firmwareVersion: productVersions.firmwareVersion,
      supportPeriodEnd: products.supportPeriodEnd,
      disclosurePolicyUrl: products.disclosurePolicyUrl,
    })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, products.organizationId))
    .where(eq(productVersions.id, s.productVersionId))
    .get()!;
  const cv = t.select().from(checklistVersions).where(eq(checklistVersions.id, s.checklistVersionId)).get()!;
  const reqs = requirementsInScope(t, cv.id, s.targetLevel);
  const facts = answerFacts(t, s.id);
  const latest = latestVerdicts(t, s.id);
  const history = t
    .select({ v: verdicts, name: users.name })
    .from(verdicts)
    .innerJoin(users, eq(users.id, verdicts.assessorId))
    .where(eq(verdicts.submissionId, s.id))
    .orderBy(desc(verdicts.id))
    .all();
  const decisionRows = t
    .select({ d: decisions, name: users.name })
    .from(decisions)
    .innerJoin(users, eq(users.id, decisions.assessorId))
    .where(eq(decisions.submissionId, s.id))
    .orderBy(asc(decisions.id))
    .all();
  const recert = recertificationContext(t, s);
  const score = reviewScore(t, s); // the same score the approval checks
  const proposal = pendingProposal(t, s.id);
  // Only a submission in review is held by someone: one sent back for changes (and resubmitted) is nobody's.
  const holderId = holderOf(s);
  const holder = holderId ? standingOf(t, holderId, s.organizationId) : null;
  const assignee = holder?.name ?? null;
  const changes = changesSince(t, s, actor.userId);
  const evidence = evidenceOf(t, s.id);
  const marks = carryMarks(t, s.id);
  const mine = holderId === actor.userId;
  // In review with an assessor who can no longer review it (disabled, or in conflict since): another takes it over.
  const takeOver = s.status === "in_review" && !mine && mayTakeOver(holder);
  const scoringClosed = scoringClosedReason({
    status: s.status,
    reviewer: { isMe: mine, name: assignee, able: holder?.able ?? false },
    proposalPending: Boolean(proposal),
  });
  // A proposal of a review that changed since (a verdict recorded before that was refused) can only be sent back or withdrawn.
  const proposer = proposal ? standingOf(t, proposal.assessorId, s.organizationId) : null;
  // Why this assessor cannot confirm it (the confirmation's own checks), or, to its proposer, why nobody can.
  const whyNotConfirm = proposal ? cannotConfirm(t, s, proposal, actor.userId) : null;
  const supportEnded = s.status === "submitted" || s.status === "in_review" ? supportEndedForAssessors(t, s) : null;
  // Its EN 18031 level is below what the product's category needs now (the category changed since it was opened).
  const levelBelowFloor =
    s.status === "submitted" || s.status === "in_review" ? levelBelowFloorForAssessors(t, s) : null;
  // A re-certification: once submitted, what carried over is what the verdict rows say (carryOverVerdicts
  // ran at the first submission), not the delta as it stands now: a requirement left out then (named by
  // a report withdrawn since, say) has no verdict of its own and is reviewed.
  const carriedRefs = new Set(history.filter((h) => h.v.carriedFromId != null).map((h) => h.v.requirementRef));
  const mustReview = (ref: string) => (recert ? recert.reasonsByRef.has(ref) || !carriedRefs.has(ref) : true);
  const toReviewCount = reqs.filter((r) => mustReview(r.ref)).length;
  const mayPropose =
    mine && s.status === "in_review" && !proposal && score.canApprove && !supportEnded && !levelBelowFloor;
  // Said before the approval is proposed: nobody could confirm it as it stands (and what to do first).
  const beforeProposing = mayPropose ? confirmationWait(t, s.id, s.organizationId, actor.userId, true) : null;
  return {
    submission: s,
    header,
    checklist: {
      id: cv.checklistId,
      version: cv.version,
      title: cv.title,
      /** Title and version in words: no slug, no repeated version, "-r1" explained. */
      label: checklistLabelFor({ id: cv.checklistId, version: cv.version, title: cv.title }),
      contentHash: cv.contentHash,
      levelTitle: cv.levels.find((l) => l.id === s.targetLevel)?.title ?? s.targetLevel,
      /** How verdicts are given: `decision-tree` (EN 18031) lets any requirement be NOT APPLICABLE, with a justification. */
      verdictModel: verdictModelOfContent(cv.content),
    },
    assignee,
    /** "Held by Asha, who is no longer able to review it (…)": shown while the review can be taken over. */
    heldBy: takeOver ? heldBy(assignee) : null,
    score,
    changes,
    decisions: decisionRows.map((r) => ({ ...r.d, assessorName: r.name })),
    proposal: proposal
      ? {
          ...proposal,
          byMe: proposal.assessorId === actor.userId,
          proposerName: decisionRows.find((r) => r.d.id === proposal.id)?.name ?? "",
          // Whom it waits for: the one assessor who can confirm it, by name, or "any other assessor".
          waitingFor: confirmationWait(t, s.id, s.organizationId, proposal.assessorId),
          /** The review changed after it was proposed: nobody can confirm it; it is sent back or withdrawn. */
          stale: proposal.submissionVersion !== s.version ? STALE_PROPOSAL : null,
          /** The proposer can no longer review it (disabled, or in conflict since): nobody can confirm it; it is sent back. */
          proposerNoLongerAble: proposer && !proposer.able ? proposerNoLongerAble(proposer.name) : null,
          /** Why this assessor cannot confirm it, or (to its proposer) why nobody can, and what to do; null: it can be confirmed. */
          cannotConfirm: whyNotConfirm,
        }
      : null,
    /** To the assessor who may propose approval: nobody could confirm it as the review stands, why, and what to do (null: someone can). */
    proposeWarning: beforeProposing?.blocked ? waitingForSentence(beforeProposing) : null,
    /** Why this assessor cannot record verdicts now (null: they can). */
    scoringClosed,
    /** The product's support period has ended: no seal can be issued until the supplier extends it (null: it runs on). */
    supportEnded,
    /** The EN 18031 level is below the product's category's floor: no seal can be issued at it (null: it is not). */
    levelBelowFloor,
    recertification: recert && {
      serial: recert.seal.serial,
      sealState: recert.seal.state,
      /** The seal's verdict now (in words) and its public reason: a seal revoked or expired meanwhile. */
      sealVerdict: recert.seal.verdict,
      sealVerdictLabel: recert.seal.verdictLabel,
      sealReason: recert.seal.reason,
      sourceEnded: recert.sourceEnded,
      sbomRefs: recert.sbomRefs,
      fromFirmware: recert.seal.firmware,
      changeSummary: recert.changeSummary,
      toReview: toReviewCount,
      carried: reqs.length - toReviewCount,
    },
    fixesCertified: fixesCertifiedBy(t, s),
    can: {
      take: s.status === "submitted" || takeOver,
      release: mine && s.status === "in_review" && !proposal,
      score: scoringClosed === null,
      requestChanges: mine && s.status === "in_review" && !proposal && score.toSendBack.length > 0,
      propose: mayPropose,
      // Only what the confirmation would accept (cannotConfirm: four eyes, a score that approves, a seal that can be issued).
      confirm: Boolean(proposal) && proposal!.assessorId !== actor.userId && whyNotConfirm === null,
      sendBack: Boolean(proposal) && proposal!.assessorId !== actor.userId,
      withdraw: Boolean(proposal) && proposal!.assessorId === actor.userId,
      reject: mine && s.status === "in_review" && !proposal,
    },
    requirements: reqs.map((r) => ({
      ref: r.ref,
      sectionRef: r.sectionRef,
      title: r.title,
      text: r.text,
      applicability: r.applicability,
      condition: r.condition,
      evidenceHint: r.evidenceHint,
      answer: facts.get(r.ref) ?? null,
      evidence: evidence.filter((e) => e.requirementRef === r.ref),
      verdict: latest.get(r.ref) ?? null,
      history: history.filter((h) => h.v.requirementRef === r.ref).map((h) => ({ ...h.v, assessorName: h.name })),
      changed: Boolean(
        changes && (changes.changedAnswers.includes(r.ref) || changes.newEvidence.some((e) => e.ref === r.ref)),
      ),
      // A re-certification: why this requirement is reviewed again, or that its certified verdict carried over.
      mustReview: mustReview(r.ref),
      deltaReasons: recert
        ? recert.reasonsByRef.has(r.ref)
          ? recert.reasonsByRef.get(r.ref)!.map(describeReason)
          : carriedRefs.has(r.ref)
            ? []
            : [NOT_CARRIED_AT_SUBMISSION]
        : [],
      carried: latest.get(r.ref)?.carriedFromId != null,
      // Pre-filled through the crosswalk and not yet saved by the supplier: the verdict confirms it.
      carriedAcross: marks.has(r.ref) ? describeMark(marks.get(r.ref)!) : null,
      certifiedVerdict: recert?.certifiedVerdicts.get(r.ref) ?? null,
    })),
  };
}

/**
 * What an assessor now in conflict of interest with the supplier may still do on a submission they
 * hold in review or proposed for approval: step back (withdrawProposal, releaseSubmission), which
 * needs no clearance. It shows nothing of the submission's answers, evidence or verdicts. Null when
 * the assessor has no conflict with the supplier, or nothing to step back from: the review page
 * applies (and refuses a conflicted assessor, as before).
 */
export function stepBackView(actor: Actor, id: string) {
  const t = db();
  const s = loadForAssessor(t, actor, id);
  const conflict = conflictChecker(t, actor)(s.organizationId);
  if (!conflict) return null;
  const proposal = pendingProposal(t, s.id);
  const myProposal = proposal?.assessorId === actor.userId ? proposal : null;
  const holding = holderOf(s) === actor.userId;
  if (!myProposal && !holding) return null;
  const header = t
    .select({
      supplier: organizations.name,
      product: products.name,
      firmwareVersion: productVersions.firmwareVersion,
    })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, products.organizationId))
    .where(eq(productVersions.id, s.productVersionId))
    .get()!;
  return {
    submission: { id: s.id, version: s.version, status: s.status },
    header,
    /** The conflict of interest, as the assessor is told it elsewhere ("You have a declared conflict of interest with …"). */
    conflict,
    proposedAt: myProposal?.createdAt ?? null,
    holding,
    can: { withdraw: myProposal !== null, release: holding && !proposal },
  };
}
