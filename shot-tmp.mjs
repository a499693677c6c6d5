import { chromium } from "playwright";
const [,, url, out, w = "390", h = "844", login] = process.argv;
const b = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const p = await b.newPage({ viewport: { width: +w, height: +h } });
if (login) {
  await p.goto(new URL("/login", url).toString());
  await p.getByLabel("Email").fill(login);
  await p.getByLabel("Password", { exact: true }).fill("demo-password-2026");
  await p.getByRole("button", { name: /log in/i }).click();
  await p.waitForLoadState("networkidle");
}
await p.goto(url);
await p.waitForLoadState("networkidle");
await p.screenshot({ path: out, fullPage: true });
await b.close();
