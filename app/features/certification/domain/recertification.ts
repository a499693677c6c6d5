/**
 * Delta re-certification: a new firmware version of a certified product is assessed against the
 * certified one, not from scratch. Pure: the caller passes what was certified and what is
 * submitted now.
 *
 * Answers and evidence are carried over into the re-certification. A requirement must be
 * re-reviewed by an assessor when any of these holds:
 *  - the supplier marked it as changed by the new firmware (with a note saying what changed);
 *  - its answer (claim, justification, reason for no evidence) differs from the certified one;
 *  - its evidence differs (a file added or removed);
 *  - an open vulnerability report (finding) names it;
 *  - the requirement itself is new or changed (the re-certification runs on a newer checklist
 *    version because the certified one was retired);
 *  - the certified assessment has no verdict for it that met it;
 *  - its evidence still holds an SBOM of the certified firmware (an SBOM lists the components of
 *    one firmware build: the new firmware needs its own, so it is never carried as certified).
 * Every other requirement keeps the certified verdict (carried over, with its assessor and
 * comment), so the assessor re-reviews only what changed. Once the seal it started from is revoked
 * or expired (after the re-certification was opened), no verdict carries over: every requirement
 * is reviewed again, as in a full assessment.
 */
import type { ComparedField } from "../../catalogue/domain/checklist/diff";
import { compareFirmware } from "../../findings/domain/update-required";

export type DeltaReason =
  | { kind: "marked"; note: string }
  | { kind: "answer_changed" }
  | { kind: "evidence_changed"; added: number; removed: number }
  | { kind: "finding"; findingIds: string[] }
  | { kind: "new_requirement" }
  | { kind: "requirement_changed"; fields: ComparedField[] }
  | { kind: "no_certified_verdict" }
  | { kind: "sbom_of_certified_firmware" }
  | { kind: "certification_ended"; ended: CertificationEnded };

/** Why a seal's certification no longer stands: revoked, or past its validity. */
export type CertificationEnded = "revoked" | "expired";

export interface AnswerText {
  claim: string | null;
  justification: string;
  noEvidenceReason: string;
}

export interface CertifiedRequirement {
  answer: AnswerText | null;
  /** SHA-256 of each evidence file. */
  evidence: readonly string[];
  /** The certified assessment's latest verdict, if it met the requirement (null otherwise). */
  metVerdictId: number | null;
}

export interface CurrentRequirement {
  ref: string;
  answer: AnswerText | null;
  evidence: readonly string[];
}

export interface DeltaInput {
  /** The requirements in scope now, in checklist order. */
  current: readonly CurrentRequirement[];
  /** What was certified, by ref (a ref missing here is new to the re-certification's checklist version). */
  certified: ReadonlyMap<string, CertifiedRequirement>;
  /** Requirements whose text changed between the certified and the current checklist version. */
  changedRequirements?: ReadonlyMap<string, ComparedField[]>;
  /** The supplier's marks: ref -> what changed. */
  marked: ReadonlyMap<string, string>;
  /** Refs named by open findings: ref -> finding ids. */
  findings: ReadonlyMap<string, readonly string[]>;
  /** SHA-256 of the evidence files that are SBOMs (only those of the certified evidence matter). */
  sboms?: ReadonlySet<string>;
  /** The seal it started from was revoked or has expired since (certificationEnded): nothing carries over. */
  sourceEnded?: CertificationEnded | null;
}

export interface DeltaItem {
  ref: string;
  reasons: DeltaReason[];
}

export interface Delta {
  /** Requirements the assessor must review again, in checklist order, each with why. */
  toReview: DeltaItem[];
  /** Requirements whose certified verdict carries over: ref -> the certified verdict's id. */
  carried: { ref: string; verdictId: number }[];
}

const norm = (s: string | null | undefined) => (s ?? "").trim();

export function sameAnswer(a: AnswerText | null, b: AnswerText | null): boolean {
  return (
    (a?.claim ?? null) === (b?.claim ?? null) &&
    norm(a?.justification) === norm(b?.justification) &&
    norm(a?.noEvidenceReason) === norm(b?.noEvidenceReason)
  );
}

function evidenceDelta(before: readonly string[], after: readonly string[]): { added: number; removed: number } {
  const was = new Set(before);
  const now = new Set(after);
  return { added: [...now].filter((h) => !was.has(h)).length, removed: [...was].filter((h) => !now.has(h)).length };
}

/** Why one requirement needs review again (empty: its certified verdict carries over). */
export function reasonsFor(req: CurrentRequirement, input: Omit<DeltaInput, "current">): DeltaReason[] {
  const reasons: DeltaReason[] = [];
  const note = input.marked.get(req.ref);
  if (note !== undefined) reasons.push({ kind: "marked", note });
  const certified = input.certified.get(req.ref);
  if (!certified) {
    reasons.push({ kind: "new_requirement" });
  } else {
    const fields = input.changedRequirements?.get(req.ref);
    if (fields?.length) reasons.push({ kind: "requirement_changed", fields });
    if (!sameAnswer(certified.answer, req.answer)) reasons.push({ kind: "answer_changed" });
    const ev = evidenceDelta(certified.evidence, req.evidence);
    if (ev.added || ev.removed) reasons.push({ kind: "evidence_changed", ...ev });
  }
  const findingIds = input.findings.get(req.ref);
  if (findingIds?.length) reasons.push({ kind: "finding", findingIds: [...findingIds] });
  if (certified && certified.metVerdictId === null) reasons.push({ kind: "no_certified_verdict" });
  // The certified firmware's SBOM, still attached: it lists the old build's components, not the new one's.
  if (certified && input.sboms?.size && req.evidence.some((h) => input.sboms!.has(h) && certified.evidence.includes(h)))
    reasons.push({ kind: "sbom_of_certified_firmware" });
  if (input.sourceEnded) reasons.unshift({ kind: "certification_ended", ended: input.sourceEnded });
  return reasons;
}

export function recertificationDelta(input: DeltaInput): Delta {
  const toReview: DeltaItem[] = [];
  const carried: Delta["carried"] = [];
  for (const req of input.current) {
    const reasons = reasonsFor(req, input);
    if (reasons.length) toReview.push({ ref: req.ref, reasons });
    else carried.push({ ref: req.ref, verdictId: input.certified.get(req.ref)!.metVerdictId! });
  }
  return { toReview, carried };
}

/** One line per reason, for the supplier's and the assessor's pages. */
export function describeReason(r: DeltaReason): string {
  switch (r.kind) {
    case "marked":
      return r.note ? `Marked as changed by the supplier: ${r.note}` : "Marked as changed by the supplier";
    case "answer_changed":
      return "The answer differs from the certified one";
    case "evidence_changed":
      return `Evidence changed (${[r.added ? `${r.added} added` : "", r.removed ? `${r.removed} removed` : ""].filter(Boolean).join(", ")})`;
    case "finding":
      return `Named by ${r.findingIds.length === 1 ? "an open vulnerability report" : `${r.findingIds.length} open vulnerability reports`}`;
    case "new_requirement":
      return "New in this checklist version";
    case "requirement_changed":
      return `The requirement's ${r.fields.join(", ")} changed in this checklist version`;
    case "no_certified_verdict":
      return "Not met in the certified assessment";
    case "sbom_of_certified_firmware":
      return "Its SBOM is the certified firmware's: replace it with the SBOM of this firmware";
    case "certification_ended":
      return r.ended === "revoked"
        ? "The seal this re-certification started from was revoked: its certified verdicts no longer carry over"
        : "The seal this re-certification started from has expired: its certified verdicts no longer carry over";
  }
}

/** A requirement ref as findings name it, `<checklist-id>:<ref>`, matched against one checklist. */
export function refsNamedFor(checklistId: string, named: readonly string[]): string[] {
  const prefix = `${checklistId}:`;
  return named.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
}

/**
 * Whether a seal's certification has ended, so its verdicts can no longer carry over into a
 * re-certification (null: it stands). Revoked is final; expiry follows from validUntil. A
 * superseded seal's certification stands (a newer one replaced it, nothing undid it).
 */
export function certificationEnded(seal: { state: string; validUntil: Date }, now: Date): CertificationEnded | null {
  if (seal.state === "revoked") return "revoked";
  if (seal.validUntil.getTime() <= now.getTime()) return "expired";
  return null;
}

/** Which seals a re-certification may start from. */
export function recertificationProblem(seal: { state: string; validUntil: Date }, now: Date): string | null {
  const ended = certificationEnded(seal, now);
  if (ended === "revoked")
    return "This seal is revoked; a revoked certification cannot be carried over. Open a full submission instead.";
  if (seal.state === "superseded") return "This seal is already superseded; re-certify from the seal that replaced it.";
  if (ended === "expired")
    return "This seal has expired; its assessment is too old to carry over. Open a full submission (or renew) instead.";
  return null;
}

/** A product version as the re-certification rule compares it. */
export interface VersionFacts {
  firmware: string;
  hardware: string;
  /** When it was registered on the product (the order when the firmware versions cannot be compared). */
  createdAt: Date;
}

/**
 * Whether `target` may replace the seal of `sealed` through a re-certification, by the versions
 * alone (null: it may). A re-certification carries a seal over to a NEWER firmware of the same
 * hardware revision: never back to an older one (which may carry the very vulnerabilities fixed in
 * the sealed one). Newer by the numeric-aware firmware order; where the two cannot be compared,
 * newer means registered on the product after the sealed version.
 */
export function recertificationOrderProblem(sealed: VersionFacts, target: VersionFacts): string | null {
  const hwSealed = sealed.hardware.trim();
  const hwTarget = target.hardware.trim();
  const fw = target.firmware.trim();
  const full = `Submit ${fw} for a full assessment instead.`;
  if ((hwSealed || hwTarget) && hwSealed !== hwTarget)
    return `Firmware ${fw} is for hardware revision ${hwTarget || "(none)"}, the sealed firmware ${sealed.firmware} for revision ${hwSealed || "(none)"}: a re-certification carries a seal over only to newer firmware of the same hardware revision. ${full}`;
  const order = compareFirmware(fw, sealed.firmware);
  if (order === null ? target.createdAt.getTime() <= sealed.createdAt.getTime() : order <= 0)
    return order === null
      ? `Firmware ${fw} was not registered after the sealed firmware ${sealed.firmware} (their version numbers cannot be compared): a re-certification carries a seal over only to newer firmware. ${full}`
      : `Firmware ${fw} is not newer than the sealed firmware ${sealed.firmware}: a re-certification carries a seal over only to newer firmware, never back to an older one. ${full}`;
  return null;
}
