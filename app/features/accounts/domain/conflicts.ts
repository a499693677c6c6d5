/**
 * Conflicts of interest between assessors and the organisations they assess (pure: the facts
 * come from app/features/accounts/conflicts.server.ts, which every assessor-facing service asks).
 */

export interface ConflictFacts {
  assessorOrganizationId: string;
  supplierOrganizationId: string;
  /** The supplier organisation's name, for the message. */
  supplierName: string;
  /** The organisations an admin declared this assessor conflicted with, and why. */
  declaredConflicts: readonly { organizationId: string; reason: string }[];
}

const sentence = (s: string) => {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

/**
 * The one conflict-of-interest rule: an assessor never assesses, reviews, decides on, or reads the
 * evidence of an organisation they belong to or are declared conflicted with. Null, or why (a
 * sentence naming the supplier, for a 403 message).
 */
export function conflictOfInterest(f: ConflictFacts): string | null {
  if (f.assessorOrganizationId === f.supplierOrganizationId)
    return `You have a conflict of interest with ${f.supplierName}: you belong to the supplier's organisation.`;
  const declared = f.declaredConflicts.find((d) => d.organizationId === f.supplierOrganizationId);
  if (declared) return `You have a declared conflict of interest with ${f.supplierName}: ${sentence(declared.reason)}`;
  return null;
}
