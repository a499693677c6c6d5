/**
 * What an overdue report (findings.blocksSeal: critical or high, open past its deadline) does to
 * the seals of its affected firmware, said from the seals it actually holds, never assumed: the
 * report's page, the supplier's dashboard and the report's notice all word it here.
 */

/** The current seals of a report's affected versions: suspended, and still active (not expired). */
export interface HeldSeals {
  suspended: number;
  /** Active and not expired: the lifecycle sweep suspends them (every 15 minutes). */
  active: number;
}

export const NO_HELD_SEALS: HeldSeals = { suspended: 0, active: 0 };

const theSeals = (n: number) =>
  n === 1 ? "The seal of the affected firmware" : `The ${n} seals of the affected firmware`;

/** One sentence: the seals an overdue report holds suspended, or that the affected firmware has no current seal. */
export function overdueSealsText(held: HeldSeals): string {
  if (held.suspended > 0)
    return `${theSeals(held.suspended)} ${held.suspended === 1 ? "is" : "are"} suspended until the fix is verified.`;
  if (held.active > 0)
    return `${theSeals(held.active)} will be suspended within 15 minutes (at the next lifecycle sweep), until the fix is verified.`;
  return "The affected firmware has no current seal; a seal issued for it would be suspended at once.";
}
