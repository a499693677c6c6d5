/**
 * The seals a watch by seal serial follows: each certified firmware version's current seal. A
 * version can have several seals over time: a renewal is a new seal for the same version, and the
 * seal it renews stays active to its own end date (only a re-certification of a newer firmware
 * supersedes). The version's current seal is chosen by the one rule for current seals
 * (certification/domain/current-seal.ts: the newest valid one, else the newest), among its seals
 * that are not superseded; a version whose seals are all superseded has none. The watchlist rows,
 * the policy results remembered and counted, and the watch feed's expiry alerts all ask here.
 */
import { currentSealOf, newestFirst, type SealChoice } from "../../certification/domain/current-seal";

export interface VersionSeal extends SealChoice {
  productVersionId: string;
  /** The recorded state ("superseded" seals never stand for their version). */
  state: string;
}

/** Each firmware version's current seal among these seals (any order), newest first. */
export function currentSealsOfVersions<T extends VersionSeal>(seals: readonly T[]): T[] {
  const byVersion = new Map<string, T[]>();
  for (const s of seals) {
    if (s.state === "superseded") continue;
    byVersion.set(s.productVersionId, [...(byVersion.get(s.productVersionId) ?? []), s]);
  }
  return newestFirst([...byVersion.values()].map((list) => currentSealOf(list)!));
}

/**
 * Whether a seal has been replaced as its firmware version's current seal by another seal of the
 * same version (a renewal): what happens to it then (its expiry) is no longer news about the
 * version. `versionSeals` are every seal of its version. False when the version has no current
 * seal (all superseded) or this one is it.
 */
export function replacedInItsVersion<T extends VersionSeal>(serial: string, versionSeals: readonly T[]): boolean {
  const [current] = currentSealsOfVersions(versionSeals);
  return current !== undefined && current.serial !== serial;
}

/** Why a product watched by GTIN has no current seal any more (the watch event's reason). */
export function noCurrentSealReason(gtin14: string, previous: { serial: string; firmware: string } | null): string {
  return `No seal names GTIN ${gtin14} now, so the product has no current seal${previous ? ` (it was seal ${previous.serial}, firmware ${previous.firmware})` : ""}.`;
}
