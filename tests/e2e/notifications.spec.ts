// Notifications (issue 16) in the browser, at 390x844: the bell's unread count in the header, the list, opening a
// notification (it is marked read and lands on its page), "Mark all read", the email settings (saved with a message,
// with and without JavaScript), and the admins' mail outbox. Every page fits the phone's width; axe checks each (a11y.ts).
// As supplier2 (Brightnest), so other specs that count supplier@demo.test's notifications are not disturbed.
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y";
import { loginViaForm, stateFile, watchConsole } from "./helpers";

const PHONE = { width: 390, height: 844 };

async function phoneAs(browser: Browser, email: string | null, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    javaScriptEnabled,
    storageState: email === "admin" ? stateFile("admin") : undefined,
  });
  const page = await context.newPage();
  if (email && email !== "admin") {
    await loginViaForm(page, email);
    await expect(page).not.toHaveURL(/\/login/);
  }
  return page;
}

async function expectFits(page: Page, name: string) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: page width`).toBeLessThanOrEqual(
    PHONE.width,
  );
}

const bell = (page: Page) => page.getByRole("link", { name: /^Notifications, (\d+|none) unread$/ });
async function unread(page: Page): Promise<number> {
  const name = (await bell(page).getAttribute("aria-label")) ?? "";
  return Number(/(\d+) unread/.exec(name)?.[1] ?? 0);
}

test("the bell counts unread notifications; opening one marks it read; all can be marked read", async ({ browser }) => {
  const page = await phoneAs(browser, "supplier2@demo.test");
  const problems = watchConsole(page);
  await page.goto("/notifications");
  await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
  await expectFits(page, "notifications");
  const before = await unread(page);
  expect(before, "the demo's history tells Brightnest's supplier things").toBeGreaterThan(0);
  const first = page.getByRole("listitem").filter({ hasText: "Unread" }).first();
  const link = first.getByRole("link");
  const title = ((await link.textContent()) ?? "").replace(" (unread)", "");
  await link.click();
  await expect(page).not.toHaveURL(/\/notifications/);
  await expect.poll(() => unread(page)).toBe(before - 1);
  await page.goto("/notifications");
  await expect(page.getByRole("listitem").filter({ hasText: title }).first()).not.toContainText("Unread");
  await page.getByRole("button", { name: "Mark all read" }).click();
  await expect(page.getByRole("status")).toContainText(`Marked ${before - 1} notification`);
  await expect(bell(page)).toHaveAccessibleName("Notifications, none unread");
  await expect(page.getByRole("button", { name: "Mark all read" })).toHaveCount(0);
  await expectFits(page, "notifications-read");
  expect(problems).toEqual([]);
  // A notification that is not the user's (or no longer exists) is the site's "not found" page, not a bare error body.
  const missing = await page.goto(`/notifications/${crypto.randomUUID()}`);
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page.getByText("You have no notification with this id.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to your dashboard" })).toBeVisible();
});

test("email settings are saved per category, with and without JavaScript", async ({ browser }) => {
  for (const js of [true, false]) {
    const page = await phoneAs(browser, "supplier2@demo.test", js);
    await page.goto("/notifications/settings");
    await expect(page.getByRole("heading", { level: 1, name: "Notification settings" })).toBeVisible();
    await expectFits(page, `settings (JavaScript ${js ? "on" : "off"})`);
    const reports = page.getByRole("group", { name: "Vulnerability reports" });
    const choice = js ? "Daily digest" : "No email";
    await reports.getByLabel(choice).check();
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByRole("status")).toContainText("Your notification settings are saved");
    await page.goto("/notifications/settings");
    await expect(page.getByRole("group", { name: "Vulnerability reports" }).getByLabel(choice)).toBeChecked();
    await expect(page.getByRole("group", { name: "Submissions" }).getByLabel("Email at once")).toBeChecked();
    await page.context().close();
  }
});

test("admins read the mail outbox and one mail's text", async ({ browser }) => {
  const page = await phoneAs(browser, "admin");
  await page.goto("/admin/outbox");
  await expect(page.getByRole("heading", { level: 1, name: "Mail outbox" })).toBeVisible();
  await expect(page.getByText("No SMTP_URL is configured")).toBeVisible();
  await expectFits(page, "outbox");
  const subject = page.getByTestId("outbox").getByRole("link").first();
  const text = (await subject.textContent()) ?? "";
  await subject.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text);
  await expect(page.getByRole("heading", { name: "Text" })).toBeVisible();
  await expect(page.locator(".mail-text")).toContainText("http://localhost:");
  await expectFits(page, "outbox-mail");
  await page.goto("/admin/outbox?status=kept");
  await expect(page.getByRole("combobox", { name: "Status" })).toHaveValue("kept");
});
