/**
 * Crosswalk coverage: what a certified assessment against one checklist says about another
 * checklist, through the crosswalk links between the two (either file may hold a link; the portal
 * reads every link both ways). Pure: the caller says which source requirements were met.
 *
 * A target requirement is
 *   - covered: a met source requirement is linked to it as `equivalent`;
 *   - partly covered: met source requirements are linked to it, but only as `partial` or with the
 *     kind unspecified;
 *   - not covered: no met source requirement is linked to it. It may still be linked from source
 *     requirements that were not met here (failed, accepted on a justification, or outside the
 *     assessed level): those are listed, as "linked but not met here".
 * Counts are over every requirement of the target version; those mandatory at its lowest level are
 * counted again on their own.
 *
 * The same rule decides a buyer's required provision met through the crosswalk
 * (retail/domain/policy.ts): only a link that covers (`equivalent`) meets it.
 */
import type { CrosswalkKind } from "./schema";

export type CoverageStatus = "covered" | "partly_covered" | "not_covered";

export const COVERAGE_STATUS_LABELS: Record<CoverageStatus, string> = {
  covered: "Covered",
  partly_covered: "Partly covered",
  not_covered: "Not covered",
};

/** Why a linked source requirement does not count. */
export type SourceShortfall = "not_met" | "not_in_scope";

export interface CoverageSourceRequirement {
  ref: string;
  title: string;
  /** Assessed at the certified level (it applies there). */
  inScope: boolean;
  /** Met on its merits: passed, or not applicable where allowed; an advisory accepted on its justification is not met. */
  met: boolean;
}

export interface CoverageTargetRequirement {
  ref: string;
  sectionRef: string;
  title: string;
  /** Mandatory at the target checklist's lowest level. */
  mandatory: boolean;
}

/** One crosswalk link between a source and a target requirement, whichever file states it. */
export interface CoverageLink {
  sourceRef: string;
  targetRef: string;
  kind: CrosswalkKind | null;
}

export interface CoverageVia {
  ref: string;
  title: string;
  kind: CrosswalkKind | null;
}

export interface CoverageRow extends CoverageTargetRequirement {
  status: CoverageStatus;
  /** The met source requirements linked to it, strongest kind first, then in the source checklist's order. */
  via: CoverageVia[];
  /** Source requirements linked to it that do not count, and why. */
  linkedNotMet: (CoverageVia & { shortfall: SourceShortfall })[];
}

export interface CoverageCounts {
  total: number;
  covered: number;
  partly: number;
  notCovered: number;
}

export interface ChecklistCoverage {
  rows: CoverageRow[];
  all: CoverageCounts;
  mandatory: CoverageCounts;
  /** Whether any crosswalk link joins the two versions' requirements (false: nothing to read, no counts to give). */
  linked: boolean;
}

const STRENGTH: Record<string, number> = { equivalent: 2, partial: 1, unspecified: 0 };
const strength = (kind: CrosswalkKind | null) => STRENGTH[kind ?? "unspecified"];

/**
 * The kind a link between the same two requirements has when two files state it: when both state a
 * kind and they differ, the weaker (`partial`) stands, since one author says the two do not ask for
 * the same thing; a file that leaves the kind unspecified says nothing either way, so the other
 * file's stated kind stands.
 */
export function mergedKind(a: CrosswalkKind | null, b: CrosswalkKind | null): CrosswalkKind | null {
  if (a === null) return b;
  if (b === null) return a;
  return strength(a) <= strength(b) ? a : b;
}

/**
 * The links between two checklists, one per (source, target) pair, in the order first seen; when
 * both files link the same pair, their kinds merge by mergedKind.
 */
export function mergeLinks<L extends CoverageLink>(links: readonly L[]): L[] {
  const byPair = new Map<string, L>();
  for (const l of links) {
    const key = `${l.sourceRef}\u0000${l.targetRef}`;
    const seen = byPair.get(key);
    byPair.set(key, seen ? { ...seen, kind: mergedKind(seen.kind, l.kind) } : l);
  }
  return [...byPair.values()];
}

/** Whether a link of this kind from a met requirement covers the requirement it links to in full. */
export const coversInFull = (kind: CrosswalkKind | null): boolean => kind === "equivalent";

/** A target requirement's status from the kinds of the links that reach it from met source requirements. */
export function coverageStatus(metLinkKinds: readonly (CrosswalkKind | null)[]): CoverageStatus {
  return metLinkKinds.some(coversInFull) ? "covered" : metLinkKinds.length ? "partly_covered" : "not_covered";
}

function counts(rows: readonly CoverageRow[]): CoverageCounts {
  return {
    total: rows.length,
    covered: rows.filter((r) => r.status === "covered").length,
    partly: rows.filter((r) => r.status === "partly_covered").length,
    notCovered: rows.filter((r) => r.status === "not_covered").length,
  };
}

export function crosswalkCoverage(
  source: readonly CoverageSourceRequirement[],
  target: readonly CoverageTargetRequirement[],
  links: readonly CoverageLink[],
): ChecklistCoverage {
  const sources = new Map(source.map((s) => [s.ref, s]));
  const order = new Map(source.map((s, i) => [s.ref, i]));
  const merged = mergeLinks(links);
  const rows = target.map((t): CoverageRow => {
    const linked = merged
      .filter((l) => l.targetRef === t.ref && sources.has(l.sourceRef))
      .map((l) => ({ link: l, from: sources.get(l.sourceRef)! }))
      .sort((a, b) => strength(b.link.kind) - strength(a.link.kind) || order.get(a.from.ref)! - order.get(b.from.ref)!);
    const via = linked
      .filter((x) => x.from.met)
      .map((x) => ({ ref: x.from.ref, title: x.from.title, kind: x.link.kind }));
    const linkedNotMet = linked
      .filter((x) => !x.from.met)
      .map((x) => ({
        ref: x.from.ref,
        title: x.from.title,
        kind: x.link.kind,
        shortfall: (x.from.inScope ? "not_met" : "not_in_scope") as SourceShortfall,
      }));
    const status = coverageStatus(via.map((v) => v.kind));
    return { ...t, status, via, linkedNotMet };
  });
  return {
    rows,
    all: counts(rows),
    mandatory: counts(rows.filter((r) => r.mandatory)),
    linked: rows.some((r) => r.via.length > 0 || r.linkedNotMet.length > 0),
  };
}

/** How many not-covered requirements a headline names before "and N more" (the table lists them all). */
export const HEADLINE_NAMES = 6;

/**
 * The headline of one target checklist: "Your ETSI EN 303 645 seal covers 14 of 22 EU CRA Annex I
 * requirements (3 fully, 11 partly); not covered: I.2.b Secure by default configuration, …"; "No
 * crosswalk between UK PSTI and EN 18031 yet." when no link joins the two.
 */
export function coverageHeadline(sourceName: string, targetName: string, coverage: ChecklistCoverage): string {
  // Two checklists nobody has linked yet: "covers 0 of N" would read as a failure of the seal.
  if (!coverage.linked) return `No crosswalk between ${sourceName} and ${targetName} yet.`;
  const { all } = coverage;
  const reached = all.covered + all.partly;
  const detail = reached ? ` (${all.covered} fully, ${all.partly} partly)` : "";
  const missing = coverage.rows.filter((r) => r.status === "not_covered");
  const named = missing.slice(0, HEADLINE_NAMES).map((r) => `${r.ref} ${r.title}`);
  if (missing.length > HEADLINE_NAMES) named.push(`and ${missing.length - HEADLINE_NAMES} more`);
  const tail = missing.length ? `; not covered: ${named.join(", ")}.` : "; every one is covered at least in part.";
  return `Your ${sourceName} seal covers ${reached} of ${all.total} ${targetName} requirement${all.total === 1 ? "" : "s"}${detail}${tail}`;
}
