/**
 * When two organisation names are the same name: the one rule of organisation-name uniqueness
 * (sign-up, an admin or the demo seed creating one). Pure.
 */
import { normalizeName } from "../../../platform/forms";

/**
 * The key two names are compared on: the name as kept (normalizeName: NFC, no invisible
 * characters, single spaces), then compatibility forms folded (NFKC: full-width "Ａｃｍｅ" is
 * "Acme", the ligature "ﬁ" is "fi"), characters that show nothing dropped (soft hyphens,
 * variation selectors: Unicode's default-ignorable code points), and case folded in full
 * ("ÜBER" and "über", "STRASSE" and "Straße" are one name). SQLite's lower() folds ASCII only,
 * so names are compared on this key in JavaScript.
 */
export function organizationNameKey(name: string): string {
  return normalizeName(name)
    .normalize("NFKC")
    .replace(/\p{Default_Ignorable_Code_Point}/gu, "")
    .toUpperCase()
    .toLowerCase()
    .normalize("NFC")
    .replace(/\s+/g, " ")
    .trim();
}

/** The first of `existing` with the same name as `name` (organizationNameKey), if any. */
export function sameOrganizationName<T extends { name: string }>(existing: readonly T[], name: string): T | undefined {
  const key = organizationNameKey(name);
  return existing.find((o) => organizationNameKey(o.name) === key);
}
