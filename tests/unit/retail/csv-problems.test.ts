// What a buyer is told about a CSV file before and while it is read: a file over the bulk check's
// limit (checked in the browser before uploading, with the limit the page's loader gives), a row
// with more cells than the header, a file separated by semicolons or tabs.
import { describe, expect, it } from "vitest";
import { bulkFileProblem, tooLargeMessage } from "../../../app/features/retail/forms";
import { extraCellsProblem, readCsvRecords, recordProblem } from "../../../app/features/retail/domain/csv-records";
import { missingKeyColumnMessage } from "../../../app/features/retail/domain/watch-csv";

describe("the file chosen for a bulk check", () => {
  const MiB = 1024 * 1024;

  it("over the limit: 'The file is larger than …' with the limit given, before it is sent", () => {
    expect(bulkFileProblem({ size: 10 * MiB + 1 }, 10 * MiB)).toBe("The file is larger than 10 MiB.");
    expect(bulkFileProblem({ size: 3 * MiB }, 2 * MiB)).toBe(tooLargeMessage(2 * MiB));
    expect(tooLargeMessage(2 * MiB)).toBe("The file is larger than 2 MiB.");
  });

  it("within it: nothing to say; none chosen: choose a file; an empty one is named", () => {
    expect(bulkFileProblem({ size: 10 * MiB, name: "stock.csv" }, 10 * MiB)).toBeNull();
    // A file field left empty is posted as a nameless file of 0 bytes.
    expect(bulkFileProblem({ size: 0, name: "" }, 10 * MiB)).toBe("Choose a CSV file with a gtin or serial column.");
    expect(bulkFileProblem(null, 10 * MiB)).toBe("Choose a CSV file with a gtin or serial column.");
    expect(bulkFileProblem({ size: 0, name: "stock.csv" }, 10 * MiB)).toBe("The file stock.csv is empty.");
  });
});

describe("a row with more cells than the header", () => {
  it("names both counts", () => {
    expect(extraCellsProblem(["A-1", "Kids watch", " blue", "5060123450002"], 3)).toBe(
      "4 cells where the header has 3 (a comma in a cell that is not in quotes moves the cells after it to the next column; put that cell in quotes)",
    );
  });

  it("empty cells past the header (a spreadsheet's padding), or as many cells or fewer: no problem", () => {
    expect(extraCellsProblem(["A", "B", "C", "", " "], 3)).toBeNull();
    expect(extraCellsProblem(["A", "B", "C"], 3)).toBeNull();
    expect(extraCellsProblem(["A"], 3)).toBeNull();
  });

  it("joined with the record's own CSV problem", () => {
    const [, row] = readCsvRecords('a,b\nx"y,2,3\n');
    expect(recordProblem(row, 2)).toMatch(/^a quote inside unquoted field 1 .*; 3 cells where the header has 2 /);
  });
});

describe("a header without a column to check by", () => {
  it("split by semicolons or tabs it would have one: the separator is named", () => {
    expect(missingKeyColumnMessage(["sku;gtin;description"])).toBe(
      "This file uses semicolons between columns; save it as comma-separated CSV.",
    );
    expect(missingKeyColumnMessage(["SKU; EAN"])).toMatch(/^This file uses semicolons/);
    expect(missingKeyColumnMessage(["sku\tserial"])).toBe(
      "This file uses tabs between columns; save it as comma-separated CSV.",
    );
  });

  it('quoted header cells (as Excel writes them: "Material";"EAN") are recognised too', () => {
    for (const line of ['"Material";"EAN";"Description"', 'Material;"EAN"', '"Material"\t"Serial"']) {
      const [header] = readCsvRecords(`${line}\n"A-1";"5060123450002"\n`);
      expect(missingKeyColumnMessage(header.cells)).toMatch(/^This file uses (semicolons|tabs) between columns/);
    }
  });

  it("otherwise: what is needed, and what was found", () => {
    expect(missingKeyColumnMessage(["sku", "price;eur"])).toBe(
      'The CSV needs a column named "gtin" (or "ean", "upc", "barcode") or "serial" in its first line (found: "sku", "price;eur").',
    );
  });
});
