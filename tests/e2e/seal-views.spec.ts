// Issue 15: a seal that never misleads. Each verdict has its own icon, colour and words, the trust
// mark (tick rosette, "IoT Seal" label) is shown on a valid seal only, and the public page opens with
// a plain-language summary for shoppers, the engineering details folded below. Screenshots of the
// public page (valid, suspended) and of a "not genuine" answer on /verify, at desktop and phone width.
import fs from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { seeded } from "./db";
import { axeViolations, expectHydrated, stateFile, watchConsole } from "./helpers";

const ids = seeded();

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

/** axe-core problems inside what this issue draws: the verdict banner and badges, the summary, the folded details. */
async function verdictViolations(page: Page): Promise<string[]> {
  return (await axeViolations(page)).filter((v) => /seal-status|verdict|shopper-summary|tech-details|trust-/.test(v));
}

/** A credential whose payload was altered after signing (the firmware), keeping its signature. */
function tampered(jws: string): string {
  const [header, payload, signature] = jws.trim().split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  const subject = claims.credentialSubject ?? claims.vc?.credentialSubject;
  subject.firmwareVersion = "9.9.9";
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

for (const vp of VIEWPORTS) {
  test.describe(`at ${vp.name} width (${vp.width}x${vp.height})`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height }, storageState: { cookies: [], origins: [] } });

    test("a valid seal: the trust mark, then what it means for a shopper; the engineering details folded", async ({
      page,
    }) => {
      const problems = watchConsole(page);
      await page.goto(`/s/${ids.activeSeal}`);
      const banner = page.locator("section.seal-status");
      await expect(banner.getByTestId("seal-verdict")).toHaveText("Valid");
      await expect(banner).toHaveAttribute("data-trust-mark", "yes");
      await expect(banner.getByTestId("trust-mark")).toBeVisible();
      await expect(banner.getByText(`IoT Seal ${ids.activeSeal}`)).toBeVisible();

      const summary = page.getByRole("region", { name: "What this seal means for you" });
      await expect(summary.getByTestId("summary-checklist")).toContainText(
        "ETSI EN 303 645: Cyber Security for Consumer Internet of Things: Baseline Requirements 3.1.3 with continuous monitoring, level Baseline",
      );
      await expect(summary.getByTestId("summary-checklist")).not.toContainText("3.1.3-r1");
      await expect(summary.getByTestId("summary-promises")).toContainText("No default passwords");
      await expect(summary.getByTestId("summary-support")).toContainText(
        /^Security updates until [A-Z][a-z]+ \d{4} \(\d+ years? from going on sale\)\.$/,
      );
      await expect(summary.getByTestId("summary-report")).toHaveAttribute("href", /^https:\/\//);
      await expect(summary.getByTestId("shopper-advice")).toHaveCount(0); // nothing to worry about
      // The summary comes first: above the signed facts and the history.
      const top = async (selector: string) => (await page.locator(selector).first().boundingBox())!.y;
      expect(await top("[data-testid=shopper-summary]")).toBeLessThan(await top("[data-testid=signed-facts]"));

      // Keys, JWKS, the log and the Merkle root are folded away until asked for.
      const details = page.getByTestId("tech-details");
      await expect(details).not.toHaveAttribute("open", "");
      await expect(page.getByText(/Evidence Merkle root/)).toBeHidden();
      await shot(page, `seal-page-valid-${vp.name}`);
      await details.locator("summary").click();
      await expect(page.getByText(/Evidence Merkle root [0-9a-f]{64}/)).toBeVisible();
      await expect(details.getByRole("link", { name: "/.well-known/jwks.json" })).toBeVisible();

      expect(await verdictViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    });

    test("a suspended seal: its own icon and colour, no trust mark, and what to do first", async ({ page }) => {
      const problems = watchConsole(page);
      await page.goto(`/s/${ids.suspendedSeal}`);
      const banner = page.locator("section.seal-status");
      await expect(banner.getByTestId("seal-verdict")).toHaveText("Suspended");
      await expect(banner).toHaveAttribute("data-verdict", "suspended");
      await expect(banner).toHaveAttribute("data-trust-mark", "no");
      await expect(page.getByTestId("trust-mark")).toHaveCount(0);
      await expect(banner.locator("svg[data-icon=pause]")).toBeVisible();
      await expect(banner.getByText(`IoT Seal ${ids.suspendedSeal}`)).toHaveCount(0);
      await expect(banner.getByText(`Serial ${ids.suspendedSeal}`)).toBeVisible();

      const summary = page.getByRole("region", { name: "What this means for you" });
      await expect(summary.getByTestId("shopper-advice")).toContainText("Do not rely on this seal for now");
      await expect(summary.getByTestId("summary-promises")).toHaveCount(0); // no promise is shown as in force
      // UK PSTI: the title once, not "Regulations 2023 2023".
      await expect(summary.getByTestId("summary-checklist")).toContainText("Regulations 2023, level Baseline");
      await expect(page.locator("body")).not.toContainText("2023 2023");
      await shot(page, `seal-page-suspended-${vp.name}`);
      expect(await verdictViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    });

    test("a tampered credential on /verify: 'Not genuine', its own warning icon, and no trust mark anywhere", async ({
      page,
    }) => {
      const problems = watchConsole(page);
      const genuine = await (await page.request.get(`/s/${ids.activeSeal}/credential`)).text();
      await page.goto("/verify");
      await expectHydrated(page);
      await page.getByLabel("Credential (seal.vc.jwt)").fill(tampered(genuine));
      await page.getByRole("button", { name: "Check credential" }).click();
      const result = page.getByTestId("verify-result");
      await expect(result.getByTestId("seal-verdict")).toHaveText("Not genuine");
      const banner = result.locator("section.seal-status");
      await expect(banner).toHaveAttribute("data-verdict", "forged");
      await expect(banner).toHaveAttribute("data-trust-mark", "no");
      await expect(banner.locator("svg[data-icon=alert]")).toBeVisible();
      await expect(page.getByTestId("trust-mark")).toHaveCount(0);
      await expect(page.locator("main .trust-label")).toHaveCount(0);
      await shot(page, `verify-not-genuine-${vp.name}`);

      // Not found: its own icon too, and no trust mark.
      await page.goto("/verify?serial=IOTS-0000-0000");
      await expect(page.getByTestId("seal-verdict")).toHaveText("Not found");
      await expect(page.locator("section.seal-status svg[data-icon=question]")).toBeVisible();
      await expect(page.getByTestId("trust-mark")).toHaveCount(0);
      expect(await verdictViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
}

test("bulk results: each verdict's badge has its own icon and words, and none carries the trust mark", async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ storageState: stateFile("retailer") });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const file = testInfo.outputPath("seal-views.csv");
  fs.writeFileSync(
    file,
    ["serial", ids.activeSeal, ids.expiredSeal, ids.suspendedSeal, ids.revokedSeal, "IOTS-0000-0000"].join("\n") + "\n",
  );
  await page.goto("/retailer/verify/bulk");
  await expectHydrated(page);
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Check all" }).click();
  await page.waitForURL(/\/retailer\/verify\/bulk\/[\w-]+$/);
  const rows = page.getByTestId("attention-rows");
  const icons: Record<string, string> = {
    expired: "clock",
    suspended: "pause",
    revoked: "ban",
    not_found: "question",
  };
  for (const [verdict, icon] of Object.entries(icons)) {
    const badge = rows.locator(`.verdict-badge[data-verdict="${verdict}"]`).first();
    await expect(badge.locator(`svg[data-icon="${icon}"]`)).toBeVisible();
  }
  await expect(rows.locator(".verdict-badge").filter({ hasText: "Not found" })).toHaveCount(1);
  await expect(page.getByTestId("trust-mark")).toHaveCount(0);
  await expect(page.getByTestId("bulk-summary").locator("svg[data-icon]")).toHaveCount(8); // seven verdicts and "not valid"
  await page.screenshot({ path: "test-results/screenshots/bulk-result-verdicts.png", fullPage: true });
  expect(await verdictViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
  await context.close();
});

test("a serial nobody issued (a typo, or a label that is not genuine): a verdict and what to do, answered 404", async ({
  browser,
}) => {
  const context = await browser.newContext({
    storageState: { cookies: [], origins: [] },
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  const res = await page.goto("/s/IOTS-XXXX-XXXX");
  expect(res?.status()).toBe(404);
  await expect(page).toHaveTitle("No such seal — IoT Seal");
  await expect(page.getByTestId("seal-verdict")).toHaveText("Not found");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("IOTS-XXXX-XXXX");
  await expect(page.getByTestId("trust-mark")).toHaveCount(0);
  await expect(page.getByTestId("unknown-seal-advice")).toContainText("do not rely on it");
  await shot(page, "seal-unknown-phone");
  // Its credential and certificate addresses are 404 too, kept by no cache or CDN: the serial may yet be issued.
  for (const artefact of ["credential", "seal.pdf"]) {
    const r = await page.request.get(`/s/IOTS-XXXX-XXXX/${artefact}`);
    expect({ artefact, status: r.status(), cache: r.headers()["cache-control"] }).toEqual({
      artefact,
      status: 404,
      cache: "no-store",
    });
  }
  // Half a serial is not read as another serial: what was typed is shown back, not IOTS-10TS-K0VF.
  await page.goto("/s/IOTS-K0VF");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("IOTS-K0VF");
  await page.getByRole("link", { name: "check it on the verify page" }).click();
  await expect(page).toHaveURL(/\/verify\?serial=IOTS-K0VF$/);
  await expect(page.getByLabel("Seal serial")).toHaveValue("IOTS-K0VF");
  // The seal page's address pasted into the serial field (what a QR code reader shows), with a closing full stop.
  await page.goto(`/verify?serial=${encodeURIComponent(`https://seal.example/s/${ids.activeSeal}`)}`);
  await expect(page.getByTestId("verify-result").getByTestId("seal-verdict")).toHaveText("Valid");
  await page.goto(`/verify?serial=${encodeURIComponent(`${ids.activeSeal}.`)}`);
  await expect(page.getByTestId("verify-result").getByTestId("seal-verdict")).toHaveText("Valid");
  await context.close();
});
