/**
 * The EU Cyber Resilience Act's reporting clocks (Regulation (EU) 2024/2847, Article 14, reporting
 * obligations applying from 11 September 2026, Article 71(2)), beside the coordinated-disclosure
 * clock. Pure: time is always passed in.
 *
 * An actively exploited vulnerability (Article 14(1)-(2)) is notified to the CSIRT coordinator via
 * ENISA's single reporting platform:
 *   (2)(a) an early warning without undue delay and in any event within 24 hours of the
 *          manufacturer becoming aware of it;
 *   (2)(b) a vulnerability notification within 72 hours of becoming aware;
 *   (2)(c) a final report no later than 14 days after a corrective or mitigating measure is
 *          available (from awareness when the fix came first: vulnerabilityFinalReportDue).
 * A severe incident having an impact on the security of the product (Article 14(3)-(4)):
 *   (4)(a) an early warning within 24 hours of becoming aware;
 *   (4)(b) an incident notification within 72 hours of becoming aware;
 *   (4)(c) a final report within one month after the incident notification was submitted.
 *
 * The two are separate notifications, each with its own start: a report flagged both ways has two
 * sets of three clocks (its `sets`), the vulnerability's from when the supplier became aware of the
 * exploitation, the incident's from when it became aware of the incident; each submission to the
 * authority belongs to one of them (its `subject`). A final report not yet computable (no fix
 * available yet, or no incident notification yet) is "waiting".
 *
 * States: waiting (its start has not happened yet), due, due_soon (within DUE_SOON_MS of its due
 * time), overdue (strictly after it), done_on_time (the first submission of its kind dated at or
 * before it), done_late, and not_applicable: the supplier became aware before Article 14 applied
 * (ARTICLE_14_APPLIES_FROM), so nothing is due under it. Hours are exact; "one month" is a calendar
 * month in UTC, clamped to the month's last day (31 January + one month = 28 or 29 February).
 */
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

/**
 * What a flag and a submission concern: the actively exploited vulnerability (Article 14(1)-(2)) or
 * the severe incident (Article 14(3)-(4)).
 */
export const CRA_SUBJECTS = ["vulnerability", "incident"] as const;
export type CraSubject = (typeof CRA_SUBJECTS)[number];

export const CRA_SUBJECT_LABELS: Record<CraSubject, string> = {
  vulnerability: "Actively exploited vulnerability",
  incident: "Severe incident",
};

/**
 * Article 71(2): Article 14 applies from 11 September 2026 (00:00 UTC here; the date is also in
 * checklists/eu-cra-annex-i/2024.yaml). Awareness before then starts no Article 14 clock.
 */
export const ARTICLE_14_APPLIES_FROM = new Date(Date.UTC(2026, 8, 11));
export const ARTICLE_14_APPLIES_FROM_TEXT = "11 September 2026";

/** Whether Article 14 applied when the supplier became aware. */
export function article14Applies(awareAt: Date): boolean {
  return awareAt.getTime() >= ARTICLE_14_APPLIES_FROM.getTime();
}

/**
 * What a buyer watching the product is shown of an open report under embargo flagged actively
 * exploited or a severe incident (advisories.server.ts decides who sees it): the kind of flag, whether
 * Article 14 applies to it, and the severity, nothing else. "exploited" / "incident": the supplier
 * became aware from ARTICLE_14_APPLIES_FROM, so it is reported to the authority under Article 14;
 * "…_before_article_14": it became aware before then, no report to the authority is due, and the
 * line names no Article 14. A report flagged both ways reads as actively exploited, unless only its
 * incident falls under Article 14: then it reads as the severe incident being reported.
 */
export type CraPublicFlag = "exploited" | "incident" | "exploited_before_article_14" | "incident_before_article_14";

/** Which line a buyer is shown of a report's flags (see CraPublicFlag); null: not flagged. */
export function craPublicFlagOf(f: {
  activelyExploited: boolean;
  severeIncident: boolean;
  exploitedAwareAt: Date | null;
  incidentAwareAt: Date | null;
}): CraPublicFlag | null {
  const applies = (d: Date | null) => d !== null && valid(d) && article14Applies(d);
  if (f.activelyExploited && applies(f.exploitedAwareAt)) return "exploited";
  if (f.severeIncident && applies(f.incidentAwareAt)) return "incident";
  if (f.activelyExploited) return "exploited_before_article_14";
  return f.severeIncident ? "incident_before_article_14" : null;
}

/** Whether a buyer's line is about a flag Article 14 applies to (a report to the authority is due). */
export function craFlagUnderArticle14(flag: CraPublicFlag): boolean {
  return flag === "exploited" || flag === "incident";
}

/** What is being handled, as a buyer reads it: "An actively exploited vulnerability (high) is being handled". */
export function craHandledWhat(flag: CraPublicFlag, severity: string): string {
  switch (flag) {
    case "exploited":
      return `An actively exploited vulnerability (${severity}) is being handled`;
    case "incident":
      return `A severe incident affecting the product's security (${severity}) is being handled`;
    case "exploited_before_article_14":
      return `A vulnerability (${severity}) the supplier flagged as actively exploited is being handled`;
    case "incident_before_article_14":
      return `A severe incident affecting the product's security (${severity}), flagged by the supplier, is being handled`;
  }
}

/** Why a line not under Article 14 names no report to the authority. */
export const CRA_NO_REPORT_DUE = `no report to the authority is due: the supplier became aware before ${ARTICLE_14_APPLIES_FROM_TEXT}`;

/** The whole line a buyer is shown (the watchlist's badge; quoted on the report's page). */
export function craHandledLine(flag: CraPublicFlag, severity: string): string {
  return `${craHandledWhat(flag, severity)} (${craFlagUnderArticle14(flag) ? "CRA Article 14" : CRA_NO_REPORT_DUE})`;
}

/**
 * What the supplier is told on flagging (the flags just added, each with whether Article 14 applied
 * at its awareness time): per flag when they differ, so an incident whose clocks run is never
 * called "no report due" because the exploitation was known before Article 14 applied.
 */
export function craFlaggedNotice(flagged: readonly { subject: CraSubject; applicable: boolean }[]): string {
  const running = "the CRA Article 14 reporting clocks are running.";
  const before = `became aware before ${ARTICLE_14_APPLIES_FROM_TEXT}, when Article 14's reporting obligations began to apply: no report to the authority is due for it.`;
  if (flagged.every((f) => f.applicable)) return `Flagged: ${running}`;
  if (flagged.length === 1) return `Flagged. You ${before}`;
  return `Flagged. ${flagged.map((f) => `${CRA_SUBJECT_LABELS[f.subject]}: ${f.applicable ? running : `you ${before}`}`).join(" ")}`;
}

export type CraClockState =
  "waiting" | "due" | "due_soon" | "overdue" | "done_on_time" | "done_late" | "not_applicable";

export interface AuthoritySubmission {
  /** Which notification it belongs to: the actively exploited vulnerability's or the severe incident's. */
  subject: CraSubject;
  kind: AuthorityReportKind;
  submittedAt: Date;
  reference: string;
}

export interface CraFacts {
  activelyExploited: boolean;
  severeIncident: boolean;
  /** When the supplier became aware that the vulnerability is actively exploited (needed when `activelyExploited`). */
  exploitedAwareAt: Date | null;
  /** When the supplier became aware of the severe incident (needed when `severeIncident`). */
  incidentAwareAt: Date | null;
  /** When a corrective or mitigating measure became available (a fix that stands), if one has. */
  fixAvailableAt: Date | null;
  submissions: readonly AuthoritySubmission[];
}

export interface CraClock {
  subject: CraSubject;
  kind: AuthorityReportKind;
  label: string;
  /** The Article 14 point the deadline comes from, e.g. "Article 14(2)(a)". */
  article: string;
  dueAt: Date | null;
  state: CraClockState;
  /** The first submission of this kind for this subject, if any. */
  submitted: AuthoritySubmission | null;
  /** What the clock waits for while it is "waiting", as a clause ("a corrective … is available"): shown after "when". */
  waitingFor: string | null;
}

/** One notification's three clocks (early warning, notification, final report). */
export interface CraClockSet {
  subject: CraSubject;
  label: string;
  awareAt: Date;
  /** False when the supplier became aware before Article 14 applied: every clock is "not_applicable". */
  applicable: boolean;
  clocks: CraClock[];
  /** The first clock not done (in order), or null when all are done or none applies. */
  next: CraClock | null;
}

export interface CraClocks {
  /** The vulnerability's set (when flagged actively exploited), then the incident's (when flagged a severe incident). */
  sets: CraClockSet[];
  /** Every clock of every set, in that order. */
  clocks: CraClock[];
  /** Of the sets' next clocks, the one due first (a waiting one last), or null when nothing is left to submit. */
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

/**
 * Article 14(2)(c): the final report on an actively exploited vulnerability is due 14 days after a
 * corrective or mitigating measure is available, counted from when the supplier became aware when the
 * fix came first (a report fixed before it was flagged is not overdue at once), and never before the
 * notification's own due time (72 hours after awareness): the latest of those.
 */
export function vulnerabilityFinalReportDue(fixAvailableAt: Date, awareAt: Date): Date {
  const aware = awareAt.getTime();
  return new Date(
    Math.max(Math.max(fixAvailableAt.getTime(), aware) + FINAL_REPORT_VULNERABILITY_MS, aware + NOTIFICATION_MS),
  );
}

const open = (c: CraClock) => c.state !== "done_on_time" && c.state !== "done_late" && c.state !== "not_applicable";

function clockSet(subject: CraSubject, awareAt: Date | null, facts: CraFacts, now: Date): CraClockSet {
  if (!awareAt || !valid(awareAt))
    throw new RangeError(
      `A report flagged ${subject === "vulnerability" ? "actively exploited" : "a severe incident"} needs the time the supplier became aware of it.`,
    );
  const para = subject === "vulnerability" ? "2" : "4";
  const mine = facts.submissions.filter((s) => s.subject === subject);
  const notification = firstOf("notification", mine);
  let finalDue: Date | null = null;
  let waits: string;
  if (subject === "vulnerability") {
    waits = "a corrective or mitigating measure (a fix) is available";
    if (facts.fixAvailableAt && valid(facts.fixAvailableAt))
      finalDue = vulnerabilityFinalReportDue(facts.fixAvailableAt, awareAt);
  } else {
    waits = "the incident notification is submitted";
    if (notification) finalDue = addMonthUtc(notification.submittedAt);
  }
  const applicable = article14Applies(awareAt);
  const make = (kind: AuthorityReportKind, point: string, dueAt: Date | null): CraClock => {
    const submitted = firstOf(kind, mine);
    const state = applicable ? clockState(kind, dueAt, submitted, now) : "not_applicable";
    return {
      subject,
      kind,
      label: AUTHORITY_REPORT_LABELS[kind],
      article: `Article 14(${para})(${point})`,
      dueAt,
      state,
      submitted,
      waitingFor: state === "waiting" ? waits : null,
    };
  };
  const aware = awareAt.getTime();
  const clocks = [
    make("early_warning", "a", new Date(aware + EARLY_WARNING_MS)),
    make("notification", "b", new Date(aware + NOTIFICATION_MS)),
    make("final_report", "c", finalDue),
  ];
  return {
    subject,
    label: CRA_SUBJECT_LABELS[subject],
    awareAt,
    applicable,
    clocks,
    next: clocks.find(open) ?? null,
  };
}

/**
 * The Article 14 clocks of a report at `now`: a set for the actively exploited vulnerability and/or
 * one for the severe incident; null when it is flagged neither way.
 */
export function craClocks(facts: CraFacts, now: Date): CraClocks | null {
  if (!facts.activelyExploited && !facts.severeIncident) return null;
  if (!valid(now)) throw new RangeError("The clocks need a valid time.");
  const sets: CraClockSet[] = [];
  if (facts.activelyExploited) sets.push(clockSet("vulnerability", facts.exploitedAwareAt, facts, now));
  if (facts.severeIncident) sets.push(clockSet("incident", facts.incidentAwareAt, facts, now));
  const due = (c: CraClock) => c.dueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const next = sets
    .map((s) => s.next)
    .filter((c): c is CraClock => c !== null)
    .reduce<CraClock | null>((best, c) => (best === null || due(c) < due(best) ? c : best), null);
  return { sets, clocks: sets.flatMap((s) => s.clocks), next };
}

export const CRA_STATE_LABELS: Record<CraClockState, string> = {
  waiting: "waiting",
  due: "due",
  due_soon: "due soon",
  overdue: "overdue",
  done_on_time: "submitted on time",
  done_late: "submitted late",
  not_applicable: `not applicable (before ${ARTICLE_14_APPLIES_FROM_TEXT})`,
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
