// Retailer acceptance policies in the browser: the buyer writes a policy (errors named per field
// first), sees it in words, edits and deletes it; a single check shows the demo policy's verdict
// with the exact clauses missed; an API token makes the public API answer with the policies.
// (The bulk CSV check with policy results is in verify.spec.ts.)
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { seeded } from "./db";
import { expectHydrated, stateFile, watchConsole } from "./helpers";

test.use({ storageState: stateFile("retailer") });

test("a buyer writes a policy, sees it in words, edits and deletes it", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/retailer");
  await page.getByRole("link", { name: "Policies" }).click();
  await expectHydrated(page);
  const demo = page.getByTestId("policy").filter({ hasText: "Children's wearables" });
  await expect(demo).toContainText("Children's wearable");
  await expect(demo).toContainText("Meets ETSI EN 303 645 5.1-1 (directly, or through an equivalent crosswalk link)");
  await expect(demo).toContainText("No high or critical finding open past its deadline");

  // Mistakes are named field by field and nothing is saved.
  await page.getByLabel("Provisions that must be met (one per line)").fill("etsi-en-303-645:5.1\nnot a provision");
  await page.getByLabel("Support from today, at least").fill("two");
  await page.getByRole("button", { name: "Save the policy" }).click();
  await expect(page.getByRole("alert").first()).toHaveText("Check the highlighted fields.");
  await expect(page.getByText(/"not a provision" is not <checklist-id>:<ref>/)).toBeVisible();
  await expect(
    page.getByText("Enter the minimum support from today as a whole number of years or months, or leave it empty."),
  ).toBeVisible();

  await page.getByLabel("Name", { exact: true }).fill("Connected toys");
  await page.getByLabel("Applies to").selectOption("toy");
  await page.getByRole("checkbox", { name: /ETSI EN 303 645/ }).check();
  await page.getByLabel("Provisions that must be met (one per line)").fill("etsi-en-303-645:5.1");
  await page.getByLabel("Support from today, at least").fill("12");
  await page.getByLabel("Unit").selectOption("months");
  await page.getByLabel("No reported vulnerability past its deadline of severity").selectOption("medium");
  await page.getByRole("button", { name: "Save the policy" }).click();
  await expect(page.getByRole("status")).toContainText('Policy "Connected toys" saved');
  const toys = page.getByTestId("policy").filter({ hasText: "Connected toys" });
  await expect(toys).toContainText("Connected toy");
  await expect(toys).toContainText("Certified against ETSI EN 303 645 at Baseline or higher");
  await expect(toys).toContainText("Meets ETSI EN 303 645 5.1-2A");
  await expect(toys).toContainText("At least 1 year of support from today");
  await expect(toys).toContainText("No medium, high or critical finding open past its deadline");
  await page.screenshot({ path: "test-results/screenshots/policies.png", fullPage: true });

  await toys.getByRole("link", { name: "Connected toys" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connected toys");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Connected toys");
  await page.getByLabel("Name", { exact: true }).fill("Connected toys (UK)");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toContainText("Policy saved");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connected toys (UK)");
  // Asked first: without the tick box the browser does not send the form, and nothing is deleted.
  await page.getByRole("button", { name: "Delete this policy" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connected toys (UK)");
  await page.getByLabel("I understand: Connected toys (UK) is deleted for good").check();
  await page.getByRole("button", { name: "Delete this policy" }).click();
  await expect(page).toHaveURL(/\/retailer\/policies\?deleted=/);
  await expect(page.getByRole("status")).toHaveText("Policy Connected toys (UK) deleted.");
  await expect(page.getByTestId("policy").filter({ hasText: "Connected toys" })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("a single check shows whether the seal meets the buyer's policies, and exactly what it misses", async ({
  page,
}) => {
  const ids = seeded();
  await page.goto(`/verify?serial=${ids.expiredSeal}`);
  const policies = page.getByRole("region", { name: "Your acceptance policies" });
  await expect(policies).toContainText("Misses Children's wearables");
  await expect(policies).toContainText("The seal is expired, not valid.");
  await expect(policies).toContainText(
    /Issued 25 months ago \(\d{1,2} [A-Z][a-z]{2} \d{4}\); this policy accepts seals up to 24 months old\./,
  );
  await page.screenshot({ path: "test-results/screenshots/verify-policy.png", fullPage: true });
  // Anonymous visitors see the status only.
  const anonContext = await page.context().browser()!.newContext({ storageState: undefined });
  const anon = await anonContext.newPage();
  await anon.goto(`/verify?serial=${ids.expiredSeal}`);
  await expect(anon.getByRole("heading", { name: "Expired" })).toBeVisible();
  await expect(anon.getByText("Your acceptance policies")).toHaveCount(0);
  await anonContext.close();
});

test("an API token makes the public API answer with the organisation's policies; revoked, it is refused", async ({
  page,
}) => {
  const ids = seeded();
  // Its own name: an organisation's active tokens cannot share one, and a retry of this test must not meet the first try's.
  const tokenName = `Stock system ${test.info().retry}`;
  await page.goto("/retailer/api");
  await expectHydrated(page);
  await page.getByLabel("Name").fill(tokenName);
  await page.getByRole("button", { name: "Create" }).click();
  const token = (await page.getByTestId("api-token").textContent())!.trim();
  expect(token).toMatch(/^iots_/);
  await expect(page.getByLabel("Name")).toHaveValue(""); // the form starts empty again for the next token
  const answer = await page.request.get(`/api/v1/seals/${ids.expiredSeal}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = (await answer.json()) as {
    status: string;
    policies: { policy: string; meets: boolean; misses: { clause: string }[] }[];
  };
  expect(body.status).toBe("expired");
  expect(body.policies).toEqual([
    {
      policy: "Children's wearables",
      meets: false,
      // The expired watch's UK PSTI seal meets the ETSI provisions only partly (links of unspecified kind).
      misses: [
        expect.objectContaining({ clause: "status" }),
        expect.objectContaining({ clause: "provision", provision: "etsi-en-303-645:5.1-1" }),
        expect.objectContaining({ clause: "provision", provision: "etsi-en-303-645:5.2-1" }),
        expect.objectContaining({ clause: "provision", provision: "etsi-en-303-645:5.3-13" }),
        expect.objectContaining({ clause: "age" }),
      ],
    },
  ]);
  await page.reload();
  const row = page.getByRole("row", { name: new RegExp(tokenName) });
  await expect(row).not.toContainText("never"); // last used: just now
  // Asked first (issue 15): the row's tick box, then the answer names the token.
  await row.getByRole("checkbox", { name: `I understand: revoke ${tokenName} for good` }).check();
  await row.getByRole("button", { name: `Revoke ${tokenName}` }).click();
  await expect(page.getByRole("status")).toContainText(`Token "${tokenName}" revoked`);
  expect(
    (
      await page.request.get(`/api/v1/seals/${ids.expiredSeal}`, { headers: { Authorization: `Bearer ${token}` } })
    ).status(),
  ).toBe(401);
});
