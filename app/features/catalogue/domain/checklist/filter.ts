/** Filtering a version's requirements by how they apply at a level, and by a search text. */
import { applicabilityAt, type Applicability, type LevelApplicability } from "./schema";

export const SHOW_OPTIONS = ["all", "mandatory", "advisory", "not_required", "recurring"] as const;
export type ShowOption = (typeof SHOW_OPTIONS)[number];

export interface Filterable {
  ref: string;
  title: string;
  text: string;
  condition?: string | null;
  evidenceHint?: string | null;
  applies: Record<string, Applicability>;
  recursEveryDays?: number | null;
}

export function matchesSearch(req: Filterable, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = [req.ref, req.title, req.text, req.condition ?? "", req.evidenceHint ?? ""].join("\n").toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function filterRequirements<R extends Filterable>(
  reqs: readonly R[],
  opts: { level: string; show: ShowOption; q: string },
): (R & { at: LevelApplicability })[] {
  return reqs
    .map((r) => ({ ...r, at: applicabilityAt(r, opts.level) }))
    .filter(
      (r) =>
        (opts.show === "all" ||
          r.at === opts.show ||
          (opts.show === "recurring" && r.recursEveryDays != null && r.at !== "not_required")) &&
        matchesSearch(r, opts.q),
    );
}
