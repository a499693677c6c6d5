// The webhook dispatcher with several organisations' endpoints: a receiver that never answers
// holds one lane, not the queue (another organisation's delivery, queued after it, arrives at once);
// after its timeout the dead endpoint's other deliveries wait (paused), each with its own backoff;
// retries go by their next attempt time; a delivery whose endpoint is removed while it is being
// sent stays failed; the same URL cannot be registered twice by one organisation; a delivery waiting
// to be retried does not hold back a newer one to the same endpoint (receivers order by the body's seq).
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries } from "../../../db/schema";
import { transaction, db } from "../../../app/platform/db.server";
import { testClock } from "../../../app/platform/clock.server";
import {
  dispatchWebhooks,
  enqueueWebhook,
  registerWebhook,
  removeWebhook,
} from "../../../app/features/retail/webhooks.server";
import { makeUser } from "../notifications/fixtures";

let server: http.Server;
let base = "";
const arrived: { path: string; at: number; id?: string }[] = [];
/** What the receiver at /flaky/… answers. */
let flakyAnswer = 503;
const hanging = new Set<Socket>();
let hung = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if ((req.url ?? "").startsWith("/hang")) {
        hung++;
        hanging.add(req.socket); // never answered
        return;
      }
      const id = body ? (JSON.parse(body) as { id?: string }).id : undefined;
      arrived.push({ path: req.url ?? "", at: Date.now(), id });
      res.writeHead((req.url ?? "").startsWith("/flaky") ? flakyAnswer : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of hanging) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const deliveriesOf = (endpointId: string) =>
  db().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).all();

function queue(endpointId: string, n: number): string[] {
  const ids: string[] = [];
  transaction((tx) => {
    for (let i = 0; i < n; i++) {
      const eventId = `ev-${crypto.randomUUID()}`;
      enqueueWebhook(tx, endpointId, eventId, { id: eventId, type: "test" });
      ids.push(eventId);
    }
  });
  return ids;
}

describe("the webhook dispatcher", () => {
  it("one organisation's dead receiver does not hold up another's deliveries", async () => {
    const a = makeUser("retailer", "Slow Shop");
    const b = makeUser("retailer", "Quick Shop");
    const dead = registerWebhook(a, { url: `${base}/hang/a` });
    const ok = registerWebhook(b, { url: `${base}/ok/b` });
    queue(dead.id, 5);
    queue(ok.id, 1); // queued after the dead endpoint's five
    const started = Date.now();
    const round = dispatchWebhooks(50, { timeoutMs: 1500 });
    await expect.poll(() => arrived.filter((r) => r.path === "/ok/b").length, { timeout: 1000 }).toBe(1);
    expect(arrived.find((r) => r.path === "/ok/b")!.at - started).toBeLessThan(1000);
    expect(await round).toBe(2); // one attempt each: the dead endpoint stopped after its timeout
    expect(hung).toBe(1);
    const slow = deliveriesOf(dead.id);
    const tried = slow.filter((d) => d.attempts === 1);
    expect(tried).toHaveLength(1);
    expect(tried[0]).toMatchObject({ status: "pending", lastStatusCode: null });
    const attempt = db().select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, tried[0]!.id)).get()!;
    expect(attempt.error).toMatch(/timed out after 1500 ms/);
    expect(slow.filter((d) => d.attempts === 0)).toHaveLength(4);
    expect(deliveriesOf(ok.id)[0]).toMatchObject({ status: "delivered", attempts: 1 });

    // The dead endpoint is paused: the next round does not try it again at once; others still go.
    queue(ok.id, 1);
    expect(await dispatchWebhooks(50, { timeoutMs: 1500 })).toBe(1);
    expect(hung).toBe(1);
    expect(arrived.filter((r) => r.path === "/ok/b")).toHaveLength(2);
    removeWebhook(a, dead.id, { confirmed: true });
  });

  it("a delivery whose endpoint is removed while it is being sent stays failed", async () => {
    const c = makeUser("retailer", "Leaving Shop");
    const ep = registerWebhook(c, { url: `${base}/hang/c` });
    queue(ep.id, 1);
    const before = hung;
    const round = dispatchWebhooks(50, { timeoutMs: 1000 });
    await expect.poll(() => hung, { timeout: 1000 }).toBe(before + 1);
    removeWebhook(c, ep.id, { confirmed: true });
    await round;
    const [d] = deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(await dispatchWebhooks(50, { timeoutMs: 1000 })).toBe(0);
  });

  it("an organisation cannot register the same URL twice (every event would arrive twice)", () => {
    const d = makeUser("retailer", "Double Clicker");
    registerWebhook(d, { url: `${base}/ok/d` });
    expect(() => registerWebhook(d, { url: `${base}/ok/d` })).toThrow(/already registered/);
    // Another organisation may use the same receiver.
    expect(registerWebhook(makeUser("retailer", "Other Shop"), { url: `${base}/ok/d` }).id).toBeTruthy();
  });

  it("a delivery waiting to be retried does not hold back newer ones to the same endpoint (a new suspension is not delayed by an old retry)", async () => {
    const e = makeUser("retailer", "Ordered Shop");
    const ep = registerWebhook(e, { url: `${base}/flaky/e` });
    const ids = (path: string) => arrived.filter((r) => r.path === path).map((r) => r.id);
    try {
      // The receiver fails: the first delivery waits for its retry.
      flakyAnswer = 503;
      const [first] = queue(ep.id, 1);
      expect(await dispatchWebhooks(50, { timeoutMs: 1500 })).toBe(1);
      expect(deliveriesOf(ep.id)[0]).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 503 });
      // The receiver is back; newer events go out at once, in the order they were queued.
      flakyAnswer = 204;
      const [second, third] = queue(ep.id, 2);
      expect(await dispatchWebhooks(50, { timeoutMs: 1500 })).toBe(2);
      expect(ids("/flaky/e")).toEqual([first, second, third]);
      testClock.advance(41_000); // past the first retry's wait (30 s ± 20 %)
      expect(await dispatchWebhooks(50, { timeoutMs: 1500 })).toBe(1);
      expect(ids("/flaky/e")).toEqual([first, second, third, first]);
      expect(deliveriesOf(ep.id).every((d) => d.status === "delivered")).toBe(true);
    } finally {
      testClock.reset();
    }
  });

  it("a delivery given up no longer holds the later ones", async () => {
    const f = makeUser("retailer", "Picky Shop");
    const ep = registerWebhook(f, { url: `${base}/flaky/f` });
    flakyAnswer = 400; // not retried: given up at once
    const [refused, next] = queue(ep.id, 2);
    expect(await dispatchWebhooks(50, { timeoutMs: 1500 })).toBe(2);
    const rows = new Map(deliveriesOf(ep.id).map((d) => [d.eventId, d]));
    expect(rows.get(refused)).toMatchObject({ status: "failed", attempts: 1 });
    expect(rows.get(next)).toMatchObject({ status: "failed", attempts: 1 });
    expect(arrived.filter((r) => r.path === "/flaky/f").map((r) => r.id)).toEqual([refused, next]);
    flakyAnswer = 204;
  });
});
