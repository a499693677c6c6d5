// Issue 18: bulk checks by GTIN or serial, and results a buyer can trace to their own stock file.
// Against a real database (the demo seed: README "By GTIN") and the real fast routes on 127.0.0.1.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { bulkCheck, runBulkCheck } from "../../../app/features/retail/bulk-checks.server";
import { BULK_MAX_ROWS, parseBulkCsv } from "../../../app/features/retail/bulk-csv.server";
import { certificationOfGtin } from "../../../app/features/certification/product-seals.server";
import { actorByEmail } from "../../support/actors";
import { startFastRoutes, type TestServer } from "../../support/http";

const WATCH3 = "5060123450002"; // active
const WATCH2 = "5060123450019"; // expired
const PLUG = "5060987650020"; // revoked
const SPEAKER = "5060987650037"; // valid, update required
const CAM2 = "5060987650044"; // registered, no seal

let server: TestServer;
const current: Record<string, string> = {};

beforeAll(async () => {
  await seedDemoData();
  for (const g of [WATCH3, WATCH2, PLUG, SPEAKER])
    current[g] = (await certificationOfGtin(g.padStart(14, "0")))!.current!.serial;
  server = await startFastRoutes();
});
afterAll(async () => {
  await server.close();
});

const buyer = () => actorByEmail("buyer@demo.test");
const rowsOf = (csv: string) => {
  const [header, ...body] = parse(csv, { relax_column_count: true }) as string[][];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
};
async function check(text: string) {
  const run = await runBulkCheck(buyer(), { fileName: "stock.csv", text });
  return bulkCheck(buyer(), run.id);
}

describe("issue 18: a CSV with a gtin column answers each row with the product's current seal and its verdict", () => {
  it("by GTIN: the current seal's serial, status, product and update-required flag; no seal and not a GTIN said in the row", async () => {
    const text = [
      "sku,gtin",
      `W3,${WATCH3}`,
      `W2,0${WATCH2}`, // as a GTIN-14
      `PLUG,${PLUG}`,
      `SPK,${SPEAKER}`,
      `CAM2,${CAM2}`,
      "TYPO,5060123450003",
      "EMPTY,",
    ].join("\n");
    const run = await check(text);
    const out = rowsOf(run.csv);
    expect(out.map((r) => [r.sku, r.status, r.checked_serial])).toEqual([
      ["W3", "valid", current[WATCH3]],
      ["W2", "expired", current[WATCH2]],
      ["PLUG", "revoked", current[PLUG]],
      ["SPK", "valid", current[SPEAKER]],
      ["CAM2", "not_found", ""],
      ["TYPO", "not_found", ""],
      ["EMPTY", "not_found", ""],
    ]);
    expect(out[0].checked_product).toMatch(/Gator Kids Watch 3/);
    expect(out[3].update_required).toMatch(/^update to 1\.0\.4: /);
    expect(out[4].reason).toBe("No IoT Seal for this GTIN.");
    expect(out[5].reason).toMatch(/^Not a valid GTIN: the check digit should be 2, not 3/);
    expect(out[6].reason).toBe("No GTIN in this row.");
    // A GTIN not valid and a row with none are counted apart from the valid GTIN that has no seal.
    expect(run.summary).toMatchObject({ valid: 2, expired: 1, revoked: 1, not_found: 1, not_valid: 2 });
  });

  it("header names matched case-insensitively: EAN, Upc, BARCODE are GTIN columns", async () => {
    for (const name of ["EAN", "Upc", "BARCODE", " Gtin "]) {
      const parsed = parseBulkCsv(`${name},sku\n${WATCH3},A\n`);
      expect(parsed.ok && parsed.value.gtinColumn).toBe(0);
    }
    const run = await check(`Barcode,SKU\n${WATCH3},A\n`);
    expect(run.rows[0]).toMatchObject({ status: "valid", serial: current[WATCH3] });
  });

  it("both columns: the serial wins, and a GTIN of another product is named on the row (it needs attention)", async () => {
    const text = [
      "serial,gtin,sku",
      `${current[WATCH3]},${WATCH3},SAME`,
      `${current[WATCH3]},${WATCH2},OTHER`,
      `,${WATCH2},NO-SERIAL`,
    ].join("\n");
    const run = await check(text);
    expect(run.rows.map((r) => [r.cells[2], r.status, r.serial])).toEqual([
      ["SAME", "valid", current[WATCH3]],
      ["OTHER", "valid", current[WATCH3]],
      ["NO-SERIAL", "expired", current[WATCH2]],
    ]);
    expect(run.rows[0].note).toBe("");
    expect(run.rows[1].note).toBe(`The row's GTIN 0${WATCH2} is not this seal's product (its GTIN is 0${WATCH3}).`);
    // A valid seal, but not for this row's product: the page marks it beside the status.
    expect(run.rows.map((r) => r.gtin)).toEqual([null, "mismatch", null]);
  });

  it("two barcode columns (or two serial columns) are refused, naming them: only one would be read", () => {
    expect(parseBulkCsv(`GTIN,EAN\n${WATCH3},${WATCH2}\n`)).toEqual({
      ok: false,
      message:
        'The CSV has 2 columns a barcode could be read from ("GTIN", "EAN"): keep one, or rename the others, so that no row is checked by the wrong one.',
    });
    expect(parseBulkCsv(`serial,sku,Serial\nIOTS-0000-0000,A,IOTS-1111-1111\n`)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^The CSV has 2 columns a serial could be read from \("serial", "Serial"\)/),
    });
    expect(parseBulkCsv(`serial,gtin\nIOTS-0000-0000,${WATCH3}\n`).ok).toBe(true);
  });

  it(`${BULK_MAX_ROWS.toLocaleString("en")} rows are accepted, one more is refused with a message`, () => {
    const body = (n: number) => `gtin\n${`${WATCH3}\n`.repeat(n)}`;
    expect(parseBulkCsv(body(BULK_MAX_ROWS)).ok).toBe(true);
    expect(parseBulkCsv(body(BULK_MAX_ROWS + 1))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/at most 50,000/),
    });
  });
});

describe("issue 18: results a buyer can trace", () => {
  it("the results keep the buyer's line numbers and all their columns; the download keeps their columns and adds ours", async () => {
    const text = [
      "SKU,Description,gtin,Shelf",
      "",
      `A-1,"Kids watch, blue",${WATCH3},A1`,
      `B-2,"Two-line\ndescription",${CAM2},B2`,
      `C-3,Plug,${PLUG},C3`,
    ].join("\r\n");
    const run = await check(text);
    expect(run.columns).toEqual(["SKU", "Description", "gtin", "Shelf"]);
    expect(run.rows.map((r) => [r.line, ...r.cells])).toEqual([
      [3, "A-1", "Kids watch, blue", WATCH3, "A1"],
      [4, "B-2", "Two-line\ndescription", CAM2, "B2"],
      [6, "C-3", "Plug", PLUG, "C3"],
    ]);
    const [header] = parse(run.csv) as string[][];
    expect(header).toEqual([
      "SKU",
      "Description",
      "gtin",
      "Shelf",
      "status",
      "reason",
      "checked_product",
      "checked_firmware",
      "valid_until",
      "update_required",
      "checked_serial",
      "file_line",
      "check_note",
      "policy", // the demo buyer has acceptance policies
    ]);
    expect(rowsOf(run.csv).map((r) => r.file_line)).toEqual(["3", "4", "6"]);
  });

  it("a malformed row (an unquoted quote) is reported with its line and kept as a row that needs attention, not a refusal of the file", async () => {
    const text = [
      "gtin,sku,note",
      `${WATCH3},A,fine`,
      `${WATCH3},B,=HYPERLINK("x")`,
      `${WATCH3},C,"never closed`,
      `${WATCH2},D,ok`,
    ].join("\n");
    const run = await check(text);
    expect(run.rowCount).toBe(4);
    expect(run.rows.map((r) => [r.line, r.cells[1], r.status])).toEqual([
      [2, "A", "valid"],
      [3, "B", "valid"],
      [4, "C", "valid"],
      [5, "D", "expired"],
    ]);
    expect(run.rows[0].note).toBe("");
    expect(run.rows[1].note).toMatch(/^Line 3: a quote inside unquoted field 3/);
    expect(run.rows[1].cells[2]).toBe('=HYPERLINK("x")');
    expect(run.rows[2].note).toMatch(/^Line 4: a quote opened in field 3 is never closed/);
  });
});

describe("rows that are not valid are counted apart from those not found", () => {
  it("a serial with a typo, a placeholder serial, an empty row: not valid; an unknown valid serial: not found", async () => {
    const run = await check(
      ["serial,sku", `${current[WATCH3]},A`, "IOTS-0000-0000,B", "not-a-serial,C", "n/a,D", ",E"].join("\n"),
    );
    expect(run.summary).toMatchObject({ valid: 1, not_found: 1, not_valid: 3 });
    expect(run.rows.map((r) => r.status)).toEqual(["valid", "not_found", "not_found", "not_found", "not_found"]);
  });
});

describe("issue 18 and OWASP CSV injection: the API answers GTIN files too, every outside cell neutralised", () => {
  const text = ["gtin,sku,note", `${WATCH3},=1+1,@SUM(A1)`, `${PLUG},-2,+3`, '5060123450003,x,=HYPERLINK("x")'].join(
    "\n",
  );

  it("POST /api/v1/verify/bulk, CSV: no answered cell starts with = + - @; the buyer's cells get a leading '", async () => {
    const res = await fetch(`${server.base}/api/v1/verify/bulk`, { method: "POST", body: text });
    expect(res.status).toBe(200);
    const csv = await res.text();
    for (const row of parse(csv, { relax_column_count: true }) as string[][])
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const out = rowsOf(csv);
    expect(out.map((r) => [r.sku, r.note, r.status, r.file_line])).toEqual([
      ["'=1+1", "'@SUM(A1)", "valid", "2"],
      ["'-2", "'+3", "revoked", "3"],
      ["x", `'=HYPERLINK("x")`, "not_found", "4"],
    ]);
    expect(out[2].check_note).toMatch(/^Line 4: a quote inside unquoted field 3/);
  });

  it("POST /api/v1/verify/bulk, JSON: each row with its line, what it was checked by, the raw values", async () => {
    const res = await fetch(`${server.base}/api/v1/verify/bulk`, {
      method: "POST",
      headers: { Accept: "application/json" },
      body: text,
    });
    const json = (await res.json()) as {
      summary: Record<string, number>;
      notValid: number;
      results: Record<string, unknown>[];
    };
    // The summary counts rows by status as it always has; `notValid` says how many of the not found are not valid.
    expect(json.summary).toEqual({
      valid: 1,
      expired: 0,
      suspended: 0,
      revoked: 1,
      superseded: 0,
      not_found: 1,
      forged: 0,
    });
    expect(json.notValid).toBe(1);
    expect(json.results[0]).not.toHaveProperty("notValid");
    expect(json.results[0]).toMatchObject({
      row: 1,
      line: 2,
      by: "gtin",
      gtin: `0${WATCH3}`,
      serial: current[WATCH3],
      status: "valid",
      columns: { gtin: WATCH3, sku: "=1+1", note: "@SUM(A1)" },
    });
    expect(json.results[2]).toMatchObject({
      by: null,
      status: "not_found",
      notValid: true,
      reason: expect.stringMatching(/^Not a valid GTIN/),
    });
  });
});
