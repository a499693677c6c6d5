/**
 * What a seal's status is, all things considered, and what the disclosure sweeper should do
 * to one seal. Pure: the recorded state, dates and blocking findings are passed in.
 *
 * Precedence (like sealVerdict): revoked (final) > superseded > expired > suspended > valid.
 * A seal is suspended when its recorded state says so, or when a critical/high finding is
 * open past its disclosure deadline even if the sweeper has not recorded the suspension yet.
 *
 * Finding details stay private until disclosure: no reason produced here ever names a
 * finding. Callers that need to know which findings (the internal audit record) get their
 * ids from sweepDecision.
 */
import { nextSealState, type SealState } from "./seal-state";

export type DerivedSealStatus = "valid" | "expired" | "suspended" | "revoked" | "superseded";

/** Who recorded the current suspension: an assessor by hand, or the sweeper because of findings. */
export type SuspendedBy = "manual" | "finding";

export interface BlockingFinding {
  id: string;
  title: string;
}

/** The public reason for a suspension caused by findings (never the findings' titles or details). */
export const FINDING_SUSPENSION_REASON = "Under review for a reported security issue past its disclosure deadline.";
export const MANUAL_SUSPENSION_REASON = "Suspended by the certification body.";
export const FINDING_REINSTATE_REASON = "No reported security issue is past its disclosure deadline any more.";
export const SUPERSEDED_REASON = "A newer certification of this product replaces this seal.";
export const REVOKED_REASON = "Revoked by the certification body.";

export interface SealStatusInput {
  state: SealState;
  validUntil: Date;
  /** The end of the product's security support period as an instant (the portal uses the day's 23:59:59Z). */
  supportPeriodEnd: Date;
  now: Date;
  /** Findings of this seal's product version that block it now (see findings.blocksSeal). */
  blockingFindings: readonly BlockingFinding[];
  suspendedBy: SuspendedBy | null;
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The seal's status now. Expired once `now` reaches validUntil or the end of the support
 * period (the same comparisons as sealVerdict and seal issuance); when both have passed the
 * reason names whichever came first.
 */
export function deriveSealStatus(input: SealStatusInput): { status: DerivedSealStatus; reason?: string } {
  const { state, validUntil, supportPeriodEnd, now } = input;
  if (state === "revoked") return { status: "revoked", reason: REVOKED_REASON };
  if (state === "superseded") return { status: "superseded", reason: SUPERSEDED_REASON };
  const t = now.getTime();
  const validEnded = t >= validUntil.getTime();
  const supportEnded = t >= supportPeriodEnd.getTime();
  if (validEnded || supportEnded) {
    const supportFirst = supportEnded && (!validEnded || supportPeriodEnd.getTime() < validUntil.getTime());
    return {
      status: "expired",
      reason: supportFirst ? `Security support for this product ended on ${ymd(supportPeriodEnd)}.` : `Valid until ${ymd(validUntil)}.`,
    };
  }
  if (state === "suspended") {
    return { status: "suspended", reason: input.suspendedBy === "finding" ? FINDING_SUSPENSION_REASON : MANUAL_SUSPENSION_REASON };
  }
  if (input.blockingFindings.length > 0) return { status: "suspended", reason: FINDING_SUSPENSION_REASON };
  return { status: "valid" };
}

export type SweepDecision =
  | { action: "suspend"; reason: string; findingIds: string[] }
  | { action: "reinstate"; reason: string }
  | { action: "none"; why: string };

/**
 * What the disclosure sweeper does to one seal:
 *  - "suspend" an active seal that has blocking findings (recorded as suspendedBy "finding";
 *    `reason` is the public text, `findingIds` the internal record of which findings);
 *  - "reinstate" a seal the sweeper itself suspended once no blocking finding remains;
 *  - "none" otherwise: a manual suspension is never lifted automatically (nor one of unknown
 *    origin), revoked and superseded seals are never touched, and a seal suspended for
 *    findings stays suspended while any blocks it.
 */
export function sweepDecision(input: { state: SealState; suspendedBy: SuspendedBy | null; blockingFindings: readonly BlockingFinding[] }): SweepDecision {
  const { state, suspendedBy, blockingFindings } = input;
  const blocked = blockingFindings.length > 0;
  switch (state) {
    case "revoked":
    case "superseded":
      return { action: "none", why: `The seal is ${state}; the sweeper never changes it.` };
    case "active":
      if (!blocked) return { action: "none", why: "No finding blocks this seal." };
      if (!nextSealState(state, "suspend").ok) return { action: "none", why: "The seal cannot be suspended." };
      return { action: "suspend", reason: FINDING_SUSPENSION_REASON, findingIds: [...new Set(blockingFindings.map((f) => f.id))] };
    case "suspended":
      if (suspendedBy !== "finding") return { action: "none", why: "The seal was suspended by hand; only an assessor can reinstate it." };
      if (blocked) return { action: "none", why: "Findings still block this seal." };
      if (!nextSealState(state, "reinstate").ok) return { action: "none", why: "The seal cannot be reinstated." };
      return { action: "reinstate", reason: FINDING_REINSTATE_REASON };
  }
}
