// OWASP "CSV Injection" (CWE-1236), issues 13.4 and 18: every CSV the portal answers writes a cell from
// anyone but the portal that starts with = + - @ (whitespace before them or not), tab or CR with a
// leading '. One rule, in one place (app/platform/csv.server.ts writeCsv), used by the bulk check's
// download and the API's CSV answer.
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvCellValue, csvSafeCell, writeCsv } from "../../../app/platform/csv.server";

describe("OWASP CSV injection: a cell starting with = + - @ (after any whitespace), tab or CR gets a leading '", () => {
  it.each([
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("x")',
    "-1.5",
    // Whitespace first (a spreadsheet may trim it, pen test): the same rule.
    " =1+1",
    "   +1+1",
    " \t-1+1",
    "\n@SUM(A1)",
    "\u00a0=1+1",
  ])("%j", (cell) => {
    expect(csvSafeCell(cell)).toBe(`'${cell}`);
    expect(csvCellValue(csvSafeCell(cell))).toBe(cell);
  });

  it("leaves every other cell alone, and is idempotent", () => {
    for (const cell of [
      "",
      "plain",
      "1.5",
      "'quoted",
      " plain after a space",
      "a =b",
      "IOTS-ABCD-EFGH",
      "5060123450002",
    ])
      expect(csvSafeCell(cell)).toBe(cell);
    expect(csvSafeCell(csvSafeCell("=x"))).toBe("'=x");
    expect(csvSafeCell(csvSafeCell(" =x"))).toBe("' =x");
  });

  it("the writer applies it to every cell: no written cell starts a formula", () => {
    const rows = parse(
      writeCsv([
        ["a", "=b"],
        ["@c", "d;e"],
      ]),
    ) as string[][];
    expect(rows).toEqual([
      ["a", "'=b"],
      ["'@c", "d;e"],
    ]);
  });
});
