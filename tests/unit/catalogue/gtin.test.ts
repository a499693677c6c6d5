// GTINs in their 14-digit form (GS1 General Specifications 3.3.2: GTIN-8/12/13 left-padded with
// zeros); the check digit itself is tested in product.test.ts (one rule, domain/gtin.ts).
import { describe, expect, it } from "vitest";
import { gtin14Of, gtinOfCell, gtinProblem, parseGtin } from "../../../app/features/catalogue/domain/gtin";
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

describe("gtinOfCell: a GTIN as a buyer's file or form has it (one rule for bulk checks, watching from a CSV and the GTIN form)", () => {
  it("spaces and hyphens between digit groups are ignored", () => {
    for (const cell of ["5060123450002", " 5 060123 450002 ", "5-060123-450002", "5\u00a0060123\u00a0450002"])
      expect(gtinOfCell(cell)).toEqual({ ok: true, gtin14: "05060123450002", note: null });
  });

  it("scientific notation is named: the digits are lost", () => {
    expect(gtinOfCell("5.06012E+12")).toEqual({
      ok: false,
      message:
        "5.06012E+12 is a number a spreadsheet shortened (scientific notation); format the column as text and export again.",
    });
  });

  it.each([
    ["UPC-A without its leading zero (11 digits)", "36000291452", "036000291452", "its leading zero restored"],
    ["EAN-8 without its leading zero (7 digits)", "1234565", "01234565", "its leading zero restored"],
    ["UPC-A without two leading zeros (10 digits)", "1234567895", "001234567895", "leading zeros restored"],
    ["UPC-A without three leading zeros (9 digits)", "123456784", "000123456784", "leading zeros restored"],
  ])("%s: read with its zeros, and a note says a spreadsheet probably removed them", (_what, cell, restored, words) => {
    const r = gtinOfCell(cell);
    expect(r).toEqual({
      ok: true,
      gtin14: restored.padStart(14, "0"),
      note: expect.stringContaining(`GTIN ${cell} read as ${restored}: ${words}`),
    });
    expect(r.ok && r.note).toMatch(/a spreadsheet probably removed (it|them)\)\.$/);
  });

  it("a cell of 7, 9, 10 or 11 digits whose check digit does not match with the zeros back is refused, saying both", () => {
    expect(gtinOfCell("50601234500")).toEqual({
      ok: false,
      message:
        "A GTIN has 8, 12, 13 or 14 digits, not 11 (with leading zeros put back, its check digit does not match either).",
    });
  });

  it("12 and 13 digits are GTIN lengths: checked as they are (a lost zero changes nothing: the same number)", () => {
    expect(gtinOfCell("036000291452")).toEqual({ ok: true, gtin14: "00036000291452", note: null });
    // The GTIN-14 05060123450002 without its zero is the GTIN-13 it always was.
    expect(gtinOfCell("5060123450002")).toEqual({ ok: true, gtin14: "05060123450002", note: null });
    expect(gtinOfCell("5060123450008")).toMatchObject({ ok: false, message: /check digit should be 2, not 8/ });
  });

  it('fewer than 7 digits is never taken for a shortened GTIN ("123" would pass a check digit)', () => {
    expect(gtinOfCell("123")).toEqual({ ok: false, message: "A GTIN has 8, 12, 13 or 14 digits." });
    expect(gtinOfCell("n/a")).toEqual({ ok: false, message: "A GTIN has digits only." });
  });
});
