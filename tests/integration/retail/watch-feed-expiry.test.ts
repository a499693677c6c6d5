// A watched seal's expiry in the watch feed and its webhooks reads as the seal page, the API and
// the status lists read it at that moment (the one rule, sealVerdictOf): a seal that expires while
// suspended stays "suspended", a superseded one "superseded", only an active one is "expired". The
// feed keeps saying what the seal was when it expired, whatever happens to the seal later.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookDeliveries } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { applySealAction, changeSealStatus, sweepExpiredSeals } from "../../../app/features/trust/seal-status.server";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, buyer } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { watchlistFeed } from "../../../app/features/retail/watchlist.server";

let serials: Record<string, string>;
const serialOf = (prefix: string) => Object.entries(serials).find(([k]) => k.startsWith(prefix))![1];

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
});

afterAll(() => testClock.reset());

/** The webhook body queued for a feed event (the demo buyer has one endpoint). */
function webhookBodyOf(eventId: string): Record<string, unknown> {
  const row = db().select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId)).get();
  expect(row, `a webhook delivery for ${eventId}`).toBeDefined();
  return JSON.parse(row!.body);
}

describe("the watch feed at a seal's expiry", () => {
  it("a suspended seal expiring reads suspended, a superseded one superseded, an active one expired: as the API says", async () => {
    const cam = serialOf("Brightnest Indoor Cam 1 "); // suspended in the demo
    const watch = serialOf("Gator Kids Watch 3 "); // active; superseded here
    const speaker = serialOf("Brightnest Smart Speaker "); // active
    transaction((tx) =>
      applySealAction(
        tx,
        { system: "test" },
        { serial: watch, action: "supersede", reason: "Replaced by a newer certification.", supersededBy: speaker },
      ),
    );
    const before = watchlistFeed(buyer(), 0, 500).next;
    const latest = Math.max(...[cam, watch, speaker].map((s) => sealBySerial(s)!.validUntil.getTime()));
    testClock.set(latest + 86_400_000);

    const noted = sweepExpiredSeals();
    expect(noted).toEqual(expect.arrayContaining([cam, watch, speaker]));
    const expiries = watchlistFeed(buyer(), before, 500).events.filter((e) => e.type === "seal.expired");
    const statusOf = (serial: string) => expiries.find((e) => e.serial === serial)?.status;
    expect({ cam: statusOf(cam), watch: statusOf(watch), speaker: statusOf(speaker) }).toEqual({
      cam: "suspended",
      watch: "superseded",
      speaker: "expired",
    });
    // The same as the API's answer at that moment, and the same in each webhook.
    for (const serial of [cam, watch, speaker]) {
      expect((await verifySerial(serial)).status).toBe(statusOf(serial));
      const event = expiries.find((e) => e.serial === serial)!;
      expect(webhookBodyOf(event.id as string)).toMatchObject({
        type: "seal.expired",
        serial,
        status: statusOf(serial),
      });
    }
  });

  it("lifting the suspension later leaves the expiry as it was (suspended then) and the reinstatement expired", async () => {
    const cam = serialOf("Brightnest Indoor Cam 1 ");
    const before = watchlistFeed(buyer(), 0, 500).next;
    changeSealStatus(actorByEmail("assessor1@demo.test"), {
      serial: cam,
      action: "reinstate",
      reason: "The fix is certified.",
    });
    expect(watchlistFeed(buyer(), before).events.map((e) => [e.type, e.status])).toEqual([
      ["seal.reinstated", "expired"],
    ]);
    const history = watchlistFeed(buyer(), 0, 500).events.filter((e) => e.serial === cam);
    expect(history.filter((e) => e.type === "seal.expired").map((e) => e.status)).toEqual(["suspended"]);
    expect((await verifySerial(cam)).status).toBe("expired");
  });
});
