/**
 * The certification module's form schemas: pure zod (no server imports), so the services, the
 * routes and the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { areaText, decimalNumber } from "../../platform/forms";
import { CLAIMS, JUSTIFICATION_MAX, NO_EVIDENCE_REASON_MAX } from "./domain/answers";
import { VERDICTS } from "./domain/review";

// ---------------------------------------------------------------------------------------------
// The supplier's side

export const openSubmissionInput = z.object({
  productVersionId: z
    .string({ error: "Choose the product version to certify." })
    .min(1, { error: "Choose the product version to certify." }),
  target: z
    .string({ error: "Choose a checklist version and level." })
    .regex(/^[^|]+\|[^|]+$/, { error: "Choose a checklist version and level." })
    .transform((v) => {
      const [checklistVersionId, targetLevel] = v.split("|");
      return { checklistVersionId, targetLevel };
    }),
  /** The checkbox "Pre-fill from my other submissions for this firmware through the crosswalk" (checked by default). */
  prefill: z
    .union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal("")])
    .optional()
    .transform((v) => v === "on" || v === "true"),
});

export const answerInput = z.object({
  claim: z.enum(CLAIMS, { error: "Choose implemented, not implemented or not applicable." }),
  justification: areaText(JUSTIFICATION_MAX, "At most 10,000 characters.").default(""),
  noEvidenceReason: z.string().max(NO_EVIDENCE_REASON_MAX, { error: "At most 5,000 characters." }).default(""),
  revision: decimalNumber(z.number().int().min(0).optional()),
});

export const recertificationInput = z.object({
  serial: z
    .string({ error: "Choose the seal to re-certify from." })
    .trim()
    .min(1, { error: "Choose the seal to re-certify from." }),
  productVersionId: z
    .string({ error: "Choose the new firmware version." })
    .min(1, { error: "Choose the new firmware version." }),
  changeSummary: z
    .string({ error: "Say what changed in this firmware." })
    .trim()
    .min(10, { error: "Say what changed in this firmware (at least 10 characters): the assessor reads it first." })
    .max(5000, { error: "Keep the summary under 5,000 characters." }),
});

export const changeMarkInput = z.object({
  changed: z
    .union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal("")])
    .optional()
    .transform((v) => v === "on" || v === "true"),
  note: z.string().trim().max(2000, { error: "Keep the note under 2,000 characters." }).default(""),
});

// ---------------------------------------------------------------------------------------------
// The assessor's side

export const verdictInput = z.object({
  verdict: z.enum(VERDICTS, { error: "Choose pass, fail, not applicable or needs information." }),
  comment: z.string().max(10_000, { error: "At most 10,000 characters." }).default(""),
  accepted: z
    .union([z.literal("on"), z.literal("true"), z.literal("")])
    .optional()
    .transform((v) => v === "on" || v === "true"),
  version: decimalNumber(
    z
      .number({ error: "The page is out of date; reload it." })
      .int()
      .min(1, { error: "The page is out of date; reload it." }),
  ),
});

/** The longest comment on an assessor's decision (request changes, propose, confirm, return, reject). */
export const DECISION_COMMENT_MAX = 5_000;

/** A decision's note or reason as the form sends it (at most DECISION_COMMENT_MAX characters, named when longer). */
export const decisionComment = z
  .string()
  .max(DECISION_COMMENT_MAX, { error: "The comment is too long: at most 5,000 characters." })
  .default("");

/** What the page says when a rejection or a returned proposal comes without its reason. */
export const REASON_REQUIRED = "Give a reason: the supplier or your colleague will read it.";

/**
 * The reason a rejection or a returned proposal must give (the form's `comment` field): the
 * services refuse it shorter than 3 characters once trimmed.
 */
export const decisionReason = z
  .string()
  .trim()
  .min(3, { error: "A reason is required." })
  .max(DECISION_COMMENT_MAX, { error: "At most 5,000 characters." });
