/**
 * Recurring evidence (continuous monitoring). Pure: time is always passed in.
 *
 * Some checklist requirements carry `recurs_every_days` (e.g. 90: a quarterly external
 * vulnerability scan of the cloud back end). Once a seal is issued, each such requirement is
 * due at the time of its last accepted evidence plus the period. The first accepted evidence
 * is the one accepted at the seal's approval, so the clock starts at the seal's issue time;
 * later evidence counts from when it was submitted, not when the assessor accepted it.
 *
 * After the due date runs a grace period (DEFAULT_RECURRING_GRACE_DAYS unless the checklist
 * version sets another). Once `now` is strictly past due + grace the requirement is overdue:
 * the seal is suspended with the public reason "Recurring evidence overdue: <ref> <title>."
 * and reinstated when accepted evidence arrives (which moves lastAcceptedAt, hence the due date).
 * A seal an assessor suspended by hand stays suspended: accepted evidence only lets staff reinstate it.
 *
 * Standing, with dueAt = lastAcceptedAt + everyDays and graceEndsAt = dueAt + graceDays:
 *   fresh      now < dueAt - DUE_SOON_DAYS
 *   due_soon   dueAt - DUE_SOON_DAYS <= now <= dueAt
 *   in_grace   dueAt < now <= graceEndsAt          (never, with a grace of 0 days)
 *   overdue    now > graceEndsAt
 *
 * A re-certification (a seal that replaced an earlier one) does not restart a clock by itself:
 * where a requirement's verdict was carried over from the earlier assessment without a fresh
 * review, its clock continues from the earlier seal's last accepted evidence (recurringClockStart).
 *
 * A requirement whose grace period ends when or after the seal expires can never suspend the seal
 * (expiresFirst): an expired seal is no longer monitored.
 *
 * Days are exact 24-hour days (DAY_MS) in UTC: no daylight-saving or time-zone drift.
 */
import { DEFAULT_RECURRING_GRACE_DAYS } from "../../catalogue/domain/checklist/schema";
import { DAY_MS } from "../../findings/domain/findings";
import { formatDate } from "../../../platform/format";
import { wholeDaysLeft } from "../../../platform/calendar";

/** The checklist's default grace period (a checklist may set its own); defined with the checklist format. */
export { DEFAULT_RECURRING_GRACE_DAYS };
/** Suppliers see what is due within this many days. */
export const DUE_SOON_DAYS = 30;

export interface RecurringRequirement {
  ref: string;
  title: string;
  everyDays: number;
  lastAcceptedAt: Date;
}

/**
 * "awaiting_decision": past due, but evidence sent before the grace period ended waits for an
 * assessor (recurringStandingWithPending): not overdue, and it suspends nothing.
 */
export type RecurringStanding = "fresh" | "due_soon" | "in_grace" | "awaiting_decision" | "overdue";

export interface RecurringStatus {
  ref: string;
  title: string;
  dueAt: Date;
  graceEndsAt: Date;
  standing: RecurringStanding;
  /**
   * Whole days until due by the portal's one rule (wholeDaysLeft, as a report's disclosure clock):
   * 24-hour periods rounded down (9 days and 23 hours is 9; under 24 h left is 0), and negative once
   * past due (1 ms to 24 h past is -1). Negative exactly when now > dueAt.
   */
  daysUntilDue: number;
}

const isValidDate = (d: Date) => d instanceof Date && !Number.isNaN(d.getTime());

function checkDate(d: Date, what: string): void {
  if (!isValidDate(d)) throw new RangeError(`${what} is not a valid date.`);
}

function checkGraceDays(graceDays: number): void {
  if (!Number.isInteger(graceDays) || graceDays < 0)
    throw new RangeError(`The grace period is a whole number of days, 0 or more (got ${graceDays}).`);
}

/** lastAcceptedAt + everyDays × 24 h. Throws RangeError unless everyDays is a positive whole number. */
export function recurringDueAt(lastAcceptedAt: Date, everyDays: number): Date {
  checkDate(lastAcceptedAt, "The last accepted evidence time");
  if (!Number.isInteger(everyDays) || everyDays < 1)
    throw new RangeError(`recurs_every_days must be a whole number of days, at least 1 (got ${everyDays}).`);
  return new Date(lastAcceptedAt.getTime() + everyDays * DAY_MS);
}

/** Where one recurring requirement stands at `now`. Throws RangeError on a bad period, grace or date. */
export function recurringStanding(r: RecurringRequirement, graceDays: number, now: Date): RecurringStatus {
  checkGraceDays(graceDays);
  checkDate(now, "The current time");
  const dueAt = recurringDueAt(r.lastAcceptedAt, r.everyDays);
  const graceEndsAt = new Date(dueAt.getTime() + graceDays * DAY_MS);
  const t = now.getTime();
  const due = dueAt.getTime();
  let standing: RecurringStanding;
  if (t > graceEndsAt.getTime()) standing = "overdue";
  else if (t > due) standing = "in_grace";
  else if (t >= due - DUE_SOON_DAYS * DAY_MS) standing = "due_soon";
  else standing = "fresh";
  const daysUntilDue = wholeDaysLeft(dueAt, now);
  return { ref: r.ref, title: r.title, dueAt, graceEndsAt, standing, daysUntilDue };
}

/** The requirements past due + grace at `now` (the ones that suspend the seal), in the order given. */
export function overdueRecurring(
  reqs: readonly RecurringRequirement[],
  graceDays: number,
  now: Date,
): RecurringRequirement[] {
  return reqs.filter((r) => recurringStanding(r, graceDays, now).standing === "overdue");
}

/**
 * The public suspension reason: "Recurring evidence overdue: 5.2-1 Vulnerability disclosure
 * policy operated." for one; several are joined with "; " in the order given, then ".".
 * Throws RangeError on an empty list (nothing overdue means no suspension).
 */
export function recurringSuspensionReason(overdue: readonly { ref: string; title: string }[]): string {
  if (overdue.length === 0) throw new RangeError("No recurring requirement is overdue: there is no suspension reason.");
  return `${overdue.map((r) => `Recurring evidence overdue: ${r.ref} ${r.title}`).join("; ")}.`;
}

/**
 * Where a seal's clock for one recurring requirement starts (before any evidence of its own):
 *  - the seal's issue time, when the requirement was assessed for this seal (a full assessment,
 *    or reviewed afresh in a re-certification): the certified evidence is fresh then;
 *  - the replaced seal's last accepted evidence, when this seal re-certifies (replaced) an
 *    earlier one and the requirement's verdict was carried over from it unreviewed: nothing fresh
 *    was seen, so the earlier clock runs on (an overdue requirement stays overdue);
 *  - the issue time when the replaced seal has no clock for the requirement (it did not recur there).
 * `continued` says whether the clock runs on from the replaced seal.
 */
export function recurringClockStart(
  issuedAt: Date,
  carriedOver: boolean,
  replacedLastAcceptedAt: Date | null,
): { start: Date; continued: boolean } {
  checkDate(issuedAt, "The seal's issue time");
  if (!carriedOver || !replacedLastAcceptedAt) return { start: issuedAt, continued: false };
  checkDate(replacedLastAcceptedAt, "The replaced seal's last accepted evidence time");
  return { start: replacedLastAcceptedAt, continued: true };
}

/**
 * When a recurring requirement's clock last restarted: the latest of the clock's start (the
 * seal's issue time, or recurringClockStart's) and the submission time of every accepted evidence
 * for it (evidence older than the start changes nothing).
 */
export function lastAcceptedAt(clockStart: Date, accepted: readonly { submittedAt: Date }[]): Date {
  checkDate(clockStart, "The seal's issue time");
  let latest = clockStart.getTime();
  for (const e of accepted) {
    checkDate(e.submittedAt, "An accepted evidence's submission time");
    if (e.submittedAt.getTime() > latest) latest = e.submittedAt.getTime();
  }
  return new Date(latest);
}

/**
 * The standing once evidence waiting for an assessor is counted: evidence sent before the grace
 * period ended is the supplier's part done on time, so past the due date the requirement is
 * "awaiting_decision", never in grace or overdue while it waits (an assessor's delay is not the
 * supplier's: decision 008). Evidence sent after the grace period ended changes nothing: the seal
 * stays suspended until evidence is accepted. Before the due date the standing is unchanged.
 */
export function recurringStandingWithPending(
  status: Pick<RecurringStatus, "standing" | "graceEndsAt">,
  pendingSubmittedAt: Date | null,
): RecurringStanding {
  if (!pendingSubmittedAt) return status.standing;
  if (status.standing !== "in_grace" && status.standing !== "overdue") return status.standing;
  return pendingSubmittedAt.getTime() <= status.graceEndsAt.getTime() ? "awaiting_decision" : status.standing;
}

/**
 * Whether the seal expires before (or as) this requirement's grace period ends: then it can never
 * suspend the seal (it is overdue only after the grace period, and an expired seal is not
 * monitored), so nobody is reminded of it or told the seal will be suspended for it.
 */
export function expiresFirst(s: Pick<RecurringStatus, "graceEndsAt">, validUntil: Date): boolean {
  checkDate(validUntil, "The seal's expiry");
  return s.graceEndsAt.getTime() >= validUntil.getTime();
}

/**
 * What a requirement's standing means for the seal, in a sentence, when no evidence for it waits
 * for an assessor (after a rejection: the supplier's notice and the assessor's page say the same).
 * `standing` is the standing without any waiting evidence (recurringStanding's). `suspendedBy`, for
 * a suspended seal: who made the suspension. The sweeper lifts its own once accepted evidence
 * arrives; a person's it never lifts (staff reinstate it, once nothing holds it). Not given, the
 * words hold for either.
 */
export function consequenceWords(
  s: Pick<RecurringStatus, "standing" | "dueAt" | "graceEndsAt">,
  seal: { suspended: boolean; suspendedBy?: "manual" | "automatic" | null; validUntil: Date },
): string {
  const due = formatDate(s.dueAt);
  const graceEnd = formatDate(s.graceEndsAt);
  const expiry = formatDate(seal.validUntil);
  const byHand = seal.suspended && seal.suspendedBy === "manual";
  if (s.standing === "overdue") {
    if (!seal.suspended)
      return `Its grace period ended on ${graceEnd}: the seal will be suspended until accepted evidence arrives.`;
    if (seal.suspendedBy === "automatic")
      return `Its grace period ended on ${graceEnd}: the seal is suspended while this evidence is overdue.`;
    if (byHand) return `Its grace period ended on ${graceEnd}: ${BY_HAND_UNTIL_ACCEPTED}`;
    return `Its grace period ended on ${graceEnd}: the seal is suspended, and stays suspended at least until accepted evidence arrives.`;
  }
  if (s.dueAt.getTime() >= seal.validUntil.getTime())
    return `It is due on ${due}, after the seal expires on ${expiry}: this seal will not be suspended for it.`;
  if (expiresFirst(s, seal.validUntil))
    return `It ${s.standing === "in_grace" ? "was" : "is"} due on ${due}; the seal expires on ${expiry}, before the grace period ends, so it will not be suspended for this.`;
  return `It ${s.standing === "in_grace" ? "was" : "is"} due on ${due}. New evidence must be sent before the grace period ends on ${graceEnd}, ${
    byHand
      ? "or the seal, suspended by an assessor, cannot be reinstated until accepted evidence arrives."
      : "or the seal will be suspended for it."
  }`;
}

/**
 * For a seal an assessor suspended by hand, with recurring evidence overdue: what holds it. The
 * sweeper never lifts a person's suspension (domain/automatic-suspension.ts), so accepted evidence
 * alone does not make it valid again.
 */
export const BY_HAND_UNTIL_ACCEPTED =
  "the seal, suspended by an assessor, cannot be reinstated while this evidence is overdue; once accepted evidence arrives (and nothing else holds it), an assessor can reinstate it.";
