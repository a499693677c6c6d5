import type { FindingStatus, Severity } from "../features/findings/domain/findings";
import { FINDING_STATUS_LABELS, isDisclosureDueSoon, SEVERITY_LABELS } from "../features/findings/domain/findings";

const SEVERITY_TONE: Record<Severity, string> = { critical: "bad", high: "bad", medium: "warn", low: "info" };

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge badge--${SEVERITY_TONE[severity]}`}>{SEVERITY_LABELS[severity]}</span>;
}

export function FindingStatusBadge({ status }: { status: FindingStatus }) {
  const tone = status === "verified_fixed" ? "ok" : status === "withdrawn" ? "" : status === "fixed" ? "info" : "warn";
  return <span className={tone ? `badge badge--${tone}` : "badge"}>{FINDING_STATUS_LABELS[status]}</span>;
}

/** The disclosure clock as a badge: days left, or overdue in red. */
export function ClockBadge({
  clock,
  closed,
}: {
  clock: { label: string; overdue: boolean; daysLeft: number };
  closed: boolean;
}) {
  if (closed) return <span className="badge">clock stopped</span>;
  const tone = clock.overdue ? "bad" : isDisclosureDueSoon(clock) ? "warn" : "info";
  return (
    <span className={`badge badge--${tone}`} data-testid="disclosure-clock">
      {clock.label}
    </span>
  );
}
