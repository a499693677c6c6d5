// "Changed since your last visit" on the watchlist: a plain visit of the page marks what it lists as
// seen; the page shown again after one of its forms was sent (the form's URL carries the cursor the
// visit showed) lists the same changes and marks nothing. Watching a product copies its past into the
// feed as history (`backfill: true`), listed apart from the changes; past CHANGES_LISTED the page says
// how many more. Against a real database; the page's loader is called as Remix calls it.
import { beforeAll, describe, expect, it } from "vitest";
import { watchEvents } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { signUpConfirmed } from "../../support/signup";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { buyerDashboard } from "../../../app/features/retail/dashboard.server";
import {
  CHANGES_LISTED,
  watchBySerial,
  watchlistFeed,
  watchlistView,
} from "../../../app/features/retail/watchlist.server";
import { db } from "../../../app/platform/db.server";
import { actorByEmail, asha } from "../../support/actors";
import { sessionCookie } from "../../support/http";

const EMAIL = "pip@visits.test";
const PASSWORD = "a long enough password";
const shop = () => actorByEmail(EMAIL);
let serials: Record<string, string>;
let cookie: string;

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
  await signUpConfirmed(
    { kind: "retailer", organizationName: "Visits Ltd", name: "Pip", email: EMAIL, password: PASSWORD },
    { ip: "192.0.2.91" },
  );
  cookie = await sessionCookie(EMAIL, "192.0.2.91", PASSWORD);
});

/** The watchlist page's loader at `path` (what a visit, or the page after a form was sent, loads). */
async function page(path = "/retailer/watchlist") {
  const { loader } = await import("../../../app/routes/retailer.watchlist._index");
  return loader({
    request: new Request(`http://localhost${path}`, { headers: { Cookie: cookie } }),
    params: {},
    context: {},
  } as never);
}

describe("watching a product brings its history, as history", () => {
  it("its past seal events are not changes since the last visit, and the feed marks them backfill: true", async () => {
    await page(); // a first visit: nothing yet
    const plug = serials["Brightnest Smart Plug 1.2.0"];
    watchBySerial(shop(), { serial: plug, label: "" }); // issued, then revoked, long ago
    const view = await watchlistView(shop());
    expect(view.changes).toEqual([]);
    expect(view.history.map((e) => [e.type, e.serial, e.backfill])).toEqual([
      ["seal.revoked", plug, true],
      ["seal.issued", plug, true],
    ]);
    expect(watchlistFeed(shop(), 0).events.map((e) => [e.type, e.backfill])).toEqual([
      ["seal.issued", true],
      ["seal.revoked", true],
    ]);
    // Nothing new for the dashboard either.
    expect((await buyerDashboard(shop())).unseenChanges).toBe(0);
    // A second product's past is listed with the first's by date, newest first (not product by product).
    watchBySerial(shop(), { serial: serials["Brightnest Smart Speaker 1.0.3"], label: "" });
    const dates = (await watchlistView(shop())).history.map((e) => Date.parse(e.at));
    expect(dates.length).toBeGreaterThan(2);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it("a change after the watch started is a change, without the flag", async () => {
    const watch = serials["Gator Kids Watch 3 3.1.0"];
    watchBySerial(shop(), { serial: watch, label: "" });
    const since = watchlistFeed(shop(), 0, 500).next;
    changeSealStatus(asha(), { serial: watch, action: "suspend", reason: "Checked after a report." });
    const [event] = watchlistFeed(shop(), since).events;
    expect(event).toMatchObject({ type: "seal.suspended", serial: watch });
    expect(event).not.toHaveProperty("backfill");
    expect((await watchlistView(shop())).changes.map((c) => c.type)).toEqual(["seal.suspended"]);
  });
});

describe("what marks the changes as seen", () => {
  it("a plain visit marks them; the page after a form was sent (at the form's URL) lists them again and marks nothing", async () => {
    const first = await page();
    expect(first.changes.map((c) => c.type)).toEqual(["seal.suspended"]);
    expect(first.history.map((c) => c.type)).toContain("seal.issued");
    // The forms post to `?index&since=<cursor>&visit=<ms>`: the loader that follows the action reads it.
    const url = `/retailer/watchlist?index&since=${first.since}&visit=${new Date(first.lastVisit!).getTime()}`;
    for (let i = 0; i < 2; i++) {
      const again = await page(url);
      expect(again.changes).toEqual(first.changes);
      expect(again.history).toEqual(first.history);
      expect(again.lastVisit).toEqual(first.lastVisit);
    }
    // The next plain visit: seen.
    const next = await page();
    expect(next.changes).toEqual([]);
    expect(next.history).toEqual([]);
    expect(await page()).toMatchObject({ changes: [], history: [] });
  });

  it("a cursor that is not a number is ignored: a plain visit", async () => {
    const view = await page("/retailer/watchlist?since=abc&visit=-1");
    expect(view.changes).toEqual([]);
  });
});

describe("more changes than the page lists", () => {
  it(`lists the newest ${CHANGES_LISTED} and says how many more; the dashboard counts them all`, async () => {
    await page();
    const product = watchlistFeed(shop(), 0, 500).events[0].product;
    const at = new Date();
    for (let i = 0; i < CHANGES_LISTED + 5; i++)
      db()
        .insert(watchEvents)
        .values({
          organizationId: shop().organizationId,
          type: "policy.met",
          productId: product.id,
          serial: null,
          body: JSON.stringify({
            id: `test-${i}`,
            type: "policy.met",
            serial: null,
            reason: `Change ${i}`,
            product,
            at,
          }),
          at,
        })
        .run();
    const view = await page();
    expect(view.changes).toHaveLength(CHANGES_LISTED);
    expect(view.changes[0].reason).toBe(`Change ${CHANGES_LISTED + 4}`); // newest first
    expect(view.moreChanges).toBe(5);
    expect((await page()).changes).toEqual([]); // all of them were marked seen, the 5 not listed included
  });

  it("the dashboard counts every unseen change, not only the listed ones", async () => {
    const product = watchlistFeed(shop(), 0, 500).events[0].product;
    const at = new Date();
    for (let i = 0; i < CHANGES_LISTED + 1; i++)
      db()
        .insert(watchEvents)
        .values({
          organizationId: shop().organizationId,
          type: "policy.met",
          productId: product.id,
          serial: null,
          body: JSON.stringify({ id: `more-${i}`, type: "policy.met", serial: null, reason: `More ${i}`, product, at }),
          at,
        })
        .run();
    expect((await buyerDashboard(shop())).unseenChanges).toBe(CHANGES_LISTED + 1);
  });
});
