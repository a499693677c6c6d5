import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, loginViaForm, stateFile, watchConsole } from "./helpers";

test.use({ storageState: stateFile("admin") });

test("an admin adds an assessor, who can then log in", async ({ page, browser }) => {
  const problems = watchConsole(page);
  const email = `new-assessor-${Date.now().toString(36)}@assure.test`;
  await page.goto("/admin/users");
  await expectHydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name").fill("Nia Newcomer");
  await page.getByLabel("Role").selectOption("assessor");
  await page.getByRole("button", { name: "Create user" }).click();
  const notice = page.getByRole("status");
  await expect(notice).toContainText(`Created ${email}`);
  const password = (await notice.locator(".once-secret").textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(12);
  const row = page.getByRole("row", { name: new RegExp(email) });
  await expect(row).toContainText("Assessor");
  await expect(row).toContainText("IoT Seal Assurance");
  await page.screenshot({ path: "test-results/screenshots/admin-users.png", fullPage: true });
  expect(problems).toEqual([]);

  const fresh = await browser.newContext({ storageState: undefined });
  const p2 = await fresh.newPage();
  await loginViaForm(p2, email, password);
  await expect(p2).toHaveURL("/assessor");
  await fresh.close();
});

test("an admin sees organisations and a verified audit log", async ({ page }) => {
  await page.goto("/admin/organizations");
  for (const name of ["IoT Seal Assurance", "Gator Wearables Ltd", "Brightnest Smart Home Ltd", "High Street Retail"]) {
    await expect(page.getByRole("row", { name: new RegExp(`^${name}`) })).toBeVisible();
    await expect(page.getByRole("link", { name: `Audit log of ${name}` })).toBeVisible();
  }
  // What each supplier has on the portal: seals by status, work under way, reports past their deadline.
  const brightnest = page.getByTestId("suppliers").getByRole("row", { name: /Brightnest Smart Home Ltd/ });
  await expect(brightnest).toContainText("1 valid");
  await expect(brightnest).toContainText("1 suspended");
  await expect(brightnest).toContainText("1 revoked");
  await expect(brightnest).toContainText("1 open 1 past the deadline");
  await expect(brightnest).toContainText("of 10 GiB");
  await expect(page.getByTestId("suppliers").getByRole("row", { name: /Gator Wearables Ltd/ })).toContainText(
    "1 with the assessors",
  );
  await expect(page.getByTestId("retailers").getByRole("row", { name: /High Street Retail/ })).toContainText("5");
  await page.screenshot({ path: "test-results/screenshots/admin-organizations.png", fullPage: true });
  // Each organisation's audit trail is one click away: the audit log, filtered to it.
  await page.getByRole("link", { name: "Audit log of Gator Wearables Ltd" }).click();
  await expect(page.getByLabel("Organisation")).toHaveValue(/.+/);
  await expect(page.getByLabel("Organisation").locator("option:checked")).toHaveText("Gator Wearables Ltd");
  await page.goto("/admin/audit");
  await expect(page.getByRole("cell", { name: "User created" }).first()).toBeVisible();
  await page.getByRole("button", { name: "Verify the whole chain" }).click();
  await expect(page.getByTestId("chain-status")).toContainText(/Verified \d+ events/);
  await page.screenshot({ path: "test-results/screenshots/admin-audit.png", fullPage: true });
});

test("the admin dashboard counts two-step logins, says the keys of the secrets it keeps are there, and links to the audit chain's verification (it does not recompute it on every load)", async ({
  page,
}) => {
  await page.goto("/admin");
  await expect(page.getByTestId("audit-count")).toContainText(/The audit log holds \d+ events/);
  // How many accounts of each role use two-step login (the e2e server requires it of nobody).
  const twoStep = page.getByTestId("two-step-adoption");
  await expect(twoStep.getByRole("row").filter({ hasText: /^Administrator/ })).toContainText("No");
  // The keys the database's secrets are kept under: the demo buyer's webhook secret is, and its key is there.
  const keys = page.getByTestId("keys-at-rest");
  await expect(keys.getByRole("row").filter({ hasText: "Webhook endpoints' signing secrets" })).toContainText(
    /keys\/webhook\.private\.key\s*\d+ active webhook endpoints?\s*Present/,
  );
  await expect(page.getByRole("alert")).toHaveCount(0);
  await twoStep.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/screenshots/admin-dashboard.png", fullPage: true });
  await page.getByRole("link", { name: "Verify the audit chain" }).click();
  await expect(page).toHaveURL(/\/admin\/audit\?verify=1$/);
  await expect(page.getByTestId("chain-status")).toContainText(/Verified \d+ events/);
});
