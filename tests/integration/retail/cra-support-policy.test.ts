// A retailer's policy on support: "at least N years of support from today" given in years or
// months (stored as months), and the EU CRA clause: the product's support period meets Article 13(8).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { acceptancePolicies, products } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import {
  getPolicy,
  listPolicies,
  policyFromForm,
  policyResultsFor,
  savePolicy,
} from "../../../app/features/retail/policies.server";
import { buyer } from "../../support/actors";

let serials: Record<string, string>;

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
}, 120_000);

const form = (over: Record<string, string>) => ({
  name: "Speakers",
  category: "speaker",
  requiredProvisions: "",
  minSupport: "",
  maxSealAgeMonths: "",
  blockingFindingSeverity: "",
  ...over,
});

describe("support from today, in years or months", () => {
  it("stores the minimum as months and says it in years", () => {
    const parsed = policyFromForm(form({ minSupport: "5", minSupportUnit: "years", craSupportPeriod: "on" }));
    expect(parsed.ok && parsed.value).toMatchObject({ minSupportMonths: 60, craSupportPeriod: true });
    const id = savePolicy(buyer(), parsed.ok ? parsed.value : null);
    expect(getPolicy(buyer(), id)).toMatchObject({ minSupportMonths: 60, craSupportPeriod: true });
    expect(listPolicies(buyer()).find((p) => p.id === id)!.summary).toEqual(
      expect.arrayContaining([
        "At least 5 years of support from today",
        "Support period meets the EU Cyber Resilience Act (at least five years from going on sale, or a stated shorter expected use time)",
      ]),
    );
    const months = policyFromForm(form({ minSupport: "18", minSupportUnit: "months" }));
    expect(months.ok && months.value).toMatchObject({ minSupportMonths: 18, craSupportPeriod: false });
  });

  it("refuses a bad number or unit naming the field, and too long a minimum on the service", () => {
    const bad = policyFromForm(form({ minSupport: "five" }));
    expect(!bad.ok && bad.fieldErrors.minSupport).toMatch(/whole number of years or months/);
    const unit = policyFromForm(form({ minSupport: "5", minSupportUnit: "decades" }));
    expect(!unit.ok && unit.fieldErrors.minSupportUnit).toBe("Choose years or months.");
    const long = policyFromForm(form({ name: "Too long", minSupport: "21", minSupportUnit: "years" }));
    const before = db().select().from(acceptancePolicies).all().length;
    expect(() => savePolicy(buyer(), long.ok ? long.value : null)).toThrow(/Check the highlighted fields/);
    expect(db().select().from(acceptancePolicies).all().length).toBe(before);
  });
});

describe("the EU CRA support clause", () => {
  it("a speaker with five years from going on sale meets it; registered before the rule with less, it misses, in plain words", () => {
    const serial = serials["Brightnest Smart Speaker 1.0.3"];
    const id = savePolicy(buyer(), {
      name: "Speakers, CRA support",
      category: "speaker",
      accepted: [],
      requiredProvisions: [],
      minSupportMonths: null,
      blockingFindingSeverity: null,
      maxSealAgeMonths: null,
      craSupportPeriod: true,
    });
    const result = () => policyResultsFor(buyer(), { serial, status: "valid" })!.find((r) => r.policyId === id)!;
    expect(result()).toMatchObject({ meets: true, misses: [] });
    // As if registered before the rule: no placing-on-the-market date, created 1 Apr 2026 (support ends 31 Mar 2030).
    db()
      .update(products)
      .set({ placedOnMarketOn: null, createdAt: new Date("2026-04-01T00:00:00Z") })
      .where(eq(products.model, "BN-SS1"))
      .run();
    expect(result()).toMatchObject({
      meets: false,
      misses: [
        {
          clause: "cra-support",
          message:
            "Support ends 31 Mar 2030: shorter than the five years the EU Cyber Resilience Act asks, and no expected use time is stated.",
        },
      ],
    });
  });
});
