// A third party's CSAF advisory: an assessor imports an OpenSSL-style CSAF 2.0 document (a broken
// paste is refused, naming the field); the demo Smart Speaker's SBOM contains the affected
// openssl 3.0.15, so the assessor gets a "possibly affected" task that leads to the imported advisory.
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, stateFile, watchConsole } from "./helpers";

const TASK =
  "Possibly affected: Brightnest Smart Speaker 1.0.3 (OpenSSL Project (test fixture) advisory OSSL-FIXTURE-2026-0001)";

test("an assessor imports a CSAF advisory and is asked to check the product whose SBOM contains it", async ({
  browser,
}) => {
  const page = await (await browser.newContext({ storageState: stateFile("assessor") })).newPage();
  const problems = watchConsole(page);
  await page.goto("/assessor");
  await page.getByRole("link", { name: "Advisories", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Third-party advisories (CSAF)");
  await expectHydrated(page);

  await page.getByLabel("Or paste the document (JSON)").fill('{"document": {"csaf_version": "2.1"}}');
  await page.getByRole("button", { name: "Import the advisory" }).click();
  await expect(page.getByRole("alert").first()).toContainText("Not a CSAF 2.0 document: document.category");

  await page.getByLabel("CSAF JSON file").setInputFiles("tests/fixtures/csaf/openssl-advisory-v1.json");
  await page.getByRole("button", { name: "Import the advisory" }).click();
  await expect(page.getByTestId("import-outcome")).toContainText(
    "Imported OSSL-FIXTURE-2026-0001 version 1: 1 package URL of affected products",
  );
  await expect(page.getByTestId("imported-advisories")).toContainText("OpenSSL Project (test fixture)");
  await page.screenshot({ path: "test-results/screenshots/csaf-import.png", fullPage: true });

  // The task, in the assessor's notifications, leads to the imported advisory and its match.
  await page.goto("/notifications");
  await page
    .getByRole("link", { name: new RegExp(TASK.replace(/[().]/g, "\\$&")) })
    .first()
    .click();
  await expect(page).toHaveURL(/\/assessor\/advisories\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("OSSL-FIXTURE-2026-0001");
  await expect(page.getByTestId("advisory-purls")).toHaveText("pkg:generic/openssl@3.0.15 (known affected)");
  const match = page.getByTestId("advisory-matches").getByRole("row").filter({ hasText: "Brightnest Smart Speaker" });
  await expect(match).toContainText("pkg:generic/openssl@3.0.15");
  await expect(match).toContainText("Affected version");
  await page.screenshot({ path: "test-results/screenshots/csaf-imported-advisory.png", fullPage: true });
  // From there to the speaker's SBOM in its review.
  await match.getByRole("link", { name: "Brightnest Smart Speaker" }).click();
  await expect(page).toHaveURL(/\/assessor\/submissions\/[^?]+\?sbom=[0-9a-f]{64}#sbom-title$/);
  await expect(page.getByText("brightnest-smart-speaker-1.0.3.cdx.json").first()).toBeVisible();
  expect(problems).toEqual([]);
});
