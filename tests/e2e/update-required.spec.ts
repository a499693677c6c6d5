// Issue 15: "valid, update required". The demo speaker's seal certifies firmware 1.0.3; a public high
// advisory affects 1.0.3 and its fix is certified in the registered 1.0.4. The seal stays valid, and
// every view says which firmware to install: the public page (desktop and phone), /verify, the API
// and the bulk check (its attention rows and the CSV's update_required column).
import fs from "node:fs";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { e2eDb, seeded } from "./db";
import { expectHydrated, stateFile, watchConsole } from "./helpers";

const ids = seeded();
const serial = ids.updateRequiredSeal;

function speakerAdvisoryId(): string {
  const db = e2eDb();
  try {
    return (
      db
        .prepare(`select advisory_id as id from findings where title like 'Voice assistant accepted commands%'`)
        .get() as { id: string }
    ).id;
  } finally {
    db.close();
  }
}

test("the public page says 'valid' and, next to it, 'update required: install firmware 1.0.4' (desktop and phone)", async ({
  browser,
}) => {
  const advisoryId = speakerAdvisoryId();
  for (const [name, viewport] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 390, height: 844 }],
  ] as const) {
    const context = await browser.newContext({ storageState: undefined, viewport });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`/s/${serial}`);
    await expect(page.getByTestId("seal-verdict")).toHaveText("Valid");
    const note = page.getByTestId("update-required");
    await expect(note).toBeVisible();
    await expect(note).toContainText("Update required: install firmware 1.0.4.");
    await expect(note).toContainText(
      `The certified firmware 1.0.3 is affected by a public security advisory (${advisoryId})`,
    );
    await expect(note).toContainText(
      "The seal is valid for firmware 1.0.3, which has a known security problem that 1.0.4 fixes.",
    );
    await expect(note).toContainText("Shops: install 1.0.4 before selling it.");
    // The assessor verified the fix in 1.0.4; 1.0.4 has no seal of its own, so it is not called certified.
    await expect(note).toContainText("the certification body's assessor verified the fix in 1.0.4");
    await expect(note.getByTestId("update-not-certified")).toHaveText(
      "Firmware 1.0.4 itself has no seal: it has not been certified.",
    );
    // The advisory itself is on the page, with its fixed firmware.
    await expect(page.getByTestId("advisory").filter({ hasText: advisoryId })).toContainText("1.0.4");
    await expect(page.getByTestId("advisory-list").getByRole("columnheader", { name: "Fix verified" })).toBeAttached();
    await expect(page.getByTestId("advisory").filter({ hasText: advisoryId }).getByTestId("fix-certified")).toHaveCount(
      0,
    );
    await page.screenshot({ path: `test-results/screenshots/update-required-${name}.png`, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }
  // A seal whose firmware no public advisory affects says nothing of the kind.
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  await page.goto(`/s/${ids.activeSeal}`);
  await expect(page.getByTestId("seal-verdict")).toHaveText("Valid");
  await expect(page.getByTestId("update-required")).toHaveCount(0);
  await context.close();
});

test("/verify and the API answer it beside the verdict", async ({ browser, request }) => {
  const advisoryId = speakerAdvisoryId();
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto("/verify");
  await page.getByLabel("Seal serial").fill(serial);
  await page.getByRole("button", { name: "Check serial" }).click();
  const result = page.getByTestId("verify-result");
  await expect(result.getByTestId("seal-verdict")).toHaveText("Valid");
  await expect(result.getByTestId("update-required")).toContainText("Update required: install firmware 1.0.4.");
  await page.screenshot({ path: "test-results/screenshots/update-required-verify.png", fullPage: true });
  expect(problems).toEqual([]);
  await context.close();

  const api = await (await request.get(`/api/v1/seals/${serial}`)).json();
  expect(api).toMatchObject({ status: "valid", updateRequired: { advisories: [advisoryId], fixedIn: "1.0.4" } });
  expect(api.advisories).toEqual([
    expect.objectContaining({ advisoryId, affectedVersions: ["1.0.3"], fixedInVersion: "1.0.4" }),
  ]);
  const plain = await (await request.get(`/api/v1/seals/${ids.activeSeal}`)).json();
  expect(plain.updateRequired).toBeNull();
});

test("a buyer's bulk check lists it among the rows that need attention, and the CSV has an update_required column", async ({
  browser,
}, testInfo) => {
  const advisoryId = speakerAdvisoryId();
  const context = await browser.newContext({ storageState: stateFile("retailer"), acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const file = testInfo.outputPath("update-check.csv");
  fs.writeFileSync(file, ["serial,our_sku", `${serial},SPK-1`, `${ids.activeSeal},GKW3-1`].join("\n") + "\n");
  await page.goto("/retailer/verify/bulk");
  await expectHydrated(page);
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Check all" }).click();
  await page.waitForURL(/\/retailer\/verify\/bulk\/[\w-]+$/);
  await expect(page.getByTestId("bulk-summary").locator('dd[data-status="valid"]')).toHaveText("2");
  const row = page.getByTestId("attention-rows").getByRole("row", { name: new RegExp(serial) });
  await expect(row).toContainText("Update required: install firmware 1.0.4");
  await expect(page.getByTestId("attention-rows").getByRole("row", { name: new RegExp(ids.activeSeal) })).toHaveCount(
    0,
  );
  await page.screenshot({ path: "test-results/screenshots/update-required-bulk.png", fullPage: true });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the result (CSV)" }).click(),
  ]);
  const lines = fs
    .readFileSync(await download.path(), "utf8")
    .trim()
    .split("\n");
  expect(lines[0]).toBe(
    "serial,our_sku,status,reason,checked_product,checked_firmware,valid_until,update_required,checked_serial,file_line,check_note,policy",
  );
  expect(lines[1]).toMatch(
    new RegExp(`^${serial},SPK-1,valid,.*,1\\.0\\.3,[\\d-]+,update to 1\\.0\\.4: ${advisoryId},`),
  );
  expect(lines[2]).toMatch(
    new RegExp(`^${ids.activeSeal},GKW3-1,valid,.*,3\\.1\\.0,[\\d-]+,,${ids.activeSeal},3,,meets `),
  );
  expect(problems).toEqual([]);
  await context.close();
});
