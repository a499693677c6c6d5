// EU CRA Article 13(8): support of at least five years from going on sale, or, for a product
// expected to be in use for less, at least that expected use time (stated with its reason).
import { describe, expect, it } from "vitest";
import {
  assessSupportPeriod,
  coveredMonths,
  periodLastDay,
  supportFactsOf,
  supportPeriodShortfall,
  type SupportPeriodFacts,
} from "../../../app/features/catalogue/domain/support-period";
import { supportSummary } from "../../../app/features/certification/domain/shopper-summary";

const facts = (f: Partial<SupportPeriodFacts>): SupportPeriodFacts => ({
  supportPeriodEnd: "2029-06-30",
  placedOnMarketOn: "2024-07-01",
  expectedUseMonths: null,
  expectedUseReason: null,
  ...f,
});

describe("the last day of a period", () => {
  it.each([
    ["2024-07-01", 60, "2029-06-30"],
    ["2024-01-15", 12, "2025-01-14"],
    ["2024-01-01", 1, "2024-01-31"],
    // Leap day: five years from 29 Feb 2024 end with February 2029 (no 29th); four years on the 28th.
    ["2024-02-29", 60, "2029-02-28"],
    ["2024-02-29", 48, "2028-02-28"],
    ["2023-03-01", 12, "2024-02-29"],
    // Month end: 31 January + 1 month covers all of February; 31 March + 1 month all of April.
    ["2024-01-31", 1, "2024-02-29"],
    ["2025-01-31", 1, "2025-02-28"],
    ["2024-03-31", 1, "2024-04-30"],
    ["2024-08-31", 36, "2027-08-30"],
    ["2024-12-31", 60, "2029-12-30"],
  ])("%s + %i months ends on %s", (start, months, last) => {
    expect(periodLastDay(start, months)).toBe(last);
  });

  it("counts the whole months covered", () => {
    expect(coveredMonths("2024-07-01", "2029-06-30")).toBe(60);
    expect(coveredMonths("2024-07-01", "2029-06-29")).toBe(59);
    expect(coveredMonths("2024-02-29", "2029-02-28")).toBe(60);
    expect(coveredMonths("2024-02-29", "2029-02-27")).toBe(59);
    expect(coveredMonths("2024-01-31", "2024-02-29")).toBe(1);
    expect(coveredMonths("2024-01-31", "2024-02-28")).toBe(0);
    expect(coveredMonths("2024-07-01", "2024-06-01")).toBe(0);
  });
});

describe("the EU CRA support period rule", () => {
  it("five years from going on sale is ok; a day less is refused on the end date, naming both dates", () => {
    expect(assessSupportPeriod(facts({}))).toEqual({ kind: "ok", coveredMonths: 60 });
    expect(assessSupportPeriod(facts({ supportPeriodEnd: "2031-12-31" }))).toEqual({ kind: "ok", coveredMonths: 90 });
    const a = assessSupportPeriod(facts({ supportPeriodEnd: "2029-06-29" }));
    expect(a).toMatchObject({ kind: "refused", field: "supportPeriodEnd", coveredMonths: 59 });
    expect(a.kind === "refused" && a.message).toBe(
      "Security support ends 29 Jun 2029, less than five years after the product goes on sale (1 Jul 2024). The EU Cyber Resilience Act asks for at least five years, unless the product is expected to be in use for less: then state that expected use time and the reason.",
    );
  });

  it("on a leap day, five years end on 28 February", () => {
    expect(assessSupportPeriod(facts({ placedOnMarketOn: "2024-02-29", supportPeriodEnd: "2029-02-28" })).kind).toBe(
      "ok",
    );
    expect(assessSupportPeriod(facts({ placedOnMarketOn: "2024-02-29", supportPeriodEnd: "2029-02-27" })).kind).toBe(
      "refused",
    );
  });

  it("shorter support with a stated expected use time and reason, covering it, is short-with-reason", () => {
    const toy = facts({
      placedOnMarketOn: "2026-09-01",
      supportPeriodEnd: "2029-08-31",
      expectedUseMonths: 36,
      expectedUseReason: "  Children outgrow it by the age of 8.  ",
    });
    expect(assessSupportPeriod(toy)).toEqual({
      kind: "short-with-reason",
      coveredMonths: 36,
      expectedUseMonths: 36,
      reason: "Children outgrow it by the age of 8.",
    });
  });

  it("refuses support shorter than the stated expected use time, on the end date", () => {
    const a = assessSupportPeriod(
      facts({
        placedOnMarketOn: "2024-01-31",
        supportPeriodEnd: "2024-02-28",
        expectedUseMonths: 1,
        expectedUseReason: "A one-month event badge.",
      }),
    );
    expect(a).toMatchObject({ kind: "refused", field: "supportPeriodEnd" });
    expect(a.kind === "refused" && a.message).toMatch(
      /less than the 1 month the product is expected to be in use .*; support must last at least until 29 Feb 2024\./,
    );
  });

  it("refuses an expected use time without its reason, on the reason", () => {
    for (const reason of [null, "", "   "])
      expect(
        assessSupportPeriod(
          facts({ supportPeriodEnd: "2027-06-30", expectedUseMonths: 36, expectedUseReason: reason }),
        ),
      ).toMatchObject({ kind: "refused", field: "expectedUseReason", message: expect.stringMatching(/Say why/) });
  });

  it("refuses an expected use time of five years or more with shorter support", () => {
    const a = assessSupportPeriod(
      facts({ supportPeriodEnd: "2027-06-30", expectedUseMonths: 72, expectedUseReason: "Lasts long." }),
    );
    expect(a).toMatchObject({ kind: "refused", field: "supportPeriodEnd" });
    expect(a.kind === "refused" && a.message).toMatch(/expected to be in use for 6 years needs at least five years/);
  });

  it("an expected use time does not matter when the support covers five years", () => {
    expect(assessSupportPeriod(facts({ expectedUseMonths: 24, expectedUseReason: null })).kind).toBe("ok");
  });
});

describe("what the pages say", () => {
  it("says plainly when a product registered before the rule falls short, and nothing when it meets it", () => {
    expect(supportPeriodShortfall(facts({ placedOnMarketOn: "2025-01-01" }))).toBe(
      "Support ends 30 Jun 2029: shorter than the five years the EU Cyber Resilience Act asks, and no expected use time is stated.",
    );
    expect(supportPeriodShortfall(facts({}))).toBeNull();
    expect(
      supportPeriodShortfall(
        facts({ supportPeriodEnd: "2026-06-30", expectedUseMonths: 36, expectedUseReason: "Outgrown." }),
      ),
    ).toBe("Support ends 30 Jun 2026: shorter than the 3 years the product is expected to be in use.");
  });

  it("without a placing-on-the-market date, the creation date stands for it", () => {
    expect(
      supportFactsOf({
        supportPeriodEnd: "2031-01-31",
        placedOnMarketOn: null,
        expectedUseMonths: null,
        expectedUseReason: null,
        createdAt: new Date("2026-02-01T10:00:00Z"),
      }).placedOnMarketOn,
    ).toBe("2026-02-01");
  });

  it("the shopper reads until which month, for how long, and a shorter expected use in the maker's words", () => {
    expect(supportSummary("Gator Wearables Ltd", "childrens-wearable", facts({}))).toEqual({
      until: "June 2029",
      span: "5 years",
      expectedUse: null,
      shortfall: null,
    });
    expect(
      supportSummary(
        "Gator Wearables Ltd",
        "toy",
        facts({
          placedOnMarketOn: "2026-09-01",
          supportPeriodEnd: "2029-08-31",
          expectedUseMonths: 36,
          expectedUseReason: "Children outgrow it.",
        }),
      ),
    ).toEqual({
      until: "August 2029",
      span: "3 years",
      expectedUse: {
        words: "Gator Wearables Ltd expects this toy to be used for 3 years",
        reason: "Children outgrow it.",
      },
      shortfall: null,
    });
    expect(supportSummary("Acme", "camera", facts({ placedOnMarketOn: "2025-01-01" }))).toMatchObject({
      span: "4 years and 6 months",
      shortfall: expect.stringMatching(/^Support ends 30 Jun 2029: shorter than the five years/),
    });
  });
});
