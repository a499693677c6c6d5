import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { seeded } from "./db";
import { expectHydrated, pageAs, watchConsole } from "./helpers";

test.describe.configure({ mode: "serial" });

let reviewUrl = "";
/** The supplier's unread notifications before the assessor asks for changes (issue 16: the bell's count rises). */
let supplierUnreadBefore = 0;
const unreadOf = async (page: import("@playwright/test").Page) =>
  Number(
    /(\d+) unread/.exec(
      (await page.getByRole("link", { name: /^Notifications, (\d+|none) unread$/ }).getAttribute("aria-label")) ?? "",
    )?.[1] ?? 0,
  );

test("assessor1 takes the seeded submission and scores every requirement from the keyboard", async ({ browser }) => {
  test.setTimeout(360_000); // 67 requirement pages, one at a time, as a person would
  const supplier = await pageAs(browser, "supplier@demo.test");
  await supplier.goto("/supplier");
  supplierUnreadBefore = await unreadOf(supplier);
  await supplier.context().close();
  const page = await pageAs(browser, "assessor1@demo.test");
  const problems = watchConsole(page);
  await page.goto("/assessor/queue");
  await expect(page.getByRole("heading", { name: "Review queue" })).toBeVisible();
  const row = page.getByRole("row", { name: /Gator Kids Watch 3/ });
  await expect(row).toContainText("Cyber Security for Consumer Internet of Things: Baseline Requirements 2.1.1"); // titles, not slugs (issue 15)
  await expect(row).toContainText("nobody");
  await page.screenshot({ path: "test-results/screenshots/assessor-queue.png", fullPage: true });
  await row.getByRole("link", { name: "Gator Kids Watch 3" }).click();
  await page.waitForURL(/\/assessor\/submissions\/[\w-]+$/);
  reviewUrl = new URL(page.url()).pathname;
  expect(reviewUrl).toBe(`/assessor/submissions/${seeded().submissionId}`);
  await page.getByRole("button", { name: "Take for review" }).click();
  await expect(page.getByText("You have taken this submission for review.")).toBeVisible();
  await page.getByRole("link", { name: /Score the next unscored \(5\.1-1\)/ }).click();
  await expectHydrated(page);
  // A plain visit (a link) starts at the page's heading, before the requirement and the answer: not on "Pass".
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await expect(page.getByLabel("Pass", { exact: true })).not.toBeFocused();

  // 5.1-1: needs information, with a comment (the comment box, then Ctrl+Enter saves and moves on).
  await expect(page.getByRole("img", { name: "Evidence: pairing-screen.png" })).toBeVisible();
  await page.getByLabel("Needs information").check();
  await page.getByLabel("Comment (required unless pass)").fill("Show two units' pairing codes side by side, please.");
  await page.getByLabel("Comment (required unless pass)").press("Control+Enter");
  // Arrived by "Save and go to next" (the URL says so): the keyboard's fast path.
  await expect(page).toHaveURL(new RegExp(`${reviewUrl}/requirements/5\\.1-2\\?saved=1$`));

  // Every other requirement: "Pass" has the focus; Enter saves and goes to the next unscored one.
  for (let i = 0; i < 80; i++) {
    const heading = page.getByRole("heading", { level: 1 });
    await expect(heading).toBeVisible();
    if (new URL(page.url()).pathname === reviewUrl) break;
    const pass = page.getByLabel("Pass", { exact: true });
    await expect(pass).toBeFocused();
    const before = page.url();
    await page.keyboard.press("Space");
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.toString() !== before);
  }
  await expect(page).toHaveURL(reviewUrl);
  await expect(page.getByTestId("score-line")).toContainText(
    "67 of 67 scored · 66 pass · 0 fail · 0 not applicable · 1 need information",
  );
  await expect(page.getByRole("heading", { name: "1 item blocks approval" })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/assessor-review-summary.png", fullPage: true });
  await page.getByLabel(/Message to the supplier/).fill("One item needs more evidence; see 5.1-1.");
  await page.getByRole("button", { name: "Request changes" }).click();
  await expect(page.getByText("Sent back to the supplier for changes.")).toBeVisible();
  expect(problems).toEqual([]);
  await page.context().close();
});

test("the supplier sees the comment, changes only that requirement and resubmits", async ({ browser }) => {
  const page = await pageAs(browser, "supplier@demo.test");
  // The bell says so (issue 16): its count rose, and the notification leads to the first requirement sent back.
  await page.goto("/supplier");
  expect(await unreadOf(page)).toBeGreaterThan(supplierUnreadBefore);
  await page.getByRole("link", { name: /^Notifications, \d+ unread$/ }).click();
  await page
    .getByRole("listitem")
    .filter({ hasText: "Changes requested: Gator Kids Watch 3" })
    .first()
    .getByRole("link")
    .click();
  await expect(page).toHaveURL(new RegExp(`/supplier/submissions/${seeded().submissionId}/requirements/5\\.1-1$`));
  await page.screenshot({ path: "test-results/screenshots/notification-changes-requested.png", fullPage: false });
  await page.goto(`/supplier/submissions/${seeded().submissionId}`);
  const feedback = page.getByTestId("assessor-feedback");
  await expect(feedback).toContainText("The assessor asks for changes");
  await expect(feedback).toContainText(
    "5.1-1 (needs information): Show two units' pairing codes side by side, please.",
  );
  await page.screenshot({ path: "test-results/screenshots/supplier-changes-requested.png", fullPage: false });
  // Not resubmittable as it was: the requirement sent back is marked so, and blocks until it is answered.
  await expect(page.getByRole("row").filter({ hasText: "5.1-1" }).getByText("sent back")).toBeVisible();
  await expect(page.getByRole("list", { name: "What still blocks submission" })).toContainText(
    "The assessor sent this requirement back",
  );
  await expect(page.getByRole("button", { name: "Resubmit for assessment" })).toBeDisabled();
  await feedback.getByRole("link", { name: "5.1-1" }).click();
  await expect(page.getByTestId("assessor-comment")).toContainText("Show two units' pairing codes side by side");
  await page
    .getByLabel("Justification")
    .fill("Two units compared: codes K7Q2-M9XD-4HT8 and P3LW-8ZRC-2NQ5 (see the pairing test results).");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Answer saved." })).toBeVisible();
  await page.goto(`/supplier/submissions/${seeded().submissionId}/requirements/5.1-2`);
  await expect(page.getByText("Read-only")).toBeVisible();
  await page.goto(`/supplier/submissions/${seeded().submissionId}`);
  await page.getByRole("button", { name: "Resubmit for assessment" }).click();
  await expect(page.getByText("Submitted for assessment.")).toBeVisible();
  await page.context().close();
});

test("assessor1 sees what changed, passes it and proposes; assessor2 confirms the approval", async ({ browser }) => {
  const asha = await pageAs(browser, "assessor1@demo.test");
  await asha.goto(reviewUrl);
  await asha.getByRole("button", { name: "Take for review" }).click();
  // Wait for the answer before moving on: a click on a link while the form posts would cancel the post.
  await expect(
    asha.getByRole("status").filter({ hasText: "You have taken this submission for review." }),
  ).toBeVisible();
  const changed = asha.getByRole("region", { name: /Changed since your last look/ });
  await expect(changed).toContainText("5.1-1: answer changed");
  await changed.getByRole("link", { name: "5.1-1" }).click();
  await expect(asha.getByText("changed since your last look")).toBeVisible();
  await expect(asha.getByTestId("justification")).toContainText("Two units compared");
  await asha.getByLabel("Pass", { exact: true }).check();
  await asha.getByRole("button", { name: "Save and return to the summary" }).click();
  await expect(asha).toHaveURL(reviewUrl);
  await expect(asha.getByRole("heading", { name: "Nothing blocks approval" })).toBeVisible();
  await asha.getByRole("button", { name: "Propose approval" }).click();
  await expect(asha.getByText("Approval proposed; a second assessor must confirm it.")).toBeVisible();
  await expect(asha.getByRole("button", { name: /Confirm approval/ })).toHaveCount(0);
  await asha.context().close();

  const bram = await pageAs(browser, "assessor2@demo.test");
  await expect(bram.getByText(/waiting for your confirmation/)).toBeVisible();
  await bram.goto(reviewUrl);
  await expect(bram.getByText(/as a second assessor, confirm it or send it back/)).toBeVisible();
  await bram.screenshot({ path: "test-results/screenshots/assessor2-confirm.png", fullPage: true });
  await bram.getByRole("button", { name: "Confirm approval (second assessor)" }).click();
  await expect(
    bram.getByText(/Approval confirmed: the submission is approved\. Seal IOTS-[0-9A-Z]{4}-[0-9A-Z]{4} is issued\./),
  ).toBeVisible();
  await expect(bram.getByText("Approved", { exact: true }).first()).toBeVisible();
  const notice = await bram.getByRole("status").textContent();
  sealSerial = notice!.match(/IOTS-[0-9A-Z]{4}-[0-9A-Z]{4}/)![0];
  await bram.context().close();
});

let sealSerial = "";

test("anyone can open the new seal's public page: valid, the signed facts, nothing private", async ({ browser }) => {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const response = await page.goto(`/s/${sealSerial.toLowerCase().replace(/-/g, "")}`);
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(`/s/${sealSerial}`); // a typed serial is normalised
  await expect(page.getByTestId("seal-verdict")).toHaveText("Valid");
  const facts = page.getByRole("region", { name: "What was certified (signed)" });
  await expect(facts).toContainText("Gator Kids Watch 3");
  await expect(facts).toContainText("Hardware revisionC");
  await expect(facts).toContainText("Firmware version3.2.0");
  await expect(facts).toContainText("Gator Wearables Ltd");
  // The standard by the designation a buyer knows, then its title.
  await expect(facts.getByTestId("signed-checklist")).toContainText(
    "ETSI EN 303 645: Cyber Security for Consumer Internet of Things: Baseline Requirements 2.1.1",
  );
  await expect(page.getByRole("list", { name: "Seal history" })).toContainText("Issued");
  await expect(page.locator("body")).not.toContainText(/Asha|Bram|assessor1@|pairing-screen\.png/);
  await page.screenshot({ path: "test-results/screenshots/seal-page.png", fullPage: true });
  const credential = await page.request.get(`/s/${sealSerial}/credential`);
  expect(credential.headers()["content-type"]).toBe("application/vc+jwt");
  expect((await credential.text()).trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  // The same answer for machines.
  const api = await page.request.get(`/api/v1/seals/${sealSerial}`);
  expect(api.status()).toBe(200);
  const body = await api.json();
  expect(body).toMatchObject({
    serial: sealSerial,
    status: "valid",
    subject: { firmwareVersion: "3.2.0", product: { name: "Gator Kids Watch 3" } },
  });
  expect(body.credential).toBe((await credential.text()).trim());
  expect(Date.parse(body.checkedAt)).toBeGreaterThan(0);
  expect(problems).toEqual([]);
  await context.close();
});

test("the seal's PDF, downloaded from its page, verifies on /verify; its QR code opens the seal page", async ({
  browser,
}) => {
  const context = await browser.newContext({ storageState: undefined, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`/s/${sealSerial}`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the certificate (PDF)" }).click(),
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seal-pdf-"));
  const pdfPath = path.join(dir, "seal.pdf");
  await download.saveAs(pdfPath);
  expect(fs.readFileSync(pdfPath).subarray(0, 5).toString()).toBe("%PDF-");

  // Upload it on the public verify page: valid, with the signed facts and every check passed.
  await page.getByRole("link", { name: "Verify a PDF or credential" }).click();
  await expectHydrated(page);
  await page.getByLabel("Seal certificate (PDF)").setInputFiles(pdfPath);
  await page.getByRole("button", { name: "Check PDF" }).click();
  const result = page.getByTestId("verify-result");
  await expect(result.getByTestId("seal-verdict")).toHaveText("Valid");
  await expect(result.getByTestId("signed-firmware")).toHaveText("3.2.0");
  await expect(result.getByText("PDF page matches the signed facts")).toBeVisible();
  await expect(result.getByText("Transparency log proof")).toBeVisible();
  await expect(result.locator(".check--bad")).toHaveCount(0);
  await page.screenshot({ path: "test-results/screenshots/verify-pdf-valid.png", fullPage: true });

  // Render the PDF's page as a printer would, read its QR code, and follow it.
  execFileSync("pdftoppm", ["-png", "-r", "150", "-singlefile", pdfPath, path.join(dir, "page")]);
  const png = PNG.sync.read(fs.readFileSync(path.join(dir, "page.png")));
  const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(qr?.data).toMatch(new RegExp(`/s/${sealSerial}$`));
  await page.goto(new URL(qr!.data).pathname);
  await expect(page.getByTestId("seal-verdict")).toHaveText("Valid");
  await expect(page.getByText(`IoT Seal ${sealSerial}`)).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});

test("an assessor suspends the new seal with a public reason, everyone sees it at once, then reinstates it", async ({
  browser,
}) => {
  const asha = await pageAs(browser, "assessor1@demo.test");
  const problems = watchConsole(asha);
  await asha.getByRole("link", { name: "Seals" }).click();
  await expect(asha).toHaveURL(/\/seals$/); // (the dashboard's recent activity links the seal too)
  await asha.getByRole("link", { name: sealSerial, exact: true }).click();
  await expectHydrated(asha);
  const suspend = asha.getByRole("form", { name: "Suspend" });
  await suspend.getByLabel("Public reason").fill("short");
  await suspend.getByRole("button", { name: "Suspend the seal" }).click();
  await expect(asha.getByRole("alert").first()).toContainText(/at least 10 characters/);
  await suspend.getByLabel("Public reason").fill("A reported flaw in the pairing flow is being investigated.");
  await suspend.getByRole("button", { name: "Suspend the seal" }).click();
  await expect(asha.getByRole("status")).toContainText(`Seal ${sealSerial} is suspended:`); // the answer names the seal
  await expect(asha.getByTestId("seal-verdict")).toHaveText("Suspended");
  await asha.screenshot({ path: "test-results/screenshots/seal-staff-suspended.png", fullPage: true });

  // The public answer, for people and machines.
  const api = await asha.request.get(`/api/v1/seals/${sealSerial}`);
  expect(await api.json()).toMatchObject({
    status: "suspended",
    reason: "A reported flaw in the pairing flow is being investigated.",
  });
  const anon = await browser.newContext({ storageState: undefined });
  const pub = await anon.newPage();
  await pub.goto(`/s/${sealSerial}`);
  await expect(pub.getByTestId("seal-verdict")).toHaveText("Suspended");
  await expect(pub.getByRole("list", { name: "Seal history" })).toContainText("A reported flaw in the pairing flow");
  await expect(pub.locator("body")).not.toContainText(/Asha|assessor1@/);
  await pub.screenshot({ path: "test-results/screenshots/seal-page-suspended.png", fullPage: true });

  const reinstate = asha.getByRole("form", { name: "Reinstate" });
  await reinstate.getByLabel("Public reason").fill("The report was not reproducible; the seal is reinstated.");
  await reinstate.getByRole("button", { name: "Reinstate the seal" }).click();
  await expect(asha.getByTestId("seal-verdict")).toHaveText("Valid");
  await pub.reload();
  await expect(pub.getByTestId("seal-verdict")).toHaveText("Valid");
  expect(problems).toEqual([]);
  await anon.close();
  await asha.context().close();
});

test("a seal held by an overdue report cannot be reinstated by hand: the page names what holds it", async ({
  browser,
}) => {
  const asha = await pageAs(browser, "assessor1@demo.test");
  const problems = watchConsole(asha);
  // Typed loosely (lower case, no prefix, no hyphens), the page moves to the seal's exact address, so its forms act on it.
  const loose = seeded()
    .suspendedSeal.replace(/^IOTS-/, "")
    .replace(/-/g, "")
    .toLowerCase();
  await asha.goto(`/seals/${loose}`);
  await expect(asha).toHaveURL(`/seals/${seeded().suspendedSeal}`);
  await expect(asha.getByTestId("seal-verdict")).toHaveText("Suspended");
  const reinstate = asha.getByLabel("Reinstate", { exact: true });
  await expect(reinstate).toContainText("Not possible by hand now. Held by the open high report");
  await expect(reinstate).toContainText("past its disclosure deadline");
  await expect(asha.getByRole("button", { name: "Reinstate the seal" })).toHaveCount(0);
  await asha.screenshot({ path: "test-results/screenshots/seal-staff-held.png", fullPage: true });
  expect(problems).toEqual([]);
  await asha.context().close();
});
