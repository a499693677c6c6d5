// The retail buyer's journey after its review, in the browser: a bulk check made with JavaScript is
// listed at once among the organisation's checks (no reload); removing a webhook endpoint is asked
// first and says what went; a CSV that adds nothing to the watchlist is not shown as a success; the
// API and webhooks pages name their own section; the watchlist fits a laptop's screen, what a seal misses
// of a policy folded under "Why".
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import fs from "node:fs";
import { expectHydrated, stateFile, watchConsole } from "./helpers";
import { seeded } from "./db";

test.use({ storageState: stateFile("retailer") });

test("a bulk check answered with a note (a Windows-1252 file) is listed among the checks without a reload", async ({
  page,
}, testInfo) => {
  const problems = watchConsole(page);
  const name = `cafe-${Date.now().toString(36)}.csv`;
  const file = testInfo.outputPath(name);
  // "Café" in Windows-1252 (é is 0xE9): not UTF-8, so the check says how it read the file and stays on the page.
  fs.writeFileSync(
    file,
    Buffer.concat([Buffer.from("serial,sku\nIOTS-0000-0000,Caf"), Buffer.from([0xe9]), Buffer.from("\n")]),
  );
  await page.goto("/retailer/verify/bulk");
  await expectHydrated(page);
  await expect(page.getByRole("row", { name: new RegExp(name.replace(".", "\\.")) })).toHaveCount(0);
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Check all" }).click();
  await expect(page.getByTestId("bulk-read-note")).toContainText("Windows-1252");
  const listed = page.getByRole("row", { name: new RegExp(name.replace(".", "\\.")) });
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText("1 not found");
  await expect(page).toHaveURL(/\/retailer\/verify\/bulk$/);
  expect(problems).toEqual([]);
});

test("a webhook endpoint's new secret and its removal are asked first, and the page says what changed", async ({
  page,
}) => {
  const problems = watchConsole(page);
  const url = `http://127.0.0.1:9/e2e-remove-${Date.now().toString(36)}`;
  await page.goto("/retailer/webhooks");
  await expectHydrated(page);
  await expect(page.locator(".eyebrow")).toHaveText("Retail buyer");
  await page.getByLabel("HTTPS URL").fill(url);
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByTestId("webhook-secret")).toBeVisible();
  const endpoint = page.getByRole("region", { name: `Endpoint ${url}` });
  const first = await page.getByTestId("webhook-secret").textContent();
  // A new secret, asked first too: shown once, and the page says until when the one before signs.
  await endpoint
    .getByRole("checkbox", { name: `I understand: a new secret for ${url}; the current one signs for 24 hours more` })
    .check();
  await endpoint.getByRole("button", { name: `New secret for ${url}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "New secret for" })).toContainText(
    `New secret for ${url}. Deliveries are signed with it and, until`,
  );
  await expect(page.getByTestId("webhook-secret")).not.toHaveText(first ?? "");
  await expect(page.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
  await expect(endpoint.getByTestId("previous-secret")).toContainText("the one before also signs deliveries until");
  // Without the tick box the browser does not send the form: the endpoint stays.
  await endpoint.getByRole("button", { name: `Remove ${url}` }).click();
  await expect(endpoint).toBeVisible();
  await endpoint
    .getByRole("checkbox", { name: `I understand: remove ${url} for good, with its secret and pending deliveries` })
    .check();
  await endpoint.getByRole("button", { name: `Remove ${url}` }).click();
  // (Until the removal's answer arrives, the registration's two notices are still on the page.)
  await expect(page.getByRole("status").filter({ hasText: "removed" })).toContainText(
    `Endpoint ${url} removed: its secret signs nothing more`,
  );
  await expect(page.getByRole("region", { name: `Endpoint ${url}` })).toHaveCount(0);
  await page.goto("/retailer/api");
  await expect(page.locator(".eyebrow")).toHaveText("Retail buyer");
  expect(problems).toEqual([]);
});

test("a watchlist CSV that adds nothing is a warning, not a success", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  const file = testInfo.outputPath("nothing-new.csv");
  fs.writeFileSync(file, "serial,sku\nIOTS-0000-0000,X1\n");
  await page.goto("/retailer/watchlist");
  await expectHydrated(page);
  await page.getByLabel("CSV file (the same as for a bulk check)").setInputFiles(file);
  await page.getByRole("button", { name: "Watch them all" }).click();
  const result = page.getByTestId("csv-watch-result");
  await expect(result).toContainText("Added 0 products; 1 row not found.");
  await expect(result).toHaveClass(/alert--warn/);
  await expect(result).not.toHaveClass(/alert--ok/);
  expect(problems).toEqual([]);
});

test("the watchlist fits a 1280 px screen: what a seal misses of a policy is folded under Why", async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/retailer/watchlist");
  await expectHydrated(page);
  const table = page.getByTestId("watchlist");
  const expired = table.getByRole("row").filter({ hasText: seeded().expiredSeal });
  await expect(expired).toContainText("Misses Children's wearables");
  const reason = expired.getByText("The seal is expired, not valid.");
  await expect(reason).toBeHidden();
  await expired.getByText(/^Why: \d+ reasons?$/).click();
  await expect(reason).toBeVisible();
  // Nothing of the table is out of sight: its card does not scroll sideways, every Remove button shows whole.
  const card = page.locator("section.table-wrap").filter({ has: table });
  expect(await card.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  const cardBox = (await card.boundingBox())!;
  for (const button of await table.getByRole("button", { name: /^Remove / }).all()) {
    const box = (await button.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(cardBox.x + cardBox.width);
  }
  await page.screenshot({ path: "test-results/screenshots/watchlist-1280.png", fullPage: true });
  expect(problems).toEqual([]);
});
