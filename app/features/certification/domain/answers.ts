/**
 * The supplier's answers: the rules each answer must meet, and the progress of a submission.
 * Pure functions over plain data; the service feeds them rows.
 */
import type { Applicability } from "../../catalogue/domain/checklist/schema";

export const CLAIMS = ["implemented", "not_implemented", "not_applicable"] as const;
export type Claim = (typeof CLAIMS)[number];

export const CLAIM_LABELS: Record<Claim, string> = {
  implemented: "Implemented",
  not_implemented: "Not implemented",
  not_applicable: "Not applicable",
};

export interface RequirementInScope {
  ref: string;
  sectionRef: string;
  applicability: Applicability; // at the submission's target level
  condition: string | null;
}

export interface AnswerFacts {
  claim: Claim | null;
  justification: string;
  noEvidenceReason: string;
  evidenceCount: number;
  /**
   * Sent back by the latest request for changes and not touched since (no answer saved, no evidence
   * attached or removed): the request is not answered yet. Only while changes are requested.
   */
  sentBackUntouched?: boolean;
}

/** The longest justification and no-evidence reason an answer may have. */
export const JUSTIFICATION_MAX = 10_000;
export const NO_EVIDENCE_REASON_MAX = 5_000;

export const EMPTY_ANSWER: AnswerFacts = { claim: null, justification: "", noEvidenceReason: "", evidenceCount: 0 };

export type AnswerProblemCode =
  "no_claim" | "na_not_allowed" | "justification_needed" | "evidence_needed" | "change_requested";

export interface AnswerProblem {
  code: AnswerProblemCode;
  field: "claim" | "justification" | "evidence";
  message: string;
}

/** Whether "not applicable" may be claimed: never for a mandatory requirement without a condition. */
export function mayClaimNotApplicable(req: Pick<RequirementInScope, "applicability" | "condition">): boolean {
  return req.applicability === "advisory" || Boolean(req.condition);
}

/** What stops this answer from being submitted (empty when it is complete). */
export function answerProblems(req: RequirementInScope, a: AnswerFacts): AnswerProblem[] {
  if (!a.claim) return [{ code: "no_claim", field: "claim", message: "No claim yet." }];
  const out: AnswerProblem[] = [];
  if (a.sentBackUntouched)
    out.push({
      code: "change_requested",
      field: "claim",
      message:
        "The assessor sent this requirement back: change the answer or its evidence as their comment asks (save it even if only the justification changes) before resubmitting.",
    });
  if (a.claim === "not_applicable" && !mayClaimNotApplicable(req)) {
    out.push({
      code: "na_not_allowed",
      field: "claim",
      message: "This mandatory requirement has no condition, so it cannot be not applicable.",
    });
  }
  if ((a.claim === "not_applicable" || a.claim === "not_implemented") && !a.justification.trim()) {
    out.push({
      code: "justification_needed",
      field: "justification",
      message: `"${a.claim === "not_applicable" ? "Not applicable" : "Not implemented"}" needs a justification.`,
    });
  }
  if (
    a.claim === "implemented" &&
    req.applicability === "mandatory" &&
    a.evidenceCount === 0 &&
    !a.noEvidenceReason.trim()
  ) {
    out.push({
      code: "evidence_needed",
      field: "evidence",
      message: "Attach at least one evidence file, or explain why no evidence is possible.",
    });
  }
  return out;
}

export interface Blocker {
  ref: string;
  sectionRef: string;
  problems: AnswerProblem[];
}

export interface SectionProgress {
  sectionRef: string;
  total: number;
  answered: number; // has a claim
  withEvidence: number;
  complete: number; // no problems
  mandatory: number;
}

export interface SubmissionProgress {
  total: number;
  answered: number;
  withEvidence: number;
  complete: number;
  sections: SectionProgress[];
  blockers: Blocker[];
}

export function submissionProgress(
  reqs: readonly RequirementInScope[],
  answers: ReadonlyMap<string, AnswerFacts>,
): SubmissionProgress {
  const sections = new Map<string, SectionProgress>();
  const blockers: Blocker[] = [];
  for (const req of reqs) {
    const a = answers.get(req.ref) ?? EMPTY_ANSWER;
    const s = sections.get(req.sectionRef) ?? {
      sectionRef: req.sectionRef,
      total: 0,
      answered: 0,
      withEvidence: 0,
      complete: 0,
      mandatory: 0,
    };
    s.total++;
    if (req.applicability === "mandatory") s.mandatory++;
    if (a.claim) s.answered++;
    if (a.evidenceCount > 0) s.withEvidence++;
    const problems = answerProblems(req, a);
    if (problems.length) blockers.push({ ref: req.ref, sectionRef: req.sectionRef, problems });
    else s.complete++;
    sections.set(req.sectionRef, s);
  }
  const list = [...sections.values()];
  const sum = (k: keyof Omit<SectionProgress, "sectionRef">) => list.reduce((n, s) => n + s[k], 0);
  return {
    total: reqs.length,
    answered: sum("answered"),
    withEvidence: sum("withEvidence"),
    complete: sum("complete"),
    sections: list,
    blockers,
  };
}
