// The `test` of every e2e spec that drives a browser: after each test, axe-core (WCAG 2.2 AA + best practice,
// tests/e2e/helpers.ts) checks every page the test visited, so "no accessibility problem on any page the suite
// visits" holds without each test asking for it. Two ways, because a page is seen in two ways:
// - every page a test navigated to (a full load or a client-side navigation) is opened again afterwards with the same
//   session cookie and checked, once in the run for each person and route (the same page as the same role is not
//   checked twice, across the workers too);
// - every page as the test leaves it (the result of a form post, a page after clicks) is checked live, when its
//   context closes or at the end of the test.
// A spec imports { expect, test } from "./a11y" instead of "@playwright/test".
import { createHash } from "node:crypto";
import fs from "node:fs";
import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { axeViolations, E2E_DIR } from "./helpers";

export { expect };

type ContextOptions = Parameters<Browser["newContext"]>[0];
interface Visit {
  url: string;
  cookies: { name: string; value: string }[];
  session: string; // a hash of the cookies (never the cookies themselves in the shared file)
}

/** What the run has checked already (who + route, + what the page said for pages checked live), shared by the workers. */
const checked = new Set<string>();
const CHECKED_FILE = `${E2E_DIR}/axe-checked.txt`;
function isChecked(key: string): boolean {
  if (checked.has(key)) return true;
  try {
    for (const line of fs.readFileSync(CHECKED_FILE, "utf8").split("\n")) if (line) checked.add(line);
  } catch {
    // nothing checked yet
  }
  return checked.has(key);
}
function markChecked(key: string) {
  checked.add(key);
  fs.appendFileSync(CHECKED_FILE, `${key}\n`);
}
/** A session (hash of its cookies) -> who it is (the header's user menu), learnt on the first page checked with it. */
const identities = new Map<string, string>();
/** GET pages that record the visit: opening them again would hide "changed since your last visit" from a test running
 * at the same time. They are checked live, as the test leaves them, and by tests/e2e/phone.spec.ts. */
const NO_REVISIT = [/^\/retailer\/watchlist\/?$/, /^\/logout\b/];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The route of a URL: ids and requirement refs collapsed (one submission page stands for all), seal serials kept
 * (each verdict differs). */
function routeKey(url: string): string {
  const u = new URL(url);
  const params = [...new URLSearchParams(u.search)].map(([k, v]) => (k === "serial" ? `${k}=${v}` : k)).sort();
  // One requirement page stands for all of a submission's requirements (the same template, only the text differs).
  const path = u.pathname.replace(UUID, ":id").replace(/\/requirements\/[^/]+/, "/requirements/:ref");
  return `${path}${params.length ? `?${params.join("&")}` : ""}`;
}

async function whoIsOn(page: Page): Promise<string> {
  const who = page.locator(".usermenu__who");
  return (await who.count()) ? ((await who.first().textContent()) ?? "someone").trim() : "anonymous";
}

/**
 * What state the page is in: the feedback it shows (an alert, a status message, a field in error) and the verdicts and
 * statuses it colours. A result page and the empty form at the same address are two pages to check; two requirement
 * pages that differ only in their text are one (the text does not change what axe finds, the colours and roles do).
 */
async function contentSignature(page: Page): Promise<string> {
  return page.locator("main").evaluate(
    (main) => {
      const parts = new Set<string>();
      if (main.querySelector("[role=alert]")) parts.add("alert");
      if (main.querySelector("[role=status]")) parts.add("status");
      if (main.querySelector(".field--error")) parts.add("field-error");
      if (main.querySelector("details[open]")) parts.add("open");
      for (const el of main.querySelectorAll("[data-verdict],[data-status],[data-icon]"))
        parts.add(
          el.getAttribute("data-verdict") ?? el.getAttribute("data-status") ?? el.getAttribute("data-icon") ?? "",
        );
      return [...parts].sort().join(",");
    },
    undefined,
    { timeout: 2_000 },
  );
}

export const test = base.extend<{ axeEveryPage: void }>({
  axeEveryPage: [
    async ({ browser, baseURL }, use, testInfo) => {
      const visits: Promise<Visit | null>[] = [];
      const problems: string[] = [];
      const live: Promise<void>[] = [];
      let pagesChecked = 0;
      let liveMs = 0; // time spent checking pages while the test closed their contexts
      const options = new WeakMap<BrowserContext, ContextOptions>();

      const checkLive = async (page: Page) => {
        if (page.isClosed() || !page.url().startsWith("http")) return;
        try {
          const key = `live|${await whoIsOn(page)}|${routeKey(page.url())}|${await contentSignature(page)}`;
          if (isChecked(key)) return;
          markChecked(key);
          const found = await axeViolations(page);
          pagesChecked++;
          problems.push(...found.map((f) => `${routeKey(page.url())} (as the test left it): ${f}`));
        } catch {
          // The page was navigating or closing: its GET pages are checked again below.
        }
      };
      const checkContext = async (ctx: BrowserContext) => {
        if (options.get(ctx)?.javaScriptEnabled === false) return; // axe runs as a script; its pages are revisited
        for (const page of ctx.pages()) await checkLive(page);
      };
      // Full loads and client-side (Remix) navigations alike, with the cookies the page had then.
      const watchPage = (page: Page) =>
        page.on("framenavigated", (frame) => {
          const url = frame.url();
          if (frame !== page.mainFrame() || !url.startsWith("http")) return;
          visits.push(
            page
              .context()
              .cookies(url)
              .then(
                (all) => {
                  const cookies = all.map((c) => ({ name: c.name, value: c.value }));
                  const session = createHash("sha256").update(JSON.stringify(cookies)).digest("hex").slice(0, 16);
                  return { url, cookies, session };
                },
                () => null,
              ),
          );
        });
      const watchContext = (ctx: BrowserContext, opts: ContextOptions) => {
        if (options.has(ctx)) return;
        options.set(ctx, opts ?? {});
        ctx.pages().forEach(watchPage);
        ctx.on("page", watchPage);
        const close = ctx.close.bind(ctx);
        ctx.close = async (o?: Parameters<BrowserContext["close"]>[0]) => {
          const t = Date.now();
          const done = checkContext(ctx);
          live.push(done);
          await done;
          liveMs += Date.now() - t;
          return close(o);
        };
      };

      const newContext = browser.newContext;
      browser.newContext = async (opts?: ContextOptions) => {
        const ctx = await newContext.call(browser, opts);
        watchContext(ctx, opts);
        return ctx;
      };
      try {
        await use();
      } finally {
        browser.newContext = newContext;
      }

      testInfo.setTimeout(testInfo.timeout + 60_000);
      const started = Date.now();
      // The pages as the test left them (contexts it did not close).
      for (const ctx of browser.contexts()) if (options.has(ctx)) await checkContext(ctx);
      await Promise.all(live);

      // Every page again, with the session it was seen with.
      const todo = new Map<string, Visit>();
      for (const v of await Promise.all(visits)) {
        if (!v || NO_REVISIT.some((re) => re.test(new URL(v.url).pathname))) continue;
        const key = `get|${identities.get(v.session) ?? v.session}|${routeKey(v.url)}`;
        if (!isChecked(key) && !todo.has(key)) todo.set(key, v);
      }
      const contexts = new Map<string, BrowserContext>();
      try {
        for (const [key, v] of todo) {
          if (isChecked(key)) continue;
          let ctx = contexts.get(v.session);
          if (!ctx) {
            ctx = await newContext.call(browser, { storageState: undefined, baseURL });
            const origin = new URL(v.url).origin;
            if (v.cookies.length) await ctx.addCookies(v.cookies.map((c) => ({ ...c, url: origin })));
            contexts.set(v.session, ctx);
          }
          const page = ctx.pages()[0] ?? (await ctx.newPage());
          const response = await page.goto(v.url);
          // Not a page (a feed, a file), or gone since (a session logged out): nothing to check.
          if (!response || !(response.headers()["content-type"] ?? "").includes("text/html")) continue;
          if (new URL(page.url()).pathname !== new URL(v.url).pathname) continue;
          const who = await whoIsOn(page);
          identities.set(v.session, who);
          // An error page (a draft deleted since) is checked once, without standing for the route's real page.
          const status = response.status();
          const byWho = `get|${who}|${routeKey(v.url)}${status >= 400 ? `|${status}` : ""}`;
          if (status < 400) markChecked(key);
          if (isChecked(byWho)) continue;
          markChecked(byWho);
          pagesChecked++;
          problems.push(...(await axeViolations(page)).map((f) => `${routeKey(v.url)} as ${who}: ${f}`));
        }
      } finally {
        for (const ctx of contexts.values()) await ctx.close();
      }
      const seconds = ((Date.now() - started + liveMs) / 1000).toFixed(1);
      testInfo.annotations.push({ type: "axe", description: `${pagesChecked} page(s) checked in ${seconds} s` });
      expect(problems, "axe-core (WCAG 2.2 AA + best practice) on the pages this test visited").toEqual([]);
    },
    { auto: true },
  ],
});
