/** Crosswalk targets: `<checklist-id>:<ref>` strings from a requirement's maps_to. */
import { byNewest } from "./newest";
import type { ChecklistFile, CrosswalkKind, MapsToEntry, RuleProblem } from "./schema";

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
  return (
    holding.filter((v) => v.status === "published").sort(byNewest)[0] ??
    holding.filter((v) => v.status === "retired").sort(byNewest)[0] ??
    null
  );
}

/**
 * The refs every imported version of a checklist has, together: null while no version of that
 * checklist is imported (a link to it is kept, unresolved, until it arrives).
 */
export type KnownRefs = (checklistId: string) => ReadonlySet<string> | null;

/**
 * Crosswalk targets that can never resolve: their checklist is imported, but no imported version
 * of it has the ref (a mistyped ref). Targets whose checklist is not imported yet are fine.
 */
export function unknownCrosswalkTargets(file: ChecklistFile, knownRefs: KnownRefs): RuleProblem[] {
  const out: RuleProblem[] = [];
  file.sections.forEach((section, s) =>
    section.requirements.forEach((req, r) =>
      (req.maps_to ?? []).forEach((entry, t) => {
        const target = parseCrosswalkTarget(crosswalkEntry(entry).target);
        if (!target) return;
        const refs = knownRefs(target.checklistId);
        if (!refs || refs.has(target.ref)) return;
        const at: (string | number)[] = ["sections", s, "requirements", r, "maps_to", t];
        out.push({
          path: typeof entry === "string" ? at : [...at, "to"],
          message: `no imported version of ${target.checklistId} has requirement "${target.ref}" (check the ref)`,
        });
      }),
    ),
  );
  return out;
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
