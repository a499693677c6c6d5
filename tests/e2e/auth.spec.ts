import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import {
  ACCOUNTS,
  confirmationLinkFor,
  DEMO_PASSWORD,
  expectHydrated,
  loginViaForm,
  readKeptMail,
  stateFile,
  watchConsole,
} from "./helpers";

test.describe("logging in", () => {
  test("the login page lists the demo accounts and their password", async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto("/login");
    await expectHydrated(page);
    const demo = page.getByRole("region", { name: "Demo accounts" });
    for (const email of [
      "admin@demo.test",
      "assessor1@demo.test",
      "assessor2@demo.test",
      "supplier@demo.test",
      "supplier2@demo.test",
      "buyer@demo.test",
    ]) {
      await expect(demo.getByText(email, { exact: true })).toBeVisible();
    }
    await expect(demo.getByText(DEMO_PASSWORD)).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/login.png", fullPage: true });
    expect(problems).toEqual([]);
  });

  test("a wrong password says so without saying whether the email exists", async ({ page }) => {
    await loginViaForm(page, "supplier@demo.test", "definitely-not-it");
    await expect(page.getByRole("alert")).toHaveText("That email and password do not match an account.");
    await expect(page).toHaveURL(/\/login/);
    await loginViaForm(page, "no-such-person@demo.test", "definitely-not-it");
    await expect(page.getByRole("alert")).toHaveText("That email and password do not match an account.");
    // The email stays filled in, the password does not.
    await expect(page.getByLabel("Email")).toHaveValue("no-such-person@demo.test");
    await expect(page.getByLabel("Password")).toHaveValue("");
  });

  test("an empty form names the fields", async ({ page }) => {
    await page.goto("/login");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByText("Enter a valid email address, like name@example.com.")).toBeVisible();
    await expect(page.getByText("Enter your password.")).toBeVisible();
  });

  test("logging in without JavaScript works too", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await loginViaForm(page, ACCOUNTS.retailer.email);
    await expect(page).toHaveURL("/retailer");
    await expect(page.getByText("Retail buyer workspace")).toBeVisible();
    await context.close();
  });

  test("a protected page sends you to log in and back", async ({ page }) => {
    await page.goto("/admin/users");
    await expect(page).toHaveURL(/\/login\?redirectTo=%2Fadmin%2Fusers/);
    await page.getByLabel("Email").fill("admin@demo.test");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL("/admin/users");
    await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  });
});

test("logout ends the session: the old cookie no longer works", async ({ page, browser }) => {
  await loginViaForm(page, ACCOUNTS.supplier.email);
  await expect(page).toHaveURL("/supplier");
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "iotseal_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL("/login");

  // Replay the cookie from before logout in a fresh browser: it must not open the dashboard.
  const replay = await browser.newContext();
  await replay.addCookies(cookies);
  const p2 = await replay.newPage();
  await p2.goto("/supplier");
  await expect(p2).toHaveURL(/\/login\?redirectTo=%2Fsupplier/);
  await replay.close();
});

test("signing up a new supplier organisation: the form, the mailed link, the password again, its dashboard", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const unique = Date.now().toString(36);
  const email = `kim-${unique}@kitetoys.test`;
  await page.goto("/signup");
  await page.getByLabel("Supplier").check();
  await page.getByLabel("Organisation name").fill(`Kite Toys ${unique} Ltd`);
  await page.getByLabel("Your name").fill("Kim Kite");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
  await expect(page.getByLabel("Organisation name")).toHaveValue(`Kite Toys ${unique} Ltd`);

  await page.getByLabel("Password").fill("paper kites fly high 2026");
  await page.getByRole("button", { name: "Register" }).click();
  // Nothing is created yet: the page says where the link went (this portal has no SMTP_URL: an admin hands it over).
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your email address");
  await expect(page.getByRole("status")).toHaveText(
    `A mail to ${email} to confirm the registration of Kite Toys ${unique} Ltd is waiting in IoT Seal's outbox. ` +
      "This portal does not send mail: ask an administrator of IoT Seal to give it to you.",
  );
  await page.screenshot({ path: "test-results/screenshots/signup-check-inbox.png", fullPage: true });

  const link = await confirmationLinkFor(browser, email, "signup-confirmation-mail");
  expect(link).toMatch(/^\/signup\/confirm\/[\w-]{43}$/);
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your registration");
  await expect(page.locator("dl.facts")).toContainText(`Kite Toys ${unique} Ltd (supplier)`);
  await expect(page.locator("dl.facts")).toContainText(`Kim Kite, ${email}`);
  await page.screenshot({ path: "test-results/screenshots/signup-confirm.png", fullPage: true });
  // The link alone creates nothing: the password chosen is asked again.
  await page.getByLabel("Password").fill("not the password chosen");
  await page.getByRole("button", { name: "Create organisation and account" }).click();
  await expect(page.getByText("That is not the password chosen when registering.")).toBeVisible();
  await page.getByLabel("Password").fill("paper kites fly high 2026");
  await page.getByRole("button", { name: "Create organisation and account" }).click();
  await expect(page).toHaveURL("/supplier");
  await expect(page.getByText(`Your team at Kite Toys ${unique} Ltd`)).toBeVisible();
  await expect(page.getByText("Kim Kite").first()).toBeVisible();
  await expect(page.getByText("Organisation created")).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/signup-supplier-dashboard.png", fullPage: true });

  // The link works once.
  const again = await (await browser.newContext({ storageState: undefined })).newPage();
  const response = await again.goto(link);
  expect(response?.status()).toBe(410);
  await expect(again.getByRole("alert")).toHaveText(
    "This registration is already confirmed: log in with your email and password.",
  );
  await again.context().close();
});

test("signing up with the address of an existing account answers as for a new one, and warns its owner", async ({
  page,
  browser,
}) => {
  const unique = Date.now().toString(36);
  await page.goto("/signup");
  await page.getByLabel("Retailer").check();
  await page.getByLabel("Organisation name").fill(`Copycat Shop ${unique} Ltd`);
  await page.getByLabel("Your name").fill("Someone Else");
  await page.getByLabel("Work email").fill(ACCOUNTS.retailer.email);
  await page.getByLabel("Password").fill("trying my luck here 2026");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your email address");
  // Word for word what a new address gets.
  await expect(page.getByRole("status")).toHaveText(
    `A mail to ${ACCOUNTS.retailer.email} to confirm the registration of Copycat Shop ${unique} Ltd is waiting in ` +
      "IoT Seal's outbox. This portal does not send mail: ask an administrator of IoT Seal to give it to you.",
  );
  const warning = await readKeptMail(
    browser,
    ACCOUNTS.retailer.email,
    "Someone tried to register with your address at IoT Seal",
  );
  expect(warning).toContain("It already has an account, so nothing was created.");
  expect(warning).not.toContain("/signup/confirm/");
});

test.describe("as a supplier", () => {
  test.use({ storageState: stateFile("supplier") });

  test("opening an assessor page gives a proper 403 page", async ({ page }) => {
    const response = await page.goto("/assessor");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
    await expect(page.getByText("This page is for assessors. You are signed in as a supplier.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Go to your dashboard" })).toHaveAttribute("href", "/supplier");
    await page.screenshot({ path: "test-results/screenshots/403.png" });
  });

  test("navigation shows only the supplier's own pages", async ({ page }) => {
    await page.goto("/supplier");
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link")).toHaveText([
      "Dashboard",
      "Products",
      "Submissions",
      "Seals",
      "Vulnerabilities",
      "Checklists",
    ]);
    await expect(page.getByRole("link", { name: /Users|Audit log/ })).toHaveCount(0);
  });
});

test("an unknown address gives a 404 page, never a stack trace", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.locator("body")).not.toContainText(/at .*\.js:\d+|Error:/);
  await page.screenshot({ path: "test-results/screenshots/404.png" });
});
