// The sharp edges of disclosure (issue 15), in a browser:
// - a back-dated report is never published silently: the form (here without JavaScript) answers
//   with what will happen and asks to confirm; only after the confirmation is it recorded, and
//   public at once. Withdrawing it afterwards asks first, and says it was withdrawn after
//   disclosure: the advisory stays public, marked.
// - a new report on a watched product reaches the buyer's "changed since your last visit" with its
//   severity and the open count only.
// Products: Brightnest Video Doorbell (no seal, watched by nobody) and Brightnest Smart Plug (the
// revoked demo seal), watched here by a retailer of the test's own (the demo buyer's visits would
// mark changes as seen for other tests).
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { seeded } from "./db";
import { signUpViaForm, stateFile, watchConsole } from "./helpers";

const ids = seeded();
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function assessor(browser: Browser, javaScriptEnabled = true): Promise<Page> {
  return (await browser.newContext({ storageState: stateFile("assessor"), javaScriptEnabled })).newPage();
}

test("a back-dated report is published only once confirmed; withdrawn after disclosure, its advisory stays public, marked", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const TITLE = "Doorbell chime app trusts any certificate (old report entered late)";
  const reportedOn = ymd(Date.now() - 2 * 366 * 24 * 3600 * 1000); // two years ago: overdue, and a likely typo
  const asha = await assessor(browser, false); // no JavaScript: the two-step form works as plain HTML
  const problems = watchConsole(asha);
  await asha.goto("/findings/new");
  await asha
    .getByLabel("Product")
    .selectOption({ label: "Brightnest Video Doorbell (BN-VD1) — Brightnest Smart Home Ltd" });
  await asha.getByRole("button", { name: "Continue" }).click();
  await asha.getByLabel(/firmware 1\.8\.0/).check();
  await asha.getByLabel("Title").fill(TITLE);
  await asha
    .getByLabel("Description")
    .fill("The chime companion app accepts any TLS certificate when it talks to the doorbell's local API.");
  await asha.getByLabel("Severity").selectOption("medium");
  // The requirements concerned: a list of tick boxes, not a Ctrl-click multi-select.
  const requirements = asha.getByRole("group", { name: "Requirements concerned (optional)" });
  await expect(requirements.locator("select")).toHaveCount(0);
  const firstRequirement = requirements.getByRole("checkbox").first();
  await firstRequirement.check();
  await asha.getByLabel("Reported by").fill("Archive of the old disclosure inbox");
  await asha.getByLabel("Date reported").fill(reportedOn);
  await asha.getByRole("button", { name: "Record the report" }).click();

  // First answer: what will happen, and the tick boxes; nothing is recorded yet.
  const warning = asha.getByTestId("backdating-warning");
  await expect(warning).toContainText(
    /This report will be public at once: its disclosure deadline \d{4}-\d{2}-\d{2} has passed/,
  );
  await expect(warning).toContainText(`The date reported, ${reportedOn}, is more than a year ago`);
  await expect(asha.getByRole("heading", { level: 1 })).toHaveText("Record a vulnerability report");
  await expect(asha.getByLabel("Title")).toHaveValue(TITLE); // everything kept for the second round
  await expect(asha.getByLabel(/firmware 1\.8\.0/)).toBeChecked();
  await expect(firstRequirement).toBeChecked();
  await asha.screenshot({ path: "test-results/screenshots/report-backdated-warning.png", fullPage: true });
  const list = await (await assessor(browser)).goto("/findings");
  expect(await list!.text()).not.toContain(TITLE);

  // Confirming only the publication is not enough: the date must be confirmed too.
  await asha.getByLabel("I understand: record it, and its advisory becomes public as said above").check();
  await asha.getByRole("button", { name: "Record the report" }).click();
  await expect(asha.getByTestId("backdating-warning")).toContainText("is more than a year ago");
  await expect(asha.getByLabel("I understand: record it, and its advisory becomes public as said above")).toBeChecked();
  await asha.getByLabel("The date reported is correct: record it").check();
  await asha.getByRole("button", { name: "Record the report" }).click();

  // Recorded: public at once (its deadline passed long ago).
  await expect(asha.getByRole("heading", { level: 1 })).toHaveText(TITLE);
  const panel = asha.getByTestId("finding-disclosure");
  await expect(panel).toContainText(/IOTSEAL-\d{4}-\d{4}: Public since \d{1,2} \w{3,4} \d{4} \(deadline passed\)/);
  const advisoryId = (await panel.locator("strong.mono").textContent())!.trim();
  await asha.screenshot({ path: "test-results/screenshots/report-backdated-public.png", fullPage: true });

  // Withdrawing it asks first, and says what a withdrawal after disclosure means.
  const withdraw = asha.getByRole("form", { name: "Withdraw the report" });
  await expect(withdraw).toContainText(
    `Its advisory ${advisoryId} is already public and stays public, marked "withdrawn after disclosure": a published advisory cannot be un-published.`,
  );
  await withdraw.getByLabel("Why (e.g. a duplicate, not reproducible)").fill("A duplicate of a report closed in 2024.");
  await withdraw.getByRole("button", { name: "Withdraw the report" }).click();
  await expect(asha.getByRole("alert").first()).toContainText("Tick the box to confirm the withdrawal.");
  await expect(asha.getByTestId("finding-disclosure")).toContainText("Public since");
  await asha.getByLabel("I understand: withdraw this report").check();
  await asha.getByRole("button", { name: "Withdraw the report" }).click();
  await expect(asha.getByRole("status")).toContainText(
    `The report is withdrawn and closed. Its advisory ${advisoryId} was already public and stays public`,
  );
  await expect(asha.getByTestId("finding-disclosure")).toContainText(
    /Withdrawn on \d{1,2} \w{3,4} \d{4} after disclosure on \d{1,2} \w{3,4} \d{4} \(deadline passed\): the advisory stays public/,
  );
  await expect(asha.getByTestId("withdrawn-after-disclosure")).toContainText(
    "A published advisory cannot be un-published",
  );
  await asha.screenshot({ path: "test-results/screenshots/report-withdrawn-after-disclosure.png", fullPage: true });
  expect(problems).toEqual([]);
});

test("a new report on a watched product shows in the buyer's changes with its severity only", async ({ browser }) => {
  test.setTimeout(90_000);
  const TITLE = "Smart Plug energy API leaks the household's schedule";
  const unique = Date.now().toString(36);
  const buyer = await (await browser.newContext({ storageState: undefined })).newPage();
  const problems = watchConsole(buyer);
  await signUpViaForm(browser, buyer, {
    kind: "Retailer",
    organizationName: `Plug Street ${unique} Ltd`,
    name: "Pip Plug",
    email: `pip-${unique}@plugstreet.test`,
    password: "watch the plugs closely 2026",
  });
  await buyer.goto("/retailer/watchlist");
  await buyer.getByLabel("Seal serial").fill(ids.revokedSeal);
  await buyer.getByRole("button", { name: "Watch", exact: true }).click();
  await expect(buyer.getByRole("status")).toContainText("Watching Brightnest Smart Plug.");
  await buyer.goto("/retailer/watchlist"); // a visit: what follows is "since the last visit"
  await expect(buyer.getByRole("region", { name: /Changed since your last visit/ })).toContainText("No changes.");

  const asha = await assessor(browser);
  await asha.goto("/findings/new");
  await asha
    .getByLabel("Product")
    .selectOption({ label: "Brightnest Smart Plug (BN-SP1) — Brightnest Smart Home Ltd" });
  await asha.getByRole("button", { name: "Continue" }).click();
  await asha.getByLabel(/firmware 1\.2\.0/).check();
  await asha.getByLabel("Title").fill(TITLE);
  await asha
    .getByLabel("Description")
    .fill("The plug's local energy API answers anyone on the LAN with the on/off schedule of every appliance.");
  await asha.getByLabel("Severity").selectOption("high");
  await asha.getByLabel("Reported by").fill("Home-lab researcher");
  await asha.getByRole("button", { name: "Record the report" }).click(); // reported today: nothing to confirm
  await expect(asha.getByRole("heading", { level: 1 })).toHaveText(TITLE);

  await buyer.reload();
  const changes = buyer.getByTestId("watch-changes");
  await expect(changes).toContainText("Brightnest Smart Plug");
  await expect(changes).toContainText("New vulnerability report");
  await expect(changes).toContainText(
    "New high vulnerability report under embargo; now 1 open report under embargo (1 high). Details are published when fixed or at the deadline",
  );
  await expect(buyer.locator("body")).not.toContainText(TITLE);
  await expect(
    buyer.getByRole("row", { name: new RegExp(ids.revokedSeal) }).getByTestId("watched-advisories"),
  ).toContainText("1 open under embargo: 1 high");
  await buyer.screenshot({ path: "test-results/screenshots/watchlist-report-recorded.png", fullPage: true });
  expect(problems).toEqual([]);
});
