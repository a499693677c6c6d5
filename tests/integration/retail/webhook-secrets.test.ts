// Webhook endpoints' signing secrets at rest: encrypted under keys/webhook.private.key and bound to
// their endpoint, so a copy of the database alone cannot sign a delivery a receiver would accept.
// Secrets stored before are encrypted at the start; without the key a delivery is held (never sent
// unsigned, never given up) and goes out once the key is back; the buyer's page, the start and the
// administration page say so.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import {
  dispatchWebhooks,
  enqueueWebhook,
  registerWebhook,
  rotateWebhookSecret,
  webhooksView,
} from "../../../app/features/retail/webhooks.server";
import {
  encryptStoredWebhookSecrets,
  openWebhookSecret,
  WEBHOOK_KEY_FILE,
  webhookKeyReport,
} from "../../../app/features/retail/webhook-secrets.server";
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "../../../app/features/retail/domain/webhook";
import { adminDashboard } from "../../../app/system/activity.server";
import { actorByEmail, DEMO_EMAILS } from "../../support/actors";
import { seedDemoData } from "../../support/demo-seed";
import { lastAudit } from "../../support/audit";
import { makeUser } from "../notifications/fixtures";

let server: http.Server;
let base = "";
const arrived: { path: string; id: string; signature: string; body: string }[] = [];

beforeAll(async () => {
  await seedDemoData({ seals: false });
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      arrived.push({
        path: req.url ?? "",
        id: (JSON.parse(body) as { id: string }).id,
        signature: String(req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] ?? ""),
        body,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => testClock.reset());

const keyFile = () => path.join(getEnv().dataDir, "keys", WEBHOOK_KEY_FILE);
const stored = (id: string) =>
  db().select({ s: webhookEndpoints.secret }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get()!.s;
const deliveryOf = (eventId: string) =>
  db().select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId)).get()!;
const attemptsOf = (deliveryId: string) =>
  db().select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId)).all();

function queue(endpointId: string): string {
  const eventId = `ev-${crypto.randomUUID()}`;
  transaction((tx) => enqueueWebhook(tx, endpointId, eventId, { id: eventId, type: "test" }));
  return eventId;
}

/** Every due delivery sent (a paused endpoint waits its 30 s: the rounds run until nothing more goes). */
async function dispatchAll() {
  while ((await dispatchWebhooks(50, { timeoutMs: 2000 })) > 0);
}

/** The delivery as the receiver got it, with whether it verifies under `secret`. */
function received(eventId: string, secret: string) {
  const got = arrived.find((a) => a.id === eventId);
  return got && { path: got.path, verifies: verifyWebhookSignature(secret, got.signature, got.body, nowMs() / 1000) };
}

describe("webhook signing secrets at rest", () => {
  it("are stored encrypted and bound to their endpoint; deliveries are signed with the secret the buyer was shown", async () => {
    const shop = makeUser("retailer", "Sealed Shop");
    const { id, secret } = registerWebhook(shop, { url: `${base}/sealed` });
    expect(secret).toMatch(/^whsec_[\w-]{43}$/);
    expect(stored(id)).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(stored(id)).not.toContain(secret.slice(6));
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    // Copied into another endpoint's row, it does not open.
    expect(openWebhookSecret(crypto.randomUUID(), stored(id), { quiet: true })).toBeNull();
    // Nowhere in the database's files.
    db().$client.pragma("wal_checkpoint(TRUNCATE)");
    const file = db().$client.name;
    for (const f of [file, `${file}-wal`].filter((f) => fs.existsSync(f)))
      expect(fs.readFileSync(f).includes(Buffer.from(secret.slice(6)))).toBe(false);

    const eventId = queue(id);
    await dispatchAll();
    expect(received(eventId, secret)).toEqual({ path: "/sealed", verifies: true });
    expect(deliveryOf(eventId).status).toBe("delivered");
  });

  it("stored before encryption: still signed with, and encrypted at the next start", async () => {
    const shop = makeUser("retailer", "Old Shop");
    const { id, secret } = registerWebhook(shop, { url: `${base}/old` });
    db().update(webhookEndpoints).set({ secret }).where(eq(webhookEndpoints.id, id)).run(); // as stored before
    let eventId = queue(id);
    await dispatchAll();
    expect(received(eventId, secret)?.verifies).toBe(true);

    const report = encryptStoredWebhookSecrets();
    expect(report.encrypted).toBeGreaterThanOrEqual(1);
    expect(report.heldFor).toBe(0);
    expect(stored(id)).toMatch(/^v1\./);
    expect(openWebhookSecret(id, stored(id))).toBe(secret);
    eventId = queue(id);
    await dispatchAll();
    expect(received(eventId, secret)?.verifies).toBe(true);
    expect(encryptStoredWebhookSecrets()).toEqual({ encrypted: 0, heldFor: 0 }); // nothing left to do
  });

  it("without the key: deliveries are held (none sent unsigned or given up) and go out in order when it is back", async () => {
    const buyer = actorByEmail(DEMO_EMAILS.buyer);
    const { id, secret } = registerWebhook(buyer, { url: `${base}/held` });
    // Another organisation's endpoint whose secret is still in the clear (stored before encryption).
    const plain = registerWebhook(makeUser("retailer", "Plain Shop"), { url: `${base}/plain` });
    db().update(webhookEndpoints).set({ secret: plain.secret }).where(eq(webhookEndpoints.id, plain.id)).run();
    const away = `${keyFile()}.away`;
    fs.renameSync(keyFile(), away);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const first = queue(id);
    const second = queue(id);
    try {
      await dispatchAll();
      testClock.set(Date.now() + 6 * 60_000); // past any pause: the next rounds look again
      await dispatchAll();
      await dispatchAll();
      expect(arrived.filter((a) => a.path === "/held")).toEqual([]);
      for (const e of [first, second]) {
        expect(deliveryOf(e).status).toBe("pending");
        expect(attemptsOf(deliveryOf(e).id)).toEqual([]); // no attempt spent
      }
      // Said once in the log (not at every round), naming the file.
      const said = errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(WEBHOOK_KEY_FILE));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/is missing \(copy keys\/ from a backup\): deliveries to \d+ endpoints? are held/);
      // The buyer's page, the start and the administration page say so.
      expect(webhooksView(buyer).find((ep) => ep.id === id)?.held).toBe(true);
      // The start: says so, and leaves the plain secret as it is (no new key beside the missing one), which still signs.
      const start = encryptStoredWebhookSecrets();
      expect(start.encrypted).toBe(0);
      expect(start.heldFor).toBeGreaterThanOrEqual(1);
      expect(stored(plain.id)).toBe(plain.secret);
      expect(fs.existsSync(keyFile())).toBe(false);
      const plainEvent = queue(plain.id);
      await dispatchAll();
      expect(received(plainEvent, plain.secret)).toEqual({ path: "/plain", verifies: true });
      const report = adminDashboard(actorByEmail(DEMO_EMAILS.admin)).keysAtRest.find(
        (k) => k.file === WEBHOOK_KEY_FILE,
      );
      expect(report).toMatchObject({ state: "missing" });
      expect(report!.cannotOpen).toBe(report!.sealed);
      expect(report!.cannotOpen).toBeGreaterThanOrEqual(1);

      // Missing while secrets sealed under it are kept: no new key is made beside them (the old one, put back,
      // would not open a new endpoint's secret), so a new endpoint waits for it too.
      await expect(() => registerWebhook(buyer, { url: `${base}/new` })).toBeRefused(
        "unavailable",
        /cannot be registered/,
      );
      expect(fs.existsSync(keyFile())).toBe(false);
      // A key file that is not one: a new endpoint is refused, never a crash, and no key is made beside it.
      fs.writeFileSync(keyFile(), "not a key\n", { mode: 0o600 });
      await expect(() => registerWebhook(buyer, { url: `${base}/new` })).toBeRefused(
        "unavailable",
        /cannot be registered/,
      );
      expect(webhookKeyReport().state).toBe("unreadable");
      fs.rmSync(keyFile());
    } finally {
      if (fs.existsSync(away)) fs.renameSync(away, keyFile());
      errors.mockRestore();
    }
    // The key back (from a backup): the held deliveries go out, in order, signed with the secret the buyer has.
    expect(webhooksView(buyer).find((ep) => ep.id === id)?.held).toBe(false);
    await dispatchAll();
    const held = arrived.filter((a) => a.path === "/held");
    expect(held.map((a) => a.id)).toEqual([first, second]);
    expect(received(first, secret)?.verifies).toBe(true);
    expect(deliveryOf(second).status).toBe("delivered");
  });

  it("a secret that does not open with the key here is held, logged once, and takes no other endpoint's turn", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const a = registerWebhook(makeUser("retailer", "Moved Shop"), { url: `${base}/moved` });
      const b = registerWebhook(makeUser("retailer", "Next Shop"), { url: `${base}/next` });
      // Another endpoint's sealed secret in its row (as a row copied from elsewhere): it does not open for this one.
      db()
        .update(webhookEndpoints)
        .set({ secret: stored(b.id) })
        .where(eq(webhookEndpoints.id, a.id))
        .run();
      const held = queue(a.id);
      const sent = queue(b.id);
      await dispatchAll();
      expect(received(sent, b.secret)).toEqual({ path: "/next", verifies: true });
      expect(arrived.some((x) => x.id === held)).toBe(false);
      expect(deliveryOf(held).status).toBe("pending");
      expect(attemptsOf(deliveryOf(held).id)).toEqual([]);
      testClock.set(Date.now() + 6 * 60_000);
      await dispatchAll();
      expect(arrived.some((x) => x.id === held)).toBe(false);
      const said = errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(a.id));
      expect(said).toHaveLength(1);
      expect(said[0]).toContain("another server's key, or an altered row");
      expect(webhookKeyReport().problem).toMatch(
        /^1 of the \d+ active webhook endpoints do not open with keys\/webhook\.private\.key/,
      );
    } finally {
      testClock.reset();
      errors.mockRestore();
    }
  });

  it("a new secret: asked first; for 24 hours deliveries carry both signatures, then the new one only", async () => {
    const shop = makeUser("retailer", "Rotating Shop");
    const other = makeUser("retailer", "Other Shop");
    const { id, secret: old } = registerWebhook(shop, { url: `${base}/rotating` });
    await expect(() => rotateWebhookSecret(shop, id, { confirmed: false })).toBeRefused("invalid");
    await expect(() => rotateWebhookSecret(other, id, { confirmed: true })).toBeRefused("not_found");
    testClock.set(Date.now()); // frozen: the overlap is exactly 24 hours from now
    const rotated = rotateWebhookSecret(shop, id, { confirmed: true });
    expect(rotated.secret).toMatch(/^whsec_[\w-]{43}$/);
    expect(rotated.secret).not.toBe(old);
    expect(rotated.previousUntil.getTime()).toBe(nowMs() + 24 * 60 * 60 * 1000);
    expect(lastAudit("webhook.secret_rotated")).toMatchObject({ targetId: id });
    // Both kept encrypted; the view says until when the one before signs.
    const row = db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get()!;
    expect([row.secret, row.previousSecret]).toEqual([expect.stringMatching(/^v1\./), expect.stringMatching(/^v1\./)]);
    expect(webhooksView(shop).find((ep) => ep.id === id)?.previousSignsUntil).toEqual(rotated.previousUntil);

    let eventId = queue(id);
    await dispatchAll();
    const both = arrived.find((a) => a.id === eventId)!;
    expect(both.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(received(eventId, rotated.secret)?.verifies).toBe(true);
    expect(received(eventId, old)?.verifies).toBe(true);

    // After the overlap: the new secret alone.
    testClock.set(rotated.previousUntil.getTime() + 1000);
    eventId = queue(id);
    await dispatchAll();
    expect(arrived.find((a) => a.id === eventId)!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(received(eventId, rotated.secret)?.verifies).toBe(true);
    expect(received(eventId, old)?.verifies).toBe(false);
    expect(webhooksView(shop).find((ep) => ep.id === id)?.previousSignsUntil).toBeNull();
  });
});
