/**
 * A report recorded late. The disclosure deadline runs from the date reported, so a report dated
 * long ago can be overdue the moment it is recorded: its advisory is public at once (the public seal
 * pages, the API, the buyers' feeds and webhooks) and, for a critical or high one, the seals of the
 * affected versions are suspended. That is right for a genuinely old report, and a disaster for a
 * mistyped year. So it is never silent:
 *
 *   - public at once: the deadline has passed when the report is recorded (`now` strictly later,
 *     the same comparison as disclosure and blocksSeal), or is due within a day (at most 24 h
 *     away): the assessor confirms that it will be public ("confirmPublic");
 *   - a likely typo: the date reported is more than a year before today (UTC days): the assessor
 *     confirms the date ("confirmReportedOn").
 *
 * Each needs its own explicit confirmation; the service refuses the report until every one that
 * applies is given, whoever calls it (the form, a crafted POST, a script). Pure: time is passed in.
 */
import { DAY_MS, SEAL_BLOCKING_SEVERITIES, type Severity } from "./findings";

/** The form fields an assessor ticks to confirm (value "yes"). */
export type BackdatingConfirmation = "confirmPublic" | "confirmReportedOn";

export interface BackdatingWarning {
  /** The confirmation that answers it. */
  field: BackdatingConfirmation;
  kind: "deadline_passed" | "deadline_within_a_day" | "date_over_a_year_ago";
  /** What will happen (or what looks wrong), in a sentence the form shows above its checkbox. */
  message: string;
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);
const ymdhm = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** The UTC day one calendar year before `now`'s UTC day (29 February counts back to 1 March). */
function aYearBefore(now: Date): Date {
  const day = new Date(`${ymd(now)}T00:00:00Z`);
  day.setUTCFullYear(day.getUTCFullYear() - 1);
  return day;
}

/** Whether the date reported is more than a year before `now` (comparing UTC days). */
export function isOverAYearAgo(reportedAt: Date, now: Date): boolean {
  return new Date(`${ymd(reportedAt)}T00:00:00Z`).getTime() < aYearBefore(now).getTime();
}

/** What recording this report now would do that needs a confirmation (empty: nothing surprising). */
export function backdatingWarnings(r: {
  reportedAt: Date;
  deadline: Date;
  severity: Severity;
  now: Date;
}): BackdatingWarning[] {
  const out: BackdatingWarning[] = [];
  const left = r.deadline.getTime() - r.now.getTime();
  const suspends = SEAL_BLOCKING_SEVERITIES.includes(r.severity);
  if (left < 0) {
    out.push({
      field: "confirmPublic",
      kind: "deadline_passed",
      message:
        `This report will be public at once: its disclosure deadline ${ymd(r.deadline)} has passed. ` +
        `Its advisory (title, severity, affected firmware) appears on the product's public seal pages, in the API and to watching buyers as soon as it is recorded` +
        (suspends ? ", and the seals of the affected versions are suspended." : "."),
    });
  } else if (left <= DAY_MS) {
    out.push({
      field: "confirmPublic",
      kind: "deadline_within_a_day",
      message:
        `This report will be public within a day: its disclosure deadline is ${ymdhm(r.deadline)}. ` +
        `Its advisory then appears on the product's public seal pages, in the API and to watching buyers` +
        (suspends ? ", and the seals of the affected versions are suspended unless it is closed." : "."),
    });
  }
  if (isOverAYearAgo(r.reportedAt, r.now)) {
    out.push({
      field: "confirmReportedOn",
      kind: "date_over_a_year_ago",
      message: `The date reported, ${ymd(r.reportedAt)}, is more than a year ago: check that it is not a typo (the wrong year?).`,
    });
  }
  return out;
}

/** The warnings not answered by a confirmation. */
export function unconfirmedWarnings(
  warnings: readonly BackdatingWarning[],
  confirmed: Partial<Record<BackdatingConfirmation, boolean>>,
): BackdatingWarning[] {
  return warnings.filter((w) => !confirmed[w.field]);
}
