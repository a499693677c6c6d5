// Issue 13.4: CSV formula injection. A supplier-chosen product name such as =HYPERLINK(...) and the
// buyer's own cells starting with = + - @ tab or CR are written neutralised (a leading ') into every
// CSV the portal produces: the bulk check's download and POST /api/v1/verify/bulk. The JSON answer
// keeps the raw values. Against a real database and the real fast routes on 127.0.0.1.
import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verificationRuns } from "../../../db/schema";
import { csvSafeCell } from "../../../app/platform/csv.server";
import { bulkCheck, runBulkCheck } from "../../../app/features/retail/bulk-checks.server";
import { db } from "../../../app/platform/db.server";
import { createProduct, productInput } from "../../../app/features/catalogue/products.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import { actorByEmail } from "../../support/actors";
import { seedDemoData } from "../../support/demo-seed";
import { sessionCookie, startFastRoutes, type TestServer } from "../../support/http";
import { addTestVersion, openTestDraft, submissionVersion } from "../../support/submissions";

const EVIL_NAME = '=HYPERLINK("http://x","y")';
// The buyer's own cells, one per dangerous first character (and a negative number: escaped too, by the same rule).
// Whitespace before the formula too (pen test: " =1+1" came back unescaped): a spreadsheet may trim it.
const BUYER_CELLS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "-1.5", " =1+1", "  @SUM(A1)"];
const SAFE_CELLS = ["plain", "1.5", "'already quoted", " leading space"];

let server: TestServer;
let base: string;
let serial: string;

beforeAll(async () => {
  await seedDemoData();
  // The supplier names its product with a formula (the ordinary form rules accept it) and gets it certified:
  // the name is in the signed seal, and every bulk check of the seal writes it.
  const grace = actorByEmail("supplier@demo.test");
  const asha = actorByEmail("assessor1@demo.test");
  const bram = actorByEmail("assessor2@demo.test");
  const productId = createProduct(
    grace,
    productInput.parse({
      name: EVIL_NAME,
      model: "EV-1",
      gtin: "",
      sku: "",
      category: "wearable",
      description: "",
      placedOnMarketOn: "2026-02-01",
      supportPeriodEnd: "2031-01-31",
      disclosurePolicyUrl: "https://gatorwearables.example/security",
    }),
  );
  const pv = addTestVersion(grace, productId);
  const sub = openTestDraft(grace, pv);
  for (const ref of ["1", "2", "3"])
    saveAnswer(grace, sub, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
  submitSubmission(grace, sub);
  takeSubmission(asha, sub, submissionVersion(sub));
  for (const ref of ["1", "2", "3"])
    recordVerdict(asha, sub, ref, { verdict: "pass", comment: "", accepted: false, version: submissionVersion(sub) });
  proposeApproval(asha, sub, submissionVersion(sub), "");
  serial = await confirmApproval(bram, sub, submissionVersion(sub), "ok");
  server = await startFastRoutes();
  base = server.base;
});
afterAll(async () => {
  await server.close();
});

/** The buyer's upload: one row per cell to test, in a "note" column, each row checking the evil product's seal. */
const upload = () =>
  ["serial,note", ...[...BUYER_CELLS, ...SAFE_CELLS].map((c) => `${serial},"${c.replace(/"/g, '""')}"`)].join("\n") +
  "\n";

function expectNeutralised(csv: string) {
  const rows = parse(csv, { relax_column_count: true }) as string[][];
  const header = rows[0];
  const note = header.indexOf("note");
  const product = header.indexOf("checked_product");
  const body = rows.slice(1);
  expect(body).toHaveLength(BUYER_CELLS.length + SAFE_CELLS.length);
  for (const row of body) expect(row[product]).toBe(`'${EVIL_NAME} (EV-1)`);
  expect(body.map((r) => r[note])).toEqual([...BUYER_CELLS.map((c) => `'${c}`), ...SAFE_CELLS]);
  // No cell of the whole file starts a formula.
  for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^(?:[\t\r]|\s*[=+\-@])/);
}

describe("issue 13.4: CSV formula injection", () => {
  it("the bulk check's download neutralises the supplier's product name and the buyer's own cells", async () => {
    const buyer = actorByEmail("buyer@demo.test");
    const run = await runBulkCheck(buyer, { fileName: "stock.csv", text: upload() });
    expectNeutralised(bulkCheck(buyer, run.id).csv);
    // The page shows the values themselves (HTML escapes them), not the CSV's quoting.
    expect(bulkCheck(buyer, run.id).rows[0].product).toBe(`${EVIL_NAME} (EV-1)`);
    // A result stored before the fix (raw cells) is neutralised when downloaded.
    db()
      .update(verificationRuns)
      .set({ resultCsv: `serial,note,status\n${serial},=1+1,valid\n` })
      .where(eq(verificationRuns.id, run.id))
      .run();
    expect(bulkCheck(buyer, run.id).csv).toBe(`serial,note,status\n${serial},'=1+1,valid\n`);
  });

  it("the download route serves the neutralised CSV", async () => {
    const buyer = actorByEmail("buyer@demo.test");
    const run = await runBulkCheck(buyer, { fileName: "stock.csv", text: upload() });
    const cookie = await sessionCookie("buyer@demo.test", "203.0.113.4");
    const { loader } = await import("../../../app/routes/retailer.verify.bulk.$runId.download");
    const res = (await loader({
      request: new Request(`http://localhost/retailer/verify/bulk/${run.id}/download`, { headers: { Cookie: cookie } }),
      params: { runId: run.id },
      context: {},
    } as never)) as Response;
    expect(res.status).toBe(200);
    expectNeutralised(await res.text());
  });

  it("POST /api/v1/verify/bulk answers a neutralised CSV; its JSON answer keeps the raw values", async () => {
    const csv = await fetch(`${base}/api/v1/verify/bulk`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: upload(),
    });
    expect(csv.status).toBe(200);
    expectNeutralised(await csv.text());
    const json = (await (
      await fetch(`${base}/api/v1/verify/bulk`, {
        method: "POST",
        headers: { "Content-Type": "text/csv", Accept: "application/json" },
        body: upload(),
      })
    ).json()) as {
      results: { product: string; columns: Record<string, string> }[];
    };
    expect(json.results[0].product).toBe(`${EVIL_NAME} (EV-1)`);
    expect(json.results.map((r) => r.columns.note)).toEqual([...BUYER_CELLS, ...SAFE_CELLS]);
  });

  it("the one cell rule: a leading ' before = + - @ tab CR, idempotent, nothing else changed", () => {
    expect(csvSafeCell("=1+1")).toBe("'=1+1");
    expect(csvSafeCell("-1.5")).toBe("'-1.5"); // negative numbers too (OWASP): one rule, no exceptions
    expect(csvSafeCell(" =1+1")).toBe("' =1+1"); // whitespace first: the same
    expect(csvSafeCell(csvSafeCell("@x"))).toBe("'@x");
    expect(csvSafeCell("")).toBe("");
    expect(csvSafeCell("IOTS-ABCD-EFGH")).toBe("IOTS-ABCD-EFGH");
  });
});
