// A buyer's required provision met through the crosswalk, against a real database with the demo
// data: the same rule as the seal's crosswalk coverage page. The demo watch's ETSI EN 303 645 seal
// covers EU CRA Annex I II.5 (an equivalent link from 5.2-1), so it meets it; it covers I.2.b only
// partly (partial links), so it misses it, saying "only partly, through the crosswalk".
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { products, productVersions, seals } from "../../../db/schema";
import { sealCoverageView } from "../../../app/features/certification/coverage.server";
import { deletePolicy, policyResultsFor, savePolicy } from "../../../app/features/retail/policies.server";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { buyer, grace } from "../../support/actors";

let watch: { serial: string; submissionId: string };

beforeAll(async () => {
  await seedDemoData();
  watch = db()
    .select({ serial: seals.serial, submissionId: seals.submissionId })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.name, "Gator Kids Watch 3"), eq(productVersions.firmwareVersion, "3.1.0")))
    .get()!;
});

describe("a provision met through the crosswalk", () => {
  it("is met only where the coverage page says covered: equivalent links meet it, partial ones do not", () => {
    const cra = sealCoverageView(grace(), watch.submissionId).targets.find((t) => t.checklistId === "eu-cra-annex-i")!;
    const status = (ref: string) => cra.rows.find((r) => r.ref === ref)!.status;
    expect([status("II.5"), status("I.2.b")]).toEqual(["covered", "partly_covered"]);

    const id = savePolicy(buyer(), {
      name: "CRA points",
      category: "any",
      accepted: [],
      requiredProvisions: ["eu-cra-annex-i:II.5", "eu-cra-annex-i:I.2.b"],
      minSupportMonths: null,
      blockingFindingSeverity: null,
      maxSealAgeMonths: null,
    });
    const result = policyResultsFor(buyer(), { serial: watch.serial, status: "valid" })!.find(
      (r) => r.policyId === id,
    )!;
    expect(result.meets).toBe(false);
    expect(result.misses).toHaveLength(1);
    expect(result.misses[0]).toMatchObject({ clause: "provision", provision: "eu-cra-annex-i:I.2.b" });
    expect(result.misses[0].message).toMatch(
      /^EU CRA Annex I I\.2\.b is met only partly, through the crosswalk: ETSI EN 303 645 5\.1-1 is met, but the crosswalk links the two only as partial, and /,
    );
    // Every requirement the coverage page lists as partly covering it is named.
    for (const v of cra.rows.find((r) => r.ref === "I.2.b")!.via)
      expect(result.misses[0].message).toContain(`ETSI EN 303 645 ${v.ref} is met, but`);
    deletePolicy(buyer(), id, { confirmed: true });
  });
});
