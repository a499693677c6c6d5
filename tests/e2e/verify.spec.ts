// A retail buyer meets the demo seals: one by one on /verify, and all at once in a bulk CSV check.
import fs from "node:fs";
import http from "node:http";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { E2E_WEBHOOK_PORT } from "../../playwright.config";
import { verifyWebhookSignature } from "../../app/features/retail/domain/webhook";
import { appendIncrementalUpdate } from "../fixtures/pdf-incremental-update";
import { demoWebhookSecret, seeded } from "./db";
import { expectHydrated, stateFile, watchConsole } from "./helpers";

const ids = seeded();

test("by serial, /verify gives each demo seal its answer, and a typo is caught", async ({ browser }) => {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const cases: [string, string][] = [
    [ids.activeSeal, "Valid"],
    [ids.expiredSeal, "Expired"],
    [ids.suspendedSeal, "Suspended"],
    [ids.revokedSeal, "Revoked"],
    ["IOTS-0000-0000", "Not found"],
  ];
  // Anyone finds it from the home page: the header and the page both link it.
  await page.goto("/");
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Verify a seal" }),
  ).toHaveAttribute("href", "/verify");
  await page.getByRole("main").getByRole("link", { name: "Verify a seal" }).click();
  await expect(page).toHaveURL("/verify");
  for (const [serial, verdict] of cases) {
    await page.goto("/verify");
    await page.getByLabel("Seal serial").fill(serial.toLowerCase());
    await page.getByRole("button", { name: "Check serial" }).click();
    await expect(page.getByTestId("verify-result").getByTestId("seal-verdict"), serial).toHaveText(verdict);
  }
  await expect(page.getByTestId("seal-reason")).toContainText(/not a valid seal serial|No seal has this serial/);
  // The revoked seal says why, in public words.
  await page.goto(`/verify?serial=${ids.revokedSeal}`);
  await expect(page.getByTestId("seal-reason")).toContainText("share one default password");
  await page.screenshot({ path: "test-results/screenshots/verify-revoked.png", fullPage: true });
  // An over-long "serial" (a scanned URL, a pasted paragraph) is named on the field, not met with an empty page.
  await page.goto(`/verify?serial=${"A".repeat(3000)}`);
  await expect(page.getByRole("alert").filter({ hasText: "too long for a serial" })).toBeVisible();
  await expect(page.getByTestId("verify-result")).toHaveCount(0);
  // The barcode number from the box instead of a serial: the product's current seal (GS1 Digital Link).
  await page.goto("/verify");
  await page.getByLabel("Seal serial").fill("5060123450002"); // Gator Kids Watch 3's EAN-13
  await page.getByRole("button", { name: "Check serial" }).click();
  await expect(page).toHaveURL(/\/s\/IOTS-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await expect(page.getByTestId("seal-verdict")).toBeVisible();
  await expect(page.getByRole("main")).toContainText("Gator Kids Watch 3");
  // A mistyped one is named on the field as neither a serial nor a valid barcode number.
  await page.goto("/verify?serial=5060123450003");
  await expect(page.getByRole("alert").filter({ hasText: "not a valid barcode number (GTIN)" })).toContainText(
    "The check digit should be 2, not 3",
  );
  await page.goto("/verify?serial=4006381333931"); // a valid EAN-13 of a product with no IoT Seal
  await expect(
    page.getByRole("alert").filter({ hasText: "No product with an IoT Seal has the barcode number" }),
  ).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});

test("a seal's address pasted from another website is answered with a warning that its page is not the issuer's", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const portalHost = new URL(baseURL!).host;
  // What a counterfeit label's QR code opens: a look-alike website, with a genuine serial in its address.
  await page.goto("/verify");
  await page.getByLabel("Seal serial").fill(`https://iotseal-check.example/s/${ids.activeSeal}`);
  await page.getByRole("button", { name: "Check serial" }).click();
  const result = page.getByTestId("verify-result");
  await expect(result.getByTestId("seal-verdict")).toHaveText("Valid"); // the issuer's record of that serial
  const warning = result.getByTestId("address-elsewhere");
  await expect(warning).toContainText("The address you pasted is on another website: iotseal-check.example.");
  await expect(warning).toContainText(`Genuine IoT Seal QR codes and links open ${portalHost}`);
  // A product's Digital Link elsewhere: its current seal is answered here (no redirect that would lose the warning).
  await page.goto(`/verify?serial=${encodeURIComponent("https://iotseal-check.example/01/05060123450002")}`);
  await expect(page).toHaveURL(/\/verify\?/);
  await expect(result.getByTestId("seal-verdict")).toHaveText("Valid");
  await expect(result).toContainText("Gator Kids Watch 3");
  await expect(result.getByTestId("address-elsewhere")).toContainText("iotseal-check.example");
  // The portal's own addresses carry no warning: the seal's QR code, and its product's barcode link (a redirect).
  await page.goto(`/verify?serial=${encodeURIComponent(`${baseURL}/s/${ids.activeSeal}`)}`);
  await expect(result.getByTestId("seal-verdict")).toHaveText("Valid");
  await expect(page.getByTestId("address-elsewhere")).toHaveCount(0);
  await page.goto(`/verify?serial=${encodeURIComponent(`${baseURL}/01/05060123450002`)}`);
  await expect(page).toHaveURL(/\/s\/IOTS-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  expect(problems).toEqual([]);
  await context.close();
});

test("issue 13.2: a seal PDF edited by an incremental update is 'Not genuine' on /verify, saying what differs", async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const issued = await (await page.request.get(`/s/${ids.activeSeal}/seal.pdf`)).body();
  const file = testInfo.outputPath("edited-seal.pdf");
  fs.writeFileSync(file, appendIncrementalUpdate(issued)); // white boxes, "PRO", firmware 9.9.9, valid until 2099-12-31
  await page.goto("/verify");
  await expectHydrated(page);
  await page.getByLabel("Seal certificate (PDF)").setInputFiles(file);
  await page.getByRole("button", { name: "Check PDF" }).click();
  const result = page.getByTestId("verify-result");
  await expect(result.getByTestId("seal-verdict")).toHaveText("Not genuine");
  const reason = result.getByTestId("seal-reason");
  await expect(reason).toContainText(`The file differs from the PDF issued for ${ids.activeSeal}:`);
  await expect(reason).toContainText(
    "bytes appended after the issued file's end (an incremental update: a second revision)",
  );
  await expect(reason).toContainText(/Issued SHA-256 [0-9a-f]{64}, this file's [0-9a-f]{64}/);
  await expect(result.getByText("PDF identical to the one issued")).toBeVisible();
  await expect(result.getByTestId("signed-firmware")).toHaveText("3.1.0"); // the signed facts, not the page's 9.9.9
  await page.screenshot({ path: "test-results/screenshots/verify-pdf-incremental-update.png", fullPage: true });
  expect(problems).toEqual([]);
  await context.close();
});

test("a buyer checks a CSV of serials: progress, a summary by status, the rows that need attention, a download", async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ storageState: stateFile("retailer"), acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const csv =
    [
      "serial,our_sku,shelf",
      `${ids.activeSeal},SKU-1,A1`,
      `${ids.expiredSeal},SKU-2,A2`,
      `${ids.suspendedSeal},SKU-3,B1`,
      `${ids.revokedSeal},SKU-4,B2`,
      "IOTS-0000-0000,SKU-5,C1",
      "not-a-serial,SKU-6,C2",
    ].join("\n") + "\n";
  const file = testInfo.outputPath("stock.csv");
  fs.writeFileSync(file, csv);
  await page.goto("/retailer");
  await page.getByRole("link", { name: "Bulk check" }).click();
  await expectHydrated(page);
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Check all" }).click();
  await page.waitForURL(/\/retailer\/verify\/bulk\/[\w-]+$/);
  const summary = page.getByTestId("bulk-summary");
  for (const [status, n] of [
    ["valid", 1],
    ["expired", 1],
    ["suspended", 1],
    ["revoked", 1],
    ["not_found", 1], // IOTS-0000-0000: a serial, but no seal has it
    ["not_valid", 1], // not-a-serial
  ] as const) {
    await expect(summary.locator(`dd[data-status="${status}"]`)).toHaveText(String(n));
  }
  const rows = page.getByTestId("attention-rows");
  await expect(rows.getByRole("row")).toHaveCount(6); // header + five that are not valid
  await expect(rows).toContainText("Brightnest Smart Plug");
  // The buyer's acceptance policy ("Children's wearables", demo data) is applied to every row it concerns.
  await expect(page.getByTestId("policy-summary")).toContainText(
    "1 row meets every policy that applies; 1 misses at least one",
  );
  await expect(rows.getByRole("row", { name: new RegExp(ids.expiredSeal) })).toContainText(
    /misses Children's wearables: The seal is expired, not valid; ETSI EN 303 645 5\.1-1 is met only partly, through the crosswalk: .*; Issued 25 months ago/,
  );
  await page.screenshot({ path: "test-results/screenshots/bulk-result.png", fullPage: true });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the result (CSV)" }).click(),
  ]);
  const text = fs.readFileSync(await download.path(), "utf8");
  const lines = text.trim().split("\n");
  expect(lines[0]).toBe(
    "serial,our_sku,shelf,status,reason,checked_product,checked_firmware,valid_until,update_required,checked_serial,file_line,check_note,policy",
  );
  expect(lines[1]).toMatch(new RegExp(`^${ids.activeSeal},SKU-1,A1,valid,.*,meets Children's wearables$`));
  expect(lines[2]).toMatch(
    new RegExp(
      `^${ids.expiredSeal},SKU-2,A2,expired,.*,"misses Children's wearables: The seal is expired, not valid; ETSI EN 303 645 5\\.1-1 is met only partly, through the crosswalk: .*; Issued 25 months ago`,
    ),
  );
  expect(lines[3]).toMatch(/,no policy applies to this product's category$/);
  expect(lines[6]).toMatch(/^not-a-serial,SKU-6,C2,not_found,/);
  // The run is listed for the organisation.
  await page.goto("/retailer/verify/bulk");
  await expect(page.getByRole("row", { name: /stock\.csv/ })).toContainText("1 valid");
  expect(problems).toEqual([]);
  await context.close();
});

test("issue 18: a buyer checks their stock file by GTIN; needs attention keeps their line numbers and SKU column", async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ storageState: stateFile("retailer"), acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchConsole(page);
  // The demo GTINs (README "By GTIN"): the watch 3 (valid), the watch 2 (expired), the Indoor Cam 2 (no seal),
  // a typo in the watch 3's check digit, and the smart plug (revoked) with an unquoted formula in the buyer's own cell.
  const csv =
    [
      "SKU,Description,EAN",
      "GKW3-01,Kids watch 3,5060123450002",
      "GKW2-01,Kids watch 2,5060123450019",
      "CAM2-01,Indoor cam 2,5060987650044",
      "BAD-01,Typo,5060123450003",
      'PLUG-01,=HYPERLINK("x"),5060987650020',
    ].join("\n") + "\n";
  const file = testInfo.outputPath("stock-by-gtin.csv");
  fs.writeFileSync(file, csv);
  await page.goto("/retailer/verify/bulk");
  await expectHydrated(page);
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Check all" }).click();
  await page.waitForURL(/\/retailer\/verify\/bulk\/[\w-]+$/);
  const summary = page.getByTestId("bulk-summary");
  for (const [status, n] of [
    ["valid", 1],
    ["expired", 1],
    ["revoked", 1],
    ["not_found", 1], // the Indoor Cam 2: a valid GTIN without a seal
    ["not_valid", 1], // the typo in the check digit
  ] as const)
    await expect(summary.locator(`dd[data-status="${status}"]`)).toHaveText(String(n));
  const rows = page.getByTestId("attention-rows");
  await expect(rows.getByRole("columnheader", { name: "SKU" })).toBeVisible();
  await expect(rows.getByRole("row")).toHaveCount(5); // header + four that need attention
  const typo = rows.getByRole("row", { name: /BAD-01/ });
  await expect(typo.getByRole("cell").first()).toHaveText("5"); // its line in the buyer's file
  await expect(typo).toContainText("Not a valid GTIN: the check digit should be 2, not 3");
  await expect(rows.getByRole("row", { name: /CAM2-01/ })).toContainText("No IoT Seal for this GTIN.");
  const plug = rows.getByRole("row", { name: /PLUG-01/ });
  await expect(plug).toContainText('=HYPERLINK("x")'); // the buyer's cell, shown as text
  await expect(plug).toContainText("Brightnest Smart Plug");
  await expect(plug).toContainText("a quote inside unquoted field 2");
  // A serial never wraps.
  const seal = rows
    .getByRole("row", { name: /GKW2-01/ })
    .locator(".nowrap")
    .last();
  await expect(seal).toHaveText(/^IOTS-/);
  expect(await seal.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe("nowrap");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the result (CSV)" }).click(),
  ]);
  const lines = fs
    .readFileSync(await download.path(), "utf8")
    .trim()
    .split("\n");
  expect(lines[0]).toMatch(/^SKU,Description,EAN,status,reason,/);
  expect(lines[5]).toMatch(/^PLUG-01,"'=HYPERLINK\(""x""\)",5060987650020,revoked,/); // neutralised (OWASP)
  expect(problems).toEqual([]);
  await context.close();
});

test("a CSV without a gtin or serial column is refused with a message naming the columns", async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ storageState: stateFile("retailer") });
  const page = await context.newPage();
  const file = testInfo.outputPath("bad.csv");
  fs.writeFileSync(file, "sku,name\nA,B\n");
  await page.goto("/retailer/verify/bulk");
  await expectHydrated(page);
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Check all" }).click();
  await expect(page.getByRole("alert")).toContainText(
    'needs a column named "gtin" (or "ean", "upc", "barcode") or "serial"',
  );
  await context.close();
});

test.describe("a watched product changes status", () => {
  // After the checks above (same file, same worker): this journey suspends the active demo seal for a while.
  test.describe.configure({ mode: "serial" });

  test("the buyer watches it; an assessor suspends its seal; the watchlist, the webhook receiver and the public page all show it", async ({
    browser,
  }) => {
    test.setTimeout(150_000);
    const received: { body: string; signature: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ body, signature: String(req.headers["iotseal-signature"] ?? "") });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(E2E_WEBHOOK_PORT, "127.0.0.1", r));
    try {
      const buyer = await (await browser.newContext({ storageState: stateFile("retailer") })).newPage();
      const problems = watchConsole(buyer);
      await buyer.goto("/retailer/watchlist");
      const watchRow = buyer.getByRole("row", { name: new RegExp(ids.activeSeal) });
      await watchRow.getByRole("button", { name: "Remove Gator Kids Watch 3 from the watchlist" }).click();
      await expect(buyer.getByRole("status")).toContainText("Gator Kids Watch 3 removed from the watchlist.");
      await buyer.getByLabel("Seal serial").fill(ids.activeSeal);
      await buyer.getByLabel("Your label (optional)").fill("SKU-GKW3");
      await buyer.getByRole("button", { name: "Watch", exact: true }).click();
      await expect(buyer.getByRole("status")).toContainText("Watching Gator Kids Watch 3.");
      await buyer.goto("/retailer/watchlist"); // a visit: what follows is "since the last visit"

      const asha = await (await browser.newContext({ storageState: stateFile("assessor") })).newPage();
      await asha.goto(`/seals/${ids.activeSeal}`);
      if (await asha.getByRole("form", { name: "Reinstate" }).count()) {
        // A retry after a failed attempt finds the seal still suspended by it: start from a valid seal.
        const undo = asha.getByRole("form", { name: "Reinstate" });
        await undo.getByLabel("Public reason").fill("Reinstated before the test runs again.");
        await undo.getByRole("button", { name: "Reinstate the seal" }).click();
        await expect(asha.getByTestId("seal-verdict")).toHaveText("Valid");
      }
      const suspend = asha.getByRole("form", { name: "Suspend" });
      await suspend.getByLabel("Public reason").fill("Suspended while a vulnerability report is checked.");
      await suspend.getByRole("button", { name: "Suspend the seal" }).click();
      await expect(asha.getByTestId("seal-verdict")).toHaveText("Suspended");

      await buyer.reload();
      await expect(buyer.getByTestId("watch-changes")).toContainText("Gator Kids Watch 3");
      await expect(buyer.getByTestId("watch-changes")).toContainText(
        "Suspended while a vulnerability report is checked.",
      );
      const sealRow = buyer.getByRole("row", { name: new RegExp(ids.activeSeal) });
      await expect(sealRow).toContainText("Suspended");
      await expect(sealRow).toContainText("SKU-GKW3");
      await buyer.screenshot({ path: "test-results/screenshots/watchlist-changed.png", fullPage: true });

      // The webhook: delivered within seconds, signed with the endpoint's secret. Other journeys
      // changed watched seals while no receiver listened on this port, and an endpoint that cannot
      // be reached is paused for 30 s (webhooks.server.ts ENDPOINT_PAUSE_MS): allow for that pause.
      await expect
        .poll(
          () =>
            received
              .map((r) => JSON.parse(r.body) as { type: string; serial: string })
              .some((e) => e.type === "seal.suspended" && e.serial === ids.activeSeal),
          { timeout: 60_000 },
        )
        .toBe(true);
      const hit = received.find((r) => JSON.parse(r.body).type === "seal.suspended")!;
      expect(verifyWebhookSignature(demoWebhookSecret(), hit.signature, hit.body, Math.floor(Date.now() / 1000))).toBe(
        true,
      );
      await buyer.goto("/retailer/webhooks");
      await expect(buyer.getByTestId("deliveries").first()).toContainText("seal.suspended");
      await expect(buyer.getByTestId("deliveries").first()).toContainText("200");
      await buyer.screenshot({ path: "test-results/screenshots/webhooks.png", fullPage: true });

      // The public page's history.
      const anon = await (await browser.newContext({ storageState: undefined })).newPage();
      await anon.goto(`/s/${ids.activeSeal}`);
      await expect(anon.getByRole("list", { name: "Seal history" })).toContainText(
        "Suspended while a vulnerability report is checked.",
      );

      const reinstate = asha.getByRole("form", { name: "Reinstate" });
      await reinstate.getByLabel("Public reason").fill("The report was checked; the seal is reinstated.");
      await reinstate.getByRole("button", { name: "Reinstate the seal" }).click();
      await expect(asha.getByTestId("seal-verdict")).toHaveText("Valid");
      expect(problems).toEqual([]);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
