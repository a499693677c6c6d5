/**
 * A checklist version's verdict model (`verdicts` in its file), read back from the canonical
 * content the version was imported with. A file without the field, or content that cannot be
 * read, has the standard model: the behaviour every checklist had before the field existed.
 */
import { DEFAULT_VERDICT_MODEL, VERDICT_MODELS, type VerdictModel } from "./schema";

export function verdictModelOf(file: { verdicts?: unknown }): VerdictModel {
  const v = file.verdicts;
  return typeof v === "string" && (VERDICT_MODELS as readonly string[]).includes(v)
    ? (v as VerdictModel)
    : DEFAULT_VERDICT_MODEL;
}

/** The verdict model stored in a version's canonical content JSON (`checklist_versions.content`). */
export function verdictModelOfContent(content: string): VerdictModel {
  try {
    const parsed: unknown = JSON.parse(content);
    return typeof parsed === "object" && parsed !== null ? verdictModelOf(parsed) : DEFAULT_VERDICT_MODEL;
  } catch {
    return DEFAULT_VERDICT_MODEL;
  }
}

/** How the browsing pages name a verdict model. */
export const VERDICT_MODEL_DESCRIPTIONS: Record<VerdictModel, { label: string; description: string }> = {
  standard: {
    label: "Pass / fail",
    description:
      "Each requirement is judged Pass or Fail; Not applicable only where the requirement has a condition or the supplier claims it does not apply.",
  },
  "decision-tree": {
    label: "Decision tree (PASS / FAIL / NOT APPLICABLE)",
    description:
      "Each requirement is assessed through a decision tree that ends in PASS, FAIL or NOT APPLICABLE; any requirement may be judged not applicable, but only with a written justification.",
  },
};
