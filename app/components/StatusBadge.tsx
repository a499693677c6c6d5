import { SUBMISSION_STATUS_LABELS, type SubmissionStatus } from "../features/certification/domain/submission-state";

const CLASS: Record<SubmissionStatus, string> = {
  draft: "badge",
  submitted: "badge badge--info",
  in_review: "badge badge--brand",
  changes_requested: "badge badge--warn",
  approved: "badge badge--ok",
  rejected: "badge badge--bad",
  withdrawn: "badge",
};

export function StatusBadge({ status }: { status: string }) {
  const s = status as SubmissionStatus;
  return <span className={CLASS[s] ?? "badge"}>{SUBMISSION_STATUS_LABELS[s] ?? status}</span>;
}
