// A review that changes hands: Asha scores part of it and releases it, Bram takes it, scores the rest and proposes its
// approval. Four eyes keeps Asha from confirming (she scored part of it), and with no other assessor free, Bram is
// told exactly that, on which requirement, and what to do (record his own verdict there), not that every other
// assessor is in conflict or disabled. He does it and Asha confirms. On the way, the queue names the level by its title.
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, pageAs, stateFile, submitPstiAsNewSupplier, watchConsole } from "./helpers";

test("a proposal only the first reviewer could confirm says so, and the proposer's own verdicts let her", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const unique = Date.now().toString(36);
  const { reviewUrl, organization } = await submitPstiAsNewSupplier(browser, {
    organization: `Hand Over ${unique} Ltd`,
    name: "Hana Over",
    email: `hana-${unique}@handover.test`,
    product: "Handover Baby Monitor",
    model: `HO-${unique}`,
  });

  // Assessors other tests may have added are in conflict with this new supplier: only Asha and Bram could confirm.
  const admin = await (await browser.newContext({ storageState: stateFile("admin") })).newPage();
  await admin.goto("/admin/conflicts");
  await expectHydrated(admin);
  const others = await admin
    .getByLabel("Assessor")
    .locator("option")
    .evaluateAll((options) =>
      options
        .map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? "" }))
        .filter((o) => o.value && !/assessor[12]@demo\.test/.test(o.label)),
    );
  for (const other of others) {
    await admin.getByLabel("Assessor").selectOption(other.value);
    await admin.getByLabel("Supplier organisation").selectOption({ label: organization });
    await admin.getByLabel("Reason").fill("Not part of this test's review.");
    await admin.getByRole("button", { name: "Declare" }).click();
    await expect(admin.getByRole("status")).toContainText("Conflict of interest recorded");
  }
  await admin.context().close();

  // Asha takes it, passes requirement 1 and releases it.
  const asha = await (await browser.newContext({ storageState: stateFile("assessor") })).newPage();
  const ashaProblems = watchConsole(asha);
  await asha.goto("/assessor/queue");
  const row = asha.getByRole("row", { name: /Handover Baby Monitor/ });
  await expect(row).toContainText("level Baseline"); // the level's title, not its id ("baseline")
  await asha.goto(reviewUrl);
  await expectHydrated(asha);
  await asha.getByRole("button", { name: "Take for review" }).click();
  await expect(asha.getByText("You have taken this submission for review.")).toBeVisible();
  await asha.goto(`${reviewUrl}/requirements/1`);
  await expectHydrated(asha);
  await asha.getByLabel("Pass", { exact: true }).check();
  await asha.getByRole("button", { name: "Save", exact: true }).click();
  await expect(asha.getByRole("status").filter({ hasText: "Verdict saved." })).toBeVisible();
  await asha.goto(reviewUrl);
  await expectHydrated(asha);
  await asha.getByRole("button", { name: "Release back to the queue" }).click();
  await expect(asha.getByText("Released back to the queue.")).toBeVisible();

  // Bram takes it, passes 2 and 3, and proposes: nobody can confirm it, and he is told why and what to do.
  const bram = await pageAs(browser, "assessor2@demo.test");
  const bramProblems = watchConsole(bram);
  await bram.goto(reviewUrl);
  await expectHydrated(bram);
  await bram.getByRole("button", { name: "Take for review" }).click();
  await expect(bram.getByText("You have taken this submission for review.")).toBeVisible();
  for (const ref of ["2", "3"]) {
    await bram.goto(`${reviewUrl}/requirements/${ref}`);
    await expectHydrated(bram);
    await bram.getByLabel("Pass", { exact: true }).check();
    await bram.getByRole("button", { name: "Save", exact: true }).click();
    await expect(bram.getByRole("status").filter({ hasText: "Verdict saved." })).toBeVisible();
  }
  await bram.goto(reviewUrl);
  await expectHydrated(bram);
  // Before he proposes, the Decide card warns him, next to the button, and says what to do first.
  await expect(bram.getByTestId("propose-warning")).toHaveText(
    "If you propose approval now, no other assessor can confirm it: Asha Assessor recorded the verdicts that count on requirement 1, and four eyes keeps an assessor who scored a review from confirming it. Record your own verdict on it first: Asha Assessor can then confirm it. Proposed as it stands, it waits until an administrator adds an assessor (they are told).",
  );
  await bram
    .getByTestId("propose-warning")
    .screenshot({ path: "test-results/screenshots/four-eyes-propose-warning.png" });
  await bram.getByRole("button", { name: "Propose approval" }).click();
  await expect(bram.getByText("Approval proposed; a second assessor must confirm it.")).toBeVisible();
  await expect(bram.getByTestId("propose-warning")).toHaveCount(0);
  const blocked = bram.getByTestId("waiting-for-confirmation");
  await expect(blocked).toContainText(
    "No other assessor can confirm it: Asha Assessor recorded the verdicts that count on requirement 1, and four eyes keeps an assessor who scored a review from confirming it. Withdraw the proposal, record your own verdict on it and propose again: Asha Assessor can then confirm it.",
  );
  await expect(blocked).not.toContainText("conflict of interest");
  // The line above the summary says so and points to it, without saying it all a second time.
  await expect(bram.getByTestId("proposal-state")).toContainText(
    /by you\. As it stands nobody can confirm it: what to do is under Decide\./,
  );
  await expect(bram.getByTestId("proposal-state")).not.toContainText("record your own verdict");
  await bram.screenshot({ path: "test-results/screenshots/four-eyes-handover-blocked.png", fullPage: true });

  // He does as told: withdraws, records his own verdict on 1, proposes again; now it waits for Asha.
  await bram.getByRole("button", { name: "Withdraw the proposal" }).click();
  await expect(bram.getByRole("status")).toContainText("Proposal withdrawn");
  await bram.goto(`${reviewUrl}/requirements/1`);
  await expectHydrated(bram);
  await bram.getByLabel("Pass", { exact: true }).check();
  await bram.getByRole("button", { name: "Save", exact: true }).click();
  await expect(bram.getByRole("status").filter({ hasText: "Verdict saved." })).toBeVisible();
  await bram.goto(reviewUrl);
  await expectHydrated(bram);
  await expect(bram.getByTestId("propose-warning")).toHaveCount(0); // Asha can confirm it now
  await bram.getByRole("button", { name: "Propose approval" }).click();
  await expect(bram.getByTestId("waiting-for-confirmation")).toContainText(
    "Waiting for confirmation by Asha Assessor.",
  );

  // Asha, who no longer wrote any verdict that counts, confirms it.
  await asha.goto(reviewUrl);
  await expectHydrated(asha);
  await asha.getByRole("button", { name: "Confirm approval (second assessor)" }).click();
  await expect(asha.getByRole("status")).toContainText(
    /Approval confirmed: the submission is approved\. Seal \S+ is issued\./,
  );
  expect(ashaProblems).toEqual([]);
  expect(bramProblems).toEqual([]);
  await asha.context().close();
  await bram.context().close();
});
