/**
 * Firmware updates, from the public side of the findings. Pure.
 *
 * "Valid, update required". A seal certifies one firmware version. When a PUBLIC advisory (see
 * disclosure.ts: only what anyone may read) lists that firmware among its affected versions and
 * its fix is certified in another version, the seal's holder must update: every view shows it
 * next to the verdict, which stays what the signed credential and its status lists say (see
 * docs/decisions/015-update-required.md). An advisory whose fix is not certified yet (no
 * `fixedInVersion` in the public advisory) affects the firmware but names no update: it counts
 * for "no public advisory affecting this firmware" (a retailer's policy), not here.
 *
 * `fixedIn` is the highest fixed version among those advisories (numeric-aware order, as the
 * product's versions are listed): the one firmware that carries every fix.
 *
 * "Fix announced, not yet verified". A supplier may say a fix is in version X before X is
 * registered on the product; the fix is certified only for a registered version (an assessor
 * verifies it, or a re-certification of that firmware is approved), and until then the report
 * says "fix announced, not yet verified".
 *
 * The words. A fix "certified" in the sense above is a fix the certification body's assessor
 * verified: it triggers disclosure and "update required", but it certifies no firmware. What people
 * read says "fix verified", and calls X certified only when X has a valid seal of its own (a
 * re-certification of X approved), linking that seal.
 */
import type { PublicAdvisory } from "./disclosure";
import type { FindingStatus } from "./findings";

export interface UpdateRequired {
  /** The public advisories affecting the certified firmware whose fix is certified in another version, in the order given (newest disclosed first). */
  advisories: string[];
  /** The firmware to install: the highest fixed version among them. */
  fixedIn: string;
  /**
   * The valid seal of `fixedIn` itself, where a view looked it up (the seal page, /verify): a string
   * when that firmware is certified, null when its fix was only verified by an assessor (it has no
   * seal of its own), absent when not looked up (the API, the bulk check, the watchlist).
   */
  fixedInSeal?: string | null;
}

const byVersion = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/**
 * The order of two firmware versions, numeric-aware as the product's versions are listed ("3.10.0"
 * after "3.9.2"): negative when `a` is older, positive when newer, null when they cannot be
 * compared (either names no number, or they differ only in what the order ignores, "1.0" and "1.00").
 */
export function compareFirmware(a: string, b: string): number | null {
  const x = a.trim();
  const y = b.trim();
  if (!/\d/.test(x) || !/\d/.test(y)) return null;
  const order = byVersion(x, y);
  return order === 0 && x !== y ? null : order;
}

/** What an advisory says it affects: firmware versions, and (where known) each with its hardware revision. */
type Affects = Pick<PublicAdvisory, "affectedVersions"> & {
  affected?: readonly { hardwareRevision: string; firmwareVersion: string }[];
};

/**
 * The public advisories that list `firmware` among their affected versions (order kept). Given the
 * certified hardware revision, an advisory that names revisions must name this one: a report
 * against hardware B firmware 1.0 does not affect hardware A firmware 1.0.
 */
export function advisoriesAffecting<A extends Affects>(
  firmware: string,
  advisories: readonly A[],
  hardwareRevision?: string | null,
): A[] {
  const fw = firmware.trim();
  if (!fw) return [];
  const hw = hardwareRevision?.trim();
  return advisories.filter((a) =>
    hw !== undefined && a.affected?.length
      ? a.affected.some((x) => x.firmwareVersion.trim() === fw && x.hardwareRevision.trim() === hw)
      : a.affectedVersions.some((v) => v.trim() === fw),
  );
}

/** Whether the seal of `firmware` needs an update, and to which version; null when no public, fixed advisory affects it. */
export function updateRequiredOf(
  firmware: string,
  advisories: readonly (Pick<PublicAdvisory, "advisoryId" | "fixedInVersion"> & Affects)[],
  hardwareRevision?: string | null,
): UpdateRequired | null {
  const fw = firmware.trim();
  const fixed = advisoriesAffecting(fw, advisories, hardwareRevision).filter(
    (a): a is typeof a & { fixedInVersion: string } =>
      typeof a.fixedInVersion === "string" && a.fixedInVersion.trim() !== "" && a.fixedInVersion.trim() !== fw,
  );
  if (fixed.length === 0) return null;
  const fixedIn = fixed.map((a) => a.fixedInVersion.trim()).sort(byVersion)[fixed.length - 1];
  return { advisories: [...new Set(fixed.map((a) => a.advisoryId))], fixedIn };
}

/** "Update required: install firmware 1.0.4 (fixes IOTSEAL-2026-0003)." */
export function updateRequiredSentence(u: UpdateRequired): string {
  return `Update required: install firmware ${u.fixedIn} (fixes ${u.advisories.join(", ")}).`;
}

/** One CSV cell: "update to 1.0.4: IOTSEAL-2026-0003" (empty when no update is required). */
export function updateRequiredCell(u: UpdateRequired | null | undefined): string {
  return u ? `update to ${u.fixedIn}: ${u.advisories.join(" ")}` : "";
}

/** The facts back from a CSV cell written by updateRequiredCell (null for an empty or foreign cell). */
export function parseUpdateRequiredCell(cell: string): UpdateRequired | null {
  const m = /^update to (\S+): (\S.*)$/.exec(cell.trim());
  return m ? { fixedIn: m[1], advisories: m[2].split(/\s+/) } : null;
}

// --- A fix is certified only for a firmware version that exists on the product ------------------

export type FixState =
  | { state: "none" }
  /** The supplier said "fixed in X"; not yet certified. `registered`: X is a version of the product. */
  | { state: "announced"; version: string; registered: boolean }
  | { state: "certified"; version: string };

/** Where a finding's fix stands. `registeredVersions`: the firmware versions registered on the product. */
export function fixStateOf(
  f: { status: FindingStatus; fixedInVersion: string | null },
  registeredVersions: readonly string[],
): FixState {
  const v = f.fixedInVersion?.trim();
  if (!v) return { state: "none" };
  if (f.status === "verified_fixed") return { state: "certified", version: v };
  if (f.status === "fixed") return { state: "announced", version: v, registered: isRegistered(v, registeredVersions) };
  return { state: "none" }; // a rejected fix (back to fix in progress) or a withdrawn report announces nothing
}

export function isRegistered(version: string, registeredVersions: readonly string[]): boolean {
  const v = version.trim();
  return registeredVersions.some((r) => r.trim() === v);
}

/**
 * What the supplier is told after "fixed in X" for a firmware not registered on the product.
 * `currentSeal`: the product has a current seal (active or suspended, not expired), so the product
 * page offers "Re-certify from seal …" on the new version; without one it offers no such button, and
 * the version is submitted for certification instead.
 */
export function registerFixVersionNotice(version: string, productName: string, currentSeal: boolean): string {
  const announced =
    `Firmware ${version} is not registered on ${productName}, so this fix cannot be verified yet: the report says ` +
    `"fix announced, not yet verified". Add ${version} as a version of the product (Products → ${productName} → ` +
    `Add a version)`;
  return currentSeal
    ? `${announced}, then start its re-certification ("Re-certify from seal …" on that version); its approval ` +
        `certifies the fix, or an assessor verifies it once the version is registered.`
    : `${announced}; an assessor then verifies the fix. ${productName} has no current seal to re-certify from: ` +
        `to certify firmware ${version} itself, submit that version for certification.`;
}

/** Why an assessor may not verify a fix in a firmware version that is not registered on the product. */
export function unregisteredFixRefusal(version: string, productName: string): string {
  return (
    `Firmware ${version} is not registered on ${productName}: a fix is certified only for a firmware version of ` +
    `the product. Ask the supplier to add ${version} to the product and start its re-certification; verify the ` +
    `fix once the version exists.`
  );
}

/**
 * The fix's words on a report's page: "Fix announced in 1.0.4, not yet verified", "Fix verified in
 * 1.0.4 by the certification body's assessor; 1.0.4 has no seal of its own". A fix the assessor
 * verified makes the advisory public and names the update (decision 015), but it certifies no
 * firmware: 1.0.4 is certified only when it has a valid seal of its own (`sealed`; the page links it).
 */
export function fixStateLabel(s: FixState, sealed = false): string | null {
  if (s.state === "none") return null;
  if (s.state === "certified")
    return sealed
      ? `Fix verified in ${s.version}; firmware ${s.version} is certified`
      : `Fix verified in ${s.version} by the certification body's assessor; ${s.version} has no seal of its own`;
  return `Fix announced in ${s.version}, not yet verified${s.registered ? "" : ` (${s.version} is not registered on the product)`}`;
}
