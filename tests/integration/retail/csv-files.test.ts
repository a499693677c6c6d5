// The CSV files a buyer gives us and takes away, read and written the same way everywhere:
// - "Watch from a CSV" reads a file as the bulk check does (a record that is not well-formed CSV is
//   read as a spreadsheet reads it and reported on its row, with the line it starts on), never
//   refusing the whole file for one unclosed quote;
// - a row with more cells than the header (an unquoted comma moved its cells) is noted on the row,
//   naming the line and both counts;
// - the bulk check's download starts with a UTF-8 BOM (Excel on Windows reads it as UTF-8), and
//   our own readers take it back;
// - a file separated by semicolons is refused saying so.
// Against a real database.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { signUpConfirmed } from "../../support/signup";
import { bulkCheck, runBulkCheck } from "../../../app/features/retail/bulk-checks.server";
import { parseBulkCsv } from "../../../app/features/retail/bulk-csv.server";
import { watchFromCsv, watchlistView } from "../../../app/features/retail/watchlist.server";
import { readWrittenCsv } from "../../../app/platform/csv.server";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";

const WATCH3 = "5060123450002";
const SPEAKER = "5060987650037";
const PLUG = "5060987650020";
const buyer = () => actorByEmail("buyer@demo.test");
let n = 0;
/** A retail organisation of its own (nothing watched yet). */
async function shop() {
  const email = `csv-${++n}@files.test`;
  await signUpConfirmed(
    { kind: "retailer", organizationName: `Files ${n} Ltd`, name: "Fay", email, password: "a long enough password" },
    { ip: "192.0.2.92" },
  );
  return actorByEmail(email);
}

beforeAll(async () => {
  await seedDemoData();
});

describe("watching from a CSV reads the file as the bulk check does", () => {
  const text = [
    "gtin,label",
    `5060123450003,"Typo over`, // a record on lines 2 and 3: its invalid GTIN is reported on line 2
    `two lines"`,
    `${WATCH3},Kids watch`,
    `${SPEAKER},"Speaker`, // a quote never closed: read as written, reported on line 5, watched
    `${PLUG},Plug`,
  ].join("\n");

  it("one unclosed quote does not refuse the file; every problem is reported on the line its row starts on", async () => {
    // The bulk check reads the same file row by row.
    const parsed = parseBulkCsv(text);
    expect(parsed.ok && parsed.value.lines).toEqual([2, 4, 5, 6]);
    const who = await shop();
    expect(watchFromCsv(who, text)).toEqual({
      added: 3,
      already: 0,
      byGtin: 0,
      unknown: [],
      invalid: [
        {
          line: 2,
          message:
            '"5060123450003" is not a valid GTIN. The check digit should be 2, not 3: check the number for a typo.',
        },
      ],
      empty: [],
      problems: [{ line: 5, message: "a quote opened in field 2 is never closed (read as written)" }],
    });
    expect((await watchlistView(who)).rows.map((r) => [r.name, r.label])).toEqual([
      ["Brightnest Smart Plug", "Plug"],
      ["Brightnest Smart Speaker", '"Speaker'],
      ["Gator Kids Watch 3", "Kids watch"],
    ]);
  });

  it("a row with more cells than the header is watched and reported, naming both counts", async () => {
    const result = watchFromCsv(await shop(), `gtin,label\n${WATCH3},Kids watch, blue\n`);
    expect(result).toMatchObject({ added: 1, invalid: [] });
    expect(result.problems).toEqual([{ line: 2, message: expect.stringMatching(/^3 cells where the header has 2 /) }]);
  });
});

describe("a row with more cells than the header in a bulk check", () => {
  it("is noted on its row with the line and both cell counts; empty cells past the header are not", async () => {
    const text = [
      "sku,description,gtin",
      `A-1,Kids watch, blue,${WATCH3}`, // the comma moved the GTIN to a fourth cell
      `A-2,Plug,${PLUG},,`, // a spreadsheet's padding: nothing moved
      `A-3,Speaker,${SPEAKER}`,
    ].join("\n");
    const run = bulkCheck(buyer(), (await runBulkCheck(buyer(), { fileName: "shifted.csv", text })).id);
    expect(run.rows.map((r) => [r.line, r.status, r.note])).toEqual([
      [
        2,
        "not_found",
        "Line 2: 4 cells where the header has 3 (a comma in a cell that is not in quotes moves the cells after it to the next column; put that cell in quotes).",
      ],
      [3, "revoked", ""],
      [4, "valid", ""],
    ]);
    expect(run.rows[0].reason).toMatch(/^Not a valid GTIN/); // " blue" read as its GTIN: now the row says why
  });
});

describe("the download for a spreadsheet", () => {
  it("starts with a UTF-8 BOM, and the file downloaded is taken back by the bulk check and the watchlist", async () => {
    const text = `sku,gtin,description\nCAM-1,${WATCH3},Caméra für Kinder\n`;
    const { id } = await runBulkCheck(buyer(), { fileName: "stock.csv", text });
    const { loader } = await import("../../../app/routes/retailer.verify.bulk.$runId.download");
    const res = (await loader({
      request: new Request(`http://localhost/retailer/verify/bulk/${id}/download`, {
        headers: { Cookie: await sessionCookie("buyer@demo.test", "203.0.113.40") },
      }),
      params: { runId: id },
      context: {},
    } as never)) as Response;
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const downloaded = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    expect(downloaded.charCodeAt(0)).toBe(0xfeff);
    // Our readers drop it: the header's first cell is "sku", not "\uFEFFsku".
    const [header, row] = readWrittenCsv(downloaded);
    expect(header[0]).toBe("sku");
    expect(row[2]).toBe("Caméra für Kinder");
    const again = bulkCheck(buyer(), (await runBulkCheck(buyer(), { fileName: "again.csv", text: downloaded })).id);
    expect(again.columns).toEqual(["sku", "gtin", "description"]);
    expect(again.rows[0]).toMatchObject({ status: "valid", cells: ["CAM-1", WATCH3, "Caméra für Kinder"] });
    expect(watchFromCsv(await shop(), downloaded)).toMatchObject({ added: 1, problems: [] });
  });
});

describe("a file separated by semicolons", () => {
  const text = `sku;gtin;description\nA-1;${WATCH3};Kids watch\n`;
  const message = "This file uses semicolons between columns; save it as comma-separated CSV.";

  it("is refused by the bulk check and the watchlist, saying so", async () => {
    expect(parseBulkCsv(text)).toEqual({ ok: false, message });
    await expect(runBulkCheck(buyer(), { fileName: "semicolons.csv", text })).toBeRefused("invalid", message);
    await expect(async () => watchFromCsv(await shop(), text)).toBeRefused("invalid", message);
  });

  it("a header without any column to check by, semicolons or not, names what it found", () => {
    expect(parseBulkCsv("sku;price\nA;1\n")).toEqual({
      ok: false,
      message:
        'The CSV needs a column named "gtin" (or "ean", "upc", "barcode") or "serial" in its first line (found: "sku;price").',
    });
  });
});
