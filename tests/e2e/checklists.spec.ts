import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { expectHydrated, stateFile, watchConsole } from "./helpers";

test.describe("browsing checklists (supplier)", () => {
  test.use({ storageState: stateFile("supplier") });

  test("all six checklists are imported, with counts and hashes", async ({ page }) => {
    await page.goto("/checklists");
    for (const title of [
      "Cyber Security for Consumer Internet of Things: Baseline Requirements",
      "IoT Security Assurance Framework",
      /Product Security and Telecommunications Infrastructure/,
      /Cyber Resilience Act, Annex I/,
      /EN 18031: Common security requirements for radio equipment/,
    ]) {
      await expect(page.getByRole("heading", { level: 2, name: title })).toBeVisible();
    }
    const etsi = page.getByRole("region", {
      name: "Cyber Security for Consumer Internet of Things: Baseline Requirements",
    });
    await expect(etsi.getByRole("row", { name: /2\.1\.1/ })).toContainText("Baseline: 32 + 35");
    await expect(etsi.getByRole("row", { name: /^3\.1\.3 / })).toBeVisible();
    // Revision 1 of 3.1.3 adds recurring evidence (continuous monitoring) to two provisions.
    await expect(etsi.getByRole("row", { name: /^3\.1\.3-r1 / })).toBeVisible();
    // The EU Cyber Resilience Act, Annex I: Part I (1), (2)(a)-(m) and Part II (1)-(8), all mandatory.
    const cra = page.getByRole("region", { name: /Cyber Resilience Act, Annex I/ });
    await expect(cra.getByRole("row", { name: /^2024 / })).toContainText("Essential requirements: 22 + 0");
    await expect(cra.getByRole("row", { name: /^2024 / })).toContainText("5 recurring");
    // EN 18031 (RED delegated act): three cumulative levels, Part 1 then Parts 1+2 then Parts 1+2+3.
    const en18031 = page.getByRole("region", { name: /EN 18031: Common security requirements/ });
    await expect(en18031.getByRole("row", { name: /^2024 / })).toContainText("Part 1: network (Art. 3(3)(d)): 32 + 0");
    await page.screenshot({ path: "test-results/screenshots/checklists.png", fullPage: true });
  });

  test("the EN 18031 page shows its parts as levels and its decision-tree verdicts", async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto("/checklists/en-18031/2024");
    await expectHydrated(page);
    await expect(page.getByRole("heading", { level: 1, name: /EN 18031: Common security requirements/ })).toBeVisible();
    await expect(page.getByText("CEN-CENELEC", { exact: true })).toBeVisible();
    await expect(page.getByTestId("verdict-model")).toContainText("Decision tree (PASS / FAIL / NOT APPLICABLE)");
    await expect(page.getByTestId("verdict-model")).toContainText("only with a written justification");
    await expect(page.getByText(/Showing 34 of 34 requirements/)).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/checklist-en-18031.png", fullPage: false });
    // Part 1 alone leaves out the Part 2 requirements (children's access control, deletion)...
    await page.getByLabel("Show").selectOption("mandatory");
    await expect(page).toHaveURL(/level=part-1&show=mandatory/);
    await expect(page.getByText(/Showing 32 of 34 requirements at level Part 1:/)).toBeVisible();
    await expect(page.locator('[id="req-DLM-1"]')).toHaveCount(0);
    // ...which Parts 1 and 2 include.
    await page.getByLabel("Level").selectOption("part-1-2");
    await expect(page.getByText(/Showing 34 of 34 requirements at level Parts 1 and 2:/)).toBeVisible();
    await expect(page.locator('[id="req-DLM-1"]')).toBeVisible();
    // A requirement with its condition, and its crosswalk to ETSI EN 303 645 and UK PSTI.
    await page.goto("/checklists/en-18031/2024#req-AUM-5");
    const aum5 = page.locator('[id="req-AUM-5"]');
    await expect(aum5).toContainText("the equipment uses passwords");
    await expect(aum5.getByRole("link", { name: /uk-psti 1/ }).first()).toBeVisible();
    await expect(aum5.getByRole("link", { name: /etsi-en-303-645 5\.1-1/ }).first()).toBeVisible();
    expect(problems).toEqual([]);
  });

  test("filter a version by level and search it", async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto("/checklists/iotsf-assurance-framework/3.0");
    await expectHydrated(page);
    await expect(page.getByText(/Showing 95 of 95 requirements/)).toBeVisible();
    // Choosing a level and "mandatory" applies at once (with JavaScript).
    await page.getByLabel("Level").selectOption("class-0");
    // Each choice navigates; the next waits for it (a choice made mid-navigation aborts the first, and the
    // browser logs the aborted fetch as a console error: harmless to a user, but this test counts them).
    await expect(page).toHaveURL(/level=class-0/);
    await page.getByLabel("Show").selectOption("mandatory");
    await expect(page).toHaveURL(/level=class-0&show=mandatory/);
    await expect(page.getByText(/Showing 20 of 95 requirements at level Class 0/)).toBeVisible();
    await expect(page.locator("article.requirement .badge").filter({ hasText: /^Advisory$/ })).toHaveCount(0);
    await page.getByLabel("Show").selectOption("advisory");
    await expect(page.getByText(/Showing 75 of 95/)).toBeVisible();

    await page.getByLabel("Show").selectOption("all");
    await expect(page).toHaveURL(/show=all/);
    await page.getByLabel("Search", { exact: true }).fill("vulnerability disclosure");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/q=vulnerability\+disclosure/);
    const shown = page.locator("article.requirement");
    await expect(shown.first()).toBeVisible();
    for (const text of await shown.allInnerTexts())
      expect(text.toLowerCase()).toMatch(/vulnerability[\s\S]*disclosure|disclosure[\s\S]*vulnerability/);
    await page.screenshot({ path: "test-results/screenshots/checklist-version-filtered.png", fullPage: false });
    expect(problems).toEqual([]);
  });

  test("the 2.1.1 -> 3.1.3 diff shows an added provision, and a crosswalk link leads to its target", async ({
    page,
  }) => {
    await page.goto("/checklists/etsi-en-303-645");
    await page.getByLabel("From").selectOption("2.1.1");
    await page.getByLabel("To").selectOption("3.1.3");
    await page.getByRole("button", { name: "Compare" }).click();
    await expect(page).toHaveURL(/\/checklists\/etsi-en-303-645\/diff\?from=2\.1\.1&to=3\.1\.3/);
    const added = page.getByRole("region", { name: "Added in 3.1.3" });
    await expect(added.locator('[data-ref="5.0-1"]')).toBeVisible();
    await expect(added.locator('[data-ref="5.13-1A"]')).toBeVisible();
    await expect(
      page.getByRole("region", { name: "Removed since 2.1.1" }).locator('[data-ref="5.13-1"]'),
    ).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/checklist-diff.png", fullPage: false });

    // Follow the crosswalk of ETSI 5.1-1 to UK PSTI requirement 1, and see the way back.
    await page.goto("/checklists/etsi-en-303-645/2.1.1#req-5.1-1");
    const req = page.locator('[id="req-5.1-1"]');
    await expect(req.getByRole("link", { name: /uk-psti 1/ })).toHaveCount(2); // maps to PSTI 1, and PSTI 1 maps back
    await req
      .getByRole("link", { name: /uk-psti 1/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/checklists\/uk-psti\/2023#req-1$/);
    const target = page.locator('[id="req-1"]');
    await expect(target.getByRole("heading", { name: /Passwords/ })).toBeVisible();
    await expect(target.getByText("Mapped from")).toBeVisible();
    await expect(target.getByRole("link", { name: /etsi-en-303-645 5\.1-1/ }).first()).toBeVisible();

    // The CRA's coordinated vulnerability disclosure point leads to ETSI 5.2-1, which shows it back.
    await page.goto("/checklists/eu-cra-annex-i/2024#req-II.5");
    const cvd = page.locator('[id="req-II.5"]');
    await expect(
      cvd.getByText(/put in place and enforce a policy on coordinated vulnerability disclosure/),
    ).toBeVisible();
    await cvd
      .getByRole("link", { name: /etsi-en-303-645 5\.2-1/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/checklists\/etsi-en-303-645\/3\.1\.3-r1#req-5\.2-1$/);
    await expect(
      page
        .locator('[id="req-5.2-1"]')
        .getByRole("link", { name: /eu-cra-annex-i II\.5/ })
        .first(),
    ).toBeVisible();
  });
});

test.describe("managing checklists (admin)", () => {
  test.use({ storageState: stateFile("admin") });

  test("an invalid upload lists every problem next to the form and imports nothing", async ({ page }, info) => {
    const text = fs
      .readFileSync("checklists/uk-psti/2023.yaml", "utf8")
      .replace('version: "2023"', 'version: "2024"')
      .replace("  low: 180", "  low: -1")
      .replace("validity_months: 24", "validity_month: 24");
    const file = path.join(info.outputDir, "2024.yaml");
    fs.mkdirSync(info.outputDir, { recursive: true });
    fs.writeFileSync(file, text);
    await page.goto("/admin/checklists");
    await page.getByLabel("Checklist file").setInputFiles(file);
    await page.getByRole("button", { name: "Validate and import" }).click();
    const problems = page.getByRole("list", { name: "Problems in the file" });
    await expect(page.getByRole("alert")).toContainText("2024.yaml has 3 problems; nothing was imported.");
    await expect(problems).toContainText(
      /2024\.yaml:\d+:1: validity_month: unknown key "validity_month" \(did you mean "validity_months"\?\)/,
    );
    await expect(problems).toContainText(/2024\.yaml:\d+:1: validity_months: validity_months is required/);
    await expect(problems).toContainText(/2024\.yaml:\d+:\d+: disclosure_days\.low: low must be greater than zero/);
    await page.screenshot({ path: "test-results/screenshots/admin-checklist-upload-errors.png", fullPage: false });
    await page.goto("/checklists/uk-psti");
    await expect(page.getByRole("link", { name: "Version 2024", exact: true })).toHaveCount(0);
  });

  test("a valid new version imports, and a published one refuses changed content", async ({ page }, info) => {
    fs.mkdirSync(info.outputDir, { recursive: true });
    const next = path.join(info.outputDir, "2024.1.yaml");
    fs.writeFileSync(
      next,
      fs
        .readFileSync("checklists/uk-psti/2023.yaml", "utf8")
        .replace('version: "2023"', 'version: "2024.1"')
        .replace("published: 2023-09-14", "published: 2024-04-29"),
    );
    await page.goto("/admin/checklists");
    await page.getByLabel("Checklist file").setInputFiles(next);
    await page.getByRole("button", { name: "Validate and import" }).click();
    await expect(page.getByRole("status")).toContainText(
      /Imported uk-psti 2024\.1: 3 requirements, sha256 [0-9a-f]{64}/,
    );

    const edited = path.join(info.outputDir, "2023.yaml");
    fs.writeFileSync(
      edited,
      fs
        .readFileSync("checklists/uk-psti/2023.yaml", "utf8")
        .replace('title: "Passwords"', 'title: "Passwords, edited"'),
    );
    await page.getByLabel("Checklist file").setInputFiles(edited);
    await page.getByRole("button", { name: "Validate and import" }).click();
    await expect(page.getByRole("alert")).toContainText("already published with different content");
    await expect(page.getByRole("alert")).toContainText("give your changes a new version number");
  });

  test("retiring a version keeps it readable", async ({ page }) => {
    await page.goto("/admin/checklists");
    // The version the test above imported (the shipped ones stay selectable for other tests).
    const row = page.getByRole("row", { name: /Product Security .* 2024\.1/ });
    await row.getByRole("textbox").fill("Imported by mistake in this test");
    // Asked first (issue 15): the row's tick box; the answer says what happened.
    await row.getByRole("checkbox", { name: /I understand: retire uk-psti 2024\.1 for good/ }).check();
    await row.getByRole("button", { name: "Retire" }).click();
    await expect(page.getByRole("status")).toContainText("is retired: no new submission can choose it");
    await expect(page.getByRole("row", { name: /Product Security .* 2024\.1/ })).toContainText("retired");
    await page.goto("/checklists/uk-psti/2024.1");
    await expect(page.getByText("retired: no new submissions")).toBeVisible();
    await expect(page.getByText("Imported by mistake in this test")).toBeVisible();
  });
});
