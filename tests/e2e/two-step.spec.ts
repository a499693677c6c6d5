// Two-step login, as an assessor made by the test sets it up and uses it: the key shown on /account/two-step goes
// into an "authenticator app" (otpauth here, as the phone's app computes it), the code turns it on, the recovery
// codes are shown once; from then on the password leads to the code page; a recovery code works once; an
// administrator turns it off for a user who lost everything.
import type { Page } from "@playwright/test";
import * as OTPAuth from "otpauth";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, loginViaForm, newAssessor, stateFile, watchConsole } from "./helpers";

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/two-step-${name}.png`, fullPage: true });

const PASSWORD = "two step login journey 2026";

/** What the phone's app shows for this key at `at` (the next step's code: one not yet used at the setup). */
function appCode(key: string, at = Date.now()): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key.replace(/\s/g, "")) }).generate({ timestamp: at });
}

async function logOut(page: Page) {
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login|\/$/);
}

test("two-step login: set up with an app, the code after the password, a recovery code once, turned off by an admin", async ({
  browser,
  page,
}) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  const email = await newAssessor(browser, "Tess Twostep", PASSWORD);
  await loginViaForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/assessor/);

  // The account page says it is off, and leads to the setup.
  await page.goto("/account");
  await expect(page.getByTestId("two-step-state")).toContainText("Off");
  await page.getByRole("link", { name: "Set up two-step login" }).click();
  await expect(page.getByRole("heading", { name: "Two-step login is off" })).toBeVisible();
  await page.getByRole("button", { name: "Set up two-step login" }).click();
  await expect(page.getByRole("img", { name: /QR code of your two-step login key/ })).toBeVisible();
  const key = (await page.getByTestId("two-step-key").innerText()).trim();
  expect(key.replace(/\s/g, "")).toMatch(/^[A-Z2-7]{32}$/);
  // On the phone itself, the key opens in the app (the otpauth:// address the QR code holds).
  await expect(page.getByRole("link", { name: "Open the key in your authenticator app" })).toHaveAttribute(
    "href",
    `otpauth://totp/IoT%20Seal:${encodeURIComponent(email)}?issuer=IoT%20Seal&secret=${key.replace(/\s/g, "")}&algorithm=SHA1&digits=6&period=30`,
  );
  await expectHydrated(page);
  await shot(page, "1-setup");

  // A wrong code leaves it off, saying why.
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Turn on two-step login" }).click();
  await expect(page.getByText("That is not the code your app shows for this key")).toBeVisible();
  // The app's code turns it on; the ten recovery codes are shown once.
  await page.getByLabel("Code from the app").fill(appCode(key));
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Turn on two-step login" }).click();
  await expect(page.getByText("Two-step login is on.")).toBeVisible();
  const codes = (await page.getByTestId("recovery-codes").locator("li").allInnerTexts()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
  await expect(page.getByRole("link", { name: "Download them as a text file" })).toHaveAttribute(
    "download",
    "iot-seal-recovery-codes.txt",
  );
  await shot(page, "2-recovery-codes");
  await page.goto("/account/two-step");
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0); // shown only that once
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("10 of 10 left");

  // The password alone no longer logs in: the code page asks for the app's code.
  await logOut(page);
  await loginViaForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/login\/code/);
  await expect(page.getByRole("heading", { name: "Your code" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?redirectTo/); // no session yet
  await page.goto("/login/code");
  await page.getByLabel("Code").fill("123456");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText(/That code is not right.*4 tries left/)).toBeVisible();
  await shot(page, "3-wrong-code");
  // The code of the next 30 seconds (the setup used this one's: a code works once).
  await page.getByLabel("Code").fill(appCode(key, Date.now() + 30_000));
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/assessor/);

  // A recovery code logs in once, in any case and spacing.
  await logOut(page);
  await loginViaForm(page, email, PASSWORD);
  await page.getByLabel("Code").fill(codes[0].toLowerCase().replace("-", " "));
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/assessor/);
  await page.goto("/account/two-step");
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("9 of 10 left");
  await logOut(page);
  await loginViaForm(page, email, PASSWORD);
  await page.getByLabel("Code").fill(codes[0]);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText(/That code is not right/)).toBeVisible();

  // The administrator sees it on, and turns it off (the user lost phone and codes): the password alone works again.
  const adminCtx = await browser.newContext({ storageState: stateFile("admin") });
  const admin = await adminCtx.newPage();
  await admin.goto("/admin/users");
  const row = admin.getByRole("row").filter({ hasText: email });
  await expect(row.getByTestId("two-step-on")).toContainText("two-step login since");
  // Not without the tick that says who asks was checked (the browser asks for it; the server refuses without it too).
  await admin
    .getByRole("row")
    .filter({ hasText: email })
    .getByRole("checkbox", { name: `I have checked, outside IoT Seal, that it is ${email} who asks` })
    .check();
  await admin
    .getByRole("row")
    .filter({ hasText: email })
    .getByRole("button", { name: `Turn off two-step login for ${email}` })
    .click();
  await expect(admin.getByRole("status")).toContainText(`Two-step login is off for ${email}`);
  await expect(admin.getByRole("row").filter({ hasText: email }).getByTestId("two-step-on")).toHaveCount(0);
  await admin.goto("/admin/audit?action=user.two_step_disabled");
  await expect(admin.getByRole("cell", { name: "Two-step login turned off" }).first()).toBeVisible();
  await adminCtx.close();
  // The code page of the half-done login has ended with it: back to the password, saying why.
  await page.getByLabel("Code").fill(codes[1]);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/login\?again=1/);
  await expect(page.getByText("That login has ended")).toBeVisible();
  await loginViaForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/assessor/);
  await page.goto("/account");
  await expect(page.getByTestId("two-step-state")).toContainText("Off");
  expect(problems).toEqual([]);
});

test("two-step login turned off by its owner asks for the password", async ({ browser, page }) => {
  const email = await newAssessor(browser, "Otto Offswitch", PASSWORD);
  await loginViaForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/assessor/);
  await page.goto("/account/two-step");
  await page.getByRole("button", { name: "Set up two-step login" }).click();
  const key = (await page.getByTestId("two-step-key").innerText()).trim();
  await page.getByLabel("Code from the app").fill(appCode(key));
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Turn on two-step login" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const codes = (await page.getByTestId("recovery-codes").locator("li").allInnerTexts()).map((c) => c.trim());
  await page.goto("/account/two-step");
  await shot(page, "4-on");
  const off = page.getByRole("region", { name: "Turn off two-step login" });
  await off.getByLabel("Your password").fill("not my password");
  await off.getByLabel("Code from your app, or a recovery code").fill(codes[0]);
  await off.getByRole("button", { name: "Turn off two-step login" }).click();
  await expect(off.getByText("This is not your current password.")).toBeVisible();
  // The password and a code (a stolen session and a known password are not enough).
  await off.getByLabel("Your password").fill(PASSWORD);
  await off.getByLabel("Code from your app, or a recovery code").fill("000000");
  await off.getByRole("button", { name: "Turn off two-step login" }).click();
  await expect(off.getByText(/That code is not right/)).toBeVisible();
  await off.getByLabel("Your password").fill(PASSWORD);
  await off.getByLabel("Code from your app, or a recovery code").fill(codes[0]);
  await off.getByRole("button", { name: "Turn off two-step login" }).click();
  await expect(page.getByText("Two-step login is off: your password alone logs you in.")).toBeVisible();
  await logOut(page);
  await loginViaForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/assessor/);
});
