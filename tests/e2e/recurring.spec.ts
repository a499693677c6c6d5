// Recurring evidence from both sides: the supplier's dashboard shows the demo watch's monitoring
// scan due in 10 days; the supplier sends fresh evidence with JavaScript off (a plain multipart
// form); an assessor checks it (file, hash, preview) and accepts it; the due date moves on the
// supplier's pages and the public seal page shows the accepted evidence. The seal stays valid.
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { seeded } from "./db";
import { expectHydrated, stateFile, watchConsole } from "./helpers";

const ids = seeded();
const SCAN = `External vulnerability scan of api.gatorwearables.example (${new Date().toISOString().slice(0, 10)})
Scanner: nmap 7.94 + nuclei 3.2, from outside the cloud provider
Open ports: 443/tcp (https)
Findings above low: none
`;

test("the supplier sends fresh evidence for the watch's due scan, an assessor accepts it, the due date moves", async ({
  browser,
}) => {
  // The supplier's dashboard: 5.2-3 due 10 days after the seed, so 9 whole days left, as a report's clock counts.
  const grace = await (await browser.newContext({ storageState: stateFile("supplier") })).newPage();
  const problems = watchConsole(grace);
  await grace.goto("/supplier");
  const panel = grace.getByRole("region", { name: "Recurring evidence due" });
  const due = panel.getByTestId("recurring-due").locator("li", { hasText: "5.2-3" });
  await expect(due).toContainText("Gator Kids Watch 3 firmware 3.1.0");
  await expect(due).toContainText("Continuous vulnerability monitoring");
  await expect(due).toContainText("Due in 9 days");
  const dueBefore = (await grace.getByTestId("due-date-5.2-3").textContent())!;
  await grace.screenshot({ path: "test-results/screenshots/recurring-supplier-dashboard.png", fullPage: true });
  await due.getByRole("link", { name: "Send fresh evidence" }).click();
  await expect(grace.getByRole("heading", { level: 1 })).toContainText("Recurring evidence: Gator Kids Watch 3");
  await expect(grace.getByTestId("recurring-schedule").locator("tr", { hasText: "5.2-3" })).toContainText(
    "Due in 9 days",
  );
  await expect(grace.getByLabel("Requirement", { exact: true })).toHaveValue("5.2-3");
  await expectHydrated(grace);
  // With JavaScript a short note is named before the file is sent, and the chosen file stays chosen.
  await grace
    .getByLabel("Evidence file")
    .setInputFiles({ name: "scan-q4.txt", mimeType: "text/plain", buffer: Buffer.from(SCAN) });
  await grace.getByLabel("Note for the assessor").fill("too short");
  await grace.getByRole("button", { name: "Send fresh evidence" }).click();
  await expect(grace.getByText(/Add a note of at least 10 characters/)).toBeVisible();
  await expect(grace.getByLabel("Note for the assessor")).toBeFocused();
  expect(await grace.getByLabel("Evidence file").evaluate((i: HTMLInputElement) => i.files?.length)).toBe(1);
  expect(problems).toEqual([]);

  // The upload works without JavaScript: a plain multipart form, checked by the server.
  const noJs = await (
    await browser.newContext({ storageState: stateFile("supplier"), javaScriptEnabled: false })
  ).newPage();
  await noJs.goto(new URL(grace.url()).pathname + "?ref=5.2-3");
  await noJs
    .getByLabel("Evidence file")
    .setInputFiles({ name: "scan-q4.txt", mimeType: "text/plain", buffer: Buffer.from(SCAN) });
  await noJs.getByRole("button", { name: "Send fresh evidence" }).click();
  await expect(noJs.getByText(/Add a note of at least 10 characters/)).toBeVisible(); // nothing kept: the note is missing
  await noJs
    .getByLabel("Evidence file")
    .setInputFiles({ name: "scan-q4.txt", mimeType: "text/plain", buffer: Buffer.from(SCAN) });
  await noJs
    .getByLabel("Note for the assessor")
    .fill("Quarterly external scan of the production back end: only 443 open, nothing above low.");
  await noJs.getByRole("button", { name: "Send fresh evidence" }).click();
  await expect(noJs.getByRole("status")).toContainText("Fresh evidence for 5.2-3 sent");
  await expect(noJs.getByTestId("recurring-schedule").locator("tr", { hasText: "5.2-3" })).toContainText(
    "waiting for an assessor",
  );
  await expect(noJs.getByTestId("recurring-history")).toContainText("scan-q4.txt");
  await noJs.screenshot({ path: "test-results/screenshots/recurring-supplier-sent.png", fullPage: true });

  // The assessor: the queue, the file with its hash and a preview, the certified evidence it follows; accept.
  const asha = await (await browser.newContext({ storageState: stateFile("assessor") })).newPage();
  const ashaProblems = watchConsole(asha);
  await asha.goto("/assessor");
  await expect(asha.getByTestId("recurring-count")).toHaveText("2"); // the demo's 5.2-1 check and this one
  await asha.screenshot({ path: "test-results/screenshots/recurring-assessor-dashboard.png", fullPage: true });
  await asha.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Recurring", exact: true }).click();
  await expect(asha.getByRole("heading", { level: 1 })).toHaveText("Recurring evidence to check");
  const row = asha.getByTestId("recurring-queue").locator("tr", { hasText: "5.2-3" });
  await expect(row).toContainText("Gator Wearables Ltd");
  await asha.screenshot({ path: "test-results/screenshots/recurring-assessor-queue.png", fullPage: true });
  await row.getByRole("link", { name: /5\.2-3/ }).click();
  await expect(asha.getByRole("heading", { level: 1 })).toHaveText("5.2-3 Continuous vulnerability monitoring");
  await expect(asha.getByTestId("supplier-note")).toContainText("Quarterly external scan");
  await expect(asha.getByTestId("evidence-sha256").first()).toHaveText(/sha256 [0-9a-f]{64}/);
  await expect(asha.getByLabel("Start of scan-q4.txt")).toContainText("Open ports: 443/tcp");
  await expect(asha.getByRole("region", { name: "The previous accepted evidence" })).toContainText(
    "gator-kids-watch-3-security-policy.pdf",
  );
  // A crafted link states nothing the record does not (the evidence is still pending), and is no 500.
  const evidencePath = new URL(asha.url()).pathname;
  const crafted = await asha.goto(`${evidencePath}?decided=accepted&next=garbage&seal=reinstate`);
  expect(crafted!.status()).toBe(200);
  await expect(asha.getByText(/^Accepted|Nothing else held the seal/)).toHaveCount(0);
  await asha.goto(evidencePath);
  await expectHydrated(asha);
  await asha.getByLabel(/^Reject/).check();
  await asha.getByRole("button", { name: "Record the decision" }).click();
  await expect(asha.getByText(/Say why the evidence is rejected/).first()).toBeVisible(); // a rejection needs a comment
  await asha.getByLabel(/^Accept/).check();
  await asha.getByLabel(/^Comment/).fill("Production scan, full port range, nothing above low.");
  await asha.getByRole("button", { name: "Record the decision" }).click();
  await expect(asha.getByRole("status")).toContainText("Accepted: the next evidence is due on");
  await asha.screenshot({ path: "test-results/screenshots/recurring-assessor-accepted.png", fullPage: true });
  expect(ashaProblems).toEqual([]);

  // The supplier: nothing due any more; the due date has moved 90 days on from today.
  await grace.goto("/supplier");
  await expect(grace.getByRole("region", { name: "Recurring evidence due" })).toContainText(
    "Nothing is due within 30 days.",
  );
  await grace.goto(new URL(noJs.url()).pathname);
  const moved = (await grace.getByTestId("due-5.2-3").textContent())!;
  expect(new Date(moved).getTime()).toBeGreaterThan(new Date(dueBefore).getTime());
  await expect(grace.getByTestId("recurring-schedule").locator("tr", { hasText: "5.2-3" })).toContainText("Up to date");
  await expect(grace.getByTestId("recurring-history")).toContainText("Accepted by IoT Seal assessor");
  await grace.screenshot({ path: "test-results/screenshots/recurring-supplier-after.png", fullPage: true });

  // The public page: continuous monitoring, with the accepted file's hash and no file name; the seal is still valid.
  const anon = await browser.newPage();
  await anon.goto(`/s/${ids.activeSeal}`);
  const monitoring = anon.getByRole("region", { name: "Continuous monitoring" });
  await expect(monitoring.locator("tr", { hasText: "5.2-3" })).toContainText(moved);
  await expect(monitoring).not.toContainText(/sha256|[0-9a-f]{16}/); // nothing of the private file: no hash either
  await expect(monitoring).not.toContainText("scan-q4.txt");
  await expect(anon.getByText("Valid", { exact: false }).first()).toBeVisible();
  await monitoring.scrollIntoViewIfNeeded();
  await anon.screenshot({ path: "test-results/screenshots/recurring-public-seal.png", fullPage: true });
});

test("the checklist pages show which requirements recur, how often, and the grace period", async ({ browser }) => {
  const page = await (await browser.newContext({ storageState: stateFile("supplier") })).newPage();
  await page.goto("/checklists");
  await expect(page.getByRole("row", { name: /3\.1\.3-r1/ })).toContainText(
    "2 recurring: fresh evidence every 90–180 days after the seal",
  );
  await page.goto("/checklists/etsi-en-303-645");
  await expect(page.getByRole("listitem").filter({ hasText: "Version 3.1.3-r1" })).toContainText("2 recurring");
  await page.getByRole("link", { name: "Version 3.1.3-r1" }).click();
  await expect(page.getByTestId("recurring-summary")).toContainText("grace period 14 days");
  await page.getByTestId("recurring-summary").getByRole("link", { name: "Show them" }).click();
  await expect(page.locator("article.requirement")).toHaveCount(2);
  await expect(page.locator("#req-5\\.2-3")).toContainText("Fresh evidence every 90 days after the seal");
  await expect(page.locator("#req-5\\.2-1")).toContainText("Fresh evidence every 180 days after the seal");
  await page.screenshot({ path: "test-results/screenshots/recurring-checklist.png", fullPage: true });
  await page.goto("/checklists/etsi-en-303-645/diff?from=3.1.3&to=3.1.3-r1");
  await expect(page.getByRole("region", { name: "Changed" }).locator(".diff-field")).toHaveText([
    "recurrence changed",
    "evidence expected changed",
    "recurrence changed",
    "evidence expected changed",
  ]);
});
