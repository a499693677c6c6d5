// Products, versions and draft submissions made through the real services, with the plain values
// most tests need (a test that is about a field passes it).
import { eq } from "drizzle-orm";
import type { z } from "zod";
import { products, submissions } from "../../db/schema";
import type { Actor } from "../../app/platform/actor";
import { db } from "../../app/platform/db.server";
import {
  addProductVersion,
  createProduct,
  updateProduct,
  type productInput,
} from "../../app/features/catalogue/products.server";
import { openSubmission, saveAnswer, sentBackUntouched } from "../../app/features/certification/submissions.server";
import { answerFacts, requirementsInScope } from "../../app/features/certification/submission-records.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  reviewQueue,
  takeSubmission,
} from "../../app/features/certification/review.server";
import { asha, bram } from "./actors";

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

/** Sets a product's GTIN through the catalogue, as its supplier's edit form does (every other field as stored). */
export function setProductGtin(actor: Actor, productId: string, gtin: string | null): void {
  const p = db().select().from(products).where(eq(products.id, productId)).get()!;
  updateProduct(actor, productId, {
    name: p.name,
    model: p.model,
    gtin,
    sku: p.sku,
    category: p.category as z.infer<typeof productInput>["category"],
    description: p.description,
    supportPeriodEnd: p.supportPeriodEnd,
    disclosurePolicyUrl: p.disclosurePolicyUrl,
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

/**
 * Answers a request for changes as a supplier does before resubmitting: saves each requirement sent
 * back (and not touched since) again, its justification revised. Returns the refs it saved.
 */
export function answerSentBack(actor: Actor, submissionId: string): string[] {
  const s = db().select().from(submissions).where(eq(submissions.id, submissionId)).get()!;
  const refs = sentBackUntouched(db(), s);
  const facts = answerFacts(db(), submissionId);
  for (const ref of refs) {
    const a = facts.get(ref)!;
    saveAnswer(actor, submissionId, ref, {
      claim: a.claim!,
      justification: `${a.justification} (revised as the assessor asked)`.trim(),
      noEvidenceReason: a.noEvidenceReason,
    });
  }
  return refs;
}

/** A submission's current version, for the optimistic-concurrency argument of the review services. */
export const submissionVersion = (id: string) =>
  db().select({ version: submissions.version }).from(submissions).where(eq(submissions.id, id)).get()!.version;

/**
 * Approves the demo's submitted Gator Kids Watch 3 firmware 3.2.0 with four eyes: Asha takes it,
 * passes every requirement (agrees with each "not applicable" claim, accepting it where advisory)
 * and proposes; Bram confirms. Returns the new seal's serial.
 */
export async function approveDemoWatchSubmission(): Promise<string> {
  const a = asha();
  const id = reviewQueue(a, { page: 1 }).rows.find((r) => r.product === "Gator Kids Watch 3")!.id;
  takeSubmission(a, id, submissionVersion(id));
  const s = db().select().from(submissions).where(eq(submissions.id, id)).get()!;
  const facts = answerFacts(db(), id);
  for (const req of requirementsInScope(db(), s.checklistVersionId, s.targetLevel)) {
    const na = facts.get(req.ref)?.claim === "not_applicable";
    recordVerdict(
      a,
      id,
      req.ref,
      na
        ? {
            verdict: "not_applicable",
            comment: "Agreed.",
            accepted: req.applicability === "advisory",
            version: submissionVersion(id),
          }
        : { verdict: "pass", comment: "", accepted: false, version: submissionVersion(id) },
    );
  }
  proposeApproval(a, id, submissionVersion(id), "");
  return confirmApproval(bram(), id, submissionVersion(id), "Confirmed.");
}
