// The support period as the EU Cyber Resilience Act asks (Article 13(8)): a shopper reads it first
// on a seal's page; a supplier cannot register three years of support without stating the shorter
// expected use time and its reason, and can with them.
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { seeded } from "./db";
import { expectHydrated, stateFile, watchConsole } from "./helpers";

test.describe("a shopper", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("reads the support period first in the seal's summary", async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto(`/s/${seeded().activeSeal}`);
    const summary = page.getByRole("region", { name: "What this seal means for you" });
    // Gator Kids Watch 3 went on sale on 1 Jan 2025 with support until 31 Dec 2029.
    await expect(summary.locator("dt").first()).toHaveText("Security updates");
    await expect(summary.locator("dd").first()).toHaveText(
      "Security updates until December 2029 (5 years from going on sale).",
    );
    await expect(summary.getByTestId("summary-support-shortfall")).toHaveCount(0);
    await summary.screenshot({ path: "test-results/screenshots/support-seal-summary.png" });
    expect(problems).toEqual([]);
  });
});

test.describe("a supplier", () => {
  test.use({ storageState: stateFile("supplier") });

  test("cannot register three years of support without a reason, and can with the expected use time and reason", async ({
    page,
  }) => {
    const problems = watchConsole(page);
    const model = `GW-RB-${Date.now().toString(36)}`;
    await page.goto("/supplier/products");
    await expectHydrated(page);
    await page.getByLabel("Product name").fill("Gator Robo Buddy");
    await page.getByLabel("Model designation").fill(model);
    await page.getByLabel("Category").selectOption("toy");
    await page.getByLabel("Goes on sale (optional)").fill("2027-01-01");
    await page.getByLabel("Security support ends").fill("2029-12-31");
    await page.getByLabel("Vulnerability disclosure policy").fill("https://gatorwearables.example/security");
    await page.getByRole("button", { name: "Register product" }).click();

    const support = page.locator(".field").filter({ has: page.getByLabel("Security support ends") });
    await expect(support.getByRole("alert")).toHaveText(
      "Security support ends 31 Dec 2029, less than five years after the product goes on sale (1 Jan 2027). The EU Cyber Resilience Act asks for at least five years, unless the product is expected to be in use for less: then state that expected use time and the reason.",
    );
    await expect(page.getByLabel("Security support ends")).toHaveValue("2029-12-31"); // what was typed stays
    await page.locator("#new-product").screenshot({ path: "test-results/screenshots/support-product-refused.png" });
    await page.goto("/supplier/products");
    await expect(page.getByRole("link", { name: "Gator Robo Buddy" })).toHaveCount(0); // nothing registered

    await page.getByLabel("Product name").fill("Gator Robo Buddy");
    await page.getByLabel("Model designation").fill(model);
    await page.getByLabel("Category").selectOption("toy");
    await page.getByLabel("Goes on sale (optional)").fill("2027-01-01");
    await page.getByLabel("Security support ends").fill("2029-12-31");
    await page.getByLabel("Expected use time").fill("3");
    await page.getByLabel("Unit").selectOption("years");
    await page
      .getByLabel("Why it is expected to be in use for that time")
      .fill("Made for children aged 4 to 7, who stop playing with it after about three years.");
    await page.getByLabel("Vulnerability disclosure policy").fill("https://gatorwearables.example/security");
    await page.getByRole("button", { name: "Register product" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Gator Robo Buddy" })).toBeVisible();
    await expect(page.getByText("Product registered.")).toBeVisible();
    await expect(page.getByTestId("support-shortfall")).toHaveCount(0);
    // The edit form shows what was stated.
    await expect(page.getByLabel("Expected use time")).toHaveValue("3");
    await expect(page.getByLabel("Unit")).toHaveValue("years");
    await expect(page.getByLabel("Goes on sale (optional)")).toHaveValue("2027-01-01");
    await page
      .locator("section")
      .filter({ has: page.getByRole("heading", { name: "Product details" }) })
      .screenshot({ path: "test-results/screenshots/support-product-details.png" });
    expect(problems).toEqual([]);
  });
});
