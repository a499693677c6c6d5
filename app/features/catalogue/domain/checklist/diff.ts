/** Differences between two versions of a checklist, requirement by requirement (matched by ref). */
import type { Applicability } from "./schema";

export interface RequirementFacts {
  ref: string;
  sectionRef: string;
  sectionTitle: string;
  title: string;
  text: string;
  applies: Record<string, Applicability>;
  condition: string | null;
  /** `recurs_every_days` (compared only when both sides carry it: a re-certification's delta leaves it out). */
  recursEveryDays?: number | null;
}

export const COMPARED_FIELDS = ["title", "text", "applies", "condition", "recurrence"] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export interface RequirementChange {
  ref: string;
  before: RequirementFacts;
  after: RequirementFacts;
  fields: ComparedField[];
}

export interface ChecklistDiff {
  added: RequirementFacts[];
  removed: RequirementFacts[];
  changed: RequirementChange[];
  unchanged: number;
}

function sameApplies(a: Record<string, Applicability>, b: Record<string, Applicability>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

export function changedFields(a: RequirementFacts, b: RequirementFacts): ComparedField[] {
  const out: ComparedField[] = [];
  if (a.title !== b.title) out.push("title");
  if (a.text !== b.text) out.push("text");
  if (!sameApplies(a.applies, b.applies)) out.push("applies");
  if ((a.condition ?? null) !== (b.condition ?? null)) out.push("condition");
  if (
    a.recursEveryDays !== undefined &&
    b.recursEveryDays !== undefined &&
    (a.recursEveryDays ?? null) !== (b.recursEveryDays ?? null)
  )
    out.push("recurrence");
  return out;
}

/** `from` -> `to`: added and changed in `to`'s order, removed in `from`'s order. */
export function diffRequirements(from: RequirementFacts[], to: RequirementFacts[]): ChecklistDiff {
  const before = new Map(from.map((r) => [r.ref, r]));
  const after = new Set(to.map((r) => r.ref));
  const diff: ChecklistDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const r of to) {
    const old = before.get(r.ref);
    if (!old) diff.added.push(r);
    else {
      const fields = changedFields(old, r);
      if (fields.length) diff.changed.push({ ref: r.ref, before: old, after: r, fields });
      else diff.unchanged++;
    }
  }
  for (const r of from) if (!after.has(r.ref)) diff.removed.push(r);
  return diff;
}
