// Tables on a phone (390x844): a wide table scrolls sideways inside its box, or collapses into one block per row;
// it never squeezes its columns until words break letter by letter ("Implemented" one letter a line, a status badge
// split in two). Words break at spaces and hyphens only (a hash or an email address may break anywhere); the page is never wider than the
// screen. Screenshots: test-results/screenshots/phone-table-*.png.
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y";
import { seeded } from "./db";
import { expectAccessible, stateFile, type Role } from "./helpers";

const ids = seeded();
const PHONE = { width: 390, height: 844 };

async function phonePage(browser: Browser, role: Role): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE, storageState: stateFile(role) });
  return context.newPage();
}

/** Each word in the page's tables (a run of letters between spaces, hyphens and slashes) on one line; each badge on one
 * line; the page no wider than the screen. */
async function expectReadableTables(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/phone-table-${name}.png`, fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: page width`).toBeLessThanOrEqual(
    PHONE.width,
  );
  const split = await page.evaluate(() => {
    const out: string[] = [];
    const lines = (range: Range) =>
      new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
    for (const table of document.querySelectorAll("main table")) {
      const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node as Text;
        const parent = text.parentElement;
        // A hash or an email address may break anywhere; visually hidden text (a collapsed table's column names) is
        // not on the screen.
        if (!parent || parent.closest(".hash, .email, .visually-hidden")) continue;
        const head = parent.closest("thead");
        if (head && head.getBoundingClientRect().width <= 1) continue;
        for (const m of text.data.matchAll(/[^\s\-/]+/g)) {
          const range = document.createRange();
          range.setStart(text, m.index!);
          range.setEnd(text, m.index! + m[0].length);
          if (lines(range) > 1) out.push(`"${m[0]}" in <${parent.tagName.toLowerCase()}>`);
        }
      }
      for (const badge of table.querySelectorAll(".badge")) {
        const range = document.createRange();
        range.selectNodeContents(badge);
        if (lines(range) > 1) out.push(`badge "${badge.textContent}" on ${lines(range)} lines`);
      }
    }
    return out;
  });
  expect(split, `${name}: words split across lines`).toEqual([]);
  await expectAccessible(page, `${name} at 390 px`);
}

test("the assessor's queue and a submission under review: table words whole on a phone", async ({ browser }) => {
  const page = await phonePage(browser, "assessor");
  // The queue's rows depend on what other specs approved before; the submission's requirement table is always there.
  await page.goto("/assessor/queue");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectReadableTables(page, "assessor-queue");
  await page.goto(`/assessor/submissions/${ids.submissionId}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.locator("main table").first()).toBeVisible();
  await expectReadableTables(page, "assessor-submission");
  await page.context().close();
});

test("the supplier's submissions, a submission, products and reports: table words whole on a phone", async ({
  browser,
}) => {
  const page = await phonePage(browser, "supplier");
  for (const [name, path] of [
    ["supplier-submissions", "/supplier/submissions"],
    ["supplier-submission", `/supplier/submissions/${ids.submissionId}`],
    ["supplier-products", "/supplier/products"],
    ["findings", "/findings"],
    ["supplier-recurring", `/supplier/seals/${ids.activeSeal}/recurring`],
  ]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectReadableTables(page, name);
  }
  // The recurring schedule's last column (how each requirement stands, and its upload link) is on the screen, not
  // scrolled off to the right.
  const now = page.getByTestId("recurring-schedule").locator("td[data-label='Now']").first();
  const box = (await now.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  // The reports' status and deadline are on the screen too: one block per report.
  await page.goto("/findings");
  for (const label of ["Status", "Deadline"]) {
    const cell = page.locator(`main table td[data-label='${label}']`).first();
    const cellBox = (await cell.boundingBox())!;
    expect(cellBox.x + cellBox.width, label).toBeLessThanOrEqual(PHONE.width);
  }
  await page.context().close();
});

test("the buyer's list of bulk checks collapses into one block per check on a phone", async ({ browser }) => {
  const page = await phonePage(browser, "retailer");
  await page.goto("/retailer/verify/bulk");
  await page.getByLabel("CSV file").setInputFiles({
    name: "phone-tables-stock-file-with-a-long-name.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`serial\n${ids.activeSeal}\n${ids.revokedSeal}\nIOTS-0000-0000\n`),
  });
  await page.getByRole("button", { name: "Check all" }).click();
  await page.waitForURL(/\/retailer\/verify\/bulk\/[\w-]+$/);
  await page.goto("/retailer/verify/bulk");
  await expect(page.getByText("phone-tables-stock-file-with-a-long-name.csv").first()).toBeVisible();
  await expectReadableTables(page, "bulk-runs");
  await page.context().close();
});

test("the admin's users collapse into one block per user on a phone; disabling and enabling one says what it did", async ({
  browser,
}) => {
  const page = await phonePage(browser, "admin");
  const email = `phone-table-assessor-${Date.now()}@example.test`; // long: an address may break anywhere
  await page.goto("/admin/users");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name").fill("Phone Table Assessor");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status")).toContainText(`Created ${email}`);
  await expect(page.getByLabel("Email")).toHaveValue(""); // the form starts again, empty
  await expectReadableTables(page, "admin-users");
  const disable = page.getByRole("button", { name: `Disable ${email}` });
  const box = (await disable.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width); // on the screen, not scrolled off to the right
  await disable.click();
  await expect(page.getByRole("status")).toContainText(`${email} is disabled: they cannot log in`);
  await page.getByRole("button", { name: `Enable ${email}` }).click();
  await expect(page.getByRole("status")).toContainText(`${email} is enabled`);
  await page.context().close();
});

test("the organisations collapse into one block per organisation on a phone, each figure under its name", async ({
  browser,
}) => {
  const page = await phonePage(browser, "admin");
  await page.goto("/admin/organizations");
  const gator = page.getByTestId("suppliers").getByRole("row").filter({ hasText: "Gator Wearables Ltd" });
  // Every column is there, named: nothing is scrolled off to the right.
  for (const label of ["Members", "Products", "Seals", "Submissions", "Vulnerability reports", "Evidence stored"]) {
    const cell = gator.locator(`td[data-label="${label}"]`);
    await expect(cell).toBeVisible();
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width, label).toBeLessThanOrEqual(PHONE.width);
  }
  await expect(gator.locator('td[data-label="Seals"]')).toContainText("valid");
  await expectReadableTables(page, "admin-organizations");
  await page.context().close();
});
