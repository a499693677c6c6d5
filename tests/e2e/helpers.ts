import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "demo-password-2026";
export const ROLES = ["supplier", "assessor", "retailer", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ACCOUNTS: Record<Role, { email: string; dashboard: string; heading: RegExp }> = {
  supplier: { email: "supplier@demo.test", dashboard: "/supplier", heading: /Supplier workspace/ },
  assessor: { email: "assessor1@demo.test", dashboard: "/assessor", heading: /Assessor workspace/ },
  retailer: { email: "buyer@demo.test", dashboard: "/retailer", heading: /Retail buyer workspace/ },
  admin: { email: "admin@demo.test", dashboard: "/admin", heading: /Administration/ },
};

/** The e2e server's data directory (as in playwright.config.ts). */
export const E2E_DIR = process.env.E2E_DATA_DIR ?? ".e2e-data";
export const stateFile = (role: Role) => `${E2E_DIR}/auth/${role}.json`;

export async function loginViaForm(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** A page of its own (no stored session) logged in through the form as this user. */
export async function pageAs(browser: Browser, email: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ storageState: undefined, ...options });
  const page = await context.newPage();
  await loginViaForm(page, email);
  await expect(page).not.toHaveURL(/\/login/);
  return page;
}

/** Collects console errors and failed requests, so a test can assert a page is clean (CSP, hydration, 404s). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    // Chromium also logs every 4xx/5xx response here; those are judged by the response handler below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource: the server responded with a status of"))
      problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  // Server errors anywhere, and any asset that fails to load. (A form action's 4xx answer is expected behaviour.)
  page.on("response", (r) => {
    const type = r.request().resourceType();
    if (r.status() >= 500 || (r.status() >= 400 && !["document", "fetch", "xhr"].includes(type)))
      problems.push(`${r.status()} ${r.url()}`);
  });
  return problems;
}

export async function expectHydrated(page: Page) {
  await expect
    .poll(() => page.evaluate(() => Boolean((window as unknown as { __remixRouter?: unknown }).__remixRouter)))
    .toBe(true);
}

/** The axe-core rule sets the e2e suite holds every page to: WCAG 2.0-2.2 A and AA, and axe's best practices. */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

/** axe-core's serious and critical violations on the page as it is now, and every colour-contrast one: one line per
 * rule, with how many elements break it and the first few of them. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Only the violations are collected (not every passing element): several times faster on the long pages.
  // Legacy mode: axe.run in the page itself (frames reached by axe's own messaging), not runPartial per frame plus
  // finishRun in a blank page the builder opens for it. 2-4x faster here (a 3,800-element checklist page: 2.9 s
  // against 11.4 s); what it gives up is cross-origin frames, and the portal frames only its own evidence.
  const result = await new AxeBuilder({ page })
    .withTags(AXE_TAGS)
    .setLegacyMode(true)
    .options({ resultTypes: ["violations"] })
    .analyze();
  return result.violations
    .filter((v) => v.id === "color-contrast" || v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const first = v.nodes[0];
      const why = first?.failureSummary?.split("\n")[1]?.trim() ?? v.help;
      const where = v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(" "))
        .join(" | ");
      return `${v.id} (${v.impact}) on ${v.nodes.length} element(s): ${where}${v.nodes.length > 3 ? " | …" : ""} — ${why}`;
    });
}

/** Fails with every serious, critical or contrast problem axe-core finds on the page (WCAG 2.2 AA + best practice). */
export async function expectAccessible(page: Page, label: string) {
  expect(await axeViolations(page), `axe-core on ${label} (${page.url()})`).toEqual([]);
}

/** What /signup asks for. */
export interface Registration {
  kind: "Supplier" | "Retailer";
  organizationName: string;
  name: string;
  email: string;
  password: string;
}

/** Fills /signup and sends it: the page then says where the link to confirm it went. */
export async function registerViaForm(page: Page, r: Registration) {
  await page.goto("/signup");
  await page.getByLabel(r.kind).check();
  await page.getByLabel("Organisation name").fill(r.organizationName);
  await page.getByLabel("Your name").fill(r.name);
  await page.getByLabel("Work email").fill(r.email);
  await page.getByLabel("Password").fill(r.password);
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your email address");
}

/**
 * The admin opens the newest mail to `email` titled `subject` in /admin/outbox (the e2e server has
 * no SMTP_URL: mail is kept there) and reads its text; `screenshot` names a picture of the mail.
 */
export async function readKeptMail(browser: Browser, email: string, subject: string, screenshot?: string) {
  const ctx = await browser.newContext({ storageState: stateFile("admin") });
  const admin = await ctx.newPage();
  await admin.goto("/admin/outbox");
  const row = admin.getByRole("row").filter({ hasText: email }).filter({ hasText: subject });
  await expect(row.first()).toContainText("kept");
  await row.first().getByRole("link", { name: subject }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(subject);
  const text = (await admin.locator("pre.mail-text").textContent()) ?? "";
  if (screenshot) await admin.screenshot({ path: `test-results/screenshots/${screenshot}.png`, fullPage: true });
  await ctx.close();
  return text;
}

/** The path of the confirmation link mailed to `email` (read by the admin in /admin/outbox). */
export async function confirmationLinkFor(browser: Browser, email: string, screenshot?: string): Promise<string> {
  const text = await readKeptMail(browser, email, "Confirm your registration with IoT Seal", screenshot);
  const link = /^Confirm your registration: (\S+)$/m.exec(text)?.[1];
  expect(link, text).toBeTruthy();
  return new URL(link!).pathname;
}

/** Signs up as a person does: the form, the link from the mail, the password typed again; ends signed in. */
export async function signUpViaForm(browser: Browser, page: Page, r: Registration) {
  await registerViaForm(page, r);
  await page.goto(await confirmationLinkFor(browser, r.email));
  await page.getByLabel("Password").fill(r.password);
  await page.getByRole("button", { name: "Create organisation and account" }).click();
  await expect(page).toHaveURL(r.kind === "Supplier" ? "/supplier" : "/retailer");
}

/**
 * As the logged-in supplier: registers a toy (on sale from 2025-04-01, supported to 2030-03-31), adds hardware A
 * firmware 1.0.0 and opens a UK PSTI Baseline submission for it (3 mandatory requirements). Returns the
 * submission's path on the supplier's side (/supplier/submissions/<id>).
 */
export async function openPstiSubmission(page: Page, product: string, model: string, policyUrl: string) {
  await page.goto("/supplier/products");
  await expectHydrated(page);
  await page.getByLabel("Product name").fill(product);
  await page.getByLabel("Model designation").fill(model);
  await page.getByLabel("Category").selectOption("toy");
  await page.getByLabel("Goes on sale (optional)").fill("2025-04-01"); // five years of support (EU CRA)
  await page.getByLabel("Security support ends").fill("2030-03-31");
  await page.getByLabel("Vulnerability disclosure policy").fill(policyUrl);
  await page.getByRole("button", { name: "Register product" }).click();
  await expect(page.getByText("Product registered.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: product })).toBeVisible();
  await page.getByLabel("Hardware revision").fill("A");
  await page.getByLabel("Firmware version").fill("1.0.0");
  await page.getByRole("button", { name: "Add version" }).click();
  await expect(page.getByText("Added hardware A, firmware 1.0.0.")).toBeVisible();
  await page.getByRole("link", { name: "Open a submission" }).click();
  await page.getByLabel("Checklist version and target level").selectOption({
    label: "UK PSTI 2023: Baseline (3 mandatory, 0 advisory)",
  });
  await page.getByRole("button", { name: "Open submission" }).click();
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(product) })).toBeVisible();
  return new URL(page.url()).pathname;
}

/**
 * A supplier of its own signs up and submits a small submission (UK PSTI, 3 requirements, each "Implemented" with a
 * justification and no file), so that a test's review leaves the demo submissions as they are. Returns the
 * submission's path on the assessors' side (/assessor/submissions/<id>) and the supplier's organisation name.
 */
export async function submitPstiAsNewSupplier(
  browser: Browser,
  who: { organization: string; name: string; email: string; product: string; model: string },
): Promise<{ reviewUrl: string; organization: string }> {
  const page = await (await browser.newContext({ storageState: undefined })).newPage();
  const problems = watchConsole(page);
  await signUpViaForm(browser, page, {
    kind: "Supplier",
    organizationName: who.organization,
    name: who.name,
    email: who.email,
    password: "paper kites fly high 2026",
  });
  const submissionUrl = await openPstiSubmission(page, who.product, who.model, "https://kitedrones.example/security");
  for (const ref of ["1", "2", "3"]) {
    await page.goto(`${submissionUrl}/requirements/${ref}`);
    await expectHydrated(page);
    await page.getByLabel("Implemented", { exact: true }).check();
    await page.getByLabel("Justification").fill(`Requirement ${ref} is met as our public security page describes.`);
    await page.getByLabel("If no evidence file is possible, why").fill("A public web page; see above.");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Answer saved." })).toBeVisible();
  }
  await page.goto(submissionUrl);
  await page.getByRole("button", { name: "Submit for assessment" }).click();
  await expect(page.getByRole("status")).toContainText("Submitted for assessment");
  expect(problems).toEqual([]);
  await page.context().close();
  return { reviewUrl: `/assessor/submissions/${submissionUrl.split("/").pop()}`, organization: who.organization };
}

/** The admin makes an assessor with a known password; returns the email. */
export async function newAssessor(browser: Browser, name: string, password: string): Promise<string> {
  const email = `${name.toLowerCase().replace(/\W+/g, "-")}-${Date.now().toString(36)}@assure.test`;
  const ctx = await browser.newContext({ storageState: stateFile("admin") });
  const admin = await ctx.newPage();
  await admin.goto("/admin/users");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Name").fill(name);
  await admin.getByLabel("Role").selectOption("assessor");
  await admin.getByLabel("Password (optional)").fill(password);
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("status")).toContainText(`Created ${email}`);
  await ctx.close();
  return email;
}
