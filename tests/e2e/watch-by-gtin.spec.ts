// Issue 18: a buyer watches a product by its GTIN, from the form and from a CSV with a SKU column,
// in a shop of its own (the demo buyer's watchlist is other tests' ground). The product's current
// seal depends on what other tests certify meanwhile: the row is checked for the product, the GTIN,
// the label and "current seal", not for one serial.
import { expect, test } from "./a11y";
import { signUpViaForm, watchConsole } from "./helpers";

test("a buyer watches a product by its GTIN, from the form and from a CSV with a SKU column", async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await (await browser.newContext()).newPage();
  const problems = watchConsole(page);
  const unique = Date.now().toString(36);
  await signUpViaForm(browser, page, {
    kind: "Retailer",
    organizationName: `Barcode Shop ${unique} Ltd`,
    name: "Bea Barcode",
    email: `bea-${unique}@barcodeshop.test`,
    password: "barcodes on every box 2026",
  });
  await page.goto("/retailer/watchlist");

  // A wrong check digit: refused on the field, saying which digit it should be.
  await page.getByLabel(/^GTIN/).fill("5060123450003");
  await page.getByRole("button", { name: "Watch by GTIN" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "check digit should be 2, not 3" })).toBeVisible();
  await expect(page.getByLabel(/^GTIN/)).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel(/^GTIN/)).toHaveValue("5060123450003");

  // The right one: the product's current seal, followed.
  await page.getByLabel(/^GTIN/).fill("5060123450002");
  await page.getByLabel("Your label for it (optional)").fill("GKW3-BLUE");
  await page.getByRole("button", { name: "Watch by GTIN" }).click();
  await expect(page.getByRole("status")).toContainText("Watching Gator Kids Watch 3 by its GTIN");
  const row = page.getByTestId("watchlist").getByRole("row", { name: /Gator Kids Watch 3/ });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("GKW3-BLUE");
  await expect(row).toContainText("05060123450002");
  // The label and the GTIN followed read under the product's name (no column of their own: the table fits).
  await expect(row.getByTestId("your-label")).toHaveText("Your label GKW3-BLUE · GTIN 05060123450002");
  await expect(row).toContainText("(current seal)");

  // A CSV of barcodes with the shop's SKUs: the SKU is the label; a typo is reported by its line.
  await page.getByLabel(/CSV file/).setInputFiles({
    name: "stock.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("EAN,Description,SKU\n5060987650037,Speaker,SPK-1\n5060987650038,Typo,SPK-2\n"),
  });
  await page.getByRole("button", { name: "Watch them all" }).click();
  await expect(page.getByRole("status")).toContainText("Added 1 product");
  await expect(page.getByRole("status")).toContainText(`line 3: "5060987650038" is not a valid GTIN`);
  const speaker = page.getByTestId("watchlist").getByRole("row", { name: /Brightnest Smart Speaker/ });
  await expect(speaker).toContainText("SPK-1");
  await expect(speaker).toContainText("05060987650037");

  // With labels shown, the table still fits a 1280 px screen: its card does not scroll sideways.
  await page.setViewportSize({ width: 1280, height: 900 });
  const card = page.locator("section.table-wrap").filter({ has: page.getByTestId("watchlist") });
  expect(await card.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  await card.screenshot({ path: "test-results/screenshots/watchlist-labels-1280.png" });
  expect(problems).toEqual([]);
});
