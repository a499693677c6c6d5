/**
 * The EU Cyber Resilience Act's reporting clocks (Regulation (EU) 2024/2847, Article 14, reporting
 * obligations applying from 11 September 2026), beside the coordinated-disclosure clock. Pure: time
 * is always passed in.
 *
 * An actively exploited vulnerability (Article 14(1)-(2)) is notified to the CSIRT coordinator via
 * ENISA's single reporting platform:
 *   (2)(a) an early warning without undue delay and in any event within 24 hours of the
 *          manufacturer becoming aware of it;
 *   (2)(b) a vulnerability notification within 72 hours of becoming aware;
 *   (2)(c) a final report no later than 14 days after a corrective or mitigating measure is
 *          available.
 * A severe incident having an impact on the security of the product (Article 14(3)-(4)):
 *   (4)(a) an early warning within 24 hours of becoming aware;
 *   (4)(b) an incident notification within 72 hours of becoming aware;
 *   (4)(c) a final report within one month after the incident notification was submitted.
 *
 * A report flagged both ways has one early warning, one notification and one final report; the
 * final report is due at the earlier of the two rules that can already be computed. A final report
 * not yet computable (no fix available yet, or no incident notification yet) is "waiting".
 *
 * States: waiting (its start has not happened yet), due, due_soon (within DUE_SOON_MS of its due
 * time), overdue (strictly after it), done_on_time (the first submission of its kind dated at or
 * before it), done_late. Hours are exact; "one month" is a calendar month in UTC, clamped to the
 * month's last day (31 January + one month = 28 or 29 February).
 */
/**
 * What a buyer watching the product is shown of an open report under embargo flagged under Article 14
 * (advisories.server.ts decides who sees it): the kind of flag and the severity, nothing else. A
 * report flagged both ways reads as actively exploited.
 */
export type CraPublicFlag = "exploited" | "incident";
export function craHandledLine(flag: CraPublicFlag, severity: string): string {
  return flag === "exploited"
    ? `An actively exploited vulnerability (${severity}) is being handled (CRA Article 14)`
    : `A severe incident affecting the product's security (${severity}) is being handled (CRA Article 14)`;
}

export const AUTHORITY_REPORT_KINDS = ["early_warning", "notification", "final_report"] as const;
export type AuthorityReportKind = (typeof AUTHORITY_REPORT_KINDS)[number];

export const AUTHORITY_REPORT_LABELS: Record<AuthorityReportKind, string> = {
  early_warning: "Early warning",
  notification: "Notification",
  final_report: "Final report",
};

export const HOUR_MS = 60 * 60 * 1000;
export const EARLY_WARNING_MS = 24 * HOUR_MS;
export const NOTIFICATION_MS = 72 * HOUR_MS;
export const FINAL_REPORT_VULNERABILITY_MS = 14 * 24 * HOUR_MS;

/** How long before its due time a clock counts as due soon (and the supplier is reminded). */
export const DUE_SOON_MS: Record<AuthorityReportKind, number> = {
  early_warning: 6 * HOUR_MS,
  notification: 12 * HOUR_MS,
  final_report: 3 * 24 * HOUR_MS,
};

export type CraClockState = "waiting" | "due" | "due_soon" | "overdue" | "done_on_time" | "done_late";

export interface AuthoritySubmission {
  kind: AuthorityReportKind;
  submittedAt: Date;
  reference: string;
}

export interface CraFacts {
  activelyExploited: boolean;
  severeIncident: boolean;
  /** When the supplier became aware (of the exploitation or the incident). */
  awareAt: Date | null;
  /** When a corrective or mitigating measure became available (a fix), if one has. */
  fixAvailableAt: Date | null;
  submissions: readonly AuthoritySubmission[];
}

export interface CraClock {
  kind: AuthorityReportKind;
  label: string;
  /** The Article 14 paragraph(s) the deadline comes from, e.g. "Article 14(2)(a)". */
  article: string;
  dueAt: Date | null;
  state: CraClockState;
  /** The first submission of this kind, if any. */
  submitted: AuthoritySubmission | null;
  /** What the clock waits for while it is "waiting", as a clause ("a corrective … is available"): shown after "when". */
  waitingFor: string | null;
}

export interface CraClocks {
  clocks: CraClock[];
  /** The first clock not done (in order early warning, notification, final report), or null when all are done. */
  next: CraClock | null;
}

const valid = (d: Date) => d instanceof Date && !Number.isNaN(d.getTime());

/** A calendar month later in UTC, clamped to the target month's last day. */
export function addMonthUtc(d: Date): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      y,
      m,
      Math.min(d.getUTCDate(), lastDay),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
}

function firstOf(kind: AuthorityReportKind, submissions: readonly AuthoritySubmission[]): AuthoritySubmission | null {
  return (
    submissions
      .filter((s) => s.kind === kind && valid(s.submittedAt))
      .sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime())[0] ?? null
  );
}

/** The state of one clock at `now`. */
export function clockState(
  kind: AuthorityReportKind,
  dueAt: Date | null,
  submitted: AuthoritySubmission | null,
  now: Date,
): CraClockState {
  if (submitted) return !dueAt || submitted.submittedAt.getTime() <= dueAt.getTime() ? "done_on_time" : "done_late";
  if (!dueAt) return "waiting";
  const left = dueAt.getTime() - now.getTime();
  if (left < 0) return "overdue";
  return left <= DUE_SOON_MS[kind] ? "due_soon" : "due";
}

/** The three Article 14 clocks of a report at `now`, or null when it is neither flagged actively exploited nor a severe incident. */
export function craClocks(facts: CraFacts, now: Date): CraClocks | null {
  if (!facts.activelyExploited && !facts.severeIncident) return null;
  if (!facts.awareAt || !valid(facts.awareAt))
    throw new RangeError("A flagged report needs the time the supplier became aware.");
  if (!valid(now)) throw new RangeError("The clocks need a valid time.");
  const para = facts.activelyExploited && facts.severeIncident ? ["2", "4"] : facts.activelyExploited ? ["2"] : ["4"];
  const article = (point: string) => `Article 14${para.map((p) => `(${p})(${point})`).join(" and ")}`;
  const aware = facts.awareAt.getTime();

  const early = firstOf("early_warning", facts.submissions);
  const notification = firstOf("notification", facts.submissions);
  const final = firstOf("final_report", facts.submissions);

  const finalCandidates: Date[] = [];
  const waits: string[] = [];
  if (facts.activelyExploited) {
    if (facts.fixAvailableAt && valid(facts.fixAvailableAt))
      finalCandidates.push(new Date(facts.fixAvailableAt.getTime() + FINAL_REPORT_VULNERABILITY_MS));
    else waits.push("a corrective or mitigating measure (a fix) is available");
  }
  if (facts.severeIncident) {
    if (notification) finalCandidates.push(addMonthUtc(notification.submittedAt));
    else waits.push("the incident notification is submitted");
  }
  const finalDue = finalCandidates.length ? new Date(Math.min(...finalCandidates.map((d) => d.getTime()))) : null;

  const make = (
    kind: AuthorityReportKind,
    point: string,
    dueAt: Date | null,
    submitted: AuthoritySubmission | null,
  ) => {
    const state = clockState(kind, dueAt, submitted, now);
    return {
      kind,
      label: AUTHORITY_REPORT_LABELS[kind],
      article: article(point),
      dueAt,
      state,
      submitted,
      waitingFor: state === "waiting" ? waits.join(", or ") : null,
    } satisfies CraClock;
  };
  const clocks = [
    make("early_warning", "a", new Date(aware + EARLY_WARNING_MS), early),
    make("notification", "b", new Date(aware + NOTIFICATION_MS), notification),
    make("final_report", "c", finalDue, final),
  ];
  return { clocks, next: clocks.find((c) => c.state !== "done_on_time" && c.state !== "done_late") ?? null };
}

export const CRA_STATE_LABELS: Record<CraClockState, string> = {
  waiting: "waiting",
  due: "due",
  due_soon: "due soon",
  overdue: "overdue",
  done_on_time: "submitted on time",
  done_late: "submitted late",
};

/**
 * Whether the aware-at time is acceptable at `now`: not in the future (a minute of clock skew
 * allowed), and not before the day the report says it was reported (`reportedAt`, 00:00 UTC of
 * that day): nobody became aware that the vulnerability of this report is exploited before it was
 * reported. A time years back would make every clock overdue at once, and say so to everyone.
 */
export function checkAwareAt(
  awareAt: Date,
  now: Date,
  reportedAt?: Date,
): { ok: true } | { ok: false; message: string } {
  if (!valid(awareAt)) return { ok: false, message: "Enter a valid date and time." };
  if (awareAt.getTime() > now.getTime() + 60_000)
    return { ok: false, message: "When you became aware cannot be in the future." };
  if (reportedAt && valid(reportedAt) && awareAt.getTime() < reportedAt.getTime())
    return {
      ok: false,
      message: `When you became aware cannot be before the report's date reported, ${reportedAt.toISOString().slice(0, 10)}.`,
    };
  return { ok: true };
}
