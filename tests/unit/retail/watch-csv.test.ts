// Watching from a CSV (issue 18): which column names the products and which one labels them, and
// what each row asks to watch; and what a buyer following a product by GTIN is told when its current
// seal changes.
import { describe, expect, it } from "vitest";
import { currentSealChangeReason, watchCsvColumns, watchCsvRow } from "../../../app/features/retail/domain/watch-csv";
import { watchGtinInput } from "../../../app/features/retail/forms";

const columns = (header: string[]) => {
  const c = watchCsvColumns(header);
  if (!c.ok) throw new Error(c.message);
  return c.columns;
};

describe("the columns of a watchlist CSV", () => {
  it.each([
    [["gtin", "label"], { gtin: 0, serial: null, label: 1 }],
    [[" EAN ", "Description"], { gtin: 0, serial: null, label: 1 }],
    [["UPC", "sku"], { gtin: 0, serial: null, label: 1 }],
    [["Barcode", "Name"], { gtin: 0, serial: null, label: 1 }],
    [["serial", "gtin"], { gtin: 1, serial: 0, label: null }],
  ])("%j: %j", (header, expected) => {
    expect(columns(header)).toEqual(expected);
  });

  it("a file with two barcode columns is refused, naming them", () => {
    expect(watchCsvColumns(["gtin", "label", "EAN"])).toEqual({
      ok: false,
      message: expect.stringMatching(/^The CSV has 2 columns a barcode could be read from \("gtin", "EAN"\)/),
    });
  });

  it("a buyer's SKU column labels the watch when there is no label column (serial files too)", () => {
    expect(columns(["product", "serial", "sku"]).label).toBe(2);
    expect(columns(["name", "gtin", "SKU"]).label).toBe(2);
  });

  it("a label column wins over sku, and sku over name", () => {
    expect(columns(["name", "sku", "gtin", "Label"]).label).toBe(3);
    expect(columns(["name", "gtin", "sku"]).label).toBe(2);
    expect(columns(["gtin", "name"]).label).toBe(1);
  });

  it("without a label, sku or name column: the first other column, never one a bulk check's answer adds", () => {
    expect(columns(["serial", "shelf"]).label).toBe(1);
    expect(columns(["serial", "status", "reason", "checked_product", "aisle"]).label).toBe(4);
    expect(columns(["serial", "status"]).label).toBeNull();
  });

  it("a file with neither a GTIN nor a serial column is refused, naming what it found", () => {
    const c = watchCsvColumns(["sku", "price"]);
    expect(c.ok).toBe(false);
    expect(!c.ok && c.message).toMatch(/"gtin".*"serial".*found: "sku", "price"/);
  });
});

describe("a row of a watchlist CSV", () => {
  const c = { gtin: 0, serial: 1, label: 2 };

  it("a valid GTIN (any of 8, 12, 13, 14 digits, spaces ignored) watches by GTIN, in its 14-digit form", () => {
    expect(watchCsvRow(["5060123450002", "", " SKU-1 "], c)).toEqual({
      kind: "gtin",
      gtin14: "05060123450002",
      label: "SKU-1",
    });
    expect(watchCsvRow(["5 060123 450002", "", ""], c)).toMatchObject({ gtin14: "05060123450002" });
  });

  it("the GTIN cell rule is the bulk check's: hyphens ignored, leading zeros a spreadsheet removed restored with a note", () => {
    expect(watchCsvRow(["5-060123-450002", "", ""], c)).toEqual({ kind: "gtin", gtin14: "05060123450002", label: "" });
    expect(watchCsvRow(["36000291452", "", "UPC"], c)).toEqual({
      kind: "gtin",
      gtin14: "00036000291452",
      label: "UPC",
      note: "GTIN 36000291452 read as 036000291452: its leading zero restored (a spreadsheet probably removed it).",
    });
    expect(watchCsvRow(["5.06012E+12", "", ""], c)).toMatchObject({ kind: "invalid", message: /scientific notation/ });
  });

  it("a GTIN with a wrong check digit is reported with what is wrong", () => {
    expect(watchCsvRow(["5060123450003", "", "SKU-1"], c)).toEqual({
      kind: "invalid",
      value: "5060123450003",
      message: "5060123450003 is not a valid GTIN. The check digit should be 2, not 3: check the number for a typo.",
    });
    expect(watchCsvRow(["ABC", "", ""], c)).toMatchObject({ kind: "invalid", message: /digits only/ });
  });

  it("no GTIN: the serial; neither: the row is skipped", () => {
    expect(watchCsvRow(["", "IOTS-ABCD-EFGH", "SKU-2"], c)).toEqual({
      kind: "serial",
      serial: "IOTS-ABCD-EFGH",
      label: "SKU-2",
    });
    expect(watchCsvRow(["", " ", "SKU-3"], c)).toEqual({ kind: "empty" });
    expect(watchCsvRow([], c)).toEqual({ kind: "empty" });
  });

  it("a label is cut at 100 characters", () => {
    expect(watchCsvRow(["5060123450002", "", "x".repeat(150)], c)).toMatchObject({ label: "x".repeat(100) });
  });
});

describe("the GTIN field", () => {
  it("a wrong check digit is refused, naming the field", () => {
    const r = watchGtinInput.safeParse({ gtin: "5060123450003", label: "" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({
      path: ["gtin"],
      message: "The GTIN is not valid. The check digit should be 2, not 3: check the number for a typo.",
    });
  });

  it("empty, letters, wrong lengths: each says what is wrong", () => {
    expect(watchGtinInput.safeParse({ gtin: " " }).error!.issues[0].message).toMatch(/Enter the product's GTIN/);
    expect(watchGtinInput.safeParse({ gtin: "50601234X" }).error!.issues[0].message).toMatch(/digits only/);
    expect(watchGtinInput.safeParse({ gtin: "506012345" }).error!.issues[0].message).toMatch(/8, 12, 13 or 14 digits/);
  });

  it("the CSV's GTIN rule: hyphens ignored, an 11-digit UPC-A without its leading zero taken with it", () => {
    expect(watchGtinInput.parse({ gtin: "5-060123-450002" }).gtin).toBe("05060123450002");
    expect(watchGtinInput.parse({ gtin: "36000291452" }).gtin).toBe("00036000291452");
    expect(watchGtinInput.safeParse({ gtin: "50601234500" }).error!.issues[0].message).toBe(
      "The GTIN is not valid. A GTIN has 8, 12, 13 or 14 digits, not 11 (with leading zeros put back, its check digit does not match either).",
    );
  });

  it("a valid GTIN as printed (spaces) becomes its 14-digit form", () => {
    expect(watchGtinInput.parse({ gtin: " 5 060123 450002 ", label: " SKU " })).toEqual({
      gtin: "05060123450002",
      label: "SKU",
    });
  });
});

describe("what a buyer following a product is told when its current seal changes", () => {
  const old = { serial: "IOTS-OLD1-OLD1", firmware: "3.1.0" };
  it("a new firmware version certified, or a seal re-issued: now certified", () => {
    expect(
      currentSealChangeReason(old, {
        serial: "IOTS-NEW1-NEW1",
        firmware: "3.2.0",
        verdict: "valid",
        newerThanPrevious: true,
      }),
    ).toBe("Now certified: firmware 3.2.0, seal IOTS-NEW1-NEW1.");
  });

  it("the newer seal no longer valid: the older valid one, saying why", () => {
    expect(
      currentSealChangeReason(
        { serial: "IOTS-NEW1-NEW1", firmware: "3.2.0" },
        { serial: old.serial, firmware: "3.1.0", verdict: "valid", newerThanPrevious: false },
      ),
    ).toBe(
      "Now certified by firmware 3.1.0, seal IOTS-OLD1-OLD1: the newer seal IOTS-NEW1-NEW1 (firmware 3.2.0) is no longer valid.",
    );
  });

  it("no valid seal left: the newest, with its verdict", () => {
    expect(
      currentSealChangeReason(old, {
        serial: "IOTS-NEW1-NEW1",
        firmware: "3.2.0",
        verdict: "suspended",
        newerThanPrevious: true,
      }),
    ).toBe("No valid seal now; the newest is firmware 3.2.0, seal IOTS-NEW1-NEW1 (suspended).");
  });
});
