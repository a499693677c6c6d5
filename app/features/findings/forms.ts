/**
 * The findings module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { SEVERITIES } from "./domain/findings";
import { parsePurlLines } from "../catalogue/domain/purl";

const dateField = (label: string) =>
  z
    .string({ message: `Enter the ${label}.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${label} as YYYY-MM-DD.`)
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), `The ${label} is not a real date.`);

/** One package URL per line (optional): the components the flaw is in, as a list of canonical purls. */
export function affectedPurlsField() {
  return z
    .string()
    .max(20_000, "Keep the package URLs under 20,000 characters.")
    .transform((text, ctx) => {
      const r = parsePurlLines(text);
      if (r.ok) return r.purls;
      ctx.addIssue({ code: "custom", message: r.message });
      return z.NEVER;
    });
}

export const findingInput = z.object({
  productId: z.string().min(1, "Choose the product."),
  versionIds: z.array(z.string().min(1)).min(1, "Choose at least one affected firmware version."),
  title: z
    .string()
    .trim()
    .min(5, "Give the finding a title (at least 5 characters).")
    .max(200, "Keep the title under 200 characters."),
  description: z
    .string()
    .trim()
    .min(20, "Describe the issue (at least 20 characters).")
    .max(10_000, "Keep the description under 10,000 characters."),
  severity: z.enum(SEVERITIES, { message: "Choose a severity." }),
  cvssVector: z.string().trim().max(200).optional(),
  /** "Affected components (package URLs)": one purl per line, checked by the reference parser; stored canonical. */
  affectedPurls: affectedPurlsField().optional(),
  reporter: z
    .string()
    .trim()
    .min(2, "Name who reported it (a person, a researcher's handle or an organisation).")
    .max(200),
  reportedOn: dateField("date reported"),
  requirementRefs: z
    .array(z.string().regex(/^[a-z0-9-]+:[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/, "Choose requirements from the list."))
    .max(50, "Name at most 50 requirements.")
    .optional(),
  /** A report public at once (or within a day) because of its date: confirmed (see domain/backdating.ts). */
  confirmPublic: z.literal("yes", { message: "Tick the box to confirm." }).optional(),
  /** A date reported more than a year ago: confirmed as not a typo. */
  confirmReportedOn: z.literal("yes", { message: "Tick the box to confirm." }).optional(),
});

export const findingActionInput = z.object({
  action: z.enum(["acknowledge", "start_fix", "mark_fixed", "verify_fix", "reject_fix", "withdraw"], {
    message: "Choose an action.",
  }),
  note: z.string().trim().max(5000, "Keep the note under 5,000 characters.").default(""),
  fixedInVersion: z.string().trim().max(100).optional(),
  version: z.coerce.number().int().positive(),
});

export const extensionInput = z.object({
  deadline: dateField("new deadline"),
  reason: z.string().trim(),
  version: z.coerce.number().int().positive(),
});

export const publishAdvisoryInput = z.object({
  version: z.coerce
    .number({ message: "The form is missing the report's version; reload the page and try again." })
    .int()
    .positive(),
  confirm: z.literal("yes", { message: "Tick the box to confirm that the advisory becomes public now." }),
});

/** A date and time from an `<input type="datetime-local">` (read as UTC), or YYYY-MM-DD (midnight UTC). */
const dateTimeField = (label: string) =>
  z
    .string({ message: `Enter ${label}.` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$/, `Enter ${label} as YYYY-MM-DD HH:MM (UTC).`)
    .refine(
      (s) => !Number.isNaN(Date.parse(toIsoUtc(s))),
      `${label[0].toUpperCase()}${label.slice(1)} is not a real date.`,
    );

/** "2026-12-03T10:15" -> "2026-12-03T10:15:00Z"; "2026-12-03" -> midnight UTC. */
export function toIsoUtc(s: string): string {
  const t = s.trim().replace(" ", "T");
  if (t.length === 10) return `${t}T00:00:00Z`;
  return t.length === 16 ? `${t}:00Z` : `${t}Z`;
}

/** CRA Article 14: flag a report actively exploited and/or a severe incident; aware-at defaults to now. */
export const craFlagInput = z
  .object({
    activelyExploited: z.literal("yes").optional(),
    severeIncident: z.literal("yes").optional(),
    awareAt: z.union([z.literal(""), dateTimeField("when you became aware")]).optional(),
  })
  .refine((v) => v.activelyExploited || v.severeIncident, {
    message: "Tick actively exploited, severe incident, or both.",
    path: ["activelyExploited"],
  });

/** CRA Article 14: one submission to the authority (CSIRT coordinator, via ENISA's single reporting platform). */
export const authorityReportInput = z.object({
  kind: z.enum(["early_warning", "notification", "final_report"], {
    message: "Choose what was submitted: early warning, notification or final report.",
  }),
  submittedAt: dateTimeField("when it was submitted"),
  reference: z
    .string({ message: "Enter the reference the platform gave (e.g. the ENISA single reporting platform's)." })
    .trim()
    .min(3, "Enter the reference the platform gave (at least 3 characters).")
    .max(200, "Keep the reference under 200 characters."),
});
