/**
 * The catalogue module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { gtinProblem, PRODUCT_CATEGORIES } from "./domain/product";
import { DURATION_UNITS, durationMonths, parseIsoDate } from "../../platform/calendar";
import { areaText, lineText } from "../../platform/forms";

/** One line shown on pages and signed into seals: normalised (no invisible characters), required. */
const shortText = (label: string, max: number) => lineText(label, max, { required: true });

/** An optional line (a SKU, an app version): normalised; empty is null. */
const optionalText = (label: string, max: number) =>
  lineText(label, max, { tooLong: `At most ${max} characters.` })
    .optional()
    .transform((v) => v || null);

/** A real calendar date written YYYY-MM-DD (a date input posts that). */
const isoDateField = (missing: string) =>
  z
    .string({ error: missing })
    .min(1, { error: missing }) // left empty: what to enter, not how to write it
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "Enter the date as YYYY-MM-DD." })
    .refine((v) => parseIsoDate(v) !== null, { error: "That is not a real date." });

/**
 * The product form's fields as posted. The server's `productInput` (products.server.ts) adds the
 * one rule that needs the clock: the support period must not have ended already.
 */
export const productFormFields = z.object({
  name: shortText("the product's name", 120),
  model: shortText("the model designation", 80),
  gtin: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v.replace(/[\s-]/g, "") : null))
    .superRefine((v, ctx) => {
      const problem = v ? gtinProblem(v) : null;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  sku: optionalText("the SKU", 64),
  category: z.enum(PRODUCT_CATEGORIES, { error: "Choose a category." }),
  description: areaText(2000).optional().default(""),
  supportPeriodEnd: isoDateField("Enter the date security updates end."),
  placedOnMarketOn: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || null)
    .pipe(isoDateField("Enter the date the product goes on sale.").nullable()),
  expectedUseTime: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!/^\d{1,3}$/.test(v) || Number(v) < 1) {
        ctx.addIssue({
          code: "custom",
          message: "Enter the expected use time as a whole number of years or months, or leave it empty.",
        });
        return z.NEVER;
      }
      return Number(v);
    }),
  expectedUseUnit: z.enum(DURATION_UNITS, { error: "Choose years or months." }).optional().default("years"),
  expectedUseReason: areaText(1000, "Keep the reason under 1000 characters.")
    .optional()
    .transform((v) => v || null),
  disclosurePolicyUrl: z
    .url({ protocol: /^https?$/, error: "Enter the web address (https://…) of your vulnerability disclosure policy." })
    .max(500),
});

/**
 * A product as its form posts it, with the expected use time in months (the form lets the supplier
 * give it in years or months). Whether the support period meets the EU CRA is decided by the
 * service (domain/support-period.ts), which knows the product's creation date.
 */
export const productForm = productFormFields.transform(toProduct);

/** The posted fields as a product: the expected use time in months. */
export function toProduct({ expectedUseTime, expectedUseUnit, ...p }: z.infer<typeof productFormFields>) {
  return {
    ...p,
    expectedUseMonths: expectedUseTime === null ? null : durationMonths(expectedUseTime, expectedUseUnit),
  };
}

export const productVersionInput = z.object({
  hardwareRevision: shortText("the hardware revision", 40),
  firmwareVersion: shortText("the firmware version", 40),
  appVersion: optionalText("the app version", 40),
  notes: areaText(1000).optional().default(""),
});

const STALE_FORM = "This form is out of date: reload the page, then enter your changes again.";

/**
 * The product edit form's version stamp: a hidden field with the time (ms) of the version shown, so
 * that a save over a colleague's newer one is refused (products.server.ts updateProduct).
 */
export const productEditVersion = z.object({
  updatedAt: z
    .string({ error: STALE_FORM })
    .trim()
    .regex(/^\d{1,15}$/, { error: STALE_FORM })
    .transform(Number),
});
