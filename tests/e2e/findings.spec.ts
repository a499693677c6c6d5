// A vulnerability report from both sides: an assessor records one (CVSS scored, deadline set from
// the checklist), the supplier sees the clock and answers, flags it actively exploited and sees the CRA
// Article 14 deadlines; a retail buyer cannot see it.
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, stateFile, watchConsole } from "./helpers";

test("an assessor records a report; the supplier sees the clock and answers it; a buyer is refused", async ({
  browser,
}) => {
  const asha = await (await browser.newContext({ storageState: stateFile("assessor") })).newPage();
  const problems = watchConsole(asha);
  await asha.goto("/assessor");
  await asha.getByRole("link", { name: "Vulnerabilities" }).click();
  await asha.getByRole("link", { name: "Record a report" }).click();
  await asha
    .getByLabel("Product")
    .selectOption({ label: "Brightnest Video Doorbell (BN-VD1) — Brightnest Smart Home Ltd" });
  await asha.getByRole("button", { name: "Continue" }).click();
  await expectHydrated(asha);
  await asha.getByLabel(/firmware 1\.8\.0/).check();
  await asha.getByLabel("Title").fill("Doorbell stream reachable without auth on the LAN");
  await asha
    .getByLabel("Description")
    .fill("The RTSP stream on port 554 answers without credentials to any device on the local network.");
  await asha.getByLabel("Severity").selectOption("medium");
  await asha.getByLabel("CVSS 3.1 vector (optional)").fill("CVSS:3.1/AV:X/AC:L");
  await asha.getByLabel("Reported by").fill("Home-lab researcher");
  await asha.getByRole("button", { name: "Record the report" }).click();
  await expect(asha.getByText(/AV \(Attack Vector\) must be one of/).first()).toBeVisible(); // the bad vector is named, nothing recorded
  await asha.getByLabel(/firmware 1\.8\.0/).check();
  await asha.getByLabel("CVSS 3.1 vector (optional)").fill("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N");
  await asha.getByRole("button", { name: "Record the report" }).click();
  await expect(asha.getByRole("heading", { level: 1 })).toHaveText("Doorbell stream reachable without auth on the LAN");
  await expect(asha.getByText("6.5")).toBeVisible();
  await expect(asha.getByTestId("severity-vs-cvss")).toHaveCount(0); // Medium, as the 6.5 rates: nothing to explain
  await expect(asha.getByTestId("disclosure-clock")).toContainText("days left");
  await asha.screenshot({ path: "test-results/screenshots/finding-assessor.png", fullPage: true });
  const url = new URL(asha.url()).pathname;

  const sam = await browser.newPage({ storageState: undefined });
  await sam.goto("/login");
  await sam.getByLabel("Email").fill("supplier2@demo.test");
  await sam.getByLabel("Password").fill("demo-password-2026");
  await sam.getByRole("button", { name: "Log in" }).click();
  await sam.getByRole("link", { name: "Vulnerabilities" }).click();
  await expect(sam).toHaveURL(/\/findings$/); // (the dashboard links the report too, in its open reports and its activity)
  await sam.getByRole("link", { name: "Doorbell stream reachable without auth on the LAN", exact: true }).click();
  await expect(sam.getByRole("heading", { level: 1 })).toHaveText("Doorbell stream reachable without auth on the LAN");
  await expect(sam.getByTestId("disclosure-clock")).toContainText("days left");
  await sam
    .getByRole("form", { name: "Acknowledge" })
    .getByLabel("Note (optional)")
    .fill("Reproduced; a fix is planned for 1.8.1.");
  await sam.getByRole("button", { name: "Acknowledge" }).click();
  await expect(sam.getByRole("status")).toContainText("Acknowledged.");
  await expect(sam.getByText("Reproduced; a fix is planned for 1.8.1.")).toBeVisible();
  // CRA Article 14: the supplier flags the report actively exploited (aware now) and sees the three deadlines.
  const flag = sam.getByRole("form", { name: "Flag for CRA Article 14 reporting" });
  await flag.getByLabel("Actively exploited (Article 14(2))").check();
  await flag.getByRole("button", { name: "Flag the report" }).click();
  await expect(sam.getByRole("status")).toContainText("the CRA Article 14 reporting clocks are running");
  const cra = sam.getByTestId("cra-clocks");
  await expect(cra.getByTestId("cra-early_warning")).toContainText("Article 14(2)(a)");
  await expect(cra.getByTestId("cra-early_warning")).toContainText("due");
  await expect(cra.getByTestId("cra-notification")).toContainText("Article 14(2)(b)");
  await expect(cra.getByTestId("cra-final_report")).toContainText("Article 14(2)(c)");
  await expect(cra.getByTestId("cra-final_report")).toContainText("waiting");
  // What the embargo panel says watching buyers see is what they are shown: the count, and now the CRA line.
  await expect(sam.getByTestId("embargo-scope")).toContainText(
    'they also see "An actively exploited vulnerability (medium) is being handled (CRA Article 14)"',
  );
  // "Fixed in version…" without a version: the message is on the version field, which is marked.
  const fixed = sam.getByRole("form", { name: "Fixed in version…" });
  await fixed.getByRole("button", { name: "Fixed in version…" }).click();
  await expect(fixed.getByRole("alert")).toHaveText("Enter the firmware version that contains the fix.");
  await expect(fixed.getByLabel("Firmware version with the fix")).toHaveAttribute("aria-invalid", "true");
  await sam.screenshot({ path: "test-results/screenshots/finding-supplier.png", fullPage: true });

  const buyer = await (await browser.newContext({ storageState: stateFile("retailer") })).newPage();
  const r = await buyer.goto(url);
  expect(r?.status()).toBe(403);
  expect(problems).toEqual([]);
});

test("a report recorded above its CVSS rating says so beside the score", async ({ browser }) => {
  // The demo watch's report: High, with a 6.5 (Medium) vector: the assessor was stricter on purpose.
  const grace = await (await browser.newContext({ storageState: stateFile("supplier") })).newPage();
  await grace.goto("/findings");
  await grace.getByRole("link", { name: "Location history readable after unpairing" }).click();
  await expect(grace.getByRole("heading", { level: 1 })).toHaveText("Location history readable after unpairing");
  await expect(grace.getByTestId("severity-vs-cvss")).toHaveText(
    "CVSS rates 6.5 Medium; the report is recorded as High, stricter: its severity, not the score, sets the disclosure deadline and whether seals are suspended.",
  );
  // Reported 80 days ago (the bug bounty), recorded when the demo was made: the history names both dates.
  await expect(grace.getByRole("region", { name: "History" })).toContainText(
    /Recorded \(reported on \d{1,2} \w+ \d{4}\)\./,
  );
});
