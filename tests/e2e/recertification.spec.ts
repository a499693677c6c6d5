// Delta re-certification in the browser: the Brightnest supplier adds the fixed firmware 1.9.3 of
// the suspended Indoor Cam 1, opens a re-certification from its seal, marks one requirement as
// changed and submits; the assessor sees only the changed requirement to re-review (with the
// certified verdict beside it) and the others carried over; after four-eyes approval the old
// seal's public page says "Superseded" and links to the new seal, which links back.
// Runs in the "after" project (see playwright.config.ts): it supersedes a demo seal the other
// tests expect to find suspended.
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { seeded } from "./db";
import { expectHydrated, pageAs, watchConsole } from "./helpers";

test.describe.configure({ mode: "serial" });

test("a fixed firmware is re-certified from the suspended seal; only the changed requirement is re-reviewed; the old seal is superseded", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const oldSerial = seeded().suspendedSeal;
  const sam = await pageAs(browser, "supplier2@demo.test");
  const problems = watchConsole(sam);

  // The supplier adds the new firmware version on the product page and opens a re-certification from the seal.
  await sam.goto("/supplier/products");
  await sam.getByRole("link", { name: "Brightnest Indoor Cam 1" }).click();
  await expectHydrated(sam);
  await sam.getByLabel("Hardware revision").fill("A");
  await sam.getByLabel("Firmware version").fill("1.9.3");
  await sam.getByRole("button", { name: "Add version" }).click();
  await expect(sam.getByRole("status")).toContainText("firmware 1.9.3");
  await sam.getByText(`Re-certify from seal ${oldSerial}`).click();
  await sam.getByRole("button", { name: "Open the re-certification" }).click();
  await expect(sam.getByRole("alert").first()).toHaveText("Check the highlighted fields.");
  await expect(sam.getByText(/Say what changed in this firmware \(at least 10 characters\)/)).toBeVisible();
  await sam
    .getByLabel("What changed in firmware 1.9.3")
    .fill("Clip links are now 128-bit random tokens and expire after 24 hours.");
  await sam.getByRole("button", { name: "Open the re-certification" }).click();
  await sam.waitForURL(/\/supplier\/submissions\/[\w-]+$/);
  const banner = sam.getByTestId("recertification");
  await expect(banner).toContainText(`Re-certification of seal ${oldSerial} (firmware 1.9.2)`);
  await expect(sam.getByTestId("to-review-count")).toHaveText("0");
  await expect(sam.getByTestId("complete-count")).toHaveText("3 of 3");

  // Requirement 2 (the disclosure policy) changed with this firmware: mark it.
  await sam.getByRole("link", { name: /^2 / }).click();
  await expect(sam.getByTestId("change-mark")).toContainText("Unchanged: the certified verdict carries over.");
  await sam.getByLabel("The new firmware changes how this requirement is met").check();
  await sam.getByLabel("What changed").fill("Reports now get an acknowledgement within 1 working day.");
  await sam.getByRole("button", { name: "Save the mark" }).click();
  await expect(sam.getByRole("status")).toContainText("Marked as changed");
  await expect(sam.getByTestId("change-mark")).toContainText(
    "Marked as changed by the supplier: Reports now get an acknowledgement within 1 working day.",
  );
  await sam.getByRole("link", { name: "All requirements" }).click();
  await expect(sam.getByTestId("to-review-count")).toHaveText("1");
  await sam.screenshot({ path: "test-results/screenshots/recertification-supplier.png", fullPage: true });
  await sam.getByRole("button", { name: "Submit for assessment" }).click();
  await expect(sam.getByRole("status")).toContainText("Submitted for assessment");
  const submissionPath = new URL(sam.url()).pathname;
  const reviewPath = submissionPath.replace("/supplier/", "/assessor/");
  expect(problems).toEqual([]);

  // The assessor re-reviews one requirement; the other two carry over with their certified verdicts.
  const asha = await pageAs(browser, "assessor1@demo.test");
  await asha.goto("/assessor/queue");
  await expect(asha.getByRole("row", { name: /Brightnest Indoor Cam 1/ })).toContainText("re-certification");
  await asha.goto(reviewPath);
  await expect(asha.getByTestId("recertification")).toContainText("firmware 1.9.2 → 1.9.3");
  await expect(asha.getByTestId("recertification")).toContainText("Clip links are now 128-bit random tokens");
  await expect(asha.getByRole("heading", { name: "To re-review (1)" })).toBeVisible();
  const toReview = asha.getByRole("table", { name: "Requirements to re-review" });
  await expect(toReview.getByRole("row")).toHaveCount(2); // header + requirement 2
  await expect(toReview).toContainText("Marked as changed by the supplier");
  await expect(toReview).toContainText("not scored");
  await expect(asha.getByTestId("score-line")).toContainText("2 of 3 scored");
  await asha.getByRole("button", { name: "Take for review" }).click();
  await asha.getByRole("link", { name: /Score the next unscored \(2\)/ }).click();
  await expect(asha.getByTestId("certified-verdict")).toContainText("Certified verdict: Pass");
  await asha.screenshot({ path: "test-results/screenshots/recertification-assessor.png", fullPage: true });
  // Opened by a link, not by "Save and go to next": the page starts at its heading, as any page does (the focus is
  // put on "Pass" only on the fast path, tests/e2e/assessor.spec.ts).
  await expect(asha.getByRole("heading", { level: 1 })).toBeFocused();
  await asha.getByLabel("Pass", { exact: true }).check();
  await asha.keyboard.press("Enter");
  await asha.waitForURL(new RegExp(`${reviewPath}$`));
  await expect(asha.getByText("Nothing blocks approval")).toBeVisible();
  await asha
    .getByLabel("Note for the confirming assessor (optional)")
    .fill("The changed disclosure handling was checked against 1.9.3.");
  await asha.getByRole("button", { name: "Propose approval" }).click();
  await expect(asha.getByText("Approval proposed; a second assessor must confirm it.")).toBeVisible();

  const bram = await pageAs(browser, "assessor2@demo.test");
  await bram.goto(reviewPath);
  await bram.getByRole("button", { name: "Confirm approval (second assessor)" }).click();
  const notice = bram.getByText(/Seal IOTS-[0-9A-Z-]+ is issued/);
  await expect(notice).toBeVisible();
  const newSerial = (await notice.textContent())!.match(/IOTS-[0-9A-Z-]+/)![0];

  // Both public pages link each other; the old one says Superseded.
  const anon = await browser.newPage();
  await anon.goto(`/s/${oldSerial}`);
  await expect(anon.getByRole("heading", { level: 1 })).toContainText("Superseded");
  await expect(anon.getByTestId("seal-reason")).toHaveText(
    `Replaced by seal ${newSerial}, the re-certification of firmware 1.9.3.`,
  );
  await expect(anon.getByRole("list", { name: "Seal history" })).toContainText(
    `Superseded Replaced by seal ${newSerial}`,
  );
  // Said once in the verdict's reason; the link below it leads to the newer seal without saying it again.
  await expect(anon.getByText(`Check the seal that replaces it: ${newSerial}.`)).toBeVisible();
  await expect(anon.locator("main").getByText(/^Replaced by seal/)).toHaveCount(1);
  await anon.screenshot({ path: "test-results/screenshots/recertification-old-seal.png", fullPage: true });
  await anon.getByRole("link", { name: newSerial }).first().click();
  await expect(anon.getByRole("heading", { level: 1 })).toContainText("Valid");
  await expect(anon.getByText(`This seal replaces the earlier seal ${oldSerial}`)).toBeVisible();
  const api = (await (await anon.request.get(`/api/v1/seals/${oldSerial}`)).json()) as { status: string };
  expect(api.status).toBe("superseded");
});
