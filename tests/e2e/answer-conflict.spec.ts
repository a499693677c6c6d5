// The supplier's answer form when it goes wrong, with and without JavaScript: a save over an answer changed in another
// tab shows the stored answer (and the user's text, read-only, to copy), and an over-long field is named at the top and
// has its message next to it.
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { axeViolations, expectHydrated, openPstiSubmission, stateFile, watchConsole } from "./helpers";

test.describe.configure({ mode: "serial" });
test.use({ storageState: stateFile("supplier") });

let submissionUrl = "";

const CONFLICT =
  /^The answer to requirement \d was changed \(in another tab or by a colleague\) after you opened it, so your change was not saved\. The saved answer is shown now; your text is below so you can copy it\.$/;

/** Two tabs of one session on the same requirement. */
async function twoTabs(browser: Browser, javaScriptEnabled: boolean, ref: string): Promise<[Page, Page]> {
  const context = await browser.newContext({ javaScriptEnabled, storageState: stateFile("supplier") });
  const a = await context.newPage();
  const b = await context.newPage();
  for (const tab of [a, b]) {
    await tab.goto(`${submissionUrl}/requirements/${ref}`);
    if (javaScriptEnabled) await expectHydrated(tab);
  }
  return [a, b];
}

const justification = (page: Page) => page.getByLabel("Justification", { exact: true });
const noEvidenceReason = (page: Page) => page.getByLabel("If no evidence file is possible, why");

async function save(page: Page) {
  await page.getByRole("button", { name: "Save", exact: true }).click();
}

/** B saves first, then A saves other text: A sees the stored (B's) answer at its revision, and its own text to copy. */
async function expectConflictShowsStoredAnswer(a: Page, b: Page, js: boolean) {
  await b.getByLabel("Implemented", { exact: true }).check();
  await justification(b).fill("Tab B: unique per-device passwords.");
  await save(b);
  await expect(b.getByRole("status").filter({ hasText: "Answer saved." })).toBeVisible();

  await a.getByLabel("Not implemented", { exact: true }).check();
  await justification(a).fill("Tab A: still to do.");
  await save(a);
  await expect(a.getByRole("alert").first()).toHaveText(CONFLICT);
  await expect(justification(a)).toHaveValue("Tab B: unique per-device passwords.");
  await expect(a.getByLabel("Implemented", { exact: true })).toBeChecked();
  await expect(a.getByLabel("Not implemented", { exact: true })).not.toBeChecked();
  const unsaved = a.getByTestId("unsaved-answer");
  await expect(unsaved).toContainText("Your claim: Not implemented");
  await expect(unsaved.getByLabel("Your justification (not saved)")).toHaveValue("Tab A: still to do.");
  await expect(unsaved.getByLabel("Your justification (not saved)")).toHaveJSProperty("readOnly", true);
  if (js) expect(await axeViolations(a)).toEqual([]); // axe-core runs in the page: not without JavaScript

  // Saving again applies to the answer as shown (its current revision): no silent overwrite, no second conflict.
  await justification(a).fill("Tab B: unique per-device passwords. Tab A: checked.");
  await save(a);
  await expect(a.getByRole("status").filter({ hasText: "Answer saved." })).toBeVisible();
  await expect(a.getByTestId("unsaved-answer")).toHaveCount(0);
  await expect(justification(a)).toHaveValue("Tab B: unique per-device passwords. Tab A: checked.");
}

/** Takes the textareas' maxlength off through the DevTools protocol (page.evaluate needs the page's JavaScript). */
async function dropMaxLength(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send("DOM.getDocument");
  const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector: "textarea[maxlength]" });
  for (const nodeId of nodeIds) await cdp.send("DOM.removeAttribute", { nodeId, name: "maxlength" });
  await cdp.detach();
}

/** Text over the limit (the textarea's maxlength taken off, as a client without it would send): named, not saved. */
async function expectTooLongNamed(page: Page, field: "justification" | "noEvidenceReason", js: boolean) {
  await dropMaxLength(page);
  await page.getByLabel("Implemented", { exact: true }).check();
  if (field === "justification") {
    await justification(page).fill("x".repeat(10_001));
  } else {
    await justification(page).fill("The policy is a public web page.");
    await noEvidenceReason(page).fill("y".repeat(5_001));
  }
  await save(page);
  const label = field === "justification" ? "Justification" : "If no evidence file is possible, why";
  const limit = field === "justification" ? "10,000" : "5,000";
  await expect(page.getByRole("alert").first()).toHaveText(`Not saved. ${label}: At most ${limit} characters.`);
  const box = field === "justification" ? justification(page) : noEvidenceReason(page);
  await expect(box).toHaveAttribute("aria-invalid", "true");
  await expect(box).toHaveAccessibleDescription(new RegExp(`At most ${limit} characters\\.$`));
  await expect(page.locator(`#${field}-error`)).toHaveText(`At most ${limit} characters.`);
  await expect(box).toHaveValue(new RegExp(`^${field === "justification" ? "x" : "y"}+$`)); // the text is kept
  if (js) expect(await axeViolations(page)).toEqual([]);
}

test("a supplier opens a submission to answer", async ({ page }) => {
  submissionUrl = await openPstiSubmission(
    page,
    "Gator Two Tabs",
    `GW-TT-${Date.now().toString(36)}`,
    "https://gatorwearables.example/security",
  );
});

test("with JavaScript: a save conflict shows the stored answer; an over-long field is named", async ({ browser }) => {
  const [a, b] = await twoTabs(browser, true, "1");
  const problems = watchConsole(a);
  // The textareas hold no more than the server takes.
  await expect(justification(a)).toHaveAttribute("maxlength", "10000");
  await expect(noEvidenceReason(a)).toHaveAttribute("maxlength", "5000");
  await expectConflictShowsStoredAnswer(a, b, true);
  await b.reload();
  await expectHydrated(b);
  await expectTooLongNamed(b, "justification", true);
  expect(problems).toEqual([]);
  await a.context().close();
});

test("without JavaScript: the same", async ({ browser }) => {
  const [a, b] = await twoTabs(browser, false, "2");
  await expectConflictShowsStoredAnswer(a, b, false);
  await b.goto(`${submissionUrl}/requirements/3`);
  await expectTooLongNamed(b, "noEvidenceReason", false);
  await a.context().close();
});
