import { describe, expect, it } from "vitest";
import { gtinProblem } from "../../../app/features/catalogue/domain/product";

// Check digits verified by hand with the GS1 rule (weights 3, 1, 3, … from the right, check digit excluded):
//   96385074:       7*3+0+5*3+8+3*3+6+9*3 = 86                 -> 4
//   036000291452:   5*3+4+1*3+9+2*3+0+0*3+0+6*3+3+0*3 = 58     -> 2
//   4006381333931:  3*3+9+3*3+3+3*3+1+8*3+3+6*3+0+0*3+4 = 89   -> 1
//   5060123450002:  0*3+0+0*3+5+4*3+3+2*3+1+0*3+6+0*3+5 = 38   -> 2   (so 5060123450008 is NOT valid)
//   4006381333900:  0*3+9+3*3+3+3*3+1+8*3+3+6*3+0+0*3+4 = 80   -> 0
//   10012345678902: 0*3+9+8*3+7+6*3+5+4*3+3+2*3+1+0*3+0+1*3 = 88 -> 2
describe("GTIN check digit", () => {
  it.each([
    ["GTIN-8", "96385074"],
    ["GTIN-8", "73513537"],
    ["GTIN-12 (UPC-A)", "036000291452"],
    ["GTIN-12 (UPC-A)", "012345678905"],
    ["GTIN-13 (EAN-13)", "4006381333931"],
    ["GTIN-13 (EAN-13)", "5060123450002"],
    ["GTIN-13 (EAN-13)", "5901234123457"],
    ["GTIN-13, check digit 0", "4006381333900"],
    ["GTIN-14", "10012345678902"],
    ["GTIN-14, leading zeros", "00012345600012"],
  ])("accepts a valid %s: %s", (_kind, gtin) => {
    expect(gtinProblem(gtin)).toBeNull();
  });

  it.each([
    // [input, expected check digit, actual check digit]
    ["96385075", 4, 5],
    ["036000291450", 2, 0],
    ["4006381333932", 1, 2],
    ["5060123450008", 2, 8], // the "obvious" example number: its real check digit is 2
    ["10012345678909", 2, 9],
    ["4006381333901", 0, 1],
    ["4006381333909", 0, 9],
    ["69385074", 0, 4], // 96385074 with its first two digits swapped
  ])("refuses %s and names the expected digit %i", (gtin, expected, actual) => {
    const problem = gtinProblem(gtin);
    expect(problem).toBe(`The check digit should be ${expected}, not ${actual}: check the number for a typo.`);
  });

  it("each single wrong check digit is refused, and only the right one is accepted", () => {
    const base = "400638133393";
    const ok = [...Array(10).keys()].filter((d) => gtinProblem(base + d) === null);
    expect(ok).toEqual([1]);
  });

  it.each([
    ["7 digits", "1234565"],
    ["9 digits", "123456789"],
    ["10 digits", "0123456789"],
    ["11 digits", "01234567890"],
    ["15 digits", "100123456789020"],
    ["1 digit", "0"],
  ])("refuses a wrong length (%s)", (_what, value) => {
    expect(gtinProblem(value)).toBe("A GTIN has 8, 12, 13 or 14 digits.");
  });

  it.each([
    ["empty string", ""],
    ["letters", "40063813339A1"],
    ["spaces inside", "4006381 333931"],
    ["leading space", " 4006381333931"],
    ["trailing newline", "4006381333931\n"],
    ["hyphens", "400-6381-333931"],
    ["sign", "+96385074"],
    ["decimal point", "9638507.4"],
    ["full-width digits", "９６３８５０７４"],
    ["Arabic-Indic digits", "٩٦٣٨٥٠٧٤"],
  ])("refuses non-digits (%s)", (_what, value) => {
    expect(gtinProblem(value)).toBe("A GTIN has digits only.");
  });
});
