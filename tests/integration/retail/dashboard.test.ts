// The retail buyer's dashboard on the demo data: the watched seals counted by verdict (the demo speaker's
// valid seal counted as "valid, update required"), the policy misses as the watchlist judges them, the
// latest alerts newest first, the organisation's tokens and webhooks; another shop sees none of it;
// reading the dashboard does not mark the watchlist's changes as seen.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { signUpConfirmed } from "../../support/signup";
import { createApiToken, revokeApiToken } from "../../../app/features/accounts/api-tokens.server";
import { buyerDashboard, LATEST_ALERTS } from "../../../app/features/retail/dashboard.server";
import { watchEventsOf } from "../../../app/features/retail/watch-feed.server";
import { watchBySerial, watchlistView } from "../../../app/features/retail/watchlist.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { actorByEmail, asha, buyer, grace } from "../../support/actors";

beforeAll(async () => {
  await seedDemoData();
});

describe("the buyer's dashboard", () => {
  it("counts the watched seals by verdict, a valid seal that needs a firmware update apart", async () => {
    const d = await buyerDashboard(buyer());
    expect(d.products).toBe(5); // the demo buyer watches the five demo products
    expect(d.counts).toMatchObject({ valid: 1, valid_update_required: 1, suspended: 1, revoked: 1, expired: 1 });
    const total = Object.values(d.counts).reduce((a, b) => a + b, 0);
    expect(total).toBe((await watchlistView(buyer())).rows.length);
    expect(d.seals).toBe(total - d.counts.no_seal);
  });

  it("lists the policy misses exactly as the watchlist judges them", async () => {
    const d = await buyerDashboard(buyer());
    expect(d.hasPolicies).toBe(true);
    const view = await watchlistView(buyer());
    const expected = view.rows.flatMap((r) =>
      (r.policies ?? []).filter((p) => !p.meets).map((p) => `${r.seal!.serial}:${p.policyName}`),
    );
    expect(d.policyMisses.map((m) => `${m.serial}:${m.policyName}`)).toEqual(expected);
    for (const m of d.policyMisses) expect(m.misses.length).toBeGreaterThan(0);
  });

  it("says a watched product's actively exploited vulnerability is being handled: the fact and its severity only", async () => {
    const d = await buyerDashboard(buyer());
    // The demo watch's open high report, flagged actively exploited (CRA Article 14), still under embargo.
    expect(d.exploited).toEqual([
      { productId: expect.any(String), product: "Gator Kids Watch 3", severities: ["high"], incidents: [] },
    ]);
    expect(JSON.stringify(d.exploited)).not.toContain("Location history");
  });

  it("shows the latest alerts newest first, without marking anything seen", async () => {
    // The demo buyer's feed holds only the history its watches copied (not alerts): two changes since.
    const gator = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    changeSealStatus(asha(), { serial: gator, action: "suspend", reason: "Under review for a reported issue." });
    changeSealStatus(asha(), { serial: gator, action: "reinstate", reason: "Not reproducible." });
    const before = (await watchlistView(buyer())).changes.length;
    const d = await buyerDashboard(buyer());
    expect(d.alerts.length).toBeGreaterThan(0);
    expect(d.alerts.length).toBeLessThanOrEqual(LATEST_ALERTS);
    // Newest first by when each happened (ISO times sort as text), among the latest recorded.
    const times = d.alerts.map((a) => a.at);
    expect(times).toEqual([...times].sort().reverse());
    const all = watchEventsOf(db(), buyer().organizationId, 0, 1000, "desc", { backfill: false });
    expect(d.alerts[0].at).toBe(
      all
        .map((a) => a.at)
        .sort()
        .reverse()[0],
    );
    expect(d.unseenChanges).toBe(before);
    expect((await watchlistView(buyer())).changes.length).toBe(before); // still unseen
  });

  it("counts the active API tokens and the webhook endpoints", async () => {
    const d = await buyerDashboard(buyer());
    expect(d.webhooks.endpoints).toBe(1); // the demo webhook (outside production)
    const { id } = createApiToken(buyer(), { name: "Till system" });
    expect((await buyerDashboard(buyer())).activeTokens).toBe(d.activeTokens + 1);
    revokeApiToken(buyer(), id, { confirmed: true });
    expect((await buyerDashboard(buyer())).activeTokens).toBe(d.activeTokens);
  });

  it("shows another shop nothing of the demo buyer's, and is refused to suppliers and assessors", async () => {
    await signUpConfirmed(
      {
        kind: "retailer",
        organizationName: "Corner Shop Ltd",
        name: "Cora Corner",
        email: "cora@cornershop.test",
        password: "a long enough password",
      },
      { ip: "192.0.2.77" },
    );
    const d = await buyerDashboard(actorByEmail("cora@cornershop.test"));
    expect(d).toMatchObject({
      products: 0,
      seals: 0,
      alerts: [],
      policyMisses: [],
      exploited: [],
      activeTokens: 0,
      unseenChanges: 0,
    });
    expect(d.webhooks.endpoints).toBe(0);
    for (const who of [grace(), asha()]) await expect(() => buyerDashboard(who)).toBeRefused("forbidden", /permission/);
  });

  it("lists changes as alerts, never the history a new watch copied into the feed", async () => {
    await signUpConfirmed(
      {
        kind: "retailer",
        organizationName: "History Shop Ltd",
        name: "Hal History",
        email: "hal@historyshop.test",
        password: "a long enough password",
      },
      { ip: "192.0.2.78" },
    );
    const hal = () => actorByEmail("hal@historyshop.test");
    const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    watchBySerial(hal(), { serial, label: "" });
    // The product's past came with the watch, marked as history: not an alert.
    expect(watchEventsOf(db(), hal().organizationId, 0, 100).filter((e) => e.backfill).length).toBeGreaterThan(0);
    expect((await buyerDashboard(hal())).alerts).toEqual([]);
    // A change since the watch began is one.
    changeSealStatus(asha(), { serial, action: "suspend", reason: "Under review for a reported issue." });
    expect((await buyerDashboard(hal())).alerts.map((a) => [a.type, a.serial, a.backfill])).toEqual([
      ["seal.suspended", serial, undefined],
    ]);
  });
});
