// Where the keyboard is after a form is sent (WCAG 2.4.3, 3.3.1, 4.1.3), and a logged-in page at 320 px (1.4.10):
// - a button being sent keeps the focus (aria-disabled, not disabled: the focus is not dropped on <body>), and after a
//   refusal the focus is on the first field in error, which names its error (aria-invalid, aria-describedby);
// - /verify moves the focus to the verdict it puts above its forms;
// - a message is announced once, from a live region that was on the page before it;
// - at 320 px no logged-in page scrolls sideways, and Log out is in the phone's Menu.
import type { Page } from "@playwright/test";
import { expect, test } from "./a11y";
import { seeded } from "./db";
import { ACCOUNTS, expectHydrated, pageAs, ROLES, stateFile, watchConsole } from "./helpers";

/** The accessible description of the focused element (what aria-describedby points to), and whether it is invalid. */
async function focusedField(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const described = (el.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent?.trim() ?? `(no element #${id})`);
    return { name: el.getAttribute("name"), invalid: el.getAttribute("aria-invalid"), described };
  });
}

/** Holds the next POST to the page until `release` is called, so that the page can be seen while it is sent. */
async function holdNextPost(page: Page) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname !== "/healthz",
    async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      await released;
      await route.continue();
    },
  );
  return release;
}

test("a refused form keeps the keyboard's place: the button while it is sent, then the first field in error", async ({
  page,
}) => {
  const problems = watchConsole(page);
  await page.goto("/signup");
  await expectHydrated(page);
  const send = page.getByRole("button", { name: "Register" });
  await send.focus();
  const release = await holdNextPost(page);
  await page.keyboard.press("Enter");
  // While it is sent the button says it is busy, keeps the focus, and refuses a second press.
  await expect(page.getByRole("button", { name: "Registering…" })).toBeFocused();
  await expect(page.getByRole("button", { name: "Registering…" })).toHaveAttribute("aria-disabled", "true");
  await page.keyboard.press("Enter");
  release();
  await expect(page.getByRole("alert").first()).toHaveText("Check the highlighted fields.");
  await expect(page.getByLabel("Organisation name")).toBeFocused();
  expect(await focusedField(page)).toEqual({
    name: "organizationName",
    invalid: "true",
    described: ["The organisation's name must be at least 2 characters."],
  });
  await page.unrouteAll({ behavior: "ignoreErrors" });
  expect(problems).toEqual([]);
});

test("the login form puts the focus on the field to correct", async ({ page }) => {
  await page.goto("/login");
  await expectHydrated(page);
  // No email: the email field, which says why.
  await page.getByLabel("Password").fill("whatever it is");
  await page.getByLabel("Password").press("Enter");
  await expect(page.getByLabel("Email")).toBeFocused();
  expect((await focusedField(page)).described).toEqual(["Enter a valid email address, like name@example.com."]);
  // A wrong password: the password, emptied, to type again (the email stays as typed).
  await page.getByLabel("Email").fill(ACCOUNTS.supplier.email);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an account.");
  await expect(page.getByLabel("Password")).toBeFocused();
  await expect(page.getByLabel("Password")).toHaveValue("");
  await expect(page.getByLabel("Email")).toHaveValue(ACCOUNTS.supplier.email);
});

test("selects built into a form are tied to their errors, and the message names the fields", async ({ browser }) => {
  const context = await browser.newContext({ storageState: stateFile("supplier") });
  const page = await context.newPage();
  await page.goto("/supplier/submissions/new");
  await expectHydrated(page);
  await page.getByRole("button", { name: "Open submission" }).click();
  await expect(page.getByRole("alert").first()).toHaveText(
    "Check these fields: “Product version” and “Checklist version and target level”.",
  );
  await expect(page.getByLabel("Product version")).toBeFocused();
  expect(await focusedField(page)).toEqual({
    name: "productVersionId",
    invalid: "true",
    described: ["Choose the product version to certify."],
  });
  await expect(page.getByLabel("Checklist version and target level")).toHaveAttribute("aria-invalid", "true");
  await context.close();
});

test("an error is announced once, at its field", async ({ browser }) => {
  const context = await browser.newContext({ storageState: stateFile("retailer") });
  const page = await context.newPage();
  await page.goto("/retailer/webhooks");
  await expectHydrated(page);
  await page.getByLabel("HTTPS URL").fill("http://example.com/hook");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("alert")).toHaveCount(1);
  await expect(page.getByRole("alert")).toHaveText("The URL must use https://.");
  await expect(page.getByLabel("HTTPS URL")).toBeFocused();
  // The watchlist: the serial's error, once (not "No seal has the serial …" and then "No seal has this serial.").
  await page.goto("/retailer/watchlist?since=0");
  await expectHydrated(page);
  await page.getByLabel("Seal serial").fill("IOTS-0000-0000");
  await page.getByRole("button", { name: "Watch", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveCount(1);
  await expect(page.getByRole("alert")).toHaveText("No seal has the serial IOTS-0000-0000.");
  await expect(page.getByLabel("Seal serial")).toBeFocused();
  await context.close();
});

test("a saved answer is said in a live region that was there before it, and said again after a second save", async ({
  browser,
}) => {
  const context = await browser.newContext({ storageState: stateFile("supplier") });
  const page = await context.newPage();
  await page.goto("/notifications/settings");
  await expectHydrated(page);
  const live = page.locator("main [aria-live=polite]").first();
  await expect(live).toBeEmpty();
  const handle = await live.elementHandle();
  const save = page.getByRole("button", { name: /^Save/ });
  await save.click();
  await expect(page.getByRole("status")).toContainText("Your notification settings are saved");
  // The same element, filled: not a new one inserted with its text.
  expect(await handle!.evaluate((el) => el.isConnected && el.textContent)).toContain(
    "Your notification settings are saved",
  );
  await expect(save).toBeFocused();
  // Saved again, with the same words: the message is put in anew (a new node, announced), not left as it was.
  const first = await page.getByRole("status").elementHandle();
  await save.click();
  await expect.poll(() => first!.evaluate((el) => el.isConnected)).toBe(false);
  await expect(page.getByRole("status")).toContainText("Your notification settings are saved");
  expect(await handle!.evaluate((el) => el.isConnected)).toBe(true); // in the same live region
  await context.close();
});

test("a loader's notice is said anew on each visit that has it (the same words after a second redirect)", async ({
  page,
}) => {
  await page.goto("/login?reset=1");
  await expectHydrated(page);
  const words = "Your new password is set and you were signed out everywhere.";
  await expect(page.getByRole("status")).toContainText(words);
  const first = await page.getByRole("status").elementHandle();
  // Arriving there again in the app (as after a redirect): a new node in the same live region.
  await page.evaluate(() =>
    (window as unknown as { __remixRouter: { navigate(to: string): Promise<void> } }).__remixRouter.navigate(
      "/login?reset=1",
    ),
  );
  await expect.poll(() => first!.evaluate((el) => el.isConnected)).toBe(false);
  await expect(page.getByRole("status")).toContainText(words);
});

test("/verify takes the focus to the verdict it shows above its forms", async ({ page }) => {
  const { activeSeal } = seeded();
  await page.goto("/verify");
  await expectHydrated(page);
  await page.getByLabel("Seal serial").fill(activeSeal);
  await page.getByLabel("Seal serial").press("Enter");
  // The verdict is a section of the page, under its one h1.
  const verdict = page.getByTestId("verify-result").getByRole("heading", { level: 2 }).first();
  await expect(verdict).toBeFocused();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Verify a seal");
  // The heading says the verdict and what it is of.
  await expect(verdict).toHaveAccessibleName(/^Valid ?: Gator Kids Watch 3$/);
  // A refused PDF check does not take the focus away to the verdict already shown...
  await page.getByRole("button", { name: "Check PDF" }).evaluate((b) => (b.closest("form")!.noValidate = true));
  await page.getByRole("button", { name: "Check PDF" }).click();
  await expect(page.getByRole("alert")).toContainText("Choose the seal's PDF file");
  // The refusal is the file input's: marked, tied to it, and the keyboard is taken there to choose a file.
  await expect(page.getByLabel("Seal certificate (PDF)")).toBeFocused();
  await expect(page.getByLabel("Seal certificate (PDF)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Seal certificate (PDF)")).toHaveAccessibleDescription(/Choose the seal's PDF file/);
});

for (const role of ROLES) {
  test(`the ${role}'s pages fit 320 px, and Log out is in the phone's menu`, async ({ browser }) => {
    test.setTimeout(90_000);
    // A session of its own: logging out ends it (the stored sessions are shared by the other tests).
    const page = await pageAs(browser, ACCOUNTS[role].email);
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(ACCOUNTS[role].dashboard);
    // Every page of the menu (the watchlist at a cursor: a plain visit would mark the demo buyer's changes seen).
    const pages = await page
      .locator(".navmenu__links a")
      .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    for (const path of pages) {
      await page.goto(path === "/retailer/watchlist" ? `${path}?since=0` : path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} at 320 px`).toBeLessThanOrEqual(
        320,
      );
    }
    await page.goto(ACCOUNTS[role].dashboard);
    await page.screenshot({ path: `test-results/screenshots/320-${role}.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), "page width at 320 px").toBeLessThanOrEqual(
      320,
    );
    const bar = await page
      .locator(".topbar__inner")
      .evaluate((el) =>
        [...el.children]
          .filter((c) => c.getBoundingClientRect().width > 0)
          .map((c) => Math.round(c.getBoundingClientRect().right)),
      );
    expect(Math.max(...bar), "the header's right edge").toBeLessThanOrEqual(320);
    await expect(page.getByRole("button", { name: "Log out" })).toBeHidden();
    await page.getByText("Menu", { exact: true }).click();
    await page.screenshot({ path: `test-results/screenshots/320-${role}-menu.png` });
    await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Log out" }).click();
    await expect(page).not.toHaveURL(ACCOUNTS[role].dashboard);
    await page.goto(ACCOUNTS[role].dashboard);
    await expect(page).toHaveURL(/\/login/);
    await page.context().close();
  });
}

test("a visitor's bar at 320 px is two rows: the brand with Log in and Sign up, then Verify a seal", async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  await page.goto("/verify");
  const box = async (locator: ReturnType<Page["locator"]>) => (await locator.boundingBox())!;
  const bar = page.locator("header.topbar");
  const brand = await box(bar.locator(".brand"));
  const signUp = await box(bar.getByRole("link", { name: "Sign up" }));
  const logIn = await box(bar.getByRole("link", { name: "Log in" }));
  const verify = await box(bar.getByRole("link", { name: "Verify a seal" }));
  // One line: the buttons' middles level with the brand's; Verify a seal below them all.
  for (const b of [signUp, logIn]) expect(Math.abs(b.y + b.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(6);
  expect(verify.y).toBeGreaterThanOrEqual(signUp.y + signUp.height);
  expect(signUp.x + signUp.width, "Sign up's right edge").toBeLessThanOrEqual(320);
  expect((await box(bar)).height, "the bar's height").toBeLessThan(100);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await page.screenshot({ path: "test-results/screenshots/320-visitor.png" });
  await context.close();
});

test("a filter panel does not stay over the rows the keyboard moves to", async ({ browser }) => {
  const context = await browser.newContext({
    storageState: stateFile("admin"),
    viewport: { width: 1280, height: 600 },
  });
  const page = await context.newPage();
  await page.goto("/admin/audit");
  const filters = page.locator(".filters").first();
  expect(await filters.evaluate((el) => getComputedStyle(el).position)).not.toBe("sticky");
  await context.close();
});

/** The first of the demo buyer's policies' pages. */
async function policyPath(page: Page): Promise<string> {
  await page.goto("/retailer/policies");
  const href = await page.getByTestId("policy").first().getByRole("link").first().getAttribute("href");
  return href!;
}

test("pages name what they are: error titles, the seal's heading, heading levels, each Retire button", async ({
  browser,
}) => {
  const context = await browser.newContext({ storageState: stateFile("admin") });
  const page = await context.newPage();
  await page.goto("/no-such-page");
  await expect(page).toHaveTitle("Page not found — IoT Seal");
  // The public seal page's heading: the verdict's word, and what the seal is of.
  await page.goto(`/s/${seeded().activeSeal}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveAccessibleName(/^Valid ?: Gator Kids Watch 3$/);
  await expect(page.getByTestId("seal-verdict")).toHaveText("Valid");
  await page.goto("/admin/checklists");
  const names = await page
    .getByRole("button", { name: /^Retire / })
    .evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label")));
  expect(names.length).toBeGreaterThan(1);
  expect(new Set(names).size).toBe(names.length);
  await context.close();
  // No heading level skipped on the policies pages (the form's lookup of provisions has headings of its own).
  const buyer = await (await browser.newContext({ storageState: stateFile("retailer") })).newPage();
  for (const path of ["/retailer/policies", await policyPath(buyer)]) {
    await buyer.goto(path);
    const levels = await buyer
      .locator("h1, h2, h3, h4, h5, h6")
      .evaluateAll((hs) => hs.map((h) => Number(h.tagName[1])));
    expect(
      levels.filter((l, i) => i > 0 && l > levels[i - 1] + 1),
      `${path}: headings ${levels.join(" ")}`,
    ).toEqual([]);
  }
  await buyer.context().close();
});
