// Products, versions and draft submissions made through the real services, with the plain values
// most tests need (a test that is about a field passes it).
import { eq } from "drizzle-orm";
import type { z } from "zod";
import { submissions } from "../../db/schema";
import type { Actor } from "../../app/platform/actor";
import { db } from "../../app/platform/db.server";
import { addProductVersion, createProduct, type productInput } from "../../app/features/catalogue/products.server";
import { openSubmission } from "../../app/features/certification/submissions.server";

export const GATOR_DISCLOSURE_URL = "https://gatorwearables.example/security";
export const BRIGHTNEST_DISCLOSURE_URL = "https://brightnest.example/security";

type ProductFields = Pick<z.infer<typeof productInput>, "name" | "model"> & Partial<z.infer<typeof productInput>>;

/** A product of the actor's organisation: no GTIN or SKU, a wearable, on sale from 2025-02-01 and supported until 2030-01-31 (five years). */
export function createTestProduct(actor: Actor, fields: ProductFields): string {
  return createProduct(actor, {
    gtin: null,
    sku: null,
    category: "wearable",
    description: "",
    placedOnMarketOn: "2025-02-01",
    supportPeriodEnd: "2030-01-31",
    disclosurePolicyUrl: GATOR_DISCLOSURE_URL,
    ...fields,
  });
}

/** A version of the product: hardware revision A, no app, no notes. */
export function addTestVersion(actor: Actor, productId: string, firmwareVersion = "1.0.0"): string {
  return addProductVersion(actor, productId, { hardwareRevision: "A", firmwareVersion, appVersion: null, notes: "" });
}

/** A draft submission of the version, at the baseline level of UK PSTI (3 requirements) unless told otherwise. */
export function openTestDraft(actor: Actor, productVersionId: string, checklistVersionId = "uk-psti@2023"): string {
  return openSubmission(actor, { productVersionId, target: { checklistVersionId, targetLevel: "baseline" } });
}

/** A submission's current version, for the optimistic-concurrency argument of the review services. */
export const submissionVersion = (id: string) =>
  db().select({ version: submissions.version }).from(submissions).where(eq(submissions.id, id)).get()!.version;
