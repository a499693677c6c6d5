/** Differences between two versions of a checklist, requirement by requirement (matched by ref). */
import type { Applicability, CrosswalkKind } from "./schema";

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
  /** `evidence`, the evidence expected (compared by the version diff only, when both sides carry it). */
  evidenceHint?: string | null;
  /** `maps_to`, each target with its kind (compared by the version diff only, when both sides carry it). */
  mapsTo?: { to: string; kind: CrosswalkKind | null }[];
}

/**
 * What decides that a requirement changed for a re-certification (certification/recertification.server.ts):
 * the assessor reviews it again. Wording, applicability, condition and recurrence only.
 */
export const COMPARED_FIELDS = ["title", "text", "applies", "condition", "recurrence"] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/**
 * What the version diff page shows as changed: the compared fields, and also the evidence expected,
 * the section a requirement sits in, and its crosswalk. These do not make a re-certification review
 * a requirement again.
 */
export const DIFF_FIELDS = [...COMPARED_FIELDS, "evidence", "section", "crosswalk"] as const;
export type DiffField = (typeof DIFF_FIELDS)[number];

export interface RequirementChange {
  ref: string;
  before: RequirementFacts;
  after: RequirementFacts;
  fields: DiffField[];
}

/** A requirement of `from` whose ref is gone, replaced by refs of `to` that add a letter to it (5.3-4 -> 5.3-4A, 5.3-4B). */
export interface RequirementSplit {
  ref: string;
  into: string[];
}

export interface ChecklistDiff {
  added: RequirementFacts[];
  removed: RequirementFacts[];
  changed: RequirementChange[];
  unchanged: number;
  /** Removed refs split into added ones (both are also listed in removed and added), in `from`'s order. */
  splits: RequirementSplit[];
}

function sameApplies(a: Record<string, Applicability>, b: Record<string, Applicability>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** The fields a re-certification compares (COMPARED_FIELDS), in that order. */
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

const linkKey = (l: { to: string; kind: CrosswalkKind | null }) => `${l.to}\u0000${l.kind ?? ""}`;

function sameLinks(a: NonNullable<RequirementFacts["mapsTo"]>, b: NonNullable<RequirementFacts["mapsTo"]>): boolean {
  const left = new Set(a.map(linkKey));
  const right = new Set(b.map(linkKey));
  return left.size === right.size && [...left].every((k) => right.has(k));
}

/** The fields the version diff shows as changed (DIFF_FIELDS), in that order. */
export function diffFields(a: RequirementFacts, b: RequirementFacts): DiffField[] {
  const out: DiffField[] = changedFields(a, b);
  if (
    a.evidenceHint !== undefined &&
    b.evidenceHint !== undefined &&
    (a.evidenceHint ?? null) !== (b.evidenceHint ?? null)
  )
    out.push("evidence");
  if (a.sectionRef !== b.sectionRef) out.push("section");
  if (a.mapsTo !== undefined && b.mapsTo !== undefined && !sameLinks(a.mapsTo, b.mapsTo)) out.push("crosswalk");
  return out;
}

/** The refs of `added` that split `ref`: the same ref with one letter added (5.3-4 -> 5.3-4A). */
function splitParts(ref: string, added: readonly RequirementFacts[]): string[] {
  return added.map((r) => r.ref).filter((a) => a.length === ref.length + 1 && a.startsWith(ref) && /[A-Za-z]$/.test(a));
}

/** `from` -> `to`: added and changed in `to`'s order, removed in `from`'s order. */
export function diffRequirements(from: RequirementFacts[], to: RequirementFacts[]): ChecklistDiff {
  const before = new Map(from.map((r) => [r.ref, r]));
  const after = new Set(to.map((r) => r.ref));
  const diff: ChecklistDiff = { added: [], removed: [], changed: [], unchanged: 0, splits: [] };
  for (const r of to) {
    const old = before.get(r.ref);
    if (!old) diff.added.push(r);
    else {
      const fields = diffFields(old, r);
      if (fields.length) diff.changed.push({ ref: r.ref, before: old, after: r, fields });
      else diff.unchanged++;
    }
  }
  for (const r of from) if (!after.has(r.ref)) diff.removed.push(r);
  for (const r of diff.removed) {
    const into = splitParts(r.ref, diff.added);
    if (into.length) diff.splits.push({ ref: r.ref, into });
  }
  return diff;
}
