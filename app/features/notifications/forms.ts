/** The notification pages' form schemas (no `.server`: the browser may use them). */
import { z } from "zod";
import { decimalNumber } from "../../platform/forms";
import { EMAIL_PREFERENCES, NOTIFICATION_CATEGORIES, type Category, type EmailPreference } from "./domain/categories";

const choice = z.enum(EMAIL_PREFERENCES, { error: "Choose email at once, a daily digest or no email." });

/** The settings form: one radio group per category shown (`email.<category>`); categories not sent stay as they are. */
export const preferencesInput = z
  .record(z.string(), z.string())
  .transform((values) => {
    const out: Partial<Record<Category, string>> = {};
    for (const c of NOTIFICATION_CATEGORIES) if (values[`email.${c}`] !== undefined) out[c] = values[`email.${c}`];
    return out;
  })
  .pipe(z.partialRecord(z.enum(NOTIFICATION_CATEGORIES), choice))
  .refine((v) => Object.keys(v).length > 0, { error: "Choose at least one setting." })
  .transform((v) => v as Partial<Record<Category, EmailPreference>>);

/** "Mark all read": up to the newest notification the page showed (ms since the epoch; absent: all). */
export const readAllInput = z.object({
  intent: z.literal("read-all", { error: "Unknown action." }),
  upTo: decimalNumber(
    z
      .number({ error: "upTo must be a time in milliseconds." })
      .int({ error: "upTo must be a time in milliseconds." })
      .min(0, { error: "upTo must be a time in milliseconds." })
      .max(8.64e15, { error: "upTo must be a time in milliseconds." })
      .optional(),
  ),
});

/** `?page=` of the lists. */
export const pageQuery = z.object({
  page: decimalNumber(z.number().int().min(1).max(100_000)).catch(1),
});

export const MAIL_STATUS_FILTERS = ["all", "pending", "sending", "sent", "failed", "kept", "digest"] as const;

export const outboxQuery = pageQuery.extend({
  status: z.enum(MAIL_STATUS_FILTERS).catch("all"),
});
