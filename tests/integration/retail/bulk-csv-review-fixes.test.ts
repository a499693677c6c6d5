// Review fixes to the buyer's CSV files, bulk checks, webhooks and the watchlist feed, against a real
// database (the demo seed) and the real fast routes on 127.0.0.1:
// - a GTIN whose leading zero a spreadsheet removed is read with it, and the row says so;
// - a placeholder serial ("n/a") beside a valid GTIN is checked by the GTIN; an invalid GTIN beside a
//   serial is said in the row's note;
// - the buyer's own columns named like ours ("Status", "Reason", "Policy") are kept in the download,
//   renamed "… (yours)"; only a file we answered, uploaded again, has its old answer replaced;
// - a file that is not UTF-8 (Excel's Windows-1252 CSV) is read as Windows-1252 and said so; a
//   workbook is refused, by the page, its upload endpoint and the API;
// - one URL cannot be registered twice as a webhook under two spellings;
// - the watchlist feed answers 400 naming the parameter for a `since` or `limit` that is not valid.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { signUpConfirmed } from "../../support/signup";
import { bulkCheck, runBulkCheck } from "../../../app/features/retail/bulk-checks.server";
import { answeredHeader, BULK_POLICY_COLUMN, BULK_RESULT_COLUMNS } from "../../../app/features/retail/bulk-csv.server";
import { registerWebhook, webhooksView } from "../../../app/features/retail/webhooks.server";
import { certificationOfGtin } from "../../../app/features/certification/product-seals.server";
import { NOT_CSV_TEXT, NOT_UTF8_NOTE } from "../../../app/platform/csv-decode.server";
import { actorByEmail } from "../../support/actors";
import { sessionCookie, startFastRoutes, type TestServer } from "../../support/http";

const WATCH3 = "5060123450002"; // active
const buyer = () => actorByEmail("buyer@demo.test");
/** The seven bytes of "Caméra" and the rest of a stock file as Excel's "CSV (Comma delimited)" saves it (Windows-1252). */
const cp1252File = Buffer.concat([
  Buffer.from(`sku,gtin,description\nCAM-1,${WATCH3},Cam`),
  Buffer.from([0xe9]),
  Buffer.from("ra\n"),
]);
/** The first bytes of an .xlsx workbook (a ZIP archive). */
const xlsx = Buffer.concat([
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
  Buffer.from("[Content_Types].xml"),
]);

let server: TestServer;
let cookie: string;
let watch3Serial: string;
let n = 0;

beforeAll(async () => {
  await seedDemoData();
  server = await startFastRoutes();
  cookie = await sessionCookie("buyer@demo.test", "203.0.113.61");
  watch3Serial = (await certificationOfGtin(WATCH3.padStart(14, "0")))!.current!.serial;
}, 120_000); // the demo seed: slow on a shared machine
afterAll(async () => {
  await server?.close();
});

const rowsOf = (csv: string) => {
  const [header, ...body] = parse(csv, { bom: true, relax_column_count: true }) as string[][];
  return { header, body };
};
async function check(text: string) {
  return bulkCheck(buyer(), (await runBulkCheck(buyer(), { fileName: "stock.csv", text })).id);
}

describe("finding 1 and 5: what a row is checked by", () => {
  it("an 11-digit UPC-A (its leading zero removed by a spreadsheet) is read with it, and the row says so", async () => {
    const run = await check("sku,upc\nUPC-1,36000291452\n");
    expect(run.rows[0]).toMatchObject({
      status: "not_found",
      reason: "No IoT Seal for this GTIN.", // read as a GTIN, not refused as one of 11 digits
      note: "GTIN 36000291452 read as 036000291452: its leading zero restored (a spreadsheet probably removed it).",
    });
  });

  it("a placeholder serial beside a valid GTIN is checked by the GTIN, with a note; an invalid GTIN beside a serial is noted", async () => {
    const run = await check(
      ["sku,serial,gtin", `A,n/a,${WATCH3}`, `B,-,${WATCH3}`, `C,${watch3Serial},5060123450003`].join("\n"),
    );
    expect(run.rows.map((r) => [r.status, r.serial, r.note])).toEqual([
      ["valid", watch3Serial, '"n/a" is not a seal serial: checked by the GTIN.'],
      ["valid", watch3Serial, '"-" is not a seal serial: checked by the GTIN.'],
      [
        "valid",
        watch3Serial,
        "The row's GTIN was not compared with the seal. Not a valid GTIN: the check digit should be 2, not 3: check the number for a typo.",
      ],
    ]);
    // The placeholder stays in the buyer's own serial column as they wrote it.
    expect(run.rows.map((r) => r.cells[1])).toEqual(["n/a", "-", watch3Serial]);
  });
});

describe("finding 4: the buyer's columns named like ours", () => {
  it("are kept in the download, renamed '… (yours)', and our columns keep their names; the page shows theirs", async () => {
    // The demo buyer has acceptance policies: the check adds a policy column, so theirs is renamed too.
    const run = await check(`sku,gtin,Status,reason,Policy\nA,${WATCH3},on shelf,restock,ours\n`);
    const { header, body } = rowsOf(run.csv);
    expect(header.slice(0, 6)).toEqual(["sku", "gtin", "Status (yours)", "reason (yours)", "Policy (yours)", "status"]);
    expect(header.at(-1)).toBe("policy");
    expect(body[0].slice(0, 6)).toEqual(["A", WATCH3, "on shelf", "restock", "ours", "valid"]);
    expect(run.columns).toEqual(["sku", "gtin", "Status (yours)", "reason (yours)", "Policy (yours)"]);
    expect(run.rows[0]).toMatchObject({ status: "valid", cells: ["A", WATCH3, "on shelf", "restock", "ours"] });
  });

  it("a column is renamed only when it clashes with one the check adds, and never onto another of theirs", () => {
    const ours = [...BULK_RESULT_COLUMNS];
    // Without policies, a "Policy" column clashes with nothing.
    expect(answeredHeader(["gtin", "Policy", " STATUS ", "status (yours)"], ours)).toEqual({
      keep: [0, 1, 2, 3],
      names: ["gtin", "Policy", "STATUS (yours 2)", "status (yours)"],
    });
    expect(answeredHeader(["gtin", "policy"], [...ours, BULK_POLICY_COLUMN]).names).toEqual(["gtin", "policy (yours)"]);
  });

  it("a file we answered, uploaded again, has its old answer replaced (their renamed columns kept as they are)", async () => {
    const first = await check(`sku,gtin,Status\nA,${WATCH3},on shelf\n`);
    const again = await check(first.csv);
    const { header, body } = rowsOf(again.csv);
    expect(header.filter((h) => h.toLowerCase().startsWith("status"))).toEqual(["Status (yours)", "status"]);
    expect(header.filter((h) => h === "check_note")).toHaveLength(1);
    expect(again.columns).toEqual(["sku", "gtin", "Status (yours)"]);
    expect(body[0].slice(0, 4)).toEqual(["A", WATCH3, "on shelf", "valid"]);
  });
});

describe("finding 3: a file that is not UTF-8 text", () => {
  it("the service reads Windows-1252 as such and returns the note; a workbook is refused on the file field", async () => {
    const run = await runBulkCheck(buyer(), { fileName: "excel.csv", bytes: cp1252File });
    expect(run.note).toBe(NOT_UTF8_NOTE);
    expect(bulkCheck(buyer(), run.id).rows[0].cells).toEqual(["CAM-1", WATCH3, "Caméra"]);
    const utf8 = await runBulkCheck(buyer(), { fileName: "utf8.csv", bytes: Buffer.from(`gtin\n${WATCH3}\n`) });
    expect(utf8.note).toBeNull();
    const refused = await runBulkCheck(buyer(), { fileName: "stock.xlsx", bytes: xlsx }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: "invalid", message: NOT_CSV_TEXT, fieldErrors: { file: NOT_CSV_TEXT } });
  });

  const upload = (path: string, bytes: Buffer, name: string) => {
    const body = new FormData();
    body.append("file", new File([new Uint8Array(bytes)], name, { type: "text/csv" }));
    return new Request(`http://localhost${path}`, { method: "POST", headers: { Cookie: cookie }, body });
  };

  it("the page without script: the note and a link to the result; a workbook: 400 on the file field", async () => {
    const { action } = await import("../../../app/routes/retailer.verify.bulk._index");
    const ok = (await action({
      request: upload("/retailer/verify/bulk?index", cp1252File, "excel.csv"),
      params: {},
      context: {},
    } as never)) as { ok: true; notice: string; runId: string };
    expect(ok).toMatchObject({ ok: true, notice: NOT_UTF8_NOTE });
    expect(bulkCheck(buyer(), ok.runId).rows[0].cells[2]).toBe("Caméra");
    const refused = (await action({
      request: upload("/retailer/verify/bulk?index", xlsx, "stock.xlsx"),
      params: {},
      context: {},
    } as never)) as unknown as { init: { status: number }; data: { formError: string; fieldErrors: object } };
    expect(refused.init.status).toBe(400);
    expect(refused.data).toMatchObject({ formError: NOT_CSV_TEXT, fieldErrors: { file: NOT_CSV_TEXT } });
  });

  it("the upload endpoint (script): {id, rows, note}; a workbook: 400 {message}", async () => {
    const { action } = await import("../../../app/routes/retailer.verify.bulk.upload");
    const res = (await action({
      request: upload("/retailer/verify/bulk/upload", cp1252File, "excel.csv"),
      params: {},
      context: {},
    } as never)) as Response;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rows: 1, note: NOT_UTF8_NOTE });
    const refused = (await action({
      request: upload("/retailer/verify/bulk/upload", xlsx, "stock.xlsx"),
      params: {},
      context: {},
    } as never)) as Response;
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ message: NOT_CSV_TEXT });
  });

  it("the API: Windows-1252 read as such, the note in JSON and in the IoTSeal-Note header with CSV; a workbook: 400", async () => {
    const post = (body: Buffer, accept: string) =>
      fetch(`${server.base}/api/v1/verify/bulk`, {
        method: "POST",
        headers: { Accept: accept },
        body: new Uint8Array(body),
      });
    const json = await post(cp1252File, "application/json");
    expect(json.status).toBe(200);
    const answer = (await json.json()) as { note: string; results: { columns: Record<string, string> }[] };
    expect(answer.note).toBe(NOT_UTF8_NOTE);
    expect(answer.results[0].columns.description).toBe("Caméra");
    const csv = await post(cp1252File, "text/csv");
    expect(csv.headers.get("IoTSeal-Note")).toBe(NOT_UTF8_NOTE);
    expect(rowsOf(await csv.text()).body[0][2]).toBe("Caméra");
    const plain = await post(Buffer.from(`gtin\n${WATCH3}\n`), "text/csv");
    expect(plain.headers.get("IoTSeal-Note")).toBeNull();
    await plain.text();
    const refused = await post(xlsx, "application/json");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: NOT_CSV_TEXT });
  });
});

describe("finding 7: one webhook URL, whatever its spelling", () => {
  it("is registered once: another case of the host or the default port is the same URL; stored in its normal form", async () => {
    const email = `hooks-${++n}@review.test`;
    await signUpConfirmed(
      { kind: "retailer", organizationName: `Hooks ${n} Ltd`, name: "Hal", email, password: "a long enough password" },
      { ip: "192.0.2.93" },
    );
    const shop = actorByEmail(email);
    registerWebhook(shop, { url: "http://LocalHost:8080/hook" });
    for (const url of ["http://localhost:8080/hook", "http://LOCALHOST:8080/hook"])
      expect(() => registerWebhook(shop, { url })).toBeRefused("conflict", /already registered/);
    registerWebhook(shop, { url: "http://127.0.0.1:80/hook" });
    expect(() => registerWebhook(shop, { url: "http://127.0.0.1/hook" })).toBeRefused("conflict", /already registered/);
    expect(webhooksView(shop).map((e) => e.url)).toEqual(["http://localhost:8080/hook", "http://127.0.0.1/hook"]);
  });
});

describe("finding 8: the watchlist feed's parameters", () => {
  const feed = async (query: string) => {
    const { loader } = await import("../../../app/routes/retailer.watchlist.feed");
    return (await loader({
      request: new Request(`http://localhost/retailer/watchlist/feed${query}`, { headers: { Cookie: cookie } }),
      params: {},
      context: {},
    } as never)) as Response;
  };

  it.each([
    ["?since=abc", "since", /^since must be a number/],
    ["?since=-1", "since", /^since must be 0 or more/],
    ["?since=1.5", "since", /^since must be a whole number/],
    ["?limit=1000", "limit", /^limit must be a number from 1 to 500/],
    ["?limit=0", "limit", /^limit must be a number from 1 to 500/],
    ["?limit=ten", "limit", /^limit must be a number from 1 to 500/],
    // What Number() would read as a number is not one here: hexadecimal, an exponent, infinity, a space inside.
    ["?since=0x10", "since", /^since must be a number/],
    ["?since=1e3", "since", /^since must be a number/],
    ["?limit=Infinity", "limit", /^limit must be a number from 1 to 500/],
    ["?limit=1%202", "limit", /^limit must be a number from 1 to 500/],
  ])("%s: 400 naming the field, never replaced silently", async (query, field, error) => {
    const res = await feed(query);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(error), field });
  });

  it("absent or empty: from the start, 100 at a time; valid values are used", async () => {
    const all = await feed("");
    expect(all.status).toBe(200);
    expect(((await all.json()) as { nextUrl: string }).nextUrl).toMatch(/&limit=100$/);
    const some = await feed("?since=&limit=5");
    expect(some.status).toBe(200);
    expect(((await some.json()) as { nextUrl: string }).nextUrl).toMatch(/&limit=5$/);
  });
});
