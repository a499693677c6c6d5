import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, stateFile, watchConsole } from "./helpers";

// The demo supplier opens an EU CRA Annex I submission for the demo watch's certified firmware
// (approved against ETSI EN 303 645 3.1.3-r1): the answers and files come across through the
// crosswalk, marked for checking; saving an answer clears its mark. The draft is deleted at the
// end, so the demo data other journeys read is as it was.
test.describe.configure({ mode: "serial" });
test.use({ storageState: stateFile("supplier") });

const WATCH = "Gator Kids Watch 3 — firmware 3.1.0, hardware C (GW-KW3)";
const NOTICE =
  /^(\d+) answers and (\d+) evidence files were carried across from your ETSI EN 303 645 submission; each is marked for you to check\.$/;
let submissionUrl = "";

async function supplierPage(browser: Browser, javaScriptEnabled: boolean): Promise<Page> {
  return (await browser.newContext({ storageState: stateFile("supplier"), javaScriptEnabled })).newPage();
}

async function chooseCra(page: Page) {
  await page.getByLabel("Product version").selectOption({ label: WATCH });
  const cra = page.locator("#f-target option", { hasText: /^EU CRA Annex I / }).first();
  await page.getByLabel("Checklist version and target level").selectOption((await cra.getAttribute("value"))!);
}

test("opening a CRA submission without JavaScript pre-fills it from the ETSI submission, and says so", async ({
  browser,
}) => {
  const page = await supplierPage(browser, false);
  await page.goto("/supplier/submissions/new");
  const prefill = page.getByLabel("Pre-fill from my other submissions for this firmware through the crosswalk");
  await expect(prefill).toBeChecked(); // checked by default
  await chooseCra(page);
  await page.getByRole("button", { name: "Open submission" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Gator Kids Watch 3/ })).toBeVisible();
  submissionUrl = new URL(page.url()).pathname;
  const notice = page.getByTestId("carried-across");
  await expect(notice).toBeVisible();
  const text = (await notice.locator("p").first().textContent())!;
  const [, answers, files] = text.match(NOTICE)!;
  expect(Number(answers)).toBeGreaterThan(10);
  expect(Number(files)).toBeGreaterThan(0);
  // Every carried answer is marked in the requirement list, with its sources.
  const marks = page.getByTestId("carried-mark");
  await expect(marks).toHaveCount(Number(answers));
  await expect(marks.first()).toHaveText(
    /^Carried across from ETSI EN 303 645 [\w.-]+((, | and )[\w.-]+)* — check it still fits$/,
  );
  await expect(notice).toContainText(`${answers} still marked`);
  await page.context().close();
});

test("a carried answer shows where it came from; saving it clears the mark", async ({ page }, info) => {
  const problems = watchConsole(page);
  await page.goto(submissionUrl);
  await expectHydrated(page);
  const marked = await page.getByTestId("carried-mark").count();
  await page.screenshot({ path: "test-results/carry-across-submission.png", fullPage: true });
  await info.attach("submission", { path: "test-results/carry-across-submission.png", contentType: "image/png" });

  // A requirement the crosswalk links to ETSI 5.1-x (I.2.b, "secure by default configuration").
  await page.getByRole("link", { name: /^I\.2\.b / }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Secure by default");
  await expectHydrated(page);
  const mark = page.getByTestId("carried-mark");
  await expect(mark).toContainText("Carried across from ETSI EN 303 645 5.1-1");
  await expect(mark).toContainText("check it still fits");
  await expect(page.getByLabel("Justification")).toHaveValue(/^From ETSI EN 303 645 5\.1-1[ ,:]/);
  await expect(page.getByTestId("carried-file").first()).toContainText("carried across from ETSI EN 303 645");
  await page.screenshot({ path: "test-results/carry-across-requirement.png", fullPage: true });
  await info.attach("requirement", { path: "test-results/carry-across-requirement.png", contentType: "image/png" });
  // The source link opens the certified ETSI answer it came from.
  await expect(mark.getByRole("link", { name: /ETSI EN 303 645 5\.1-1/ })).toHaveAttribute(
    "href",
    /\/supplier\/submissions\/[\w-]+\/requirements\/5\.1-1$/,
  );

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Answer saved." })).toBeVisible();
  await expect(page.getByTestId("carried-mark")).toHaveCount(0);
  await expect(page.getByTestId("carried-file")).toHaveCount(0);

  await page.goto(submissionUrl);
  await expect(page.getByTestId("carried-mark")).toHaveCount(marked - 1);
  await expect(page.getByTestId("carried-across")).toContainText(`${marked - 1} still marked`);
  expect(problems).toEqual([]);
});

test("the draft is deleted again", async ({ page }) => {
  await page.goto(submissionUrl);
  await page.getByLabel(/I understand: the draft and its answers/).check();
  await page.getByRole("button", { name: "Delete draft" }).click();
  await expect(page).toHaveURL(/\/supplier\/submissions\?deleted=1$/);
  await expect(page.getByText("The draft was deleted.")).toBeVisible();
});
