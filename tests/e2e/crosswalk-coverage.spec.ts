// Crosswalk kinds and coverage: the demo watch's ETSI EN 303 645 seal read against the EU CRA
// Annex I. Its supplier opens the coverage page from the submission, sees the headline and what is
// not covered, and the kind of each link; the checklist pages show the kinds both ways; an
// assessor reaches the page from the review; another supplier may not see it.
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { seeded } from "./db";
import { expectHydrated, pageAs, stateFile, watchConsole } from "./helpers";

const ids = seeded();
const COVERAGE = `/submissions/${ids.activeSealSubmission}/coverage`;
const CRA_HEADLINE =
  "Your ETSI EN 303 645 seal covers 21 of 22 EU CRA Annex I requirements (1 fully, 20 partly); not covered: I.1 Appropriate level of cybersecurity based on the risks.";

test("the supplier sees what the watch's ETSI seal covers of the EU CRA Annex I", async ({ browser }) => {
  test.setTimeout(240_000); // axe-core checks each page, and the coverage page has a row per requirement (some 230)
  const grace = await (await browser.newContext({ storageState: stateFile("supplier") })).newPage();
  const problems = watchConsole(grace);
  await grace.goto(`/supplier/submissions/${ids.activeSealSubmission}`);
  await grace.getByTestId("issued-seal").getByRole("link", { name: "What it covers of other checklists" }).click();
  await expect(grace).toHaveURL(COVERAGE);
  await expect(grace.getByRole("heading", { level: 1 })).toContainText("Gator Kids Watch 3");
  await expect(grace.getByText(/certified against ETSI EN 303 645/)).toBeVisible();

  const cra = grace.getByTestId("coverage-eu-cra-annex-i");
  await expect(cra.getByTestId("coverage-headline")).toHaveText(CRA_HEADLINE);
  await expect(cra).toContainText("Counted over all 22 requirements");
  // The missing point: no ETSI requirement links to it.
  const i1 = cra.locator('tr[data-ref="I.1"]');
  await expect(i1).toContainText("Not covered");
  await expect(i1).toContainText("No crosswalk link");
  // Fully covered through the equivalent link from 5.2-1; partly through partial links.
  const ii5 = cra.locator('tr[data-ref="II.5"]');
  await expect(ii5).toContainText("Covered");
  await expect(ii5.locator("li", { hasText: "5.2-1" })).toContainText("equivalent");
  const i2b = cra.locator('tr[data-ref="I.2.b"]');
  await expect(i2b).toContainText("Partly covered");
  await expect(i2b.locator("li", { hasText: "5.1-1" })).toContainText("partial");

  // Every other checklist has its block; ETSI itself has none.
  await expect(grace.getByTestId("coverage-uk-psti").getByTestId("coverage-headline")).toContainText(
    "Your ETSI EN 303 645 seal covers 3 of 3 UK PSTI requirements",
  );
  await expect(grace.getByTestId("coverage-iotsf-assurance-framework")).toBeVisible();
  await expect(grace.getByTestId("coverage-etsi-en-303-645")).toHaveCount(0);
  await expectHydrated(grace);
  await cra.scrollIntoViewIfNeeded();
  await grace.screenshot({ path: "test-results/screenshots/crosswalk-coverage.png", fullPage: true });
  expect(problems).toEqual([]);

  // The link's kind on the checklist pages, both ways.
  await grace.goto("/checklists/eu-cra-annex-i/2024");
  const craII5 = grace.locator('[id="req-II.5"]');
  await expect(craII5.locator("li", { hasText: "5.2-1" })).toContainText("equivalent");
  await grace.goto("/checklists/etsi-en-303-645/3.1.3-r1");
  const etsi521 = grace.locator('[id="req-5.2-1"]');
  await expect(etsi521.locator("li", { hasText: "II.5" })).toContainText("equivalent");
  await expect(etsi521.locator("li", { hasText: "II.6" })).toContainText("partial");
  // A plain string link (ETSI 5.1-1 -> UK PSTI 1 in the 2.1.1 file) shows no kind.
  await grace.goto("/checklists/etsi-en-303-645/2.1.1");
  const psti = grace.locator('[id="req-5.1-1"]').locator("li", { hasText: "uk-psti" });
  // Maps to UK PSTI 1, and mapped from it (more when another spec has imported a UK PSTI version).
  await expect(psti.first()).toBeVisible();
  expect(await psti.count()).toBeGreaterThanOrEqual(2);
  for (const text of await psti.allTextContents()) expect(text).not.toMatch(/equivalent|partial/);
});

test("the coverage page works without JavaScript, an assessor reaches it from the review, another supplier may not", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const noJs = await (
    await browser.newContext({ storageState: stateFile("supplier"), javaScriptEnabled: false })
  ).newPage();
  await noJs.goto(COVERAGE);
  await expect(noJs.getByTestId("coverage-eu-cra-annex-i").getByTestId("coverage-headline")).toHaveText(CRA_HEADLINE);

  const asha = await (await browser.newContext({ storageState: stateFile("assessor") })).newPage();
  await asha.goto(`/assessor/submissions/${ids.activeSealSubmission}`);
  await asha.getByTestId("issued-seal").getByRole("link", { name: "What it covers of other checklists" }).click();
  await expect(asha.getByTestId("coverage-eu-cra-annex-i").getByTestId("coverage-headline")).toHaveText(CRA_HEADLINE);
  await expect(asha.getByRole("link", { name: "Review", exact: true })).toHaveAttribute(
    "href",
    `/assessor/submissions/${ids.activeSealSubmission}`,
  );

  const sam = await pageAs(browser, "supplier2@demo.test");
  const response = await sam.goto(COVERAGE);
  expect(response?.status()).toBe(403);
  await expect(sam.getByText("Your ETSI EN 303 645 seal covers")).toHaveCount(0);
});
