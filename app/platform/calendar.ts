/**
 * Calendar arithmetic in UTC, shared by every rule that counts months (a retailer's "at least 24
 * months of support left", a product's five-year support period). Pure.
 */

/** `date` plus `months` calendar months in UTC, time of day kept, day clamped to the month's end. */
export function addMonthsUtc(date: Date, months: number): Date {
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const out = new Date(date.getTime());
  out.setUTCFullYear(year, month + 1, 0);
  const lastDay = out.getUTCDate();
  out.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay));
  return out;
}

/** Whole calendar months from `from` to `to`, floored; 0 when `to` is not after `from`. */
export function wholeMonthsBetween(from: Date, to: Date): number {
  let k = Math.max(0, (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth());
  while (k > 0 && addMonthsUtc(from, k).getTime() > to.getTime()) k--;
  while (addMonthsUtc(from, k + 1).getTime() <= to.getTime()) k++;
  return k;
}

/** A calendar date written YYYY-MM-DD that exists (no 2025-02-29), as midnight UTC; null otherwise. */
export function parseIsoDate(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : d;
}

/** The YYYY-MM-DD of a date, in UTC. */
export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/** "5 years", "1 year", "7 months", "4 years and 6 months": a span of whole months in words. */
export function formatMonths(months: number): string {
  const years = Math.floor(months / 12);
  const rest = months - years * 12;
  const y = `${years} year${years === 1 ? "" : "s"}`;
  const m = `${rest} month${rest === 1 ? "" : "s"}`;
  if (years === 0) return m;
  return rest === 0 ? y : `${y} and ${m}`;
}

/** The units a form lets a person give a span of months in. */
export const DURATION_UNITS = ["years", "months"] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** A number in a form's unit, as months. */
export const durationMonths = (amount: number, unit: DurationUnit): number => amount * (unit === "years" ? 12 : 1);

/** How a form shows a stored number of months: in years when it is whole years, else in months. */
export function durationFormValue(months: number | null): { amount: string; unit: DurationUnit } {
  if (months === null) return { amount: "", unit: "years" };
  return months % 12 === 0
    ? { amount: String(months / 12), unit: "years" }
    : { amount: String(months), unit: "months" };
}

const DAY_MS = 86_400_000;

/**
 * Days left until a deadline: the one rule every "N days left", "Due in N days" and "in N days"
 * of the portal counts by. Whole 24-hour periods from `now` to the deadline instant, rounded down,
 * so it never promises more time than there is (9 days and 23 hours left is 9 days; a deadline at
 * "16 Dec, 00:00 UTC" is 9 days away on the afternoon of 6 Dec, whatever date is written beside
 * it); 0 within the last 24 hours; negative once past, -1 within the first 24 hours after.
 */
export function wholeDaysLeft(deadline: Date, now: Date): number {
  return Math.floor((deadline.getTime() - now.getTime()) / DAY_MS);
}

/** "in 9 days", "in 1 day", or "within a day" (less than 24 hours left): by wholeDaysLeft. */
export function inDaysWords(deadline: Date, now: Date): string {
  const n = wholeDaysLeft(deadline, now);
  return n <= 0 ? "within a day" : `in ${n} day${n === 1 ? "" : "s"}`;
}
