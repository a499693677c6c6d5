// Issue 18: bulk checks by GTIN or serial. Which columns name what to check, and what each row asks.
import { describe, expect, it } from "vitest";
import { gtinMismatch, gtinNoteKind, keyColumnsOf, rowKeyOf } from "../../../app/features/retail/domain/bulk-rows";

describe("issue 18: the columns a bulk check reads (header names matched case-insensitively)", () => {
  it("finds gtin and its aliases ean, upc, barcode, and serial, in any case, trimmed", () => {
    expect(keyColumnsOf(["SKU", " GTIN "])).toEqual({ serialColumn: -1, gtinColumn: 1 });
    expect(keyColumnsOf(["EAN", "sku"])).toEqual({ serialColumn: -1, gtinColumn: 0 });
    expect(keyColumnsOf(["sku", "Upc"])).toEqual({ serialColumn: -1, gtinColumn: 1 });
    expect(keyColumnsOf(["Barcode"])).toEqual({ serialColumn: -1, gtinColumn: 0 });
    expect(keyColumnsOf(["Serial", "sku", "gtin"])).toEqual({ serialColumn: 0, gtinColumn: 2 });
    expect(keyColumnsOf(["sku", "name"])).toEqual({ serialColumn: -1, gtinColumn: -1 });
  });

  it("takes the first GTIN column when there are several", () => {
    expect(keyColumnsOf(["ean", "upc"]).gtinColumn).toBe(0);
  });
});

describe("issue 18: what a row asks about", () => {
  const both = { serialColumn: 0, gtinColumn: 1 };
  const gtinOnly = { serialColumn: -1, gtinColumn: 0 };

  it("a valid GTIN (8, 12, 13 or 14 digits, spaces allowed) is asked about in its 14-digit form", () => {
    const gtin = { kind: "gtin", gtin14: "05060123450002", note: null };
    expect(rowKeyOf(["5060123450002"], gtinOnly)).toEqual(gtin);
    expect(rowKeyOf([" 5 060123 450002 "], gtinOnly)).toEqual(gtin);
    expect(rowKeyOf(["5-060123-450002"], gtinOnly)).toEqual(gtin);
    expect(rowKeyOf(["05060123450002"], gtinOnly)).toEqual(gtin);
  });

  it("a GTIN that is not valid says so in its own row, with the check digit it should have", () => {
    expect(rowKeyOf(["5060123450003"], gtinOnly)).toEqual({
      kind: "invalid_gtin",
      message: expect.stringMatching(/^Not a valid GTIN: the check digit should be 2, not 3/),
      cell: "5060123450003",
      reason: expect.stringMatching(/^The check digit should be 2, not 3/),
    });
    expect(rowKeyOf(["ABC"], gtinOnly)).toMatchObject({
      kind: "invalid_gtin",
      message: expect.stringMatching(/digits only/),
    });
    expect(rowKeyOf(["5.06012E+12"], gtinOnly)).toMatchObject({
      kind: "invalid_gtin",
      message: expect.stringMatching(/scientific notation/),
    });
  });

  it("both columns: the serial wins, the GTIN is kept for the comparison", () => {
    expect(rowKeyOf(["IOTS-ABCD-EFGH", "5060123450002"], both)).toEqual({
      kind: "serial",
      serial: "IOTS-ABCD-EFGH",
      gtin14: "05060123450002",
      note: null,
    });
    // An empty serial cell: the row is checked by its GTIN.
    expect(rowKeyOf(["", "5060123450002"], both)).toEqual({ kind: "gtin", gtin14: "05060123450002", note: null });
  });

  it("an invalid GTIN beside a serial: the serial is checked, and the row's note says why the GTIN was not compared", () => {
    expect(rowKeyOf(["IOTS-ABCD-EFGH", "123"], both)).toEqual({
      kind: "serial",
      serial: "IOTS-ABCD-EFGH",
      gtin14: null,
      note: "The row's GTIN was not compared with the seal. Not a valid GTIN: a GTIN has 8, 12, 13 or 14 digits.",
    });
    expect(rowKeyOf(["IOTS-ABCD-EFGH", "5060123450003"], both)).toMatchObject({
      kind: "serial",
      gtin14: null,
      note: expect.stringMatching(/not compared with the seal\. Not a valid GTIN: the check digit should be 2, not 3/),
    });
  });

  it.each(["n/a", "-", "N/A", "none", "?"])(
    "a placeholder serial (%j) beside a valid GTIN: checked by the GTIN, the note says so",
    (placeholder) => {
      expect(rowKeyOf([placeholder, "5060123450002"], both)).toEqual({
        kind: "gtin",
        gtin14: "05060123450002",
        note: `"${placeholder}" is not a seal serial: checked by the GTIN.`,
      });
    },
  );

  it("a placeholder serial without a valid GTIN is still answered as a serial (not a valid seal serial)", () => {
    expect(rowKeyOf(["n/a", ""], both)).toEqual({ kind: "serial", serial: "n/a", gtin14: null, note: null });
    expect(rowKeyOf(["n/a", "123"], both)).toMatchObject({ kind: "serial", serial: "n/a", note: /not compared/ });
  });

  it("a GTIN whose leading zero a spreadsheet removed (11-digit UPC-A, 7-digit EAN-8) is read with its zeros, and noted", () => {
    // UPC-A 036000291452 and EAN-8 01234565 as a spreadsheet writes them once it took them for numbers.
    expect(rowKeyOf(["36000291452"], gtinOnly)).toEqual({
      kind: "gtin",
      gtin14: "00036000291452",
      note: "GTIN 36000291452 read as 036000291452: its leading zero restored (a spreadsheet probably removed it).",
    });
    expect(rowKeyOf(["1234565"], gtinOnly)).toMatchObject({ kind: "gtin", gtin14: "00000001234565" });
    // Beside a serial: kept for the comparison, with the note.
    expect(rowKeyOf(["IOTS-ABCD-EFGH", "36000291452"], both)).toMatchObject({
      kind: "serial",
      gtin14: "00036000291452",
      note: /leading zero restored/,
    });
    // A placeholder serial and a shortened GTIN: both said.
    expect(rowKeyOf(["-", "36000291452"], both)).toMatchObject({
      kind: "gtin",
      note: '"-" is not a seal serial: checked by the GTIN. GTIN 36000291452 read as 036000291452: its leading zero restored (a spreadsheet probably removed it).',
    });
  });

  it("a row with neither says what it lacks", () => {
    expect(rowKeyOf(["", ""], both)).toEqual({ kind: "empty", message: "No serial or GTIN in this row." });
    expect(rowKeyOf([], gtinOnly)).toEqual({ kind: "empty", message: "No GTIN in this row." });
  });

  it("says when the GTIN beside a serial is not the seal's product", () => {
    expect(gtinMismatch("05060123450019", "05060123450002")).toMatch(/05060123450019 is not this seal's product/);
    expect(gtinMismatch("05060123450002", "05060123450002")).toBeNull();
    expect(gtinMismatch(null, "05060123450002")).toBeNull();
    expect(gtinMismatch("05060123450002", null)).toMatch(/has no GTIN/);
  });

  it("tells a stored note's GTIN mismatch from the note, after a line's own note too", () => {
    expect(gtinNoteKind(gtinMismatch("05060123450019", "05060123450002")!)).toBe("mismatch");
    expect(gtinNoteKind(gtinMismatch("05060123450002", null)!)).toBe("uncompared");
    expect(
      gtinNoteKind(`Line 3: a quote inside unquoted field 2. ${gtinMismatch("05060123450019", "05060123450002")}`),
    ).toBe("mismatch");
    expect(gtinNoteKind("")).toBeNull();
    expect(gtinNoteKind("Line 3: a quote inside unquoted field 2.")).toBeNull();
  });
});
