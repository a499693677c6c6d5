/**
 * The monitoring module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";

export const recurringEvidenceInput = z.object({
  ref: z
    .string({ error: "Choose the requirement the evidence is for." })
    .trim()
    .min(1, { error: "Choose the requirement the evidence is for." })
    .max(64, { error: "Choose a requirement from the list." }),
  note: z
    .string({ error: "Add a note: what the evidence shows." })
    .trim()
    .min(10, {
      error: "Add a note of at least 10 characters: what the evidence shows (e.g. the scan's date, scope and result).",
    })
    .max(5_000, { error: "Keep the note under 5,000 characters." }),
});

export const recurringDecisionInput = z
  .object({
    decision: z.enum(["accept", "reject"], { error: "Choose accept or reject." }),
    comment: z
      .string({ error: "The comment must be text." })
      .trim()
      .max(5_000, { error: "Keep the comment under 5,000 characters." })
      .default(""),
  })
  .superRefine((v, ctx) => {
    if (v.decision === "reject" && v.comment.length < 10) {
      ctx.addIssue({
        code: "custom",
        path: ["comment"],
        message: "Say why the evidence is rejected (at least 10 characters): the supplier sees your comment.",
      });
    }
  });
