// Forgetting, resetting and changing a password, with users made by the tests (the demo accounts other specs log in
// with keep their password). The demo has no SMTP_URL: reset mails are kept in the outbox, where the admin reads them.
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, loginViaForm, newAssessor, readKeptMail, stateFile, watchConsole } from "./helpers";

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/password-${name}.png`, fullPage: true });

/** The admin opens the newest reset mail to `email` in /admin/outbox and reads the link in it. */
async function readResetLink(browser: Browser, email: string, screenshot?: string): Promise<string> {
  const text = await readKeptMail(
    browser,
    email,
    "Reset your IoT Seal password",
    screenshot && `password-${screenshot}`,
  );
  expect(text).toContain("The link works once, until");
  const link = /Set a new password: (\S+)/.exec(text)?.[1];
  expect(link, text).toBeTruthy();
  return link!;
}

test("forgot password: the mail in /admin/outbox, the link, a new password, log in with it", async ({ browser }) => {
  test.setTimeout(120_000);
  const email = await newAssessor(browser, "Rae Reset", "rae's first password 2026");
  const ctx = await browser.newContext({ storageState: undefined });
  const page = await ctx.newPage();
  const problems = watchConsole(page);

  await page.goto("/login");
  await expectHydrated(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL("/forgot-password");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Forgot your password?");
  // An unknown address gets the same answer as a real one.
  await page.getByLabel("Email").fill("nobody-at-all@assure.test");
  await page.getByRole("button", { name: "Ask for a reset link" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "If an account exists for nobody-at-all@assure.test, a link to set a new password was made for it. " +
      "This portal does not send mail: ask an administrator of IoT Seal to give you the link.",
  );
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByRole("button", { name: "Ask for a reset link" }).click();
  await expect(page.getByRole("status")).toHaveText(
    `If an account exists for ${email}, a link to set a new password was made for it. ` +
      "This portal does not send mail: ask an administrator of IoT Seal to give you the link.",
  );
  await shot(page, "forgot-sent");

  const link = await readResetLink(browser, email, "outbox-mail");
  expect(new URL(link).pathname).toMatch(/^\/reset-password\/[\w-]{43}$/);

  await page.goto(new URL(link).pathname);
  await expectHydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set a new password");
  await expect(page.getByText(email)).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("rae's second password 2026");
  await page.getByLabel("New password again").fill("rae's second password 2025");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("The two passwords do not match.")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("New password again").fill("short");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
  await shot(page, "reset-form-errors");
  await page.getByLabel("New password", { exact: true }).fill("rae's second password 2026");
  await page.getByLabel("New password again").fill("rae's second password 2026");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL("/login?reset=1");
  await expect(page.getByRole("status")).toHaveText(
    "Your new password is set and you were signed out everywhere. Log in with it.",
  );
  await shot(page, "login-after-reset");

  await loginViaForm(page, email, "rae's first password 2026");
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an account.");
  await loginViaForm(page, email, "rae's second password 2026");
  await expect(page).toHaveURL("/assessor");

  // The link worked once.
  const again = await page.goto(new URL(link).pathname);
  expect(again?.status()).toBe(410);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link does not work");
  await expect(page.getByRole("alert")).toContainText("already used");
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
  await shot(page, "link-used");
  const unknown = await page.goto("/reset-password/not-a-token");
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole("alert")).toContainText("This password reset link is not valid.");
  expect(problems).toEqual([]);
  await ctx.close();
});

test("an admin sends a password reset; the user sets a new password without JavaScript", async ({ browser }) => {
  test.setTimeout(120_000);
  const email = await newAssessor(browser, "Sol Sent", "sol's first password 2026");
  const ctx = await browser.newContext({ storageState: stateFile("admin") });
  const admin = await ctx.newPage();
  await admin.goto("/admin/users");
  await expectHydrated(admin);
  await admin.getByRole("button", { name: `Send password reset to ${email}` }).click();
  await expect(admin.getByRole("status")).toContainText(`A password reset link was mailed to ${email}.`);
  await expect(admin.getByRole("status").getByRole("link", { name: "mail outbox" })).toHaveAttribute(
    "href",
    "/admin/outbox",
  );
  await shot(admin, "admin-sent");
  await ctx.close();

  const link = await readResetLink(browser, email);
  const noJs = await browser.newContext({ storageState: undefined, javaScriptEnabled: false });
  const page = await noJs.newPage();
  await page.goto(new URL(link).pathname);
  await page.getByLabel("New password", { exact: true }).fill("sol's second password 2026");
  await page.getByLabel("New password again").fill("sol's second password 2026");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL("/login?reset=1");
  await loginViaForm(page, email, "sol's second password 2026");
  await expect(page).toHaveURL("/assessor");
  await noJs.close();
});

test("changing one's own password on the account page ends the other sessions", async ({ browser }) => {
  test.setTimeout(120_000);
  const email = await newAssessor(browser, "Cy Change", "cy's first password 2026");
  // Signed in twice: here, and in another browser.
  const other = await browser.newContext({ storageState: undefined });
  const elsewhere = await other.newPage();
  await loginViaForm(elsewhere, email, "cy's first password 2026");
  await expect(elsewhere).toHaveURL("/assessor");

  const ctx = await browser.newContext({ storageState: undefined });
  const page = await ctx.newPage();
  const problems = watchConsole(page);
  await loginViaForm(page, email, "cy's first password 2026");
  await expect(page).toHaveURL("/assessor");
  await expectHydrated(page);
  // The name in the header leads to the account page.
  await page.getByRole("link", { name: /^Cy Change/ }).click();
  await expect(page).toHaveURL("/account");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cy Change");
  await expect(page.getByText(email)).toBeVisible();

  await page.getByLabel("Current password").fill("not my password at all");
  await page.getByLabel("New password", { exact: true }).fill("cy's second password 2026");
  await page.getByLabel("New password again").fill("cy's second password 2026");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This is not your current password.")).toBeVisible();
  await expect(page.getByLabel("Current password")).toHaveValue("");
  await shot(page, "account-wrong-current");

  await page.getByLabel("Current password").fill("cy's first password 2026");
  await page.getByLabel("New password", { exact: true }).fill("cy's second password 2026");
  await page.getByLabel("New password again").fill("cy's second password 2026");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Your password is changed. You were signed out of 1 other session; you stay signed in here.",
  );
  await shot(page, "account-changed");

  // This browser stays signed in (under a new session token); the other browser's session has ended.
  await page.goto("/assessor");
  await expect(page).toHaveURL("/assessor");
  await elsewhere.goto("/assessor");
  await expect(elsewhere).toHaveURL(/\/login\?redirectTo=%2Fassessor/);
  await loginViaForm(elsewhere, email, "cy's first password 2026");
  await expect(elsewhere.getByRole("alert")).toHaveText("That email and password do not match an account.");
  await loginViaForm(elsewhere, email, "cy's second password 2026");
  await expect(elsewhere).toHaveURL("/assessor");
  expect(problems).toEqual([]);
  await other.close();
  await ctx.close();
});

test("the account page lists where one is signed in, and signs out a lost phone, then everywhere else", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const password = "lou's only password 2026";
  const email = await newAssessor(browser, "Lou Lostphone", password);
  const signedIn = async (options: Parameters<Browser["newContext"]>[0]) => {
    const ctx = await browser.newContext({ storageState: undefined, ...options });
    const page = await ctx.newPage();
    await loginViaForm(page, email, password);
    await expect(page).toHaveURL("/assessor");
    return page;
  };
  const phone = await signedIn({
    userAgent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    viewport: { width: 390, height: 844 },
  });
  const page = await signedIn({});
  const problems = watchConsole(page);
  await page.goto("/account");
  await expectHydrated(page);
  const rows = page.getByTestId("own-sessions").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  // This browser first (Debian's Chromium says Chrome on Linux), then the phone.
  await expect(rows.nth(0)).toContainText("Chrome on Linux");
  await expect(rows.nth(0)).toContainText("this browser");
  await expect(rows.nth(0).locator('[data-label="Last active"]')).toHaveText("now");
  await expect(rows.nth(1)).toContainText("Safari on iPhone");
  await expect(rows.nth(1)).toContainText(/127\.0\.0\.1|::1/);
  await shot(page, "account-sessions");

  await rows
    .nth(1)
    .getByRole("button", { name: /Sign out Safari on iPhone/ })
    .click();
  await expect(page.getByRole("status")).toContainText("Signed out of Safari on iPhone, signed in since");
  await expect(rows).toHaveCount(1);
  await shot(page, "account-session-ended");
  await phone.goto("/assessor");
  await expect(phone).toHaveURL(/\/login/);

  // Signed in again on the phone and in Firefox; "everywhere else", from a browser without JavaScript.
  await phone.context().close();
  const again = await signedIn({
    userAgent: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  });
  const noJs = await signedIn({ javaScriptEnabled: false });
  await noJs.goto("/account");
  await expect(noJs.getByTestId("own-sessions").locator("tbody tr")).toHaveCount(3);
  await noJs.getByRole("button", { name: "Sign out everywhere else (2 sessions)" }).click();
  await expect(noJs.getByRole("status")).toHaveText("Signed out of 2 other sessions; you stay signed in here.");
  await expect(noJs.getByTestId("own-sessions").locator("tbody tr")).toHaveCount(1);
  await page.goto("/assessor");
  await expect(page).toHaveURL(/\/login/);
  await again.goto("/assessor");
  await expect(again).toHaveURL(/\/login/);
  await noJs.goto("/assessor");
  await expect(noJs).toHaveURL("/assessor");
  expect(problems).toEqual([]);
  for (const p of [page, again, noJs]) await p.context().close();
});
