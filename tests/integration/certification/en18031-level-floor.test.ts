// The EN 18031 level floor of a product's category (a toy needs Parts 1 and 2: RED delegated act
// (EU) 2022/30, Article 1) is judged against the product's CURRENT category at every step that
// leads to a seal, not only when the submission is opened: a category changed to one with a lower
// floor to open a Part 1 submission, then changed back, is refused at submitting; a submission
// already submitted when the category changed is refused at proposing and at confirming.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { products, submissions } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { importShippedChecklists } from "../../../app/features/catalogue/checklists.server";
import { updateProduct, type ProductInput } from "../../../app/features/catalogue/products.server";
import { requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { openSubmission, saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import {
  cannotConfirm,
  confirmApproval,
  pendingProposal,
  proposeApproval,
  recordVerdict,
  reviewView,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { loadSubmission } from "../../../app/features/certification/submission-records.server";
import { seedDemoData } from "../../support/demo-seed";
import { actorByEmail } from "../../support/actors";
import { addTestVersion, createTestProduct, submissionVersion as version } from "../../support/submissions";

let grace: Actor;
let asha: Actor;
let bram: Actor;

beforeAll(async () => {
  await seedDemoData();
  expect(importShippedChecklists({ system: "test" }).failures).toEqual([]);
  grace = actorByEmail("supplier@demo.test");
  asha = actorByEmail("assessor1@demo.test");
  bram = actorByEmail("assessor2@demo.test");
});

/** Changes the product's category, every other detail as it is. */
function setCategory(productId: string, category: ProductInput["category"]) {
  const p = db().select().from(products).where(eq(products.id, productId)).get()!;
  updateProduct(grace, productId, {
    name: p.name,
    model: p.model,
    gtin: p.gtin,
    sku: p.sku,
    category,
    description: p.description,
    supportPeriodEnd: p.supportPeriodEnd,
    disclosurePolicyUrl: p.disclosurePolicyUrl,
  });
}

/** An appliance (Part 1 allowed) with an EN 18031 Part 1 draft, every requirement answered. */
function answeredPart1Draft(name: string, model: string): { productId: string; id: string } {
  const productId = createTestProduct(grace, { name, model, category: "appliance", supportPeriodEnd: "2033-12-31" });
  const pv = addTestVersion(grace, productId, "1.0.0");
  const id = openSubmission(grace, {
    productVersionId: pv,
    target: { checklistVersionId: "en-18031@2024", targetLevel: "part-1" },
  });
  for (const r of requirementsInScope(db(), "en-18031@2024", "part-1"))
    saveAnswer(grace, id, r.ref, {
      claim: "implemented",
      justification: `How ${r.ref} is met is described in the technical file.`,
      noEvidenceReason: "The technical file is sent to the assessor separately.",
    });
  return { productId, id };
}

/** Asha takes the submission and records a verdict that approves on every requirement. */
function reviewAllPassing(id: string) {
  takeSubmission(asha, id, version(id));
  for (const r of requirementsInScope(db(), "en-18031@2024", "part-1"))
    recordVerdict(
      asha,
      id,
      r.ref,
      r.ref === "NMM-1" || r.ref === "TCM-1"
        ? {
            verdict: "not_applicable",
            comment: "Not network equipment: forwards no traffic.",
            accepted: false,
            version: version(id),
          }
        : { verdict: "pass", comment: "", accepted: false, version: version(id) },
    );
}

const statusOf = (id: string) =>
  db().select({ status: submissions.status }).from(submissions).where(eq(submissions.id, id)).get()!.status;

const TOY_PART_1 =
  /^A connected toy cannot be certified against EN 18031 at part-1 \(Part 1\) alone: .*Choose part-1-2 \(.*\) or higher\./;

const TOY_PART_1_ANYWHERE = /A connected toy cannot be certified against EN 18031 at part-1 \(Part 1\) alone/;

describe("the EN 18031 level floor after the product's category changes", () => {
  it("refuses to submit a Part 1 submission opened while the category had a lower floor, naming the category and the level", () => {
    // The dodge: the toy is declared an appliance, a Part 1 submission opened, then it is a toy again.
    const { productId, id } = answeredPart1Draft("Gator Robo Pal", "GRP-1");
    setCategory(productId, "toy");
    expect(() => submitSubmission(grace, id)).toThrow(TOY_PART_1);
    expect(() => submitSubmission(grace, id)).toThrow(/withdraw this one and open a new submission at that level/);
    expect(statusOf(id)).toBe("draft");
    // Back to a category Part 1 suffices for: it submits.
    setCategory(productId, "appliance");
    submitSubmission(grace, id);
    expect(statusOf(id)).toBe("submitted");
  });

  it("refuses to propose approval of a submission whose product became a toy after it was submitted", async () => {
    const { productId, id } = answeredPart1Draft("Gator Robo Pup", "GRP-2");
    submitSubmission(grace, id);
    setCategory(productId, "toy");
    reviewAllPassing(id);
    await expect(() => proposeApproval(asha, id, version(id), "All met.")).toBeRefused(
      "conflict",
      /category was changed after this submission was opened at part-1, so no seal can be issued at that level: A connected toy cannot be certified against EN 18031 at part-1/,
    );
    expect(pendingProposal(db(), id)).toBeFalsy();
    // The review page says so and offers no Propose button.
    const view = reviewView(asha, id);
    expect(view.levelBelowFloor).toMatch(/category was changed after this submission was opened at part-1/);
    expect(view.can.propose).toBe(false);
  });

  it("refuses to confirm an approval proposed before the product became a toy, and says why on the review page", async () => {
    const { productId, id } = answeredPart1Draft("Gator Robo Kit", "GRP-3");
    submitSubmission(grace, id);
    reviewAllPassing(id);
    proposeApproval(asha, id, version(id), "All met.");
    setCategory(productId, "toy");
    await expect(() => confirmApproval(bram, id, version(id), "Confirmed.")).toBeRefused(
      "conflict",
      TOY_PART_1_ANYWHERE,
    );
    expect(statusOf(id)).toBe("in_review");
    const s = loadSubmission(db(), id);
    const proposal = pendingProposal(db(), id)!;
    expect(cannotConfirm(db(), s, proposal, bram.userId)).toMatch(
      /A connected toy cannot be certified .* Send it back\.$/,
    );
    expect(cannotConfirm(db(), s, proposal, asha.userId)).toMatch(/withdraw it, then reject the submission\.$/);
  });
});
