/** Crosswalk targets: `<checklist-id>:<ref>` strings from a requirement's maps_to. */
import type { CrosswalkKind, MapsToEntry } from "./schema";

export interface CrosswalkTarget {
  checklistId: string;
  ref: string;
}

/** A maps_to entry in either form: its target and its kind (null: a plain string, kind unspecified). */
export function crosswalkEntry(entry: MapsToEntry): { target: string; kind: CrosswalkKind | null } {
  return typeof entry === "string" ? { target: entry, kind: null } : { target: entry.to, kind: entry.kind };
}

export function parseCrosswalkTarget(value: string): CrosswalkTarget | null {
  const i = value.indexOf(":");
  if (i <= 0 || i === value.length - 1) return null;
  return { checklistId: value.slice(0, i), ref: value.slice(i + 1) };
}

/**
 * Which version of the target checklist a link resolves to: the newest published version that
 * contains the ref, else the newest retired one; null while no imported version has it.
 */
export function resolveCrosswalk<
  V extends { version: string; publishedOn: string; status: string; refs: ReadonlySet<string> },
>(versions: readonly V[], ref: string): V | null {
  const holding = versions.filter((v) => v.refs.has(ref));
  const newestFirst = (a: V, b: V) =>
    b.publishedOn.localeCompare(a.publishedOn) || b.version.localeCompare(a.version, undefined, { numeric: true });
  return (
    holding.filter((v) => v.status === "published").sort(newestFirst)[0] ??
    holding.filter((v) => v.status === "retired").sort(newestFirst)[0] ??
    null
  );
}

/** Words of checklist ids that are written differently from plain capitalisation. */
const SPELLING: Record<string, string> = { iotsf: "IoTSF", iot: "IoT" };

/**
 * A short name for a checklist, from its id, for messages and tables: "etsi-en-303-645" ->
 * "ETSI EN 303 645", "uk-psti" -> "UK PSTI", "iotsf-assurance-framework" -> "IoTSF Assurance
 * Framework". Short letter groups are acronyms; longer words are capitalised.
 */
export function checklistShortName(checklistId: string): string {
  return checklistId
    .split("-")
    .map((w) => SPELLING[w] ?? (/^[a-z]{1,4}$/.test(w) ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(" ");
}
