/**
 * The retail module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { gtinOfCell } from "../catalogue/domain/gtin";
import { DURATION_UNITS, durationMonths } from "../../platform/calendar";
import { formatBytes } from "../../platform/format";
import { chosenFileProblem, lineText } from "../../platform/forms";

// --- The bulk check's upload ---

/** What a file over the bulk check's limit is answered, by the server and, before uploading, the browser. */
export const tooLargeMessage = (maxBytes: number) => `The file is larger than ${formatBytes(maxBytes)}.`;

/** Said to a page whose session ended while it was open (the upload endpoint answers 401 with it). */
export const SESSION_ENDED = "Your session has ended: log in again.";

/** Said when no file was chosen for a bulk check or the watchlist. */
export const CHOOSE_CSV = "Choose a CSV file with a gtin or serial column.";

/**
 * What is wrong with the file chosen for a bulk check before it is sent, or null: none chosen, an
 * empty one ("The file stock.csv is empty."), or one over the limit (`maxBytes`, as the page's
 * loader gives it).
 */
export function bulkFileProblem(
  file: { size: number; name?: string } | null | undefined,
  maxBytes: number,
): string | null {
  const chosen = chosenFileProblem(file, CHOOSE_CSV);
  if (chosen) return chosen;
  if (file!.size > maxBytes) return tooLargeMessage(maxBytes);
  return null;
}

// --- The watchlist and its webhooks ---

/** The largest CSV of serials the watchlist page takes. */
export const WATCHLIST_CSV_MAX_BYTES = 10 * 1024 * 1024;

export const watchInput = z.object({
  serial: z.string().trim().min(1, "Enter a seal serial."),
  label: lineText("your label", 100, { tooLong: "Keep your label under 100 characters." }).default(""),
});

/**
 * Watching a product by its GTIN (8, 12, 13 or 14 digits; spaces and hyphens as printed under a
 * barcode are ignored): the GTIN cell rule of a CSV (catalogue/domain/gtin.ts's gtinOfCell).
 */
export const watchGtinInput = z.object({
  gtin: z
    .string()
    .trim()
    .min(1, "Enter the product's GTIN (the number under its barcode).")
    .transform((v, ctx) => {
      const parsed = gtinOfCell(v);
      if (parsed.ok) return parsed.gtin14;
      ctx.addIssue({ code: "custom", message: `The GTIN is not valid. ${parsed.message}` });
      return z.NEVER;
    }),
  label: lineText("your label", 100, { tooLong: "Keep your label under 100 characters." }).default(""),
});

export const webhookInput = z.object({
  url: z.string().trim().min(1, "Enter the endpoint's URL.").max(2048, "That URL is too long."),
});

// --- The acceptance policy form ---

/** The longest list of required provisions a policy form may post (the rest is not read). */
export const REQUIRED_PROVISIONS_MAX = 20_000;

const monthsText = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: "custom", message: `Enter the ${label} as a whole number of months, or leave it empty.` });
        return z.NEVER;
      }
      return Number(v);
    });

/**
 * The policy form as posted: flat strings; `accept.<checklist>` checkboxes with `level.<checklist>`,
 * provisions one per line, the minimum support from today as a number and its unit (`minSupport`,
 * `minSupportUnit`), turned into `minSupportMonths`.
 */
export const policyForm = z
  .looseObject({
    name: z.string().optional().default(""),
    category: z.string().optional().default(""),
    requiredProvisions: z
      .string()
      .max(REQUIRED_PROVISIONS_MAX, { error: "Keep the list of required provisions under 20,000 characters." })
      .optional()
      .default(""),
    minSupport: z
      .string()
      .trim()
      .optional()
      .transform((v, ctx) => {
        if (!v) return null;
        if (!/^\d+$/.test(v)) {
          ctx.addIssue({
            code: "custom",
            message: "Enter the minimum support from today as a whole number of years or months, or leave it empty.",
          });
          return z.NEVER;
        }
        return Number(v);
      }),
    minSupportUnit: z.enum(DURATION_UNITS, { error: "Choose years or months." }).optional().default("years"),
    maxSealAgeMonths: monthsText("maximum seal age"),
    blockingFindingSeverity: z
      .string()
      .optional()
      .transform((v) => (v ? v : null)),
    /** A checkbox: "on" when ticked. */
    noAffectingAdvisory: z
      .string()
      .optional()
      .transform((v) => v === "on"),
    /** A checkbox: "on" when ticked. */
    craSupportPeriod: z
      .string()
      .optional()
      .transform((v) => v === "on"),
  })
  .transform(({ minSupport, minSupportUnit, ...rest }) => ({
    ...rest,
    minSupportMonths: minSupport === null ? null : durationMonths(minSupport, minSupportUnit),
  }));
