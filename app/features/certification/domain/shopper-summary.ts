/**
 * What a seal promises a shopper, in plain words: the few promises a parent scanning a box cares
 * about ("no default passwords", "a way to report security problems", "updates are checked before
 * they install"), each made only when the certified assessment shows it, and what the seal's level
 * means. Pure: the caller reads the certified verdicts, the requirements in scope and their
 * crosswalk (seals.server.ts publicSealView).
 *
 * A promise is anchored on an ETSI EN 303 645 provision. A requirement of any checklist speaks to
 * it when it is that provision (etsi-en-303-645, same ref) or maps to it (`maps_to`, e.g. UK PSTI
 * "1" -> 5.1-1). The promise is made only when at least one requirement in the seal's scope speaks
 * to it and every one of them was judged "pass": not applicable, not met or not assessed says
 * nothing.
 *
 * The support period comes first (supportSummary): until when the maker provides security updates
 * (month and year, as EU CRA Article 13(19) asks at the least), for how long from going on sale, and,
 * for support shorter than five years, the expected use time the maker states and why.
 */
import { formatMonths } from "../../../platform/calendar";
import { formatMonthYear } from "../../../platform/format";
import { PRODUCT_CATEGORY_NOUNS, type ProductCategory } from "../../catalogue/domain/product";
import {
  assessSupportPeriod,
  supportPeriodShortfall,
  type SupportPeriodFacts,
} from "../../catalogue/domain/support-period";

export interface KeyPromise {
  id: "no-default-passwords" | "report-problems" | "genuine-updates";
  /** The promise in a few words. */
  words: string;
  /** What it means for the shopper, in one sentence. */
  detail: string;
  /** The provision it stands for, as "<checklist id>:<ref>". */
  anchor: string;
}

export const KEY_PROMISES: readonly KeyPromise[] = [
  {
    id: "no-default-passwords",
    words: "No default passwords",
    detail: "Each device has its own password, or asks you to set one: no password shared by every unit.",
    anchor: "etsi-en-303-645:5.1-1",
  },
  {
    id: "report-problems",
    words: "A public way to report security problems",
    detail: "The maker publishes how to report a security problem and says when you will hear back.",
    anchor: "etsi-en-303-645:5.2-1",
  },
  {
    id: "genuine-updates",
    words: "Updates are checked before they install",
    detail: "The device installs only software updates that really come from the maker, unaltered.",
    anchor: "etsi-en-303-645:5.3-9",
  },
];

export interface ScopedRequirement {
  /** The requirement's ref in its checklist. */
  ref: string;
  /** Its `maps_to` targets, as "<checklist id>:<ref>". */
  mapsTo: readonly string[];
  /** The certified verdict (null: none recorded). */
  verdict: string | null;
}

/** The key promises the certified assessment shows, in the order of KEY_PROMISES. */
export function keyPromisesShown(checklistId: string, inScope: readonly ScopedRequirement[]): KeyPromise[] {
  return KEY_PROMISES.filter((p) => {
    const speaking = inScope.filter((r) => `${checklistId}:${r.ref}` === p.anchor || r.mapsTo.includes(p.anchor));
    return speaking.length > 0 && speaking.every((r) => r.verdict === "pass");
  });
}

/**
 * What a level means, in one line. A checklist's level title may carry its meaning after a dash
 * ("Class 2 — also resists attacks on availability with significant impact"); a baseline level is
 * the minimum every connected consumer product should meet.
 */
export function levelMeaning(level: { id: string; title: string } | null | undefined): {
  title: string;
  meaning: string;
} {
  if (!level) return { title: "", meaning: "" };
  const [title, ...rest] = level.title.split(/\s+[—–-]\s+/);
  if (rest.length) {
    const meaning = rest.join(" — ");
    return { title: title.trim(), meaning: meaning.charAt(0).toUpperCase() + meaning.slice(1) + "." };
  }
  if (/^baseline$/i.test(level.id) || /^baseline$/i.test(level.title.trim()))
    return {
      title: level.title.trim(),
      meaning: "The security baseline every connected consumer product should meet.",
    };
  return { title: level.title.trim(), meaning: "" };
}

export interface SupportSummary {
  /** The last month of security updates: "June 2029". */
  until: string;
  /** How long from going on sale: "5 years". */
  span: string;
  /** Support shorter than five years with its stated expected use time: who expects what, and why. */
  expectedUse: { words: string; reason: string } | null;
  /** For a support period that does not meet the EU CRA, the plain statement (null: it does). */
  shortfall: string | null;
}

/** The support period in the shopper's words (see the file comment). */
export function supportSummary(supplierName: string, category: string, facts: SupportPeriodFacts): SupportSummary {
  const a = assessSupportPeriod(facts);
  const noun = PRODUCT_CATEGORY_NOUNS[category as ProductCategory] ?? "product";
  return {
    until: formatMonthYear(`${facts.supportPeriodEnd}T00:00:00Z`),
    span: formatMonths(a.coveredMonths),
    expectedUse:
      a.kind === "short-with-reason"
        ? {
            words: `${supplierName} expects this ${noun} to be used for ${formatMonths(a.expectedUseMonths)}`,
            reason: a.reason,
          }
        : null,
    shortfall: supportPeriodShortfall(facts),
  };
}
