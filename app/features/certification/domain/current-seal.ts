/**
 * A product's current seal: the one a GS1 Digital Link (`/01/<GTIN>`) and the GTIN API point at.
 * A product has one seal per certified firmware version (and more over time: renewals,
 * re-certifications). The current one is the newest seal whose verdict is valid, across every
 * firmware version; when none is valid, the newest seal of all, whose page says why (expired,
 * suspended, revoked, superseded). The verdict itself is trust/domain/verdict.ts's, never decided here.
 */
import type { SealVerdict } from "../../trust/domain/verdict";

export interface SealChoice {
  serial: string;
  verdict: SealVerdict;
  issuedAt: Date;
}

/** Newest first: by issue time, then by serial so that the order never depends on the database. */
export function newestFirst<T extends SealChoice>(seals: readonly T[]): T[] {
  return [...seals].sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime() || b.serial.localeCompare(a.serial));
}

/** The current seal of a product's seals (any order), or null when it has none. */
export function currentSealOf<T extends SealChoice>(seals: readonly T[]): T | null {
  const ordered = newestFirst(seals);
  return ordered.find((s) => s.verdict === "valid") ?? ordered[0] ?? null;
}
