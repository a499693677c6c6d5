// Phones first (issue 15): at 390x844 the pages a shopper or a buyer opens on a phone fit the screen (no
// horizontal scrolling, no table column hidden in a scrolled box), the navigation is a compact menu that works
// without JavaScript, and axe-core finds nothing on them at that width. Screenshots: test-results/screenshots/phone-*.png.
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y";
import { seeded } from "./db";
import {
  ACCOUNTS,
  ROLES,
  expectAccessible,
  loginViaForm,
  signUpViaForm,
  stateFile,
  watchConsole,
  type Role,
} from "./helpers";

const ids = seeded();
const PHONE = { width: 390, height: 844 };

async function phonePage(browser: Browser, role: Role | null, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    storageState: role ? stateFile(role) : undefined,
    javaScriptEnabled,
  });
  return context.newPage();
}

/** The page fits 390 px: no horizontal scroll, and nothing in the main column reaches past the screen's edge
 * (a table squeezed into a scrolling box would pass the first test and still hide its columns). */
async function expectFitsPhone(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/phone-${name}.png`, fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: page width`).toBeLessThanOrEqual(
    PHONE.width,
  );
  const beyond = await page.evaluate((width) => {
    const out: string[] = [];
    // Inside a 1 px box that hides its overflow (visually hidden text, a stacked table's column names): not on screen.
    const clipped = (el: Element): boolean => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.overflow !== "visible" && e.getBoundingClientRect().width <= 1) return true;
        if (style.position === "absolute" && e.getBoundingClientRect().right < 0) return true; // the skip link
      }
      return false;
    };
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || clipped(el)) continue;
      if (r.right > width + 0.5 || r.left < -0.5)
        out.push(`${el.tagName.toLowerCase()}.${el.className}: ${Math.round(r.left)}..${Math.round(r.right)}px`);
    }
    return out;
  }, PHONE.width);
  expect(beyond, `${name}: elements past the screen's edge`).toEqual([]);
  await expectAccessible(page, `${name} at 390 px`);
}

test("the public seal pages and /verify with each verdict fit a phone", async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await phonePage(browser, null);
  const problems = watchConsole(page);
  const seals: [string, string][] = [
    ["valid", ids.activeSeal],
    ["suspended", ids.suspendedSeal],
    ["revoked", ids.revokedSeal],
    ["expired", ids.expiredSeal],
  ];
  for (const [name, serial] of seals) {
    await page.goto(`/s/${serial}`);
    await expectFitsPhone(page, `seal-${name}`);
    // A visitor who scanned a box can check another seal from any page: the header keeps the link on a phone.
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Verify a seal" }),
    ).toBeVisible();
    // The certificate as issued is offered for what it is once the seal is no longer valid.
    await expect(
      page.getByRole("link", {
        name:
          name === "valid"
            ? "Download the certificate (PDF)"
            : `Download the certificate as issued (PDF; the seal is now ${name})`,
        exact: true,
      }),
    ).toBeVisible();
  }
  // The demo watch's public advisory: the fixed firmware and the dates are on the screen, each with its label.
  await page.goto(`/s/${ids.activeSeal}`);
  const advisory = page.getByTestId("advisory").first();
  for (const label of ["Fixed firmware", "Reported", "Disclosed"]) {
    const cell = advisory.locator(`[data-label="${label}"]`);
    await cell.scrollIntoViewIfNeeded();
    await expect(cell, label).toBeInViewport({ ratio: 1 });
  }
  const verifyPage = await page.goto("/verify");
  // A page that tells a seal's status is kept by no cache without asking again (app/root.tsx headers).
  expect(verifyPage?.headers()["cache-control"]).toBe("no-cache");
  await expectFitsPhone(page, "verify");
  for (const [name, serial] of [...seals, ["not-found", "IOTS-0000-0000"]]) {
    await page.goto(`/verify?serial=${serial}`);
    await expect(page.getByTestId("verify-result")).toBeVisible();
    await expectFitsPhone(page, `verify-${name}`);
  }
  await page.goto("/login");
  await expectFitsPhone(page, "login");
  await page.goto("/");
  await expectFitsPhone(page, "home");
  expect(problems).toEqual([]);
  await page.context().close();
});

for (const role of ROLES) {
  test(`the ${role}'s navigation is a compact menu on a phone, with JavaScript and without`, async ({ browser }) => {
    for (const javaScriptEnabled of [true, false]) {
      const page = await phonePage(browser, role, javaScriptEnabled);
      await page.goto(ACCOUNTS[role].dashboard);
      const bar = page.locator("header.topbar");
      expect((await bar.boundingBox())!.height, "the top bar is one line").toBeLessThan(80);
      const menu = page.getByRole("navigation", { name: "Main" });
      await expect(menu.getByRole("link", { name: "Checklists" })).toBeHidden();
      if (javaScriptEnabled) await expectFitsPhone(page, `nav-${role}`);
      await page.getByText("Menu", { exact: true }).click();
      await expect(menu.getByRole("link", { name: "Checklists" })).toBeVisible();
      if (javaScriptEnabled) await expectFitsPhone(page, `nav-${role}-open`);
      await menu.getByRole("link", { name: "Checklists" }).click();
      await expect(page).toHaveURL("/checklists");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      // After a client-side navigation the focus is on the new page's heading, not lost on <body>; the menu is closed.
      if (javaScriptEnabled) await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
      await expect(menu.getByRole("link", { name: "Checklists" })).toBeHidden();
      await page.context().close();
    }
  });
}

test("a buyer's watchlist and bulk check results fit a phone", async ({ browser }) => {
  test.setTimeout(90_000);
  // A retailer of its own: opening the demo buyer's watchlist would mark its changes as seen for other tests.
  const page = await phonePage(browser, null);
  const problems = watchConsole(page);
  const unique = Date.now().toString(36);
  await signUpViaForm(browser, page, {
    kind: "Retailer",
    organizationName: `Pocket Shop ${unique} Ltd`,
    name: "Pat Pocket",
    email: `pat-${unique}@pocketshop.test`,
    password: "phones first and always 2026",
  });
  await page.goto("/retailer/watchlist");
  const csv = [
    "serial,label",
    ...[ids.activeSeal, ids.expiredSeal, ids.suspendedSeal, ids.revokedSeal].map((s, i) => `${s},SKU-${i}`),
  ];
  await page.getByLabel(/CSV file/).setInputFiles({
    name: "phone-check.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv.join("\n") + "\n"),
  });
  await page.getByRole("button", { name: "Watch them all" }).click();
  await expect(page.getByRole("status")).toContainText("Added 4 products");
  // A row per seal of each product (a product re-certified by another test has two).
  await expect(page.getByTestId("watchlist").getByRole("row").nth(4)).toBeVisible();
  await expectFitsPhone(page, "watchlist");
  expect(problems).toEqual([]);
  await page.context().close();

  // The demo buyer's bulk check (its acceptance policy adds a column).
  const buyer = await phonePage(browser, "retailer");
  // Its acceptance policies: the form's level choices hold long titles (EN 18031's parts).
  await buyer.goto("/retailer/policies");
  await expect(buyer.getByRole("heading", { name: "Acceptance policies" })).toBeVisible();
  await expectFitsPhone(buyer, "policies");
  const bulkPage = await buyer.goto("/retailer/verify/bulk");
  // A signed-in user's page is theirs: no cache may keep it.
  expect(bulkPage?.headers()["cache-control"]).toBe("private, no-store");
  await expectFitsPhone(buyer, "bulk");
  await buyer.getByLabel("CSV file").setInputFiles({
    name: "phone-check.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      [
        "serial,our_sku",
        `${ids.activeSeal},SKU-1`,
        `${ids.expiredSeal},SKU-2`,
        `${ids.revokedSeal},SKU-3`,
        "IOTS-0000-0000,SKU-4",
      ].join("\n") + "\n",
    ),
  });
  await buyer.getByRole("button", { name: "Check all" }).click();
  await buyer.waitForURL(/\/retailer\/verify\/bulk\/[\w-]+$/);
  await expect(buyer.getByTestId("attention-rows")).toBeVisible();
  await expectFitsPhone(buyer, "bulk-result");
  await buyer.context().close();
});

test("a supplier's submission and an assessor's review of it fit a phone: every requirement's claim, files and state", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const supplier = await phonePage(browser, "supplier");
  await supplier.goto(`/supplier/submissions/${ids.submissionId}`);
  await expect(supplier.locator("table.requirements-table").first()).toBeVisible();
  await expectFitsPhone(supplier, "supplier-submission");
  await supplier.context().close();
  const assessor = await phonePage(browser, "assessor");
  await assessor.goto(`/assessor/submissions/${ids.submissionId}`);
  await expect(assessor.locator("table.requirements-table").first()).toBeVisible();
  await expectFitsPhone(assessor, "assessor-review");
  await assessor.context().close();
});

test("logging in on a phone", async ({ browser }) => {
  const page = await phonePage(browser, null);
  await loginViaForm(page, ACCOUNTS.retailer.email);
  await expect(page).toHaveURL("/retailer");
  await expectFitsPhone(page, "dashboard-retailer");
  await page.context().close();
});
