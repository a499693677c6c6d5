/**
 * Assessment: verdicts on requirements, the score that decides whether a submission can be
 * approved, the four-eyes rule and conflicts of interest. Pure functions over plain data.
 */
import type { Applicability, VerdictModel } from "../../catalogue/domain/checklist/schema";
import type { Claim } from "./answers";

export const VERDICTS = ["pass", "fail", "not_applicable", "needs_information"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const VERDICT_LABELS: Record<Verdict, string> = {
  pass: "Pass",
  fail: "Fail",
  not_applicable: "Not applicable",
  needs_information: "Needs information",
};

export interface ReviewedRequirement {
  ref: string;
  sectionRef: string;
  applicability: Applicability;
  condition: string | null;
  claim: Claim | null;
  /** The checklist's verdict model; absent means `standard`. */
  verdictModel?: VerdictModel;
}

/** Verdict labels as a decision-tree checklist (EN 18031) names its outcomes. */
export const DECISION_TREE_VERDICT_LABELS: Record<Verdict, string> = {
  pass: "PASS",
  fail: "FAIL",
  not_applicable: "NOT APPLICABLE",
  needs_information: "Needs information",
};

export const DECISION_TREE_NOTE = "Decision tree (EN 18031): Not applicable needs a justification";

/** The verdict labels a checklist with this verdict model shows. */
export function verdictLabels(model: VerdictModel | undefined): Record<Verdict, string> {
  return model === "decision-tree" ? DECISION_TREE_VERDICT_LABELS : VERDICT_LABELS;
}

export interface VerdictFacts {
  verdict: Verdict;
  comment: string;
  /** For an advisory requirement not met: the assessor accepts the supplier's justification. */
  accepted: boolean;
}

/**
 * "Not applicable" is a verdict only where the requirement has a condition or the supplier claimed
 * it; under a decision-tree checklist any requirement's tree may end in NOT APPLICABLE (the
 * justification it needs is checked by verdictProblem and isMet).
 */
export function mayJudgeNotApplicable(req: Pick<ReviewedRequirement, "condition" | "claim" | "verdictModel">): boolean {
  return req.verdictModel === "decision-tree" || Boolean(req.condition) || req.claim === "not_applicable";
}

/** Why a verdict cannot be recorded as given (null when it can). */
export function verdictProblem(req: ReviewedRequirement, v: VerdictFacts): string | null {
  if (v.verdict === "not_applicable" && req.verdictModel === "decision-tree" && !v.comment.trim())
    return "A comment is required for NOT APPLICABLE: justify why the decision tree ends there.";
  if (v.verdict !== "pass" && !v.comment.trim())
    return `A comment is required for "${verdictLabels(req.verdictModel)[v.verdict]}".`;
  if (v.verdict === "not_applicable" && !mayJudgeNotApplicable(req)) {
    return "Not applicable is allowed only where the requirement has a condition or the supplier claimed it does not apply.";
  }
  if (v.accepted && req.applicability !== "advisory")
    return "Only an advisory requirement can be accepted on its justification.";
  if (v.accepted && v.verdict === "pass") return "A passed requirement needs no accepted justification.";
  if (v.accepted && v.verdict === "needs_information")
    return "Ask for the information first; accept the justification once you have it.";
  return null;
}

/**
 * Whether a "not applicable" verdict stands: it is allowed for this requirement, and a decision
 * tree's NOT APPLICABLE has its written justification.
 */
function notApplicableStands(req: ReviewedRequirement, v: VerdictFacts): boolean {
  if (!mayJudgeNotApplicable(req)) return false;
  return !(req.verdictModel === "decision-tree" && !v.comment.trim());
}

/** Whether one requirement's latest verdict lets the submission be approved. */
export function isMet(req: ReviewedRequirement, v: VerdictFacts | undefined): boolean {
  if (!v) return false;
  if (v.verdict === "pass") return true;
  if (v.verdict === "not_applicable" && !notApplicableStands(req, v)) return false;
  if (v.verdict === "not_applicable" && req.applicability === "mandatory") return true;
  if (
    req.applicability === "advisory" &&
    (v.verdict === "not_applicable" || v.verdict === "fail") &&
    v.accepted &&
    v.comment.trim() !== ""
  )
    return true;
  return false;
}

/**
 * Whether a requirement is met on its merits: passed, or judged not applicable where that is
 * allowed (mayJudgeNotApplicable, with a decision tree's justification), advisory or mandatory.
 * Only an advisory "fail" accepted on its justification (settled for approval, not implemented)
 * counts for isMet and not here. (Approval needs every advisory "not applicable" accepted, so an
 * acceptance says nothing against it.) What a seal shows to a buyer's provision and what it covers
 * of another checklist through the crosswalk.
 */
export function isMetOnMerits(req: ReviewedRequirement, v: VerdictFacts | undefined): boolean {
  if (!v) return false;
  if (v.verdict === "pass") return true;
  return v.verdict === "not_applicable" && notApplicableStands(req, v);
}

/**
 * Whether a request for changes sends this requirement back to the supplier: its latest verdict is
 * "fail" or "needs information" and it is not settled (isMet: an advisory "fail" whose
 * justification the assessor accepted is settled, so it does not go back and stays frozen). The
 * assessor's score (toSendBack) and the supplier's pages (sentBack) both ask this.
 */
export function sendsBack(req: ReviewedRequirement, v: VerdictFacts | undefined): boolean {
  if (!v || (v.verdict !== "fail" && v.verdict !== "needs_information")) return false;
  return !isMet(req, v);
}

/**
 * The mandatory requirements the supplier claims "not implemented". Such a submission may still be
 * submitted (it is the supplier's honest answer), but approval needs every mandatory requirement
 * met (isMet): passed, or judged not applicable where mayJudgeNotApplicable allows it (a condition
 * that does not hold, a decision tree's NOT APPLICABLE); a mandatory "fail" is never settled. So,
 * as answered, the assessment cannot approve a seal at this level.
 */
export function mandatoryClaimedNotImplemented(
  reqs: readonly Pick<ReviewedRequirement, "ref" | "applicability" | "claim">[],
): string[] {
  return reqs.filter((r) => r.applicability === "mandatory" && r.claim === "not_implemented").map((r) => r.ref);
}

/** What the supplier is told before submitting such a submission (null: nothing to say). */
export function notImplementedWarning(refs: readonly string[], levelTitle: string): string | null {
  if (!refs.length) return null;
  const named =
    refs.length === 1
      ? `Mandatory requirement ${refs[0]} is claimed not implemented.`
      : `Mandatory requirements ${refs.join(", ")} are claimed not implemented.`;
  return (
    `${named} Approval at this level (${levelTitle}) needs every mandatory requirement met, so as answered the ` +
    `assessment cannot approve this submission (unless the assessor finds ${refs.length === 1 ? "it" : "them"} met ` +
    `after all). You can still submit it as it is.`
  );
}

export interface ScoreBlocker {
  ref: string;
  reason: string;
}

export interface Score {
  total: number;
  scored: number;
  counts: Record<Verdict, number>;
  mandatory: { total: number; met: number; percent: number };
  advisory: { total: number; met: number; percent: number };
  blockers: ScoreBlocker[];
  canApprove: boolean;
  /** Requirements to send back to the supplier: latest verdict fail or needs information. */
  toSendBack: string[];
}

const pct = (met: number, total: number) => (total === 0 ? 100 : Math.round((met / total) * 1000) / 10);

export function scoreSubmission(
  reqs: readonly ReviewedRequirement[],
  verdicts: ReadonlyMap<string, VerdictFacts>,
): Score {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, not_applicable: 0, needs_information: 0 };
  const blockers: ScoreBlocker[] = [];
  const toSendBack: string[] = [];
  let scored = 0;
  const m = { total: 0, met: 0 };
  const a = { total: 0, met: 0 };
  for (const req of reqs) {
    const v = verdicts.get(req.ref);
    const bucket = req.applicability === "mandatory" ? m : a;
    bucket.total++;
    const met = isMet(req, v);
    if (v) {
      scored++;
      counts[v.verdict]++;
      // An advisory "fail" whose justification is accepted is settled; it does not go back.
      if (sendsBack(req, v)) toSendBack.push(req.ref);
    }
    if (met) {
      bucket.met++;
      continue;
    }
    blockers.push({ ref: req.ref, reason: blockerReason(req, v) });
  }
  return {
    total: reqs.length,
    scored,
    counts,
    mandatory: { ...m, percent: pct(m.met, m.total) },
    advisory: { ...a, percent: pct(a.met, a.total) },
    blockers,
    canApprove: blockers.length === 0 && reqs.length > 0,
    toSendBack,
  };
}

function blockerReason(req: ReviewedRequirement, v: VerdictFacts | undefined): string {
  if (!v) return "not scored yet";
  if (v.verdict === "needs_information") return "needs information from the supplier";
  if (v.verdict === "not_applicable" && !mayJudgeNotApplicable(req)) return "not applicable is not allowed here";
  if (v.verdict === "not_applicable" && req.verdictModel === "decision-tree" && !v.comment.trim())
    return "not applicable without a justification";
  if (req.applicability === "mandatory") {
    if (v.verdict === "fail") return "mandatory requirement failed";
    return "not applicable is not allowed here";
  }
  // Settled by the verdict page's "Accept the supplier's justification" tick box: the reason says so.
  return v.verdict === "fail"
    ? "advisory requirement not met: accept the supplier's justification, or send it back"
    : "advisory requirement judged not applicable: accept the supplier's justification to settle it";
}

// ---------------------------------------------------------------------------------------------
// Decisions: four eyes and conflicts of interest.

export interface Proposal {
  assessorId: string;
  submissionVersion: number;
}

export type DecisionCheck = { ok: true } | { ok: false; reason: string };

/**
 * Why this assessor cannot record a verdict on the submission now (null: they can). Verdicts are
 * the reviewing assessor's alone (the one who took it), and only while no approval proposal waits:
 * the second assessor confirms or sends back the review as it was proposed, never one they scored
 * themselves, and a proposal is never of a review that changed after it.
 */
export function scoringClosedReason(s: {
  status: string;
  /** `able: false`: the assessor who took it is disabled or has a conflict of interest with the supplier since. */
  reviewer: { isMe: boolean; name: string | null; able?: boolean };
  proposalPending: boolean;
}): string | null {
  if (s.status === "submitted")
    return "Verdicts are recorded while a submission is in review; take it for review first.";
  if (s.status !== "in_review")
    return "Verdicts are recorded while a submission is in review; this one is no longer in review.";
  if (!s.reviewer.isMe && s.reviewer.able === false)
    return `${heldBy(s.reviewer.name)}: take it over to record verdicts.`;
  if (!s.reviewer.isMe)
    return `Only the assessor reviewing this submission${s.reviewer.name ? ` (${s.reviewer.name})` : ""} records its verdicts; as another assessor you confirm or send back their proposal.`;
  if (s.proposalPending) return "Your approval proposal is waiting for confirmation: withdraw it to change a verdict.";
  return null;
}

/**
 * An assessor who took a submission can stop being able to review it: an administrator disables
 * their account, or declares a conflict of interest between them and the supplier. Nobody else is
 * told which (a declared conflict's reason is for administrators); the review can be taken over.
 */
export const NO_LONGER_ABLE =
  "no longer able to review it (their account is disabled, or a conflict of interest was declared)";

/** "Held by Asha Rao, who is no longer able to review it (…)". */
export function heldBy(name: string | null): string {
  return `Held by ${name ?? "an assessor"}, who is ${NO_LONGER_ABLE}`;
}

/**
 * Whether another assessor may take a submission in review over from the one who holds it: only
 * when the holder can no longer review it (disabled, or in conflict of interest with the supplier),
 * or when nobody holds it. An able holder keeps it until they release it.
 */
export function mayTakeOver(holder: { able: boolean } | null): boolean {
  return holder === null || !holder.able;
}

export const TAKEN_BY_ANOTHER = "Another assessor has already taken this submission.";

export const STALE_PROPOSAL = "The review changed after the approval was proposed; it must be proposed again.";

/** Why a proposal whose proposer can no longer review the submission cannot be confirmed. */
export function proposerNoLongerAble(name: string): string {
  return `${name}, who proposed this approval, is ${NO_LONGER_ABLE}: the proposal cannot be confirmed. Send it back instead, or take the review over, which sends it back.`;
}

export const CONFIRMER_RECORDED_VERDICTS =
  "Four eyes: you recorded verdicts of this review, so you cannot also confirm its approval; an assessor who did not score it must confirm it.";

/**
 * A second, different assessor confirms an approval, and only the state that was proposed. The
 * second pair of eyes is one that did not score the review either: `verdictAuthors` are the
 * assessors who recorded the current (latest, not carried-over) verdicts of the submission. The
 * proposer must still be able to review the submission (`proposer`: not disabled, no conflict of
 * interest with the supplier declared since): otherwise the proposal is only sent back.
 */
export function checkConfirmation(
  proposal: Proposal | null,
  confirmerId: string,
  currentVersion: number,
  verdictAuthors: ReadonlySet<string>,
  proposer: { able: boolean; name: string },
): DecisionCheck {
  if (!proposal) return { ok: false, reason: "There is no approval proposal to confirm." };
  if (proposal.assessorId === confirmerId)
    return { ok: false, reason: "Four eyes: the assessor who proposed the approval cannot also confirm it." };
  if (!proposer.able) return { ok: false, reason: proposerNoLongerAble(proposer.name) };
  if (verdictAuthors.has(confirmerId)) return { ok: false, reason: CONFIRMER_RECORDED_VERDICTS };
  if (proposal.submissionVersion !== currentVersion) return { ok: false, reason: STALE_PROPOSAL };
  return { ok: true };
}

/**
 * The assessors who recorded the verdicts that count now (the latest per requirement), leaving out
 * verdicts carried over from a certified submission (the earlier review's, not this one's).
 */
export function currentVerdictAuthors(
  latest: Iterable<{ assessorId: string; carriedFromId: number | null }>,
): Set<string> {
  const authors = new Set<string>();
  for (const v of latest) if (v.carriedFromId == null) authors.add(v.assessorId);
  return authors;
}

/**
 * A verdict recorded by an assessor who now has a conflict of interest with the supplier (declared
 * after they recorded it) does not support an approval: the requirement blocks it until the
 * reviewing assessor records a verdict of their own. `conflictedAuthors`: the assessors of
 * `latest` in conflict with the supplier now. Verdicts carried over from a certified review are
 * that review's and are left alone; a disabled assessor's verdicts stand (the reviewing assessor
 * proposes them as their own, and a second one confirms).
 */
export function withConflictedVerdicts(
  score: Score,
  latest: ReadonlyMap<string, { assessorId: string; carriedFromId: number | null }>,
  conflictedAuthors: ReadonlySet<string>,
  reqs: readonly Pick<ReviewedRequirement, "ref" | "applicability">[],
): Score {
  if (!conflictedAuthors.size) return score;
  const added: ScoreBlocker[] = [];
  for (const [ref, v] of latest)
    if (v.carriedFromId == null && conflictedAuthors.has(v.assessorId))
      added.push({
        ref,
        reason:
          "recorded by an assessor who now has a conflict of interest with the supplier; the reviewing assessor records their own verdict",
      });
  return withMoreBlockers(score, added, reqs);
}

/**
 * A score with more requirements blocking approval (a verdict that no longer counts: one recorded
 * by an assessor now in conflict, a carried-over verdict that must be reviewed again). A requirement
 * that blocked already keeps its reason; one that counted as met (scoreSubmission makes every
 * requirement not met a blocker) no longer counts in its bucket's met and percentage, so the summary
 * says what the approval checks.
 */
export function withMoreBlockers(
  score: Score,
  added: readonly ScoreBlocker[],
  reqs: readonly Pick<ReviewedRequirement, "ref" | "applicability">[],
): Score {
  const already = new Set(score.blockers.map((b) => b.ref));
  const fresh: ScoreBlocker[] = [];
  for (const b of added) {
    if (already.has(b.ref)) continue;
    already.add(b.ref);
    fresh.push(b);
  }
  if (!fresh.length) return score;
  const applicability = new Map(reqs.map((r) => [r.ref, r.applicability]));
  const m = { total: score.mandatory.total, met: score.mandatory.met };
  const a = { total: score.advisory.total, met: score.advisory.met };
  for (const b of fresh) {
    const kind = applicability.get(b.ref);
    if (kind === "mandatory") m.met--;
    else if (kind) a.met--;
  }
  return {
    ...score,
    mandatory: { ...m, percent: pct(m.met, m.total) },
    advisory: { ...a, percent: pct(a.met, a.total) },
    blockers: [...score.blockers, ...fresh],
    canApprove: false,
  };
}

/**
 * Whether assessors see a submission at all: once it was submitted. A draft, and a draft withdrawn
 * before it was ever submitted, are the supplier's alone. (The first submission sets both dates.)
 */
export function reachedAssessors(s: {
  status: string;
  firstSubmittedAt: Date | null;
  submittedAt: Date | null;
}): boolean {
  return s.status !== "draft" && (s.firstSubmittedAt != null || s.submittedAt != null);
}

/**
 * An assessor who would be free to confirm a proposal but for four eyes: they recorded verdicts of
 * the review that still count (the latest on `refs`), so the review is partly theirs.
 */
export interface ScoredByOther {
  name: string;
  refs: readonly string[];
}

/** "1", "1 and 3", "1, 2 and 3". */
function andList(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * Whom a proposer is told their proposal waits for, given the assessors who could confirm it now
 * (not the proposer, not disabled, no conflict of interest with the supplier, no verdict of the
 * review that counts). Proposals are not addressed to anyone: when only one assessor can confirm,
 * the proposal is in effect addressed to them and they are named; when several can, "any other
 * assessor"; when none can (`blocked`), the text is a sentence of its own saying why: when
 * assessors are kept out only because they scored part of the review (`scoredByOthers`), they and
 * their requirements are named with what the proposer can do about it (record their own verdicts
 * there, so that those assessors may confirm); otherwise every other assessor is in conflict or
 * disabled, and the administrators are told (an admin must add an assessor or lift a conflict).
 * `before`: the same said to the assessor about to propose (the approval is not proposed yet), so that
 * they can record their own verdicts first rather than propose, withdraw and propose again.
 */
export function awaitingConfirmationBy(
  confirmers: readonly string[],
  scoredByOthers: readonly ScoredByOther[] = [],
  before = false,
): { text: string; blocked: boolean } {
  const nobody = before
    ? "if you propose approval now, no other assessor can confirm it"
    : "no other assessor can confirm it";
  if (confirmers.length === 0 && scoredByOthers.length > 0) {
    const names = andList(scoredByOthers.map((o) => o.name));
    const refs = [...new Set(scoredByOthers.flatMap((o) => o.refs))];
    const on =
      refs.length === 1
        ? `requirement ${refs[0]}`
        : refs.length <= 5
          ? `requirements ${andList(refs)}`
          : `${refs.length} requirements (${refs.slice(0, 4).join(", ")}, …)`;
    const one = scoredByOthers.length === 1;
    return {
      text: `${nobody}: ${names} recorded the verdicts that count on ${on}, and four eyes keeps ${one ? "an assessor" : "assessors"} who scored a review from confirming it. ${before ? `Record your own verdict${refs.length === 1 ? " on it" : "s on them"} first: ${names} can then confirm it. Proposed as it stands, it waits until an administrator adds an assessor (they are told)` : `Withdraw the proposal, record your own verdict${refs.length === 1 ? " on it" : "s on them"} and propose again: ${names} can then confirm it. The administrators are told, and can add an assessor instead`}`,
      blocked: true,
    };
  }
  if (confirmers.length === 0)
    return {
      text: `${nobody}: every other assessor has a conflict of interest with this supplier or is disabled. ${before ? "Proposed, it waits until an administrator adds an assessor or lifts a conflict (they are told)" : "The administrators are told, to add an assessor or lift a conflict"}`,
      blocked: true,
    };
  if (confirmers.length === 1) return { text: confirmers[0], blocked: false };
  return { text: "any other assessor", blocked: false };
}

/** What the proposer reads about whom their proposal waits for, as a sentence: "Waiting for confirmation by Bram Rao." */
export function waitingForSentence(w: { text: string; blocked: boolean }): string {
  return w.blocked ? `${w.text[0].toUpperCase()}${w.text.slice(1)}.` : `Waiting for confirmation by ${w.text}.`;
}
