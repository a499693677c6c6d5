/**
 * Carrying answers and evidence across schemes: when a supplier opens a submission for a product
 * version that already has submissions against other checklists, each requirement of the new
 * checklist is pre-filled from the answers of the requirements the crosswalk links to it (either
 * direction). Pure rules: which source submissions count and in what order, which answer feeds
 * which requirement, and how several answers combine into one. The service feeds them rows.
 */
import { checklistShortName } from "../../catalogue/domain/checklist/crosswalk";
import { CLAIM_LABELS, JUSTIFICATION_MAX, NO_EVIDENCE_REASON_MAX, type Claim } from "./answers";
import type { SubmissionStatus } from "./submission-state";

/** One source of a carried answer or file: a requirement of another submission of the same product version. */
export interface CarrySource {
  submissionId: string;
  checklistId: string;
  version: string;
  ref: string;
}

/** What opening a submission carried across (kept on the submission for its notice). */
export interface CarrySummary {
  answers: number;
  evidenceFiles: number;
  evidenceLinks: number;
  from: { submissionId: string; checklistId: string; version: string }[];
}

/** Another submission of the same product version by the same organisation. */
export interface CandidateSubmission {
  id: string;
  checklistId: string;
  version: string;
  status: SubmissionStatus;
  updatedAt: number;
}

export interface SourceAnswer {
  submissionId: string;
  ref: string;
  claim: Claim | null;
  justification: string;
  noEvidenceReason: string;
}

export interface SourceFile {
  submissionId: string;
  ref: string;
  sha256: string;
  originalName: string;
}

/** A requirement of the new submission, with the crosswalk ends linked to it (both directions). */
export interface TargetRequirement {
  ref: string;
  /** Whether "not applicable" may be claimed here (a carried "not applicable" is dropped otherwise). */
  mayBeNotApplicable: boolean;
  links: { checklistId: string; ref: string }[];
}

export interface CarriedFile {
  sha256: string;
  originalName: string;
  from: CarrySource[];
}

export interface CarriedAnswer {
  ref: string;
  claim: Claim | null;
  justification: string;
  noEvidenceReason: string;
  from: CarrySource[];
  files: CarriedFile[];
}

/**
 * The submissions answers may come from, best first: never a withdrawn one nor one against the
 * new submission's own checklist (the crosswalk links different checklists); approved (certified)
 * ones first, then the most recently updated.
 */
export function rankSources(
  candidates: readonly CandidateSubmission[],
  targetChecklistId: string,
): CandidateSubmission[] {
  return candidates
    .filter((c) => c.status !== "withdrawn" && c.checklistId !== targetChecklistId)
    .sort(
      (a, b) =>
        Number(b.status === "approved") - Number(a.status === "approved") ||
        b.updatedAt - a.updatedAt ||
        a.id.localeCompare(b.id),
    );
}

/** "ETSI EN 303 645 5.1-1": a source as the supplier and the assessor read it. */
export function carrySourceLabel(s: Pick<CarrySource, "checklistId" | "ref">): string {
  return `${checklistShortName(s.checklistId)} ${s.ref}`;
}

/** Several sources in words, grouped by checklist: "ETSI EN 303 645 5.1-1, 5.1-2 and 5.6-1; UK PSTI 1". */
export function carrySourcesLabel(sources: readonly Pick<CarrySource, "checklistId" | "ref">[]): string {
  const byChecklist = new Map<string, string[]>();
  for (const s of sources) {
    const refs = byChecklist.get(s.checklistId) ?? [];
    if (!refs.includes(s.ref)) refs.push(s.ref);
    byChecklist.set(s.checklistId, refs);
  }
  return [...byChecklist].map(([id, refs]) => `${checklistShortName(id)} ${listWords(refs)}`).join("; ");
}

interface Contribution {
  source: CarrySource;
  answer: SourceAnswer | null;
  files: SourceFile[];
}

/**
 * What to pre-fill: for every target requirement, each linked source ref is taken from the best
 * ranked submission (of that checklist) that answered it or attached evidence to it; the
 * contributions are then combined (see `combineContributions`). Requirements nothing feeds are
 * left out.
 */
export function planCarryAcross(
  targets: readonly TargetRequirement[],
  ranked: readonly CandidateSubmission[],
  answers: readonly SourceAnswer[],
  files: readonly SourceFile[],
): CarriedAnswer[] {
  const key = (submissionId: string, ref: string) => `${submissionId}\u0000${ref}`;
  const answerAt = new Map(answers.map((a) => [key(a.submissionId, a.ref), a]));
  const filesAt = new Map<string, SourceFile[]>();
  for (const f of files) {
    const list = filesAt.get(key(f.submissionId, f.ref)) ?? [];
    list.push(f);
    filesAt.set(key(f.submissionId, f.ref), list);
  }
  const out: CarriedAnswer[] = [];
  for (const target of targets) {
    const seen = new Set<string>();
    const contributions: Contribution[] = [];
    for (const link of target.links) {
      const linkKey = `${link.checklistId}\u0000${link.ref}`;
      if (seen.has(linkKey)) continue;
      seen.add(linkKey);
      for (const s of ranked) {
        if (s.checklistId !== link.checklistId) continue;
        const answer = answerAt.get(key(s.id, link.ref)) ?? null;
        const linked = filesAt.get(key(s.id, link.ref)) ?? [];
        if (!hasContent(answer) && linked.length === 0) continue;
        contributions.push({
          source: { submissionId: s.id, checklistId: s.checklistId, version: s.version, ref: link.ref },
          answer,
          files: linked,
        });
        break;
      }
    }
    if (contributions.length) out.push(combineContributions(target, contributions));
  }
  return out;
}

function hasContent(a: SourceAnswer | null): a is SourceAnswer {
  return Boolean(a && (a.claim || a.justification.trim() || a.noEvidenceReason.trim()));
}

/**
 * One answer from several: the claim only if every source made the same claim (so "implemented"
 * only if all of them say implemented; "not applicable" only where the target allows it), else no
 * claim and the supplier chooses; the texts list each source ("From ETSI EN 303 645 5.1-1: …",
 * with each claim when they differ); the files are the union, each once.
 */
export function combineContributions(
  target: Pick<TargetRequirement, "ref" | "mayBeNotApplicable">,
  contributions: readonly Contribution[],
): CarriedAnswer {
  const claims = new Set(contributions.map((c) => c.answer?.claim ?? null));
  const [only] = claims;
  const agreed = claims.size === 1 && only !== null ? only : null;
  const claim = agreed === "not_applicable" && !target.mayBeNotApplicable ? null : agreed;
  const mixed = claims.size > 1;
  // One line per distinct text (and claim, when they differ), naming every source that gave it.
  const lines = (pick: (a: SourceAnswer) => string, withClaims: boolean) => {
    const groups = new Map<string, { text: string; claimWords: string; sources: CarrySource[] }>();
    for (const c of contributions) {
      const text = c.answer ? pick(c.answer).trim() : "";
      const claimWords = c.answer?.claim ? CLAIM_LABELS[c.answer.claim].toLowerCase() : "no claim";
      if (!text && !withClaims) continue;
      const key = `${withClaims ? claimWords : ""}\u0000${text}`;
      const group = groups.get(key) ?? { text, claimWords, sources: [] };
      group.sources.push(c.source);
      groups.set(key, group);
    }
    return [...groups.values()].map(({ text, claimWords, sources }) => {
      const label = carrySourcesLabel(sources);
      if (!text) return `From ${label}: ${claimWords}.`;
      return `From ${label}${withClaims ? ` (${claimWords})` : ""}: ${text}`;
    });
  };
  const files = new Map<string, CarriedFile>();
  for (const c of contributions)
    for (const f of c.files) {
      const file = files.get(f.sha256) ?? { sha256: f.sha256, originalName: f.originalName, from: [] };
      if (!file.from.some((s) => s.submissionId === c.source.submissionId && s.ref === c.source.ref))
        file.from.push(c.source);
      files.set(f.sha256, file);
    }
  return {
    ref: target.ref,
    claim,
    justification: clip(lines((a) => a.justification, mixed).join("\n\n"), JUSTIFICATION_MAX),
    noEvidenceReason: clip(lines((a) => a.noEvidenceReason, false).join("\n\n"), NO_EVIDENCE_REASON_MAX),
    from: contributions.map((c) => c.source),
    files: [...files.values()],
  };
}

/** Cuts a combined text to the answer's limit, saying so. */
function clip(text: string, max: number): string {
  const more = " […]";
  return text.length <= max ? text : text.slice(0, max - more.length) + more;
}

/** Totals of a plan, and the submissions it drew on (in the order of `ranked`). */
export function summarisePlan(plan: readonly CarriedAnswer[], ranked: readonly CandidateSubmission[]): CarrySummary {
  const used = new Set(plan.flatMap((p) => p.from.map((f) => f.submissionId)));
  return {
    answers: plan.length,
    evidenceLinks: plan.reduce((n, p) => n + p.files.length, 0),
    evidenceFiles: new Set(plan.flatMap((p) => p.files.map((f) => f.sha256))).size,
    from: ranked
      .filter((s) => used.has(s.id))
      .map((s) => ({ submissionId: s.id, checklistId: s.checklistId, version: s.version })),
  };
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

function listWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The submission page's notice after opening: what was carried across, from which submissions. */
export function carryNotice(summary: CarrySummary): string {
  if (summary.answers === 0)
    return "Nothing was carried across: none of your other submissions for this firmware answers a requirement the crosswalk links to this checklist.";
  const names = [...new Set(summary.from.map((f) => checklistShortName(f.checklistId)))];
  return `${count(summary.answers, "answer")} and ${summary.evidenceFiles === 0 ? "no evidence files" : count(summary.evidenceFiles, "evidence file")} were carried across from your ${listWords(names)} submission${names.length === 1 ? "" : "s"}; each is marked for you to check.`;
}
