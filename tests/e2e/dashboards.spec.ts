// Dashboards that show work (issue 16), on the demo data: the supplier's open reports with their clocks,
// submissions sent back (a link to the first requirement), recurring evidence and expiring seals; the assessor's
// queue counts, confirmations, fixes to verify and recurring evidence; the buyer's watched seals by status, policy
// misses, latest alerts and the links to bulk checks, API tokens and webhooks (also in the navigation). Each at
// desktop width and at 390x844 without horizontal scrolling. Screenshots: test-results/screenshots/dashboard-*.png.
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import {
  ACCOUNTS,
  expectHydrated,
  loginViaForm,
  stateFile,
  submitPstiAsNewSupplier,
  watchConsole,
  type Role,
} from "./helpers";

const PHONE = { width: 390, height: 844 };

/** A page of `role` (the demo session the setup saved) or of another demo user, at desktop width or on a phone. */
async function dashboardPage(browser: Browser, who: Role | string, phone = false): Promise<Page> {
  const known = (["supplier", "assessor", "retailer", "admin"] as string[]).includes(who);
  const context = await browser.newContext({
    storageState: known ? stateFile(who as Role) : undefined,
    ...(phone ? { viewport: PHONE } : {}),
  });
  const page = await context.newPage();
  if (!known) {
    await loginViaForm(page, who);
    await expect(page).not.toHaveURL(/\/login/);
  }
  return page;
}

/** The same dashboard on a phone: nothing wider than the screen. */
async function expectFitsPhone(browser: Browser, who: Role | string, path: string, name: string) {
  const phone = await dashboardPage(browser, who, true);
  await phone.goto(path);
  await expect(phone.getByRole("heading", { level: 1 })).toContainText("Welcome");
  await phone.screenshot({ path: `test-results/screenshots/dashboard-${name}-phone.png`, fullPage: true });
  expect(await phone.evaluate(() => document.documentElement.scrollWidth), `${name}: page width`).toBeLessThanOrEqual(
    PHONE.width,
  );
  await phone.context().close();
}

test("the supplier's dashboard shows open reports with their clocks, changes requested, evidence due and expiring seals", async ({
  browser,
}) => {
  const page = await dashboardPage(browser, "supplier");
  const problems = watchConsole(page);
  await page.goto(ACCOUNTS.supplier.dashboard);
  await expectHydrated(page);
  // The demo watch's high report, about 10 days from its deadline, with its clock and a link to it.
  const reports = page.getByRole("region", { name: "Open vulnerability reports" });
  const watch = reports.getByRole("row", { name: /Gator Kids Watch 3/ });
  await expect(watch).toContainText("High");
  await expect(watch.getByTestId("disclosure-clock")).toContainText(/\d+ days? left/);
  await expect(watch.getByRole("link")).toHaveAttribute("href", /^\/findings\/[\w-]+$/);
  await expect(page.getByRole("region", { name: "Changes requested" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Recurring evidence due" })).toContainText("5.2-3");
  await expect(page.getByRole("region", { name: "Seals expiring within 60 days" })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/dashboard-supplier-desktop.png", fullPage: true });
  expect(problems).toEqual([]);
  await page.context().close();
  await expectFitsPhone(browser, "supplier", ACCOUNTS.supplier.dashboard, "supplier");

  // Brightnest's doorbell was sent back with comments: the link goes to the first requirement to change.
  const sam = await dashboardPage(browser, "supplier2@demo.test");
  await sam.goto("/supplier");
  const sentBack = sam.getByRole("region", { name: "Changes requested" });
  await expect(sentBack).toContainText("Brightnest Video Doorbell");
  await expect(sentBack).toContainText(/requirements? sent back/);
  await sam.screenshot({ path: "test-results/screenshots/dashboard-supplier2-desktop.png", fullPage: true });
  await sentBack.getByRole("link", { name: /^Start with / }).click();
  await expect(sam).toHaveURL(/\/supplier\/submissions\/[\w-]+\/requirements\/[^/]+$/);
  await sam.context().close();
  await expectFitsPhone(browser, "supplier2@demo.test", "/supplier", "supplier2");
});

test("a supplier lists every seal of theirs, expired ones too, and filters them", async ({ browser }) => {
  const page = await dashboardPage(browser, "supplier");
  const problems = watchConsole(page);
  await page.goto(ACCOUNTS.supplier.dashboard);
  await page.getByRole("link", { name: "All your seals" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your seals" })).toBeVisible();
  const table = page.getByTestId("own-seals");
  // The demo's Gator seals: watch 3 (monitored while valid or suspended: its recurring evidence is linked).
  const watch3 = table.getByRole("row").filter({ hasText: "Gator Kids Watch 3" }).filter({ hasText: "firmware 3.1.0" });
  const verdict = await watch3.locator("[data-verdict]").first().getAttribute("data-verdict");
  await expect(watch3.getByRole("link", { name: "Recurring evidence" })).toHaveCount(
    verdict === "valid" || verdict === "suspended" ? 1 : 0,
  );
  const watch2 = table.getByRole("row").filter({ hasText: "Gator Kids Watch 2" });
  await expect(watch2).toContainText("Expired");
  await expect(watch2.getByRole("link", { name: "Recurring evidence" })).toHaveCount(0);
  await expect(table).not.toContainText("Brightnest"); // another supplier's seals are not listed
  await page.getByLabel("State").selectOption("expired");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/state=expired/);
  await expect(page.getByTestId("own-seals").getByRole("row").filter({ hasText: "Gator Kids Watch 3" })).toHaveCount(0);
  await page.screenshot({ path: "test-results/screenshots/supplier-seals.png", fullPage: true });
  expect(problems).toEqual([]);
  await page.context().close();
  const phone = await dashboardPage(browser, "supplier", true);
  await phone.goto("/supplier/seals");
  await expect(phone.getByRole("heading", { level: 1, name: "Your seals" })).toBeVisible();
  expect(await phone.evaluate(() => document.documentElement.scrollWidth), "seals: page width").toBeLessThanOrEqual(
    PHONE.width,
  );
  await phone.screenshot({ path: "test-results/screenshots/supplier-seals-phone.png", fullPage: true });
  await phone.context().close();
});

test("the assessor's dashboard shows the queue counts, confirmations, fixes to verify and recurring evidence", async ({
  browser,
}) => {
  const page = await dashboardPage(browser, "assessor");
  const problems = watchConsole(page);
  await page.goto(ACCOUNTS.assessor.dashboard);
  await expectHydrated(page);
  const counts = page.getByTestId("queue-counts");
  for (const id of ["waiting-count", "mine-count", "others-count", "recurring-count"])
    await expect(counts.getByTestId(id)).toHaveText(/^\d+$/);
  await expect(counts).toContainText("in review by other assessors");
  await expect(page.getByRole("region", { name: "Confirmations waiting for you" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Fixes to verify" })).toBeVisible();
  // The demo's fresh 5.2-1 disclosure-inbox check waits for an assessor.
  await expect(page.getByRole("region", { name: "Recurring evidence to check" })).toContainText("5.2-1");
  // Recent activity: the assessors' work on suppliers' submissions, each saying what it was about.
  const activity = page.getByTestId("activity");
  await expect(
    activity
      .getByRole("listitem")
      .filter({ has: page.getByTestId("activity-subject").filter({ hasText: /, firmware \S+/ }) })
      .first(),
  ).toContainText(/ by (Asha|Bram) Assessor · /);
  await expect(activity).not.toContainText("Logged in");
  await page.screenshot({ path: "test-results/screenshots/dashboard-assessor-desktop.png", fullPage: true });
  expect(problems).toEqual([]);
  await page.context().close();
  await expectFitsPhone(browser, "assessor", ACCOUNTS.assessor.dashboard, "assessor");
});

test("the buyer's dashboard shows watched seals by status, policy misses, latest alerts, and API tokens and webhooks in the navigation", async ({
  browser,
}) => {
  const page = await dashboardPage(browser, "retailer");
  const problems = watchConsole(page);
  await page.goto(ACCOUNTS.retailer.dashboard);
  await expectHydrated(page);
  const standings = page.getByTestId("watch-standings");
  for (const standing of ["valid", "valid_update_required", "suspended", "revoked", "expired"])
    await expect(standings.locator(`[data-standing="${standing}"] dd`)).toHaveText(/^[1-9]\d*$/);
  await expect(page.getByRole("region", { name: "Watched products by status" })).toContainText("5 products watched");
  // CRA Article 14: the demo watch's actively exploited report, as the fact and its severity only.
  await expect(page.getByTestId("exploited-handled")).toHaveText(
    "Gator Kids Watch 3: an actively exploited vulnerability (high) is being handled under the EU Cyber Resilience Act (Article 14). Details are published when it is fixed or at its deadline.",
  );
  await expect(page.locator("body")).not.toContainText("Location history readable after unpairing");
  await expect(page.getByRole("region", { name: "Policy misses" })).toBeVisible();
  // Changes since the demo buyer's watches began (the history they copied is not an alert): the demo
  // buyer watched before the demo's reports, revocation, suspension and expiry (other journeys may add more).
  const alerts = page.getByRole("region", { name: "Latest alerts" });
  await expect(alerts.getByRole("listitem")).toHaveCount(5);
  await expect(alerts).not.toContainText("None yet");
  const tools = page.getByRole("region", { name: "Checks and integrations" });
  await expect(tools.getByRole("link", { name: "Check a stock list (CSV)" })).toHaveAttribute(
    "href",
    "/retailer/verify/bulk",
  );
  await expect(tools.getByRole("link", { name: "Manage API tokens" })).toHaveAttribute("href", "/retailer/api");
  await expect(tools.getByRole("link", { name: "Manage webhook endpoints" })).toHaveAttribute(
    "href",
    "/retailer/webhooks",
  );
  await page.screenshot({ path: "test-results/screenshots/dashboard-retailer-desktop.png", fullPage: true });
  // API tokens and webhooks are in the main navigation.
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "API tokens", exact: true }).click();
  await expect(page).toHaveURL("/retailer/api");
  await nav.getByRole("link", { name: "Webhooks", exact: true }).click();
  await expect(page).toHaveURL("/retailer/webhooks");
  expect(problems).toEqual([]);
  await page.context().close();
  await expectFitsPhone(browser, "retailer", ACCOUNTS.retailer.dashboard, "retailer");
});

test("the proposer is told whom the proposal waits for, and withdraws it with a form that works without JavaScript", async ({
  browser,
}) => {
  test.setTimeout(150_000);
  // A supplier of its own with a small submission (UK PSTI, 3 requirements): the demo submissions stay as they are.
  const unique = Date.now().toString(36);
  const { reviewUrl } = await submitPstiAsNewSupplier(browser, {
    organization: `Kite Drones ${unique} Ltd`,
    name: "Kim Kite",
    email: `kim-${unique}@kitedrones.test`,
    product: "Kite Camera Drone",
    model: `KD-${unique}`,
  });

  // Assessor 1 takes it, passes the three requirements and proposes the approval.
  const asha = await dashboardPage(browser, "assessor");
  await asha.goto(reviewUrl);
  await expectHydrated(asha);
  await asha.getByRole("button", { name: "Take for review" }).click();
  await expect(asha.getByText("You have taken this submission for review.")).toBeVisible();
  for (const ref of ["1", "2", "3"]) {
    await asha.goto(`${reviewUrl}/requirements/${ref}`);
    await expectHydrated(asha);
    await asha.getByLabel("Pass", { exact: true }).check();
    // "Save and go to next unscored (…)", or "… return to the summary" after the last one.
    await asha.getByRole("button", { name: /^Save and / }).click();
    await expect(asha).not.toHaveURL(`${reviewUrl}/requirements/${ref}`);
  }
  await expect(asha).toHaveURL(reviewUrl);
  await asha.getByRole("button", { name: "Propose approval" }).click();
  await expect(asha.getByText("Approval proposed; a second assessor must confirm it.")).toBeVisible();
  // Bram is the one other assessor in the demo (another test may have added one: then "any other assessor").
  const waiting = /Waiting for confirmation by (Bram Assessor|any other assessor)\./;
  await expect(asha.getByTestId("waiting-for-confirmation")).toContainText(waiting);
  // Said once, beside the withdrawal; the line above the summary only says who proposed it and when.
  await expect(asha.getByTestId("proposal-state")).toContainText(/Approval proposed .+ by you\.$/);
  await asha.screenshot({ path: "test-results/screenshots/dashboard-review-proposal-waiting.png", fullPage: true });
  await asha.goto(ACCOUNTS.assessor.dashboard);
  await expect(asha.getByTestId("my-proposals").locator("li", { hasText: "Kite Camera Drone" })).toContainText(
    /waiting for confirmation by (Bram Assessor|any other assessor)/,
  );
  await asha.context().close();

  // The withdrawal is a plain form: it works with JavaScript off, and says what happened.
  const noJs = await (
    await browser.newContext({ storageState: stateFile("assessor"), javaScriptEnabled: false })
  ).newPage();
  await noJs.goto(reviewUrl);
  await noJs
    .getByLabel("Why you withdraw it (optional, kept in the decisions)")
    .fill("Re-reading requirement 2 first.");
  await noJs.getByRole("button", { name: "Withdraw the proposal" }).click();
  await expect(noJs.getByRole("status")).toContainText(
    "Proposal withdrawn: the submission stays in review with you, and approving it needs a new proposal.",
  );
  await expect(noJs.getByRole("button", { name: "Propose approval" })).toBeVisible();
  await expect(noJs.getByTestId("waiting-for-confirmation")).toHaveCount(0);
  await expect(noJs.getByText(/Proposal withdrawn by Asha Assessor: Re-reading requirement 2 first\./)).toBeVisible();
  await noJs.screenshot({ path: "test-results/screenshots/dashboard-review-proposal-withdrawn.png", fullPage: true });
  await noJs.context().close();
});

test("what each recent activity was about opens its page, for everyone who sees it", async ({ browser }) => {
  let linked = 0;
  for (const role of ["supplier", "assessor", "retailer", "admin"] as const) {
    const page = await dashboardPage(browser, role);
    await page.goto(ACCOUNTS[role].dashboard);
    const links = page.getByTestId("activity").getByTestId("activity-subject").getByRole("link");
    const hrefs = [...new Set(await links.evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? "")))];
    linked += hrefs.length; // (what the other tests did meanwhile may fill a dashboard with events that have no page)
    for (const href of hrefs) {
      const res = await page.request.get(href, { maxRedirects: 0 });
      expect(res.status(), `${role} opens ${href}`).toBe(200);
    }
    if (hrefs.length) {
      // Following one lands there, the page whole.
      await links.first().click();
      await expect(page).toHaveURL(hrefs[0]);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await page.screenshot({ path: `test-results/screenshots/activity-link-${role}.png` });
    }
    await page.context().close();
  }
  // The demo's activity names submissions, seals, findings and policies each role has a page for.
  expect(linked).toBeGreaterThan(3);
});
