/**
 * A seal's verdict: the one rule that says whether a seal is valid, expired, suspended, revoked or
 * superseded (or, for a date the issuer cannot have signed, forged), from its record and the time.
 * Every page, API answer, bulk row, policy check, watchlist entry and product list asks here; the
 * offline verifier asks through sealVerdict (credential.ts) with what the signed status lists say.
 *
 * Precedence: revoked (final) > superseded > suspended > not yet valid (forged) > expired > valid.
 * A suspended seal past its validUntil stays "suspended" (with its reason) until it is reinstated;
 * then it reads "expired": its reason says so (its validity ended too: only a new certification can
 * restore it), and the pages say so (validityEndedWhileSuspended). Expiry is not a state: it follows from validUntil, which never lies past
 * the product's support period (issuance caps it there and the period is never shortened).
 * Findings and overdue recurring evidence count only once the sweeper has recorded the suspension
 * (monitoring/domain/automatic-suspension.ts decides when).
 */
import type { SealState } from "./seal-state";
import { formatDate } from "../../../platform/format";

export type SealVerdict = "valid" | "expired" | "suspended" | "revoked" | "superseded" | "not_found" | "forged";

/** Each verdict in words: the same for the pages, the API's readers and the offline verifier. */
export const VERDICT_LABELS: Record<SealVerdict, string> = {
  valid: "Valid",
  expired: "Expired",
  suspended: "Suspended",
  revoked: "Revoked",
  superseded: "Superseded",
  not_found: "Not found",
  forged: "Not genuine",
};

/** How far a verifier's clock may lag the issuer's before a fresh seal looks post-dated. */
export const CLOCK_LEEWAY_MS = 5 * 60 * 1000;

export const SUPERSEDED_REASON = "A newer certification of this product replaces this seal.";
export const NOT_YET_VALID_REASON = "The seal claims to be valid only from a future date.";

/** What the verdict is decided from: the seal's row (its dates are the signed credential's). */
export interface SealRecord {
  state: SealState;
  validFrom: Date;
  validUntil: Date;
  /**
   * The public reason recorded with the current state (the latest suspended, revoked or
   * superseded event), when the caller shows a reason; an empty one counts as none.
   */
  stateReason?: string | null;
}

/** A date in a sentence, as the pages write it ("5 Nov 2026", UTC). */
const ymd = (d: Date) => formatDate(d);

/** Whether a seal's validity period is over at `now` (expiry follows from validUntil alone). */
const validityOver = (validUntil: Date | string, now: Date) => now.getTime() >= new Date(validUntil).getTime();

/** What a suspended seal past its validUntil adds to its reason: it will not be valid again. */
export const endedWhileSuspendedReason = (validUntil: Date) =>
  `Its validity also ended on ${ymd(validUntil)}: only a new certification can restore it.`;

/**
 * Whether a seal answered "suspended" is also past its validUntil (the signed one): lifting the
 * suspension would not make it valid again, so the pages do not tell anyone to wait for that.
 */
export function validityEndedWhileSuspended(verdict: SealVerdict, validUntil: Date | string, now: Date): boolean {
  return verdict === "suspended" && validityOver(validUntil, now);
}

/** The seal's verdict now, and the public reason for it (none for a valid seal). */
export function sealVerdictOf(seal: SealRecord, now: Date): { verdict: SealVerdict; reason?: string } {
  const recorded = seal.stateReason || undefined;
  const withRecorded = (verdict: SealVerdict) => (recorded ? { verdict, reason: recorded } : { verdict });
  if (seal.state === "revoked") return withRecorded("revoked");
  if (seal.state === "superseded") return { verdict: "superseded", reason: recorded ?? SUPERSEDED_REASON };
  if (seal.state === "suspended") {
    if (!validityEndedWhileSuspended("suspended", seal.validUntil, now)) return withRecorded("suspended");
    const ended = endedWhileSuspendedReason(seal.validUntil);
    return { verdict: "suspended", reason: recorded ? `${recorded} ${ended}` : ended };
  }
  // A verifier's clock may run a little behind the issuer's; beyond that, a future date is not genuine.
  const t = now.getTime();
  if (t + CLOCK_LEEWAY_MS < seal.validFrom.getTime()) return { verdict: "forged", reason: NOT_YET_VALID_REASON };
  if (validityOver(seal.validUntil, now)) return { verdict: "expired", reason: `Valid until ${ymd(seal.validUntil)}.` };
  return { verdict: "valid" };
}
