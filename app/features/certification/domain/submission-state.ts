/**
 * The life of a submission. Pure: which transitions exist, who may make them, from which
 * status, and when the supplier may edit answers and evidence.
 *
 *   draft -> submitted -> in_review -> (changes_requested -> submitted)* -> approved | rejected
 *   draft | submitted | changes_requested -> withdrawn (by the supplier, whenever it is the
 *   supplier's turn: before review starts, or when sent back for changes); a draft can be deleted.
 */
import type { Role } from "../../../platform/roles";

export const SUBMISSION_STATUSES = [
  "draft",
  "submitted",
  "in_review",
  "changes_requested",
  "approved",
  "rejected",
  "withdrawn",
] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

export const SUBMISSION_STATUS_LABELS: Record<SubmissionStatus, string> = {
  draft: "Draft",
  submitted: "Submitted",
  in_review: "In review",
  changes_requested: "Changes requested",
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
};

export const TRANSITIONS = {
  submit: { from: ["draft"], to: "submitted", by: "supplier" },
  resubmit: { from: ["changes_requested"], to: "submitted", by: "supplier" },
  withdraw: { from: ["draft", "submitted", "changes_requested"], to: "withdrawn", by: "supplier" },
  start_review: { from: ["submitted"], to: "in_review", by: "assessor" },
  release: { from: ["in_review"], to: "submitted", by: "assessor" },
  request_changes: { from: ["in_review"], to: "changes_requested", by: "assessor" },
  approve: { from: ["in_review"], to: "approved", by: "assessor" },
  reject: { from: ["in_review"], to: "rejected", by: "assessor" },
} as const satisfies Record<string, { from: readonly SubmissionStatus[]; to: SubmissionStatus; by: Role }>;

export type Transition = keyof typeof TRANSITIONS;

export type TransitionCheck = { ok: true; to: SubmissionStatus } | { ok: false; reason: string };

export function checkTransition(transition: Transition, from: SubmissionStatus, role: Role): TransitionCheck {
  const t = TRANSITIONS[transition];
  if (t.by !== role) return { ok: false, reason: `Only ${t.by}s can ${VERB[transition]}.` };
  if (!(t.from as readonly SubmissionStatus[]).includes(from)) {
    return {
      ok: false,
      reason: `A submission that is ${SUBMISSION_STATUS_LABELS[from].toLowerCase()} cannot be ${TRANSITION_PAST[transition]}.`,
    };
  }
  return { ok: true, to: t.to };
}

const VERB: Record<Transition, string> = {
  submit: "submit a submission",
  resubmit: "resubmit a submission",
  withdraw: "withdraw a submission",
  start_review: "take a submission for review",
  release: "release a submission from review",
  request_changes: "send a submission back for changes",
  approve: "approve a submission",
  reject: "reject a submission",
};

/** Each transition in the past tense: "approved", "sent back for changes" (messages and activity lists). */
export const TRANSITION_PAST: Record<Transition, string> = {
  submit: "submitted",
  resubmit: "resubmitted",
  withdraw: "withdrawn",
  start_review: "taken for review",
  release: "released",
  request_changes: "sent back for changes",
  approve: "approved",
  reject: "rejected",
};

/** Which transitions a role could make now (for showing the right buttons). */
export function availableTransitions(from: SubmissionStatus, role: Role): Transition[] {
  return (Object.keys(TRANSITIONS) as Transition[]).filter((t) => checkTransition(t, from, role).ok);
}

export function canDelete(status: SubmissionStatus): boolean {
  return status === "draft";
}

/**
 * What the supplier may change: everything in a draft; after a request for changes, only the
 * requirements the assessor sent back; nothing otherwise.
 */
export function editableScope(status: SubmissionStatus): "all" | "reopened" | "none" {
  if (status === "draft") return "all";
  if (status === "changes_requested") return "reopened";
  return "none";
}

/**
 * Why the supplier cannot change a requirement now, in words (its page says it): after a request
 * for changes only the requirements sent back can change; otherwise the whole submission is frozen.
 */
export function readOnlyReason(status: SubmissionStatus): string {
  if (status === "changes_requested")
    return "Read-only: the assessor did not send this requirement back; only the sent-back requirements can be changed.";
  return `Read-only: the submission is ${SUBMISSION_STATUS_LABELS[status].toLowerCase()}.`;
}

/**
 * Where a submission the supplier cannot submit now stands, in a sentence (its page says it where
 * the submit button would be): "with the assessors" is true only until an assessor decides.
 */
export function submitUnavailableReason(status: SubmissionStatus): string {
  switch (status) {
    case "draft":
    case "changes_requested":
      return "It cannot be submitted now.";
    case "submitted":
      return "Submitted: its answers are with the assessors, waiting for one to start the review; nothing more to submit.";
    case "in_review":
      return "In review: an assessor is reviewing its answers; nothing more to submit.";
    case "approved":
      return "Approved: the assessment is finished and a seal was issued; nothing more to submit.";
    case "rejected":
      return "Rejected: the assessment is finished. To try again, open a new submission for this firmware.";
    case "withdrawn":
      return "Withdrawn: it will not be assessed; nothing more to submit.";
  }
}

export function isOpen(status: SubmissionStatus): boolean {
  return status !== "approved" && status !== "rejected" && status !== "withdrawn";
}

/** Active seals that expire within this many days are listed for renewal (the supplier's dashboard). */
export const RENEWAL_WINDOW_DAYS = 60;
