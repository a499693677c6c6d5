/**
 * Buyers' webhooks: endpoints an organisation registers, and the deliveries of its watch events
 * to them (signed, retried with backoff, every attempt recorded). A delivery is written in the
 * transaction of the event it carries (an outbox) and sent later by the dispatcher.
 */
import crypto from "node:crypto";
import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { users, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import type { webhookInput } from "./forms";
import { deliverWebhook } from "./adapters/webhook-sender.server";
import { newWebhookSecret, retryDecision, webhookUrlProblem } from "./domain/webhook";
import { assertBuyer } from "./access.server";

/** Webhooks to loopback http are for development and tests (the e2e receiver); production wants public https. */
/** WEBHOOKS_ALLOW_LOOPBACK (app/platform/env.ts): on by default outside production, refused in production. */
const allowLoopbackHttp = () => getEnv().webhooksAllowLoopback;

/** Registers an endpoint; the secret is returned once (it signs every delivery). */
export function registerWebhook(actor: Actor, input: z.infer<typeof webhookInput>): { id: string; secret: string } {
  assertBuyer(actor);
  const problem = webhookUrlProblem(input.url, { allowLoopbackHttp: allowLoopbackHttp() });
  if (problem) throw new ServiceError("invalid", problem, { url: problem });
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  transaction((tx) => {
    const count = tx
      .select({ n: sql<number>`count(*)` })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.active, true)))
      .get()!.n;
    if (count >= 5)
      throw new ServiceError("conflict", "An organisation can have at most 5 webhook endpoints; remove one first.");
    tx.insert(webhookEndpoints)
      .values({
        id,
        organizationId: actor.organizationId,
        url: input.url,
        secret,
        createdBy: actor.userId,
        createdAt: new Date(nowMs()),
      })
      .run();
    recordAudit(tx, actor, {
      action: "webhook.registered",
      target: { type: "webhook", id },
      organizationId: actor.organizationId,
      details: { url: input.url },
    });
  });
  return { id, secret };
}

export function removeWebhook(actor: Actor, id: string): void {
  assertBuyer(actor);
  transaction((tx) => {
    const ep = tx
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.organizationId, actor.organizationId)))
      .get();
    if (!ep) throw new ServiceError("not_found", "No webhook endpoint of your organisation has this id.");
    tx.update(webhookEndpoints).set({ active: false }).where(eq(webhookEndpoints.id, id)).run();
    tx.update(webhookDeliveries)
      .set({ status: "failed", nextAttemptAt: null })
      .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, "pending")))
      .run();
    recordAudit(tx, actor, {
      action: "webhook.removed",
      target: { type: "webhook", id },
      organizationId: actor.organizationId,
      details: { url: ep.url },
    });
  });
}

export function enqueueWebhook(tx: Tx, endpointId: string, eventId: string, payload: unknown): void {
  tx.insert(webhookDeliveries)
    .values({
      id: crypto.randomUUID(),
      endpointId,
      eventId,
      body: JSON.stringify(payload),
      status: "pending",
      attempts: 0,
      nextAttemptAt: new Date(nowMs()),
      createdAt: new Date(nowMs()),
    })
    .onConflictDoNothing()
    .run();
}

/** Queues a test event for one endpoint (the "send a test" button). */
export function sendTestWebhook(actor: Actor, id: string): void {
  assertBuyer(actor);
  transaction((tx) => {
    const ep = tx
      .select()
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.id, id),
          eq(webhookEndpoints.organizationId, actor.organizationId),
          eq(webhookEndpoints.active, true),
        ),
      )
      .get();
    if (!ep) throw new ServiceError("not_found", "No active webhook endpoint of your organisation has this id.");
    const eventId = `test-${crypto.randomUUID()}`;
    enqueueWebhook(tx, ep.id, eventId, {
      id: eventId,
      type: "test",
      at: new Date(nowMs()).toISOString(),
      message: "A test delivery from IoT Seal.",
    });
  });
}

/** The buyer's endpoints with their recent deliveries and every attempt. */
export function webhooksView(actor: Actor) {
  assertBuyer(actor);
  const t = db();
  const endpoints = t
    .select({
      id: webhookEndpoints.id,
      url: webhookEndpoints.url,
      createdAt: webhookEndpoints.createdAt,
      by: users.name,
    })
    .from(webhookEndpoints)
    .innerJoin(users, eq(users.id, webhookEndpoints.createdBy))
    .where(and(eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.active, true)))
    .orderBy(asc(webhookEndpoints.createdAt))
    .all();
  return endpoints.map((ep) => {
    const deliveries = t
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, ep.id))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(20)
      .all();
    const attempts = deliveries.length
      ? t
          .select()
          .from(webhookAttempts)
          .where(
            inArray(
              webhookAttempts.deliveryId,
              deliveries.map((d) => d.id),
            ),
          )
          .orderBy(asc(webhookAttempts.id))
          .all()
      : [];
    return {
      ...ep,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        eventId: d.eventId,
        type: (JSON.parse(d.body) as { type?: string }).type ?? "",
        status: d.status,
        attempts: attempts.filter((a) => a.deliveryId === d.id),
        nextAttemptAt: d.nextAttemptAt,
        createdAt: d.createdAt,
      })),
    };
  });
}

let dispatching = false;

/**
 * Sends every due delivery once (in order), records the attempt, and schedules a retry with
 * backoff or gives up. One dispatcher per process at a time; a delivery is claimed by moving its
 * next attempt time before sending, so two processes do not send it at once.
 */
export async function dispatchWebhooks(limit = 50): Promise<number> {
  if (dispatching) return 0;
  dispatching = true;
  try {
    const due = db()
      .select({ d: webhookDeliveries, url: webhookEndpoints.url, secret: webhookEndpoints.secret })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, new Date(nowMs()))))
      .orderBy(asc(webhookDeliveries.createdAt))
      .limit(limit)
      .all();
    let sent = 0;
    for (const { d, url, secret } of due) {
      // Claim it: whoever moves nextAttemptAt first sends it.
      const claimed = transaction(
        (tx) =>
          tx
            .update(webhookDeliveries)
            .set({ nextAttemptAt: new Date(nowMs() + 60_000) })
            .where(
              and(
                eq(webhookDeliveries.id, d.id),
                eq(webhookDeliveries.status, "pending"),
                lte(webhookDeliveries.nextAttemptAt, new Date(nowMs())),
              ),
            )
            .run().changes,
      );
      if (!claimed) continue;
      const result = await deliverWebhook({
        url,
        secret,
        body: d.body,
        eventId: d.eventId,
        allowLoopbackHttp: allowLoopbackHttp(),
      });
      const attempt = d.attempts + 1;
      const decision = retryDecision(attempt, result.status, Math.random);
      transaction((tx) => {
        tx.insert(webhookAttempts)
          .values({
            deliveryId: d.id,
            attempt,
            statusCode: result.status,
            error: result.error ?? null,
            durationMs: Math.round(result.durationMs),
            at: new Date(nowMs()),
          })
          .run();
        tx.update(webhookDeliveries)
          .set({
            attempts: attempt,
            lastStatusCode: result.status,
            status:
              decision.outcome === "delivered" ? "delivered" : decision.outcome === "retry" ? "pending" : "failed",
            nextAttemptAt: decision.outcome === "retry" ? new Date(nowMs() + decision.delayMs) : null,
            deliveredAt: decision.outcome === "delivered" ? new Date(nowMs()) : null,
          })
          .where(eq(webhookDeliveries.id, d.id))
          .run();
      });
      sent++;
    }
    return sent;
  } finally {
    dispatching = false;
  }
}
