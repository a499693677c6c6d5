// GTINs in their 14-digit form (GS1 General Specifications 3.3.2: GTIN-8/12/13 left-padded with
// zeros); the check digit itself is tested in product.test.ts (one rule, domain/gtin.ts).
import { describe, expect, it } from "vitest";
import { gtin14Of, gtinProblem, parseGtin } from "../../../app/features/catalogue/domain/gtin";
import { gtinProblem as productFormRule } from "../../../app/features/catalogue/domain/product";

describe("parseGtin: normalised to 14 digits", () => {
  it.each([
    ["GTIN-8", "96385074", "00000096385074"],
    ["GTIN-12", "036000291452", "00036000291452"],
    ["GTIN-13", "5060123450002", "05060123450002"],
    ["GTIN-14", "10012345678902", "10012345678902"],
    ["GTIN-14 with a leading zero", "05060123450002", "05060123450002"],
  ])("%s %s -> %s", (_kind, input, gtin14) => {
    expect(parseGtin(input)).toEqual({ ok: true, gtin14 });
  });

  it("a GTIN-13 and its GTIN-14 form are the same product", () => {
    expect(parseGtin("5060123450002")).toEqual(parseGtin("05060123450002"));
  });

  it.each([
    ["a wrong check digit", "5060123450008", "The check digit should be 2, not 8: check the number for a typo."],
    ["a wrong length", "50601234500", "A GTIN has 8, 12, 13 or 14 digits."],
    ["letters", "50601234500O2", "A GTIN has digits only."],
    ["empty", "", "A GTIN has digits only."],
  ])("refuses %s with a message", (_what, input, message) => {
    expect(parseGtin(input)).toEqual({ ok: false, message });
  });
});

describe("gtin14Of: a stored GTIN in its 14-digit form", () => {
  it("pads a valid one and gives null for none or an invalid one", () => {
    expect(gtin14Of("5060123450002")).toBe("05060123450002");
    expect(gtin14Of(null)).toBeNull();
    expect(gtin14Of("")).toBeNull();
    expect(gtin14Of("5060123450008")).toBeNull();
  });
});

it("the product form and the resolver use one check-digit rule", () => {
  expect(productFormRule).toBe(gtinProblem);
});
