// Watching from a CSV (issue 18): which column names the products and which one labels them, and
// what each row asks to watch; and what a buyer following a product by GTIN is told when its current
// seal changes.
import { describe, expect, it } from "vitest";
import {
  currentSealChangeReason,
  missingKeyColumnMessage,
  serialRowWatch,
  watchCsvColumns,
  watchCsvRow,
} from "../../../app/features/retail/domain/watch-csv";
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
      message: '"5060123450003" is not a valid GTIN. The check digit should be 2, not 3: check the number for a typo.',
    });
    expect(watchCsvRow(["ABC", "", ""], c)).toMatchObject({ kind: "invalid", message: /digits only/ });
  });

  it("the cell is quoted as written: a minus sign, spaces and hyphens are not dropped", () => {
    expect(watchCsvRow(["-1.5", "", ""], c)).toMatchObject({
      kind: "invalid",
      value: "-1.5",
      message: /^"-1\.5" is not a valid GTIN\. /,
    });
    expect(watchCsvRow([" 5060 1234-5000 3 ", "", ""], c)).toMatchObject({
      kind: "invalid",
      message: /^"5060 1234-5000 3" is not a valid GTIN\. The check digit should be 2, not 3/,
    });
    expect(watchCsvRow(["9".repeat(60), "", ""], c)).toMatchObject({
      message: new RegExp(`^"${"9".repeat(40)}…" is not`),
    });
  });

  it("no GTIN: the serial; neither: the row is not watched, saying why", () => {
    expect(watchCsvRow(["", "IOTS-ABCD-EFGH", "SKU-2"], c)).toEqual({
      kind: "serial",
      serial: "IOTS-ABCD-EFGH",
      label: "SKU-2",
    });
    expect(watchCsvRow(["", " ", "SKU-3"], c)).toEqual({ kind: "empty", message: "No serial or GTIN in this row." });
    expect(watchCsvRow([], c)).toEqual({ kind: "empty", message: "No serial or GTIN in this row." });
  });

  it("the bulk check's reading: a serial shaped like one wins, an invalid GTIN beside it is said, not refused", () => {
    expect(watchCsvRow(["n/a", "IOTS-CCPN-V617", "row-a"], c)).toEqual({
      kind: "serial",
      serial: "IOTS-CCPN-V617",
      label: "row-a",
      note: expect.stringMatching(/^The row's GTIN was not compared with the seal\. Not a valid GTIN: /),
    });
    // A valid GTIN beside a serial is kept, to be compared with the seal's product.
    expect(watchCsvRow(["5060123450002", "IOTS-CCPN-V617", ""], c)).toEqual({
      kind: "serial",
      serial: "IOTS-CCPN-V617",
      label: "",
      gtin14: "05060123450002",
    });
  });

  it("a placeholder serial beside a valid GTIN: watched by the GTIN, and the note says so", () => {
    expect(watchCsvRow(["5060123450002", "n/a", "row-d"], c)).toEqual({
      kind: "gtin",
      gtin14: "05060123450002",
      label: "row-d",
      note: '"n/a" is not a seal serial: watched by the GTIN.',
    });
  });

  it("a label is cut at 100 characters", () => {
    expect(watchCsvRow(["5060123450002", "", "x".repeat(150)], c)).toMatchObject({ label: "x".repeat(100) });
  });
});

describe("a serial row with a GTIN, once the seal's product is known", () => {
  it("the seal's product's GTIN: followed by the GTIN", () => {
    expect(serialRowWatch("05060123450002", "05060123450002")).toEqual({ gtin14: "05060123450002", note: null });
    expect(serialRowWatch(null, "05060123450002")).toEqual({ gtin14: null, note: null });
  });

  it("another product's GTIN: the serial's product, with the bulk check's note", () => {
    expect(serialRowWatch("05060123450002", "05060987650037")).toEqual({
      gtin14: null,
      note: "The row's GTIN 05060123450002 is not this seal's product (its GTIN is 05060987650037). The serial's product is watched.",
    });
  });
});

describe("a first line without a key column, however long", () => {
  const header = Array.from({ length: 100_000 }, (_, i) => `column ${i}`);

  it("names at most 10 cells, then how many more", () => {
    const message = missingKeyColumnMessage(header);
    expect(message).toBe(
      `The CSV needs a column named "gtin" (or "ean", "upc", "barcode") or "serial" in its first line (found: ${header
        .slice(0, 10)
        .map((h) => `"${h}"`)
        .join(", ")} and 99,990 more).`,
    );
    expect(missingKeyColumnMessage(["sku", "price"])).toMatch(/found: "sku", "price"\)\.$/);
  });

  it("a long cell is cut", () => {
    expect(missingKeyColumnMessage(["x".repeat(5000)])).toMatch(new RegExp(`found: "${"x".repeat(40)}…"\\)`));
  });

  it("the watchlist's refusal is as short (the bulk check's: tests/integration/retail/watch-csv-one-rule.test.ts)", () => {
    const c = watchCsvColumns(header);
    expect(!c.ok && c.message).toBe(missingKeyColumnMessage(header));
    expect(!c.ok && c.message.length).toBeLessThan(400);
  });

  it("two barcode columns, many times over: named at most 10", () => {
    const c = watchCsvColumns(Array.from({ length: 50_000 }, () => "gtin"));
    expect(!c.ok && c.message).toMatch(
      /^The CSV has 50,000 columns a barcode could be read from \(("gtin", ){9}"gtin" and 49,990 more\)/,
    );
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
