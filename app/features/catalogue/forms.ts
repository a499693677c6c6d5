/**
 * The catalogue module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { gtinProblem, PRODUCT_CATEGORIES } from "./domain/product";

const shortText = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}.` })
    .trim()
    .min(1, { error: `Enter ${label}.` })
    .max(max, { error: `${label[0].toUpperCase()}${label.slice(1)} must be at most ${max} characters.` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), {
      error: `${label[0].toUpperCase()}${label.slice(1)} must not contain control characters.`,
    });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `At most ${max} characters.` })
    .optional()
    .transform((v) => v || null);

/**
 * A product as its form posts it. The server's `productInput` (products.server.ts) adds the one
 * rule that needs the clock: the support period must not have ended already.
 */
export const productForm = z.object({
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
  sku: optionalText(64),
  category: z.enum(PRODUCT_CATEGORIES, { error: "Choose a category." }),
  description: z.string().trim().max(2000, { error: "At most 2000 characters." }).optional().default(""),
  supportPeriodEnd: z
    .string({ error: "Enter the date security updates end." })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "Enter the date as YYYY-MM-DD." })
    .refine(
      (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      { error: "That is not a real date." },
    ),
  disclosurePolicyUrl: z
    .url({ protocol: /^https?$/, error: "Enter the web address (https://…) of your vulnerability disclosure policy." })
    .max(500),
});

export const productVersionInput = z.object({
  hardwareRevision: shortText("the hardware revision", 40),
  firmwareVersion: shortText("the firmware version", 40),
  appVersion: optionalText(40),
  notes: z.string().trim().max(1000).optional().default(""),
});
