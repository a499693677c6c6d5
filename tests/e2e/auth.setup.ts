// Logs in as each role through the login form, checks the landing dashboard, saves a screenshot
// of it and the session for the other tests.
import fs from "node:fs";
import { expect, test as setup } from "./a11y"; // axe-core checks every page each test visits
import { ACCOUNTS, E2E_DIR, expectHydrated, loginViaForm, ROLES, stateFile, watchConsole } from "./helpers";

fs.mkdirSync(`${E2E_DIR}/auth`, { recursive: true });

for (const role of ROLES) {
  setup(`log in as ${role} and land on the ${role} dashboard`, async ({ page }) => {
    const problems = watchConsole(page);
    await loginViaForm(page, ACCOUNTS[role].email);
    await expect(page).toHaveURL(ACCOUNTS[role].dashboard);
    await expect(page.getByText(ACCOUNTS[role].heading)).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    await expectHydrated(page);
    await page.screenshot({ path: `test-results/screenshots/dashboard-${role}.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.context().storageState({ path: stateFile(role) });
  });
}
