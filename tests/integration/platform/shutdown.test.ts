// A shutdown lets the background runs in flight finish before it closes the database: a webhook
// being delivered when the server is stopped gets its answer recorded, instead of resuming after
// the database was closed (db() would quietly open it again, or a fresh one in a data directory
// being removed, as CI once showed: "webhook dispatch: FOREIGN KEY constraint failed").
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { backgroundRunsInFlight } from "../../../app/platform/background.server";
import { shutdown, startup } from "../../../app/startup.server";

let receiver: http.Server;
let url = "";
let received = 0;
let answered = 0;

beforeAll(async () => {
  // A slow receiver: it answers 1.5 s after the body arrived.
  receiver = http.createServer((req, res) => {
    received++;
    req.resume();
    req.on("end", () =>
      setTimeout(() => {
        answered++;
        res.end("ok");
      }, 1500),
    );
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

describe("shutdown", () => {
  it("waits for a webhook delivery in flight, so its answer is recorded before the database closes", async () => {
    await startup();
    const buyer = db().select().from(users).where(eq(users.email, "buyer@demo.test")).get()!;
    const endpointId = crypto.randomUUID();
    db()
      .insert(webhookEndpoints)
      .values({
        id: endpointId,
        organizationId: buyer.organizationId!,
        url,
        secret: "s".repeat(43),
        createdBy: buyer.id,
      })
      .run();
    db()
      .insert(webhookDeliveries)
      .values({
        id: crypto.randomUUID(),
        endpointId,
        eventId: "evt-during-shutdown",
        body: '{"type":"test"}',
        status: "pending",
        nextAttemptAt: new Date(Date.now() - 1000),
      })
      .run();
    // The dispatcher (every 2 s) sends it; the receiver holds the answer.
    const end = Date.now() + 10_000;
    while (received === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(received).toBe(1);
    expect(answered).toBe(0);
    expect(backgroundRunsInFlight()).toBeGreaterThan(0);

    await shutdown();
    expect(answered).toBe(1);
    expect(backgroundRunsInFlight()).toBe(0);
    const client = new Database(path.join(getEnv().dataDir, "iot-seal.db"), { readonly: true });
    try {
      expect(
        client
          .prepare("select status, attempts, last_status_code as code from webhook_deliveries where event_id = ?")
          .get("evt-during-shutdown"),
      ).toEqual({ status: "delivered", attempts: 1, code: 200 });
    } finally {
      client.close();
    }
  }, 30_000);
});
