/**
 * A checklist version in words, for people: its title and version, never its slug. The version
 * is not repeated when the title already ends with it ("... Regulations 2023", version "2023"),
 * and a certification body's revision "<upstream>-r<n>" (docs/decisions/008) is spelled out: the
 * shipped revisions add continuous monitoring (fresh evidence after the seal), which the caller
 * knows from the version's requirements (`continuousMonitoring`); without that knowledge the
 * revision is named as such.
 */
import { checklistShortName } from "./crosswalk";

export interface ChecklistLabelInput {
  title: string;
  version: string;
  /** Some requirement of this version asks for fresh evidence after the seal (recurs_every_days). */
  continuousMonitoring?: boolean;
}

const REVISION = /^(.*)-r(\d+)$/;

/** "3.1.3-r1" -> { upstream: "3.1.3", revision: 1 }; "2023" -> { upstream: "2023", revision: null }. */
export function splitRevision(version: string): { upstream: string; revision: number | null } {
  const m = REVISION.exec(version);
  return m ? { upstream: m[1], revision: Number(m[2]) } : { upstream: version, revision: null };
}

/** The title with the upstream version, unless the title already ends with it. */
function titleWithVersion(title: string, upstream: string): string {
  const t = title.trim();
  return t === upstream || t.endsWith(` ${upstream}`) ? t : `${t} ${upstream}`;
}

/** What the version adds in words: "with continuous monitoring", "revision 2", or "" for an upstream version. */
export function revisionWords(c: Pick<ChecklistLabelInput, "version" | "continuousMonitoring">): string {
  const { revision } = splitRevision(c.version);
  if (c.continuousMonitoring) return "with continuous monitoring";
  return revision === null ? "" : `(revision ${revision})`;
}

/**
 * One line: "Cyber Security for Consumer Internet of Things: Baseline Requirements 3.1.3 with
 * continuous monitoring", "Product Security and Telecommunications Infrastructure (...)
 * Regulations 2023".
 */
export function checklistVersionLabel(c: ChecklistLabelInput): string {
  const base = titleWithVersion(c.title, splitRevision(c.version).upstream);
  const extra = revisionWords(c);
  return extra ? `${base} ${extra}` : base;
}

/**
 * The short form, for a place with room for a few words (a closed drop-down on a phone): the
 * standard's designation from its id and the version, "ETSI EN 303 645 3.1.3 with continuous
 * monitoring", "UK PSTI 2023", "EN 18031 2024".
 */
export function checklistShortLabel(c: Omit<ChecklistLabelInput, "title"> & { checklistId: string }): string {
  const extra = revisionWords(c);
  return `${checklistShortName(c.checklistId)} ${splitRevision(c.version).upstream}${extra ? ` ${extra}` : ""}`;
}

/**
 * The standard's designation to put before a checklist's title where the title does not say it, so
 * that a buyer recognises the standard: "ETSI EN 303 645" before "Cyber Security for Consumer
 * Internet of Things: Baseline Requirements", "UK PSTI" before "Product Security and
 * Telecommunications Infrastructure (…) Regulations 2023". Null where the title names it already
 * ("EN 18031: …") or the id is made of words, not a designation ("IoTSF Assurance Framework").
 */
export function designationBeforeTitle(checklistId: string, title: string): string | null {
  const short = checklistShortName(checklistId);
  const isDesignation = short.split(" ").every((w) => /^[A-Z0-9]+$/.test(w));
  if (!isDesignation || title.toUpperCase().includes(short.toUpperCase())) return null;
  return short;
}
