/**
 * Vulnerability reports ("findings") against a product version, and the coordinated-disclosure
 * clock. Pure: time is always passed in.
 *
 * The clock. A finding's deadline is an instant: the moment it was reported plus the
 * checklist's `disclosure_days` for its severity, counted as exact 24-hour days (UTC, so no
 * daylight-saving or time-zone drift). A high finding reported 2027-03-01T14:03Z under a
 * 90-day policy is due 2027-05-30T14:03Z. It is overdue once `now` is strictly later.
 *
 * Extensions. The assessor may move a deadline later, with a written reason, by at most
 * MAX_EXTENSION_DAYS per extension (repeat extensions are possible, each one justified).
 *
 * The life of a finding:
 *
 *   open -> acknowledged -> fix_in_progress -> fixed -> verified_fixed     (supplier, then assessor)
 *   open | acknowledged -> fix_in_progress;  open | acknowledged | fix_in_progress -> fixed
 *   fixed -> fix_in_progress (the assessor rejects the fix)
 *   anything not closed -> withdrawn (the assessor: not a real issue)
 *
 * verified_fixed and withdrawn are final (a regression is a new finding). A finding counts
 * as open, and keeps its clock running, until it is verified fixed or withdrawn: a fix the
 * assessor has not verified yet does not stop the clock.
 */
import type { Role } from "../../../platform/roles";
import { SEVERITIES, type Severity } from "../../catalogue/domain/checklist/schema";
import { severityOfScore } from "./cvss";
import { wholeDaysLeft } from "../../../platform/calendar";

/** The severities are the checklist format's (a checklist sets `disclosure_days` per severity). */
export { SEVERITIES, type Severity };

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
};

/** Days from report to disclosure deadline, per severity (a checklist version's `disclosure_days`). */
export type DisclosureDays = Record<Severity, number>;

/** Severities whose overdue findings suspend the seal. */
export const SEAL_BLOCKING_SEVERITIES: readonly Severity[] = ["critical", "high"];

/**
 * The finding severity for a CVSS base score (section 5 of CVSS v3.1), or null for 0.0 (no impact):
 * the qualitative rating of cvss.ts (one rule), with "none" as null.
 */
export function severityOfCvssScore(score: number): Severity | null {
  const rating = severityOfScore(score);
  return rating === "none" ? null : rating;
}

/** Severities from the least to the most severe (SEVERITIES lists the most severe first). */
const severityRank = (s: Severity) => SEVERITIES.length - SEVERITIES.indexOf(s);

export interface SeverityBelowCvss {
  /** The confirmation that answers it (the form's tick box, value "yes"). */
  field: "confirmSeverity";
  kind: "severity_below_cvss";
  /** The CVSS score's own rating. */
  cvssSeverity: Severity;
  /** What recording it at this severity does, in a sentence the form shows above its tick box. */
  message: string;
}

/**
 * A severity chosen below the rating of the report's CVSS base score ("Low" with a 9.8 vector). The
 * severity, not the score, sets the disclosure deadline and whether the seals are suspended when it
 * passes, so a lower one gives the supplier longer and may never suspend anything: it is recorded
 * only when the assessor confirms it is deliberate (the score may not fit the product's context).
 * A severity above the score's rating (a 6.5 leak of children's locations recorded as High) is
 * stricter on the supplier and needs no confirmation; both are kept with the report (the vector
 * and score are stored, the audit entry names the score). Null: nothing to confirm.
 */
export function severityBelowCvss(r: {
  severity: Severity;
  cvssScore: number;
  disclosureDays: DisclosureDays;
}): SeverityBelowCvss | null {
  const cvssSeverity = severityOfCvssScore(r.cvssScore);
  if (!cvssSeverity || severityRank(r.severity) >= severityRank(cvssSeverity)) return null;
  const chosen = SEVERITY_LABELS[r.severity];
  const rated = SEVERITY_LABELS[cvssSeverity];
  const suspension =
    SEAL_BLOCKING_SEVERITIES.includes(cvssSeverity) && !SEAL_BLOCKING_SEVERITIES.includes(r.severity)
      ? `, and the seals of the affected versions are not suspended when it passes (they would be at ${rated})`
      : "";
  return {
    field: "confirmSeverity",
    kind: "severity_below_cvss",
    cvssSeverity,
    message:
      `The severity chosen, ${chosen}, is lower than the CVSS base score's rating: ${r.cvssScore.toFixed(1)} is ${rated}. ` +
      `At ${chosen} the disclosure deadline is ${r.disclosureDays[r.severity]} days after the report, not ${r.disclosureDays[cvssSeverity]}${suspension}. ` +
      `Confirm only if the severity differs from the CVSS score on purpose.`,
  };
}

/**
 * Why a report's severity differs from its CVSS base score's rating, as the report's page says it
 * beside the score, or null when they agree (or there is no score, or it rates "none"). The
 * severity, not the score, sets the deadline and whether seals are suspended: a reader who sees
 * "High" beside a 6.5 (a Medium score) needs to know that is deliberate, and which way it cuts.
 */
export function severityVersusCvss(r: { severity: Severity; cvssScore: number | null }): string | null {
  if (r.cvssScore === null) return null;
  const cvssSeverity = severityOfCvssScore(r.cvssScore);
  if (!cvssSeverity || cvssSeverity === r.severity) return null;
  const rated = `CVSS rates ${r.cvssScore.toFixed(1)} ${SEVERITY_LABELS[cvssSeverity]}`;
  const chosen = SEVERITY_LABELS[r.severity];
  return severityRank(r.severity) > severityRank(cvssSeverity)
    ? `${rated}; the report is recorded as ${chosen}, stricter: its severity, not the score, sets the disclosure deadline and whether seals are suspended.`
    : `${rated}; the report is recorded as ${chosen}, lower on purpose (confirmed when it was recorded): its severity, not the score, sets the disclosure deadline and whether seals are suspended.`;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

const isValidDate = (d: Date) => d instanceof Date && !Number.isNaN(d.getTime());
const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** reportedAt + disclosureDays[severity] × 24 h. */
export function disclosureDeadline(reportedAt: Date, severity: Severity, disclosureDays: DisclosureDays): Date {
  if (!isValidDate(reportedAt)) throw new RangeError("The report date is not a valid date.");
  const days = disclosureDays[severity];
  if (!Number.isInteger(days) || days < 1)
    throw new RangeError(`disclosure_days.${severity} must be a whole number of days, at least 1 (got ${days}).`);
  return new Date(reportedAt.getTime() + days * DAY_MS);
}

/** At most this many days are added by one extension. */
export const MAX_EXTENSION_DAYS = 90;
export const MIN_EXTENSION_REASON = 10;
export const MAX_EXTENSION_REASON = 1000;

export type ExtensionResult = { ok: true; deadline: Date; reason: string } | { ok: false; message: string };

/**
 * Moves a deadline later. The new deadline must be after the current one and at most
 * MAX_EXTENSION_DAYS × 24 h after it; the reason (trimmed) must be 10 to 1000 characters.
 */
export function extendDeadline(current: Date, newDeadline: Date, reason: string): ExtensionResult {
  if (!isValidDate(current)) return { ok: false, message: "The current deadline is not a valid date." };
  if (!isValidDate(newDeadline)) return { ok: false, message: "Enter a valid new deadline." };
  if (newDeadline.getTime() <= current.getTime()) {
    return { ok: false, message: `The new deadline must be later than the current one (${ymd(current)}).` };
  }
  if (newDeadline.getTime() - current.getTime() > MAX_EXTENSION_DAYS * DAY_MS) {
    return {
      ok: false,
      message: `One extension adds at most ${MAX_EXTENSION_DAYS} days: the latest new deadline is ${ymd(new Date(current.getTime() + MAX_EXTENSION_DAYS * DAY_MS))}.`,
    };
  }
  const why = reason.trim();
  if (why.length < MIN_EXTENSION_REASON)
    return {
      ok: false,
      message: `Explain why the deadline is extended (at least ${MIN_EXTENSION_REASON} characters).`,
    };
  if (why.length > MAX_EXTENSION_REASON)
    return { ok: false, message: `Keep the reason to ${MAX_EXTENSION_REASON} characters or fewer.` };
  return { ok: true, deadline: new Date(newDeadline.getTime()), reason: why };
}

export const FINDING_STATUSES = [
  "open",
  "acknowledged",
  "fix_in_progress",
  "fixed",
  "verified_fixed",
  "withdrawn",
] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const FINDING_STATUS_LABELS: Record<FindingStatus, string> = {
  open: "Open",
  acknowledged: "Acknowledged",
  fix_in_progress: "Fix in progress",
  fixed: "Fixed (awaiting verification)",
  verified_fixed: "Verified fixed",
  withdrawn: "Withdrawn",
};

/** A report's history entries, as its page names them ("reported" is when the portal recorded it). */
export const FINDING_UPDATE_LABELS: Record<string, string> = {
  reported: "Recorded",
  acknowledged: "Acknowledged",
  fix_in_progress: "Fix in progress",
  fixed: "Marked fixed",
  verified_fixed: "Fix verified",
  fix_rejected: "Fix rejected",
  withdrawn: "Withdrawn",
  deadline_extended: "Deadline extended",
};

export const FINDING_TRANSITIONS = {
  acknowledge: { from: ["open"], to: "acknowledged", by: "supplier" },
  start_fix: { from: ["open", "acknowledged"], to: "fix_in_progress", by: "supplier" },
  mark_fixed: { from: ["open", "acknowledged", "fix_in_progress"], to: "fixed", by: "supplier" },
  verify_fix: { from: ["fixed"], to: "verified_fixed", by: "assessor" },
  reject_fix: { from: ["fixed"], to: "fix_in_progress", by: "assessor" },
  withdraw: { from: ["open", "acknowledged", "fix_in_progress", "fixed"], to: "withdrawn", by: "assessor" },
} as const satisfies Record<string, { from: readonly FindingStatus[]; to: FindingStatus; by: Role }>;

export type FindingAction = keyof typeof FINDING_TRANSITIONS;
export const FINDING_ACTIONS = Object.keys(FINDING_TRANSITIONS) as FindingAction[];

const ACTION_VERB: Record<FindingAction, string> = {
  acknowledge: "acknowledge a finding",
  start_fix: "start work on a fix",
  mark_fixed: "mark a finding fixed",
  verify_fix: "verify a fix",
  reject_fix: "reject a fix",
  withdraw: "withdraw a finding",
};

const ACTION_PAST: Record<FindingAction, string> = {
  acknowledge: "acknowledged",
  start_fix: "moved to fix in progress",
  mark_fixed: "marked fixed",
  verify_fix: "verified fixed",
  reject_fix: "sent back to fix in progress",
  withdraw: "withdrawn",
};

/**
 * The status after `action` by `role`, or why it is not allowed: `refusal` "role" when the action is
 * another role's (the service answers forbidden), "state" when the finding's status does not allow
 * it (the service answers conflict).
 */
export function nextFindingStatus(
  status: FindingStatus,
  action: FindingAction,
  role: Role,
): { ok: true; status: FindingStatus } | { ok: false; refusal: "role" | "state"; message: string } {
  const t = FINDING_TRANSITIONS[action];
  if (t.by !== role) return { ok: false, refusal: "role", message: `Only ${t.by}s can ${ACTION_VERB[action]}.` };
  if (!isOpen(status))
    return {
      ok: false,
      refusal: "state",
      message: `This finding is ${FINDING_STATUS_LABELS[status].toLowerCase()}; it is closed.`,
    };
  if (!(t.from as readonly FindingStatus[]).includes(status)) {
    return {
      ok: false,
      refusal: "state",
      message: `A finding that is ${FINDING_STATUS_LABELS[status].toLowerCase()} cannot be ${ACTION_PAST[action]}.`,
    };
  }
  return { ok: true, status: t.to };
}

/** The actions `role` could take on a finding in `status` (for showing the right buttons). */
export function availableFindingActions(status: FindingStatus, role: Role): FindingAction[] {
  return FINDING_ACTIONS.filter((a) => nextFindingStatus(status, a, role).ok);
}

/** Open means the clock still runs: everything but verified_fixed and withdrawn. */
export function isOpen(status: FindingStatus): boolean {
  return status !== "verified_fixed" && status !== "withdrawn";
}

/** The version a fix shipped in ("mark_fixed" requires one): trimmed, 1 to 100 characters. */
export function checkFixedInVersion(input: string): { ok: true; version: string } | { ok: false; message: string } {
  const v = input.trim();
  if (v === "") return { ok: false, message: "Enter the firmware version that contains the fix." };
  if (v.length > 100) return { ok: false, message: "Keep the version to 100 characters or fewer." };
  return { ok: true, version: v };
}

/**
 * Why firmware `version` cannot carry the fix of a report that affects `affectedVersions`, or null. A
 * fix is in a version the report does not affect: "fixed in 1.0" for a report against 1.0 would close
 * the report, publish an advisory saying "update to 1.0" to the holders of 1.0, and a CSAF document
 * with no affected product. Versions are compared as the product registers them (trimmed).
 */
export function fixInAffectedVersionProblem(version: string, affectedVersions: readonly string[]): string | null {
  const v = version.trim();
  if (!affectedVersions.some((a) => a.trim() === v)) return null;
  return `Firmware ${v} is one of the versions this report affects: the fix must be in another firmware version.`;
}

export interface ClockedFinding {
  severity: Severity;
  status: FindingStatus;
  deadline: Date;
}

/** Whether a finding suspends the seal: critical or high, still open, and past its deadline. */
export function blocksSeal(finding: ClockedFinding, now: Date): boolean {
  return (
    SEAL_BLOCKING_SEVERITIES.includes(finding.severity) &&
    isOpen(finding.status) &&
    now.getTime() > finding.deadline.getTime()
  );
}

/**
 * What a finding's deadline still does when it passes, as things stand now: `suspends` the seals of
 * the affected firmware (blocksSeal just after it: critical or high and still open, also when a fix
 * is claimed and awaits verification, or its advisory was published early), and `publishes` its
 * advisory (still open, not published early). Neither: nothing happens at the deadline (closed, or a
 * medium or low report whose advisory was published early). The deadline reminders follow it.
 */
export function deadlineEffects(finding: ClockedFinding & { publishedAt: Date | null }): {
  suspends: boolean;
  publishes: boolean;
} {
  return {
    suspends: blocksSeal(finding, new Date(finding.deadline.getTime() + 1)),
    publishes: isOpen(finding.status) && !finding.publishedAt,
  };
}

export interface DisclosureClock {
  /** Whole days left (floor of the time left / 24 h); negative once overdue (-1 in the first day past the deadline). */
  daysLeft: number;
  overdue: boolean;
  label: string;
}

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

/** A disclosure deadline fewer than this many whole days away is shown as a warning. */
export const DISCLOSURE_DUE_SOON_DAYS = 14;

/** Whether the clock warns: not yet overdue, fewer than DISCLOSURE_DUE_SOON_DAYS whole days left. */
export function isDisclosureDueSoon(clock: Pick<DisclosureClock, "daysLeft" | "overdue">): boolean {
  return !clock.overdue && clock.daysLeft < DISCLOSURE_DUE_SOON_DAYS;
}

/**
 * The clock as people read it, counted in 24-hour periods from the deadline instant (wholeDaysLeft,
 * the portal's one rule for days left):
 * "30 days left" (≥ 30 full days remain), "1 day left", "less than a day left" (due within 24 h),
 * "due now" (exactly at the deadline), "1 day overdue" (up to 24 h past), "3 days overdue".
 * daysLeft < 0 exactly when overdue.
 */
export function clockOf(deadline: Date, now: Date): DisclosureClock {
  const ms = deadline.getTime() - now.getTime();
  const daysLeft = wholeDaysLeft(deadline, now);
  if (ms < 0) return { daysLeft, overdue: true, label: `${days(-daysLeft)} overdue` };
  if (ms === 0) return { daysLeft: 0, overdue: false, label: "due now" };
  if (daysLeft === 0) return { daysLeft: 0, overdue: false, label: "less than a day left" };
  return { daysLeft, overdue: false, label: `${days(daysLeft)} left` };
}
