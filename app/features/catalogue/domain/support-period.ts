/**
 * A product's support period as the EU Cyber Resilience Act asks for it. Pure: the caller passes
 * the product's facts.
 *
 * Regulation (EU) 2024/2847, Article 13(8), third subparagraph: "Without prejudice to the second
 * subparagraph, the support period shall be at least five years. Where the product with digital
 * elements is expected to be in use for less than five years, the support period shall correspond
 * to the expected use time." (quoted in the Open Regulatory Compliance Working Group's CRA FAQ
 * 4.5.2, https://cra.orcwg.org/faq/official/faq_4-5-2). Article 13(19) asks that the end date,
 * "including at least the month and the year", be given to the user at the time of purchase.
 *
 * The period runs from the day the product is placed on the market (or, when not given, the day
 * it was registered here). "N months from day D" covers D up to the day before the same date N
 * months later; when that date does not exist (31 March + 1 month, 29 February + 5 years), up to
 * the last day of that month. So five years from 1 July 2024 end on 30 June 2029, and from
 * 29 February 2024 on 28 February 2029.
 *
 * The assessment is one of:
 *  - ok:                the support covers at least five years;
 *  - short-with-reason: shorter, but an expected use time under five years and its reason are
 *                       stated, and the support covers at least that expected use time;
 *  - refused:           shorter than five years with no expected use time, an expected use time
 *                       without its reason, or support shorter than the expected use time; with a
 *                       message for the form field to correct.
 */
import { addMonthsUtc, formatMonths, isoDate, parseIsoDate, wholeMonthsBetween } from "../../../platform/calendar";
import { formatDate } from "../../../platform/format";

/** Five years, in months (Article 13(8)). */
export const CRA_MINIMUM_SUPPORT_MONTHS = 60;

export interface SupportPeriodFacts {
  /** The last day of security support, YYYY-MM-DD. */
  supportPeriodEnd: string;
  /** The day the product is (or will be) placed on the market, YYYY-MM-DD. */
  placedOnMarketOn: string;
  /** The time the product is expected to be in use, in months (null: not stated). */
  expectedUseMonths: number | null;
  /** Why it is expected to be in use for that time (null or empty: not stated). */
  expectedUseReason: string | null;
}

/** The form field a refusal is about. */
export type SupportPeriodField = "supportPeriodEnd" | "expectedUseTime" | "expectedUseReason";

export type SupportPeriodAssessment =
  | { kind: "ok"; coveredMonths: number }
  | { kind: "short-with-reason"; coveredMonths: number; expectedUseMonths: number; reason: string }
  | { kind: "refused"; coveredMonths: number; field: SupportPeriodField; message: string };

/** The last day of a period of `months` months starting on `start` (see the file comment). */
export function periodLastDay(start: string, months: number): string {
  const from = parseIsoDate(start);
  if (!from) throw new RangeError(`Not a date: ${start}`);
  const same = addMonthsUtc(from, months);
  // Clamped (the same date does not exist in that month): the period ends with that month.
  if (same.getUTCDate() !== from.getUTCDate()) return isoDate(same);
  return isoDate(new Date(same.getTime() - 24 * 60 * 60 * 1000));
}

/** Whole months of support from the placing on the market through the support period's last day. */
export function coveredMonths(placedOnMarketOn: string, supportPeriodEnd: string): number {
  const from = parseIsoDate(placedOnMarketOn);
  const last = parseIsoDate(supportPeriodEnd);
  if (!from || !last) return 0;
  let k = wholeMonthsBetween(from, new Date(last.getTime() + 24 * 60 * 60 * 1000));
  // Adjusted to the definition (a start on a day its last month lacks ends with that month).
  while (k > 0 && periodLastDay(placedOnMarketOn, k) > supportPeriodEnd) k--;
  while (periodLastDay(placedOnMarketOn, k + 1) <= supportPeriodEnd) k++;
  return k;
}

/** Decides whether the support period meets Article 13(8) (see the file comment). */
export function assessSupportPeriod(f: SupportPeriodFacts): SupportPeriodAssessment {
  const covered = coveredMonths(f.placedOnMarketOn, f.supportPeriodEnd);
  if (f.supportPeriodEnd >= periodLastDay(f.placedOnMarketOn, CRA_MINIMUM_SUPPORT_MONTHS))
    return { kind: "ok", coveredMonths: covered };
  const refuse = (field: SupportPeriodField, message: string): SupportPeriodAssessment => ({
    kind: "refused",
    coveredMonths: covered,
    field,
    message,
  });
  const ends = `Security support ends ${formatDate(f.supportPeriodEnd)}`;
  const since = `after the product goes on sale (${formatDate(f.placedOnMarketOn)})`;
  if (f.expectedUseMonths === null)
    return refuse(
      "supportPeriodEnd",
      `${ends}, less than five years ${since}. The EU Cyber Resilience Act asks for at least five years, unless the product is expected to be in use for less: then state that expected use time and the reason.`,
    );
  if (f.expectedUseMonths >= CRA_MINIMUM_SUPPORT_MONTHS)
    return refuse(
      "supportPeriodEnd",
      `${ends}, less than five years ${since}. A product expected to be in use for ${formatMonths(f.expectedUseMonths)} needs at least five years of support.`,
    );
  const reason = f.expectedUseReason?.trim() ?? "";
  if (!reason)
    return refuse(
      "expectedUseReason",
      `Say why the product is expected to be in use for only ${formatMonths(f.expectedUseMonths)}: the EU Cyber Resilience Act allows support shorter than five years only for such a product.`,
    );
  if (f.supportPeriodEnd < periodLastDay(f.placedOnMarketOn, f.expectedUseMonths))
    return refuse(
      "supportPeriodEnd",
      `${ends}, less than the ${formatMonths(f.expectedUseMonths)} the product is expected to be in use ${since}; support must last at least until ${formatDate(periodLastDay(f.placedOnMarketOn, f.expectedUseMonths))}.`,
    );
  return { kind: "short-with-reason", coveredMonths: covered, expectedUseMonths: f.expectedUseMonths, reason };
}

/**
 * For a product whose support period does not meet the rule (one registered before it applied),
 * what the pages say plainly; null when it meets it.
 */
export function supportPeriodShortfall(f: SupportPeriodFacts): string | null {
  const a = assessSupportPeriod(f);
  if (a.kind !== "refused") return null;
  const ends = `Support ends ${formatDate(f.supportPeriodEnd)}`;
  if (f.expectedUseMonths === null)
    return `${ends}: shorter than the five years the EU Cyber Resilience Act asks, and no expected use time is stated.`;
  if (f.expectedUseMonths >= CRA_MINIMUM_SUPPORT_MONTHS)
    return `${ends}: shorter than the five years the EU Cyber Resilience Act asks.`;
  if (a.field === "expectedUseReason")
    return `${ends}: shorter than the five years the EU Cyber Resilience Act asks, and no reason is given for the shorter expected use time.`;
  return `${ends}: shorter than the ${formatMonths(f.expectedUseMonths)} the product is expected to be in use.`;
}

/** A product's support facts as stored: with no placing-on-the-market date, its creation date stands for it. */
export function supportFactsOf(p: {
  supportPeriodEnd: string;
  placedOnMarketOn: string | null;
  expectedUseMonths: number | null;
  expectedUseReason: string | null;
  createdAt: Date;
}): SupportPeriodFacts {
  return {
    supportPeriodEnd: p.supportPeriodEnd,
    placedOnMarketOn: p.placedOnMarketOn ?? isoDate(p.createdAt),
    expectedUseMonths: p.expectedUseMonths,
    expectedUseReason: p.expectedUseReason,
  };
}
