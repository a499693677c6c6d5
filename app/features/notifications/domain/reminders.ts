/**
 * Reminders before a clock runs out (pure: time is always passed in). The lifecycle sweep
 * (app/features/notifications/reminders.server.ts) asks, for each open item, which threshold is
 * due now, and notifies with a key naming the item, its deadline and the threshold, so that each
 * threshold is told at most once, ever (the unique (user, key) of the notifications).
 *
 * Only the most urgent threshold reached is due: a report found 5 days before its deadline (a
 * first sweep after an outage, a report recorded late) gets the "7 days" reminder, not the
 * "14 days" one as well. A threshold passed while the sweep was not running is therefore skipped
 * when a more urgent one has been reached meanwhile; none is ever sent late out of order.
 *
 *   reports (supplier)     14, 7, 1 days before the disclosure deadline, and once it has passed
 *   reports (assessors)    7 days before the disclosure deadline
 *   recurring evidence     30 and 7 days before due, in the grace period, overdue (supplier)
 *   seal expiry            60 and 30 days before the seal's validity ends (supplier)
 *   signing key (admins)   the active key is older than its rotation period
 *   mail delivery (admins) an outage (mailOutages) has been going on for an hour: once per outage
 *
 * Days are exact 24-hour days in UTC (DAY_MS), as for the disclosure and recurring clocks.
 */
import { DAY_MS } from "../../findings/domain/findings";

/** A threshold before a deadline ("14d") or the deadline itself passed ("passed"). */
export type DeadlineThreshold = `${number}d` | "passed";

export const REPORT_SUPPLIER_DAYS = [14, 7, 1] as const;
export const REPORT_ASSESSOR_DAYS = [7] as const;
export const RECURRING_DAYS = [30, 7] as const;
export const SEAL_EXPIRY_DAYS = [60, 30] as const;
/** Mail delivery counts as failing once a mail has been retried for this long without going out. */
export const MAIL_FAILING_AFTER_MS = 60 * 60 * 1000;

const valid = (d: Date) => d instanceof Date && !Number.isNaN(d.getTime());

function checkDates(...dates: Date[]): void {
  for (const d of dates) if (!valid(d)) throw new RangeError("A reminder needs valid dates.");
}

/**
 * The most urgent threshold reached at `now` for a deadline: the smallest of `days` with
 * deadline - now <= that many days (while the deadline is still ahead), "passed" once now is at or
 * past the deadline when `passed` is asked for, otherwise null (no threshold reached yet, or the
 * deadline passed and nobody is told of that).
 */
export function deadlineThreshold(
  deadline: Date,
  now: Date,
  days: readonly number[],
  opts: { passed?: boolean } = {},
): DeadlineThreshold | null {
  checkDates(deadline, now);
  const left = deadline.getTime() - now.getTime();
  if (left <= 0) return opts.passed ? "passed" : null;
  const reached = days.filter((d) => left <= d * DAY_MS);
  if (!reached.length) return null;
  return `${Math.min(...reached)}d`;
}

/** Where a recurring requirement's clock is, for a reminder: 30 or 7 days before due, in grace, overdue, or nothing to say. */
export type RecurringThreshold = "30d" | "7d" | "grace" | "overdue";

/**
 * The most urgent recurring-evidence reminder due at `now` for a requirement due at `dueAt` whose
 * grace period ends at `graceEndsAt` (equal to `dueAt` for a grace of 0 days: straight to overdue).
 * As in app/features/monitoring/domain/recurring.ts: in grace while dueAt < now <= graceEndsAt,
 * overdue once now > graceEndsAt.
 */
export function recurringThreshold(dueAt: Date, graceEndsAt: Date, now: Date): RecurringThreshold | null {
  checkDates(dueAt, graceEndsAt, now);
  const t = now.getTime();
  if (t > graceEndsAt.getTime()) return "overdue";
  if (t > dueAt.getTime()) return "grace";
  if (t === dueAt.getTime()) return "7d"; // exactly at the due time: still due, not yet in grace
  return deadlineThreshold(dueAt, now, RECURRING_DAYS) as "30d" | "7d" | null;
}

/** The seal-expiry reminder due at `now` (60 or 30 days before `validUntil`), or null (too early, or already expired). */
export function sealExpiryThreshold(validUntil: Date, now: Date): "60d" | "30d" | null {
  return deadlineThreshold(validUntil, now, SEAL_EXPIRY_DAYS) as "60d" | "30d" | null;
}

/** Whether a signing key created at `createdAt` is older than its rotation period at `now`. */
export function keyRotationDue(createdAt: Date, rotationDays: number, now: Date): boolean {
  checkDates(createdAt, now);
  if (!Number.isInteger(rotationDays) || rotationDays < 1)
    throw new RangeError(`The key rotation period is a whole number of days, at least 1 (got ${rotationDays}).`);
  return now.getTime() - createdAt.getTime() > rotationDays * DAY_MS;
}

/**
 * Whether mail delivery is failing: the oldest mail that was tried and has not gone out (still
 * retried, or given up) was written at `oldestFailingAt`, an hour or more before `now`. Null: none.
 */
export function mailFailing(oldestFailingAt: Date | null, now: Date): boolean {
  if (!oldestFailingAt) return false;
  checkDates(oldestFailingAt, now);
  return now.getTime() - oldestFailingAt.getTime() >= MAIL_FAILING_AFTER_MS;
}

/** A mail given up ("failed") this recently still counts as failing: the outage may not be over. */
export const MAIL_GAVE_UP_RECENTLY_MS = 24 * 60 * 60 * 1000;

/** A mail that was tried and has not gone out: still being retried (`gaveUpAt` null), or given up then. */
export interface UndeliveredMail {
  id: string;
  createdAt: Date;
  /** When its last attempt failed for good (status "failed"); null while it is still retried. */
  gaveUpAt: Date | null;
}

/** A mail outage: the mails not delivered in it, the oldest first (whose id names it), and how many are still failing. */
export interface MailOutage {
  oldest: UndeliveredMail;
  /** When it began: the oldest mail's writing. */
  since: Date;
  mails: UndeliveredMail[];
  /** Still retried, or given up within MAIL_GAVE_UP_RECENTLY_MS. */
  stillFailing: number;
}

/**
 * The mail outages going on at `now` (oldest first), for the admins' alert. Each mail fails from when it
 * was written until it was given up (or now, while it is still retried); mails whose failing times
 * overlap are one outage, named by its oldest mail, so a long outage, whose first mails are given up
 * while newer ones keep failing, stays one outage. An outage goes on while one of its mails is still
 * retried or was given up within MAIL_GAVE_UP_RECENTLY_MS; one that ended before (a mail given up
 * months ago) is over, and a later failure is a new outage. Pass the mails given up within a bounded
 * past: an outage older than that is named by its oldest mail passed.
 */
export function mailOutages(mails: readonly UndeliveredMail[], now: Date): MailOutage[] {
  checkDates(now);
  const t = now.getTime();
  const endOf = (m: UndeliveredMail) => (m.gaveUpAt ? Math.min(m.gaveUpAt.getTime(), t) : t);
  const sorted = mails
    .filter((m) => valid(m.createdAt) && (m.gaveUpAt === null || valid(m.gaveUpAt)) && m.createdAt.getTime() <= t)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const outages: { mails: UndeliveredMail[]; end: number }[] = [];
  for (const m of sorted) {
    const last = outages.at(-1);
    if (last && m.createdAt.getTime() <= last.end) {
      last.mails.push(m);
      last.end = Math.max(last.end, endOf(m));
    } else outages.push({ mails: [m], end: endOf(m) });
  }
  const failing = (m: UndeliveredMail) => m.gaveUpAt === null || t - m.gaveUpAt.getTime() <= MAIL_GAVE_UP_RECENTLY_MS;
  return outages
    .map((o) => ({
      oldest: o.mails[0],
      since: o.mails[0].createdAt,
      mails: o.mails,
      stillFailing: o.mails.filter(failing).length,
    }))
    .filter((o) => o.stillFailing > 0);
}

/** "14 days", "1 day": a threshold in words. */
export function thresholdWords(t: `${number}d`): string {
  const n = Number(t.slice(0, -1));
  return `${n} day${n === 1 ? "" : "s"}`;
}
