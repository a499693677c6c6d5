// Issue 18: "a malformed row (an unquoted quote) is reported with its line and kept as a row that
// needs attention, not a refusal of the file". The buyer's CSV is read record by record, each with
// the line it starts on in their file.
import { describe, expect, it } from "vitest";
import { MAX_RECORD_LINES, readCsvRecords } from "../../../app/features/retail/domain/csv-records";

describe("issue 18: reading the buyer's CSV, one record per row, each with its line", () => {
  it("reads RFC 4180: quoted fields with commas, doubled quotes and line breaks; empty lines skipped; BOM dropped", () => {
    const text =
      '\ufeffsku,gtin,note\n\nA,5060123450002,"aisle 1, bay 2"\r\nB,1,"say ""hi""\nsecond line"\n\n,,\nC,2,\n';
    expect(readCsvRecords(text)).toEqual([
      { line: 1, cells: ["sku", "gtin", "note"], problem: null },
      { line: 3, cells: ["A", "5060123450002", "aisle 1, bay 2"], problem: null },
      { line: 4, cells: ["B", "1", 'say "hi"\nsecond line'], problem: null },
      { line: 8, cells: ["C", "2", ""], problem: null },
    ]);
  });

  it('the issue\'s example: an unquoted =HYPERLINK("x") is read as written, reported on its own line, and the next rows are read', () => {
    const records = readCsvRecords('gtin,sku\n5060123450002,A\n=HYPERLINK("x"),B\n5060123450019,C\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(records[2]).toEqual({
      line: 3,
      cells: ['=HYPERLINK("x")', "B"],
      problem: expect.stringContaining("a quote inside unquoted field 1"),
    });
    expect(records[3]).toEqual({ line: 4, cells: ["5060123450019", "C"], problem: null });
  });

  it('a quote inside an unquoted field (Screen 5" wide) is kept as spreadsheets read it, and reported', () => {
    const [, row, next] = readCsvRecords('gtin,sku\n5060123450002,Screen 5" wide\n5060123450019,C\n');
    expect(row).toMatchObject({ line: 2, cells: ["5060123450002", 'Screen 5" wide'] });
    expect(row.problem).toMatch(/field 2/);
    expect(next).toMatchObject({ line: 3, cells: ["5060123450019", "C"], problem: null });
  });

  it("text after a closing quote is kept and reported", () => {
    const [, row, next] = readCsvRecords('gtin,sku\n5060123450002,"abc"def\n5060123450019,C\n');
    expect(row).toMatchObject({ line: 2, cells: ["5060123450002", "abcdef"] });
    expect(row.problem).toMatch(/text after a closing quote in field 2/);
    expect(next).toMatchObject({ line: 3, cells: ["5060123450019", "C"] });
  });

  it("a quote never closed does not swallow the rest of the file: its row is one line, reported; the next lines are rows", () => {
    const records = readCsvRecords('gtin,sku\n5060123450002,"abc\n5060123450019,C\n5060123450020,D\n');
    expect(records).toEqual([
      { line: 1, cells: ["gtin", "sku"], problem: null },
      { line: 2, cells: ["5060123450002", '"abc'], problem: expect.stringMatching(/field 2 is never closed/) },
      { line: 3, cells: ["5060123450019", "C"], problem: null },
      { line: 4, cells: ["5060123450020", "D"], problem: null },
    ]);
  });

  it("a quote left open that a stray quote lines later closes does not swallow the rows between (a buyer's stock file)", () => {
    const text = [
      "sku,serial,gtin,description",
      "A6,IOTS-AAAA-BBBB,,unknown",
      'A7,"broken,line',
      "",
      "A8,,5060123450002,gtin watch3",
      "A9,,5060123450018,bad gtin",
      '=cmd|calc,=HYPERLINK("http://evil"),,formula',
    ].join("\n");
    const records = readCsvRecords(text);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(records[2]).toEqual({
      line: 3,
      cells: ["A7", '"broken', "line"],
      problem: expect.stringMatching(/a quote opened in field 2 is never closed/),
    });
    expect(records[3]).toMatchObject({ cells: ["A8", "", "5060123450002", "gtin watch3"], problem: null });
    expect(records[5].problem).toMatch(/a quote inside unquoted field 2/);
  });

  it("a well-formed quoted field over several lines is still one field", () => {
    const records = readCsvRecords('sku,note\nA,"aisle 1\nbay 2, top shelf"\nB,x\n');
    expect(records[1]).toEqual({ line: 2, cells: ["A", "aisle 1\nbay 2, top shelf"], problem: null });
    expect(records[2]).toMatchObject({ line: 4, cells: ["B", "x"] });
  });

  it(`a quoted field spanning more than ${MAX_RECORD_LINES} lines counts as never closed`, () => {
    const body = Array.from({ length: 60 }, (_, i) => `506012345000${i % 10},row ${i}`).join("\n");
    const records = readCsvRecords(`gtin,sku\n1,"open\n${body}\nlast,"closed late"\n`);
    expect(records[1]).toMatchObject({ line: 2, cells: ["1", '"open'] });
    expect(records[2]).toMatchObject({ line: 3, cells: ["5060123450000", "row 0"], problem: null });
    expect(records).toHaveLength(2 + 60 + 1);
  });

  it("counts lines the same with CRLF, LF and CR line ends", () => {
    for (const eol of ["\r\n", "\n", "\r"]) {
      const records = readCsvRecords(["h", "", "a", '"b', 'c"', "d"].join(eol));
      expect(records.map((r) => [r.line, r.cells[0]])).toEqual([
        [1, "h"],
        [3, "a"],
        [4, `b${eol}c`],
        [6, "d"],
      ]);
    }
  });
});
