/**
 * The end of a product's security support period, as certification reads it: the period runs to
 * the end (UTC) of its last day, and no seal is issued once it has ended (a seal is never valid past
 * it). One rule for the seal's issuing and for the supplier's submission, so a supplier hears it
 * when submitting, not at the second assessor's confirmation.
 */
import { formatDate } from "../../../platform/format";

/** The last moment of the support period `supportPeriodEnd` (YYYY-MM-DD). */
export function supportEndsAt(supportPeriodEnd: string): Date {
  return new Date(`${supportPeriodEnd}T23:59:59Z`);
}

/** Whether the support period has ended at `now`. */
export function supportHasEnded(supportPeriodEnd: string, now: Date): boolean {
  return supportEndsAt(supportPeriodEnd).getTime() <= now.getTime();
}

/**
 * Why no seal can be issued for this product now (null: its support period runs on): the period's
 * end by date, and how to extend it.
 */
export function supportEndedProblem(product: { name: string; supportPeriodEnd: string }, now: Date): string | null {
  if (!supportHasEnded(product.supportPeriodEnd, now)) return null;
  return (
    `The security support period of ${product.name} ended on ${formatDate(supportEndsAt(product.supportPeriodEnd))}, ` +
    "so no seal can be issued for it. Extend the support period first: on the product's page, under Product details, " +
    "set a later end date for security updates (a support period can be extended, never shortened), then submit."
  );
}
