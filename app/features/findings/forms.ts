/**
 * The findings module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { SEVERITIES } from "./domain/findings";
import { CRA_SUBJECTS } from "./domain/cra-clocks";
import { parsePurlLines } from "../catalogue/domain/purl";
import { parseIsoDate } from "../../platform/calendar";
import { decimalNumber, INVISIBLE } from "../../platform/forms";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * Why a YYYY-MM-DD is not a day of the calendar ("February 2026 has 28 days"), or null when it is.
 * Date.parse rolls 2026-02-30 over to 2 March without a word, so it cannot be the check.
 */
export function calendarDateProblem(ymd: string): string | null {
  if (parseIsoDate(ymd)) return null;
  const [year, month, day] = ymd.split("-").map(Number);
  if (month < 1 || month > 12) return `there is no month ${ymd.slice(5, 7)}`;
  if (day < 1) return "there is no day 00";
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${MONTHS[month - 1]} ${year} has ${days} days`;
}

const capitalised = (label: string) => `${label[0].toUpperCase()}${label.slice(1)}`;

const dateField = (label: string) =>
  z
    .string({ message: `Enter the ${label}.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${label} as YYYY-MM-DD.`)
    .superRefine((s, ctx) => {
      const problem = calendarDateProblem(s);
      if (problem) ctx.addIssue({ code: "custom", message: `The ${label}, ${s}, is not a real date: ${problem}.` });
    });

const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** A one-line text field: invisible and direction-changing characters removed, trimmed, then measured (visible characters only). */
function singleLineText(o: {
  label: string;
  required?: string;
  min?: { length: number; message: string };
  max: { length: number; message: string };
}) {
  let inner = z
    .string()
    .refine((v) => !CONTROL.test(v), `${capitalised(o.label)} must be one line, without control characters.`);
  if (o.min) inner = inner.min(o.min.length, o.min.message);
  return z
    .string(o.required ? { message: o.required } : undefined)
    .transform((v) => v.replace(INVISIBLE, "").trim())
    .pipe(inner.max(o.max.length, o.max.message));
}

/** One package URL per line (optional): the components the flaw is in, as a list of canonical purls. */
export function affectedPurlsField() {
  return z
    .string()
    .max(20_000, "Keep the package URLs to 20,000 characters or fewer.")
    .transform((text, ctx) => {
      const r = parsePurlLines(text);
      if (r.ok) return r.purls;
      ctx.addIssue({ code: "custom", message: r.message });
      return z.NEVER;
    });
}

export const findingInput = z.object({
  /** The form's id, made when it was shown: the report's id, so posting it twice records one report. */
  formId: z.uuid({ error: "This form is damaged: reload the page." }).optional(),
  productId: z.string().min(1, "Choose the product."),
  versionIds: z
    .array(z.string().min(1, "Choose firmware versions of this product."), {
      message: "Choose at least one affected firmware version.",
    })
    .min(1, "Choose at least one affected firmware version."),
  title: singleLineText({
    label: "the title",
    required: "Give the finding a title (at least 5 characters).",
    min: { length: 5, message: "Give the finding a title (at least 5 characters)." },
    max: { length: 200, message: "Keep the title to 200 characters or fewer." },
  }),
  description: z
    .string({ message: "Describe the issue (at least 20 characters)." })
    .trim()
    .min(20, "Describe the issue (at least 20 characters).")
    .max(10_000, "Keep the description to 10,000 characters or fewer."),
  severity: z.enum(SEVERITIES, { message: "Choose a severity." }),
  cvssVector: singleLineText({
    label: "the CVSS vector",
    max: { length: 200, message: "Keep the CVSS vector to 200 characters or fewer." },
  }).optional(),
  /** "Affected components (package URLs)": one purl per line, checked by the reference parser; stored canonical. */
  affectedPurls: affectedPurlsField().optional(),
  reporter: singleLineText({
    label: "the reporter's name",
    required: "Name who reported it (a person, a researcher's handle or an organisation).",
    min: { length: 2, message: "Name who reported it (a person, a researcher's handle or an organisation)." },
    max: { length: 200, message: "Keep the reporter's name to 200 characters or fewer." },
  }),
  reportedOn: dateField("date reported"),
  requirementRefs: z
    .array(z.string().regex(/^[a-z0-9-]+:[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/, "Choose requirements from the list."))
    .max(50, "Name at most 50 requirements.")
    .optional(),
  /** A report public at once (or within a day) because of its date: confirmed (see domain/backdating.ts). */
  confirmPublic: z.literal("yes", { message: "Tick the box to confirm." }).optional(),
  /** A date reported more than a year ago: confirmed as not a typo. */
  confirmReportedOn: z.literal("yes", { message: "Tick the box to confirm." }).optional(),
  /** A severity below its CVSS score's rating: confirmed as deliberate (domain/findings.ts, severityBelowCvss). */
  confirmSeverity: z.literal("yes", { message: "Tick the box to confirm." }).optional(),
});

/** The report's version the form was drawn from (optimistic concurrency): a hidden field. */
function formVersionField() {
  const message = "The form is missing the report's version; reload the page and try again.";
  return decimalNumber(z.number({ message }).int(message).positive(message));
}

export const findingActionInput = z.object({
  action: z.enum(["acknowledge", "start_fix", "mark_fixed", "verify_fix", "reject_fix", "withdraw"], {
    message: "Choose an action.",
  }),
  note: z.string().trim().max(5000, "Keep the note to 5,000 characters or fewer.").default(""),
  fixedInVersion: singleLineText({
    label: "the fixed-in version",
    max: { length: 100, message: "Keep the fixed-in version to 100 characters or fewer." },
  }).optional(),
  version: formVersionField(),
});

export const extensionInput = z.object({
  deadline: dateField("new deadline"),
  reason: z.string({ message: "Explain why the deadline is extended." }).trim(),
  version: formVersionField(),
});

export const publishAdvisoryInput = z.object({
  version: formVersionField(),
  confirm: z.literal("yes", { message: "Tick the box to confirm that the advisory becomes public now." }),
});

/** A date and time from an `<input type="datetime-local">` (read as UTC), or YYYY-MM-DD (midnight UTC). */
const dateTimeField = (label: string) =>
  z
    .string({ message: `Enter ${label}.` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$/, `Enter ${label} as YYYY-MM-DD HH:MM (UTC).`)
    .superRefine((s, ctx) => {
      // Date.parse rolls 2026-02-30 over to 2 March and 24:00 to the next day: check each part.
      const problem = calendarDateProblem(s.slice(0, 10));
      if (problem) {
        ctx.addIssue({
          code: "custom",
          message: `${capitalised(label)}: ${s.slice(0, 10)} is not a real date: ${problem}.`,
        });
        return;
      }
      const [h = 0, m = 0, sec = 0] = s.length > 10 ? s.slice(11).split(":").map(Number) : [];
      if (h > 23 || m > 59 || sec > 59)
        ctx.addIssue({ code: "custom", message: `${capitalised(label)}: ${s.slice(11)} is not a real time of day.` });
    });

/** "2026-12-03T10:15" -> "2026-12-03T10:15:00Z"; "2026-12-03" -> midnight UTC. */
export function toIsoUtc(s: string): string {
  const t = s.trim().replace(" ", "T");
  if (t.length === 10) return `${t}T00:00:00Z`;
  return t.length === 16 ? `${t}:00Z` : `${t}Z`;
}

const optionalTime = (label: string) => z.union([z.literal(""), dateTimeField(label)]).optional();

/**
 * CRA Article 14: flag a report actively exploited and/or a severe incident, each with when the
 * supplier became aware of it (empty: now). `awareAt` is the exploitation's, `incidentAwareAt` the
 * incident's: two notifications, two starts. `version` is the report's as the page showed it.
 */
export const craFlagInput = z
  .object({
    activelyExploited: z.literal("yes").optional(),
    severeIncident: z.literal("yes").optional(),
    awareAt: optionalTime("when you became aware of the exploitation"),
    incidentAwareAt: optionalTime("when you became aware of the incident"),
    version: formVersionField(),
  })
  .superRefine((v, ctx) => {
    if (!v.activelyExploited && !v.severeIncident)
      ctx.addIssue({
        code: "custom",
        message: "Tick actively exploited, severe incident, or both.",
        path: ["activelyExploited"],
      });
    if (v.awareAt && !v.activelyExploited)
      ctx.addIssue({
        code: "custom",
        message:
          "You entered when you became aware of the exploitation: tick Actively exploited too, or clear the time.",
        path: ["awareAt"],
      });
    if (v.incidentAwareAt && !v.severeIncident)
      ctx.addIssue({
        code: "custom",
        message: "You entered when you became aware of the incident: tick Severe incident too, or clear the time.",
        path: ["incidentAwareAt"],
      });
  });

const craSubjectField = () =>
  z.enum(CRA_SUBJECTS, {
    message: "Choose whether it concerns the actively exploited vulnerability or the severe incident.",
  });

/** CRA Article 14: correct when the supplier became aware of the exploitation or of the incident (its own form). */
export const craCorrectInput = z.object({
  subject: craSubjectField(),
  awareAt: dateTimeField("when you became aware"),
  version: formVersionField(),
});

export const MIN_CRA_UNFLAG_REASON = 10;
export const MAX_CRA_UNFLAG_REASON = 2000;

/** CRA Article 14: take a flag back (ticked by mistake), with the reason; only until a submission of it is recorded. */
export const craUnflagInput = z.object({
  subject: craSubjectField(),
  reason: z
    .string({ message: `Explain why the flag is removed (at least ${MIN_CRA_UNFLAG_REASON} characters).` })
    .trim()
    .min(MIN_CRA_UNFLAG_REASON, `Explain why the flag is removed (at least ${MIN_CRA_UNFLAG_REASON} characters).`)
    .max(
      MAX_CRA_UNFLAG_REASON,
      `Keep the reason to ${MAX_CRA_UNFLAG_REASON.toLocaleString("en")} characters or fewer.`,
    ),
  version: formVersionField(),
});

/**
 * CRA Article 14: one submission to the authority (CSIRT coordinator, via ENISA's single reporting
 * platform). `subject`: which notification it belongs to (may be left out when the report is flagged
 * one way only).
 */
export const authorityReportInput = z.object({
  kind: z.enum(["early_warning", "notification", "final_report"], {
    message: "Choose what was submitted: early warning, notification or final report.",
  }),
  subject: z.union([z.literal("").transform(() => undefined), craSubjectField()]).optional(),
  submittedAt: dateTimeField("when it was submitted"),
  reference: singleLineText({
    label: "the reference",
    required: "Enter the reference the platform gave (e.g. the ENISA single reporting platform's).",
    min: { length: 3, message: "Enter the reference the platform gave (at least 3 characters)." },
    max: { length: 200, message: "Keep the reference to 200 characters or fewer." },
  }),
  version: formVersionField(),
});
