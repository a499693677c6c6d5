// What a watched product's current seals are, and what the buyer hears when they change:
// - a product watched by GTIN that loses its seal (no seal names the GTIN it follows any more: its
//   supplier changed the GTIN after the seal was revoked) is told so: a `product.current_seal` event
//   without a serial, in the feed, the webhooks, the notifications and the dashboard;
// - a product watched by serial has one current seal per firmware version: after a renewal, the
//   renewal, not the seal it renews (still active to its date): in the rows, the counts, the policy
//   results, and no expiry or policy alarm when the renewed seal runs out; a new seal of the version
//   continues the last one judged (meeting a policy again is announced);
// - the watchlist's "By status" and the dashboard count the rows by one rule, "No seal" included.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifications, users, webhookDeliveries, watchlistEntries } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { signUpConfirmed } from "../../support/signup";
import { saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { changeSealStatus, sweepExpiredSeals } from "../../../app/features/trust/seal-status.server";
import { buyerDashboard } from "../../../app/features/retail/dashboard.server";
import { followCurrentSeal } from "../../../app/features/retail/followed-products.server";
import { watchGtinInput } from "../../../app/features/retail/forms";
import { listPolicies, savePolicy, sweepPolicies } from "../../../app/features/retail/policies.server";
import {
  watchByGtin,
  watchBySerial,
  watchlistFeed,
  watchlistView,
} from "../../../app/features/retail/watchlist.server";
import { actorByEmail, asha, bram, buyer, grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { createTestProduct, openTestDraft, submissionVersion, setProductGtin } from "../../support/submissions";

const G = "5060123450934"; // the lost-seal product's GTIN when certified
const H = "5060123450941"; // the GTIN its supplier changes it to after the seal was revoked
const H14 = `0${H}`;

let shop: () => Actor;
let lostId: string; // watched by GTIN, loses its seal
let lostSeal: string;
let renewedId: string; // watched by serial, renewed
let old: string; // firmware 1.0.0's first seal
let renewal: string; // firmware 1.0.0 certified again (a renewal): the version's current seal

/** Certifies an existing product version again (a renewal: same version, same checklist), as certifyPsti does. */
async function certifyAgain(versionId: string): Promise<string> {
  const id = openTestDraft(grace(), versionId);
  for (const ref of ["1", "2", "3"])
    saveAnswer(grace(), id, ref, {
      claim: "implemented",
      justification: "Implemented as the requirement asks.",
      noEvidenceReason: "Shown to the assessor on the device.",
    });
  submitSubmission(grace(), id);
  takeSubmission(asha(), id, submissionVersion(id));
  for (const ref of ["1", "2", "3"])
    recordVerdict(asha(), id, ref, { verdict: "pass", comment: "", accepted: false, version: submissionVersion(id) });
  proposeApproval(asha(), id, submissionVersion(id), "");
  return confirmApproval(bram(), id, submissionVersion(id), "Confirmed.");
}

const setGtin = (productId: string, gtin: string | null) => setProductGtin(grace(), productId, gtin);

const rowsOf = async (who: Actor, productId: string) =>
  (await watchlistView(who)).rows.filter((r) => r.productId === productId);

beforeAll(async () => {
  await seedDemoData();
  await signUpConfirmed(
    {
      kind: "retailer",
      organizationName: "Shelf Life Ltd",
      name: "Sol",
      email: "sol@shelflife.test",
      password: "a long enough password",
    },
    { ip: "192.0.2.92" },
  );
  shop = () => actorByEmail("sol@shelflife.test");
  // The shop's one policy: a valid seal (any product).
  savePolicy(shop(), {
    name: "Valid seal",
    category: "any",
    accepted: [],
    requiredProvisions: [],
    minSupportMonths: null,
    blockingFindingSeverity: null,
    maxSealAgeMonths: null,
  });
  lostId = createTestProduct(grace(), { name: "Gator Lost Barcode", model: "GW-LOST", gtin: G });
  lostSeal = await certifyPsti(grace(), lostId, "1.0.0");
  watchByGtin(shop(), watchGtinInput.parse({ gtin: G, label: "" }));
  watchByGtin(buyer(), watchGtinInput.parse({ gtin: G, label: "" })); // the demo buyer: a webhook endpoint
  renewedId = createTestProduct(grace(), {
    name: "Gator Renewed",
    model: "GW-RENEW",
    supportPeriodEnd: "2036-01-31", // no seal's validity is cut short by it
  });
  old = await certifyPsti(grace(), renewedId, "1.0.0");
  watchBySerial(shop(), { serial: old, label: "" });
}, 120_000); // the demo seed and three certifications, on a busy machine

afterAll(() => testClock.reset());

describe("a product watched by GTIN that loses its seal", () => {
  it("is told: no seal names the GTIN now (feed, webhook, notification, dashboard)", async () => {
    changeSealStatus(asha(), {
      serial: lostSeal,
      action: "revoke",
      reason: "The certificate was obtained with false evidence.",
      confirmSerial: lostSeal,
    });
    setGtin(lostId, H); // no seal names H
    const reason = `No seal names GTIN ${H14} now, so the product has no current seal (it was seal ${lostSeal}, firmware 1.0.0).`;
    expect((await rowsOf(shop(), lostId)).map((r) => [r.gtin, r.seal, r.status])).toEqual([[H14, null, "no_seal"]]);
    const entry = db()
      .select()
      .from(watchlistEntries)
      .where(and(eq(watchlistEntries.organizationId, shop().organizationId), eq(watchlistEntries.productId, lostId)))
      .get()!;
    expect(entry.currentSerial).toBeNull();
    const events = watchlistFeed(shop(), 0, 500).events.filter(
      (e) => e.type === "product.current_seal" && e.product.id === lostId,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ serial: null, reason, previousSerial: lostSeal, firmwareVersion: null });
    expect(events[0].status).toBeUndefined();
    // The dashboard: the latest alert, and changes since the last visit (not "No change").
    const dash = await buyerDashboard(shop());
    expect(dash.alerts[0]).toMatchObject({ type: "product.current_seal", serial: null, reason });
    expect(dash.unseenChanges).toBeGreaterThan(0);
    // The shop's people are told, with no seal to name.
    const told = db()
      .select({ title: notifications.title, body: notifications.body, link: notifications.link })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .where(and(eq(users.email, "sol@shelflife.test"), eq(notifications.kind, "watch.product.current_seal")))
      .all();
    expect(told).toEqual([
      {
        title: "Gator Lost Barcode: current seal changed",
        body: expect.stringContaining(
          `Gator Lost Barcode (a product your organisation watches): current seal changed. ${reason}`,
        ),
        link: "/retailer/watchlist",
      },
    ]);
    // The demo buyer's webhook gets it.
    const [buyerEvent] = watchlistFeed(buyer(), 0, 500).events.filter(
      (e) => e.type === "product.current_seal" && e.product.id === lostId,
    );
    const delivery = db()
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.eventId, String(buyerEvent.id)))
      .get();
    expect(JSON.parse(delivery!.body)).toMatchObject({
      type: "product.current_seal",
      serial: null,
      reason,
      previousSerial: lostSeal,
    });
    // Told once: following again changes nothing.
    expect(transaction((tx) => followCurrentSeal(tx, lostId))).toBe(0);
  });
});

describe("the watchlist's counts by status", () => {
  it("count a product without a seal, by the dashboard's rule", async () => {
    const view = await watchlistView(shop());
    expect(view.counts).toMatchObject({ no_seal: 1, valid: 1 });
    expect(Object.values(view.counts).reduce((a, b) => a + b, 0)).toBe(view.rows.length);
    expect((await buyerDashboard(shop())).counts).toEqual(view.counts);
  });
});

describe("a product watched by serial, renewed", () => {
  it("counts its firmware version's current seal only: the renewal, not the seal it renews", async () => {
    const first = sealBySerial(old)!;
    testClock.set(first.validUntil.getTime() - 30 * 86_400_000); // 30 days before the first seal expires
    renewal = await certifyAgain(first.productVersionId);
    expect(sealBySerial(old)).toMatchObject({ state: "active" }); // a renewal does not supersede
    expect(sealBySerial(renewal)).toMatchObject({ state: "active", productVersionId: first.productVersionId });
    expect((await rowsOf(shop(), renewedId)).map((r) => [r.seal?.serial, r.seal?.firmware, r.status])).toEqual([
      [renewal, "1.0.0", "valid"],
    ]);
    const dash = await buyerDashboard(shop());
    // Two products watched: the renewed one (one current seal) and the one with no seal.
    expect([dash.products, dash.seals]).toEqual([2, 1]);
    expect(dash.counts).toMatchObject({ valid: 1, expired: 0, no_seal: 1 });
    expect(dash.policyMisses).toEqual([]);
    expect(listPolicies(shop()).map((p) => [p.name, p.watched])).toEqual([["Valid seal", { meets: 1, misses: 0 }]]);
  });

  it("the renewed seal expiring raises no expiry and no policy alarm: the version is validly certified", async () => {
    const cursor = watchlistFeed(shop(), 0, 500).next;
    testClock.set(sealBySerial(old)!.validUntil.getTime() + 86_400_000);
    expect(sweepExpiredSeals()).toContain(old);
    sweepPolicies();
    const since = watchlistFeed(shop(), cursor, 500).events;
    expect(since.filter((e) => e.serial === old)).toEqual([]);
    expect(since.filter((e) => e.type === "policy.unmet")).toEqual([]);
    expect((await rowsOf(shop(), renewedId)).map((r) => [r.seal?.serial, r.status])).toEqual([[renewal, "valid"]]);
    expect((await buyerDashboard(shop())).counts).toMatchObject({ valid: 1, expired: 0 });
    expect(listPolicies(shop())[0].watched).toEqual({ meets: 1, misses: 0 });
  });

  it("a seal that is still its version's current one expiring is announced, with the policy it now misses", async () => {
    const cursor = watchlistFeed(shop(), 0, 500).next;
    testClock.set(sealBySerial(renewal)!.validUntil.getTime() + 86_400_000);
    expect(sweepExpiredSeals()).toContain(renewal);
    sweepPolicies();
    const since = watchlistFeed(shop(), cursor, 500).events;
    expect(since.map((e) => [e.type, e.serial])).toEqual(
      expect.arrayContaining([
        ["seal.expired", renewal],
        ["policy.unmet", renewal],
      ]),
    );
    expect((await rowsOf(shop(), renewedId)).map((r) => [r.seal?.serial, r.status])).toEqual([[renewal, "expired"]]);
  });

  it("the version certified again after its seal ran out: the new seal continues it, and meeting the policy again is announced", async () => {
    const cursor = watchlistFeed(shop(), 0, 500).next;
    const again = await certifyAgain(sealBySerial(renewal)!.productVersionId);
    sweepPolicies();
    const since = watchlistFeed(shop(), cursor, 500).events;
    expect(since.filter((e) => e.type.startsWith("policy.")).map((e) => [e.type, e.serial])).toEqual([
      ["policy.met", again],
    ]);
    expect((await rowsOf(shop(), renewedId)).map((r) => [r.seal?.serial, r.status])).toEqual([[again, "valid"]]);
    expect(listPolicies(shop())[0].watched).toEqual({ meets: 1, misses: 0 });
  });
});

describe("the product that lost its seal, certified again", () => {
  it("a seal that names the GTIN again is announced as the current seal", async () => {
    testClock.reset();
    const again = await certifyPsti(grace(), lostId, "1.1.0"); // its credential names H
    const events = watchlistFeed(shop(), 0, 500).events.filter(
      (e) => e.type === "product.current_seal" && e.product.id === lostId,
    );
    expect(events.at(-1)).toMatchObject({
      serial: again,
      status: "valid",
      reason: `Now certified: firmware 1.1.0, seal ${again}.`,
      previousSerial: null,
    });
  });
});
