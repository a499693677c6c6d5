// Retailer watchlists and webhooks against a real database and a real local receiver: every
// status change of a watched product reaches the watchlist, the feed and the webhook (signed,
// retried with backoff, each attempt recorded); unsafe webhook targets are refused.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "../../../app/features/retail/domain/webhook";
import { db } from "../../../app/platform/db.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { staffSealView } from "../../../app/features/certification/seals.server";
import { actorByEmail, buyer } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { deletePolicy, listPolicies } from "../../../app/features/retail/policies.server";
import { watchlistFeed, watchlistView } from "../../../app/features/retail/watchlist.server";
import { openWebhookSecret } from "../../../app/features/retail/webhook-secrets.server";
import { dispatchWebhooks, registerWebhook } from "../../../app/features/retail/webhooks.server";

interface Received {
  body: string;
  signature: string;
}
const received: Received[] = [];
let answer = 200;
let receiver: http.Server;
let serials: Record<string, string>;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ body, signature: String(req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] ?? "") });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  process.env.DEMO_WEBHOOK_URL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await seedDemoData();
  serials = demoSealSerials();
  // Status changes only here: the buyer's acceptance policy (which adds policy events) is tested in policies.test.ts.
  for (const p of listPolicies(buyer())) deletePolicy(buyer(), p.id, { confirmed: true });
});

afterAll(async () => {
  testClock.reset();
  delete process.env.DEMO_WEBHOOK_URL;
  await new Promise((r) => receiver.close(r));
});

/** The demo endpoint's secret, as the buyer was shown it (kept encrypted: webhook-secrets.server.ts). */
const secret = () => {
  const ep = db().select({ id: webhookEndpoints.id, s: webhookEndpoints.secret }).from(webhookEndpoints).get()!;
  return openWebhookSecret(ep.id, ep.s)!;
};

describe("the watchlist", () => {
  it("the demo buyer watches the five demo products, each with its seal's live status", async () => {
    const view = await watchlistView(buyer());
    expect(Object.fromEntries(view.rows.map((r) => [r.name, r.status]))).toEqual({
      "Brightnest Indoor Cam 1": "suspended",
      "Brightnest Smart Plug": "revoked",
      "Brightnest Smart Speaker": "valid",
      "Gator Kids Watch 2": "expired",
      "Gator Kids Watch 3": "valid",
    });
    // By standing, as the dashboard counts them: the speaker's valid seal needs a firmware update.
    expect(view.counts).toEqual({
      valid: 1,
      valid_update_required: 1,
      suspended: 1,
      revoked: 1,
      expired: 1,
      superseded: 0,
      forged: 0,
      not_found: 0,
      no_seal: 0,
    });
    // The speaker's firmware 1.0.3 has a public advisory fixed in 1.0.4: valid, update required (issue 15).
    const speaker = view.rows.find((r) => r.name === "Brightnest Smart Speaker")!;
    expect(speaker.updateRequired).toEqual({
      advisories: [expect.stringMatching(/^IOTSEAL-\d{4}-\d{4}$/)],
      fixedIn: "1.0.4",
    });
    expect(view.rows.find((r) => r.name === "Gator Kids Watch 3")!.updateRequired).toBeNull();
  });

  it("a suspension reaches the watchlist (since the last visit), the feed and the webhook, signed", async () => {
    await watchlistView(buyer(), { markSeen: true });
    const before = watchlistFeed(buyer(), 0, 500).next;
    const serial = serials["Gator Kids Watch 3 3.1.0"];
    changeSealStatus(actorByEmail("assessor1@demo.test"), {
      serial,
      action: "suspend",
      reason: "Suspended while a report is checked.",
    });

    const view = await watchlistView(buyer());
    expect(view.changes.map((c) => [c.serial, c.type, c.status])).toEqual([[serial, "seal.suspended", "suspended"]]);
    const feed = watchlistFeed(buyer(), before);
    expect(feed.events).toHaveLength(1);
    expect(feed.events[0]).toMatchObject({
      serial,
      type: "seal.suspended",
      reason: "Suspended while a report is checked.",
      product: { name: "Gator Kids Watch 3" },
    });
    expect(watchlistFeed(buyer(), feed.next).events).toEqual([]);

    expect(await dispatchWebhooks()).toBe(1);
    expect(received).toHaveLength(1);
    const got = received[0];
    // With the event's place in the feed: a receiver orders by `seq`, as the feed does.
    expect(JSON.parse(got.body)).toMatchObject({
      type: "seal.suspended",
      serial,
      status: "suspended",
      seq: feed.events[0].seq,
    });
    expect(verifyWebhookSignature(secret(), got.signature, got.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhookSignature("whsec_wrong", got.signature, got.body, Math.floor(Date.now() / 1000))).toBe(false);
    const delivery = db().select().from(webhookDeliveries).where(eq(webhookDeliveries.status, "delivered")).all();
    expect(delivery).toHaveLength(1);
    expect(await dispatchWebhooks()).toBe(0); // nothing sent twice
  });

  it("a failing receiver gets retries with backoff, each attempt recorded with its response code", async () => {
    answer = 503;
    const serial = serials["Gator Kids Watch 3 3.1.0"];
    changeSealStatus(actorByEmail("assessor1@demo.test"), {
      serial,
      action: "reinstate",
      reason: "The report was not reproducible.",
    });
    expect(await dispatchWebhooks()).toBe(1);
    const pending = db().select().from(webhookDeliveries).where(eq(webhookDeliveries.status, "pending")).get()!;
    expect(pending.attempts).toBe(1);
    const wait = pending.nextAttemptAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(20_000); // 30 s ± 20 %
    expect(wait).toBeLessThan(40_000);
    expect(await dispatchWebhooks()).toBe(0); // not due yet

    answer = 200;
    testClock.advance(41_000);
    expect(await dispatchWebhooks()).toBe(1);
    const done = db().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, pending.id)).get()!;
    expect(done).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200 });
    expect(
      db()
        .select()
        .from(webhookAttempts)
        .where(eq(webhookAttempts.deliveryId, pending.id))
        .all()
        .map((a) => a.statusCode),
    ).toEqual([503, 200]);
    testClock.reset();
  });

  it("an expired seal is not suspended by hand, and one reinstated after its expiry reaches the watchers as expired, not valid", async () => {
    const expired = Object.entries(serials).find(([k]) => k.startsWith("Gator Kids Watch 2 "))![1];
    const assessor = actorByEmail("assessor1@demo.test");
    expect((await staffSealView(assessor, expired)).actions).toEqual(["revoke"]);
    await expect(() =>
      changeSealStatus(assessor, { serial: expired, action: "suspend", reason: "A late report." }),
    ).toBeRefused("conflict", /has expired/);

    // The suspended camera's seal runs out while suspended; lifting the suspension then leaves it expired.
    const cam = Object.entries(serials).find(([k]) => k.startsWith("Brightnest Indoor Cam 1 "))![1];
    const validUntil = (await staffSealView(assessor, cam)).credential!.validUntil;
    expect((await staffSealView(assessor, cam)).actions).toEqual(["reinstate", "revoke"]);
    const before = watchlistFeed(buyer(), 0, 500).next;
    testClock.set(new Date(validUntil).getTime() + 86_400_000);
    try {
      changeSealStatus(assessor, { serial: cam, action: "reinstate", reason: "The fix is certified." });
      const feed = watchlistFeed(buyer(), before);
      expect(feed.events.map((e) => [e.serial, e.type, e.status])).toEqual([[cam, "seal.reinstated", "expired"]]);
      expect((await watchlistView(buyer())).rows.find((r) => r.name === "Brightnest Indoor Cam 1")?.status).toBe(
        "expired",
      );
    } finally {
      testClock.reset();
    }
  });
});

describe("webhook targets", () => {
  it.each([
    ["http://10.0.0.5/hook", /./],
    ["https://169.254.169.254/latest/meta-data", /./],
    ["https://[fd00::1]/hook", /./],
    ["ftp://example.com/hook", /./],
    ["https://user:pass@example.com/hook", /./],
  ])("refuses %s with a message", (url, message) => {
    expect(() => registerWebhook(buyer(), { url })).toThrow(message);
  });

  it("only retail buyers have watchlists and webhooks", async () => {
    await expect(watchlistView(actorByEmail("supplier@demo.test"))).rejects.toThrow(/retail buyers/);
    expect(() => registerWebhook(actorByEmail("assessor1@demo.test"), { url: "https://example.com/hook" })).toThrow(
      /retail buyers/,
    );
  });
});
