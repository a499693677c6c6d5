/**
 * Buyers' webhooks: endpoints an organisation registers, and the deliveries of its watch events
 * to them (signed, retried with backoff, every attempt recorded). A delivery is written in the
 * transaction of the event it carries (an outbox) and sent later by the dispatcher.
 */
import crypto from "node:crypto";
import { and, asc, desc, eq, inArray, isNotNull, like, lte, not, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import { users, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import type { Actor, AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { requireConfirmation } from "../../platform/confirmation.server";
import type { webhookInput } from "./forms";
import { deliverWebhook } from "./adapters/webhook-sender.server";
import {
  newWebhookSecret,
  normalizedWebhookUrl,
  previousSecretSigns,
  retryDecision,
  ROTATION_OVERLAP_MS,
  webhookUrlProblem,
} from "./domain/webhook";
import { assertBuyer } from "./access.server";
import { openWebhookSecret, sealWebhookSecret, webhookBox, webhookKeyUsable } from "./webhook-secrets.server";

/** Webhooks to loopback http are for development and tests (the e2e receiver); production wants public https. */
/** WEBHOOKS_ALLOW_LOOPBACK (app/platform/env.ts): on by default outside production, refused in production. */
const allowLoopbackHttp = () => getEnv().webhooksAllowLoopback;

/** Registers an endpoint; the secret is returned once (it signs every delivery). */
export function registerWebhook(actor: Actor, input: z.infer<typeof webhookInput>): { id: string; secret: string } {
  assertBuyer(actor);
  const problem = webhookUrlProblem(input.url, { allowLoopbackHttp: allowLoopbackHttp() });
  if (problem) throw new ServiceError("invalid", problem, { url: problem });
  // Stored and compared as the URL parser writes it: "https://Example.com/hook" is "https://example.com/hook".
  const url = normalizedWebhookUrl(input.url);
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  const stored = sealWebhookSecret(id, secret); // kept encrypted, bound to this endpoint
  transaction((tx) => {
    const active = tx
      .select({ url: webhookEndpoints.url })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.active, true)))
      .all();
    if (active.length >= 5)
      throw new ServiceError("conflict", "An organisation can have at most 5 webhook endpoints; remove one first.");
    // A second registration of the same URL (a double click, a resent form, another spelling of it)
    // would deliver every event twice, each copy signed with its own secret: the receiver could
    // check only one. Endpoints stored before URLs were normalised are compared in their normal form.
    const same = active.some((ep) => normalizedWebhookUrl(ep.url) === url);
    if (same) {
      const message =
        "This URL is already registered for your organisation. To get a new secret, use New secret on that endpoint.";
      throw new ServiceError("conflict", message, { url: message });
    }
    tx.insert(webhookEndpoints)
      .values({
        id,
        organizationId: actor.organizationId,
        url,
        secret: stored,
        createdBy: actor.userId,
        createdAt: new Date(nowMs()),
      })
      .run();
    recordAudit(tx, actor, {
      action: "webhook.registered",
      target: { type: "webhook", id },
      organizationId: actor.organizationId,
      details: { url },
    });
  });
  return { id, secret };
}

/**
 * Removes one of the organisation's endpoints for good: its secret signs nothing more and its
 * pending deliveries are given up. Asked first (the page's tick box); refused without it, as
 * revoking an API token is. Returns its URL and how many pending deliveries were given up.
 */
/**
 * One of the actor's organisation's active endpoints. Another organisation's, or one removed
 * already, is none (404), whatever else the request says (asked or not).
 */
function activeEndpointOf(t: Tx | ReturnType<typeof db>, actor: Actor, id: string) {
  const ep = t
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.organizationId, actor.organizationId)))
    .get();
  if (!ep || !ep.active) throw new ServiceError("not_found", "No webhook endpoint of your organisation has this id.");
  return ep;
}

export function removeWebhook(
  actor: Actor,
  id: string,
  opts: { confirmed: boolean },
): { url: string; givenUp: number } {
  assertBuyer(actor);
  return transaction((tx) => {
    const ep = activeEndpointOf(tx, actor, id);
    requireConfirmation(
      opts.confirmed,
      "the endpoint is removed for good (its secret signs nothing more and its pending deliveries are given up)",
    );
    return { url: ep.url, givenUp: deactivateEndpoint(tx, actor, ep, {}) };
  });
}

/**
 * A new signing secret for one of the organisation's endpoints, returned once: deliveries are
 * signed with it and, for ROTATION_OVERLAP_MS, with the secret before too (so the receiver can
 * switch at its own pace), then with it alone. Asked first (the page's tick box), as removal is;
 * a second rotation within the overlap ends the first one's (the secret before it signs no more).
 * Returns its URL, the new secret and until when the previous one still signs.
 */
export function rotateWebhookSecret(
  actor: Actor,
  id: string,
  opts: { confirmed: boolean },
): { url: string; secret: string; previousUntil: Date } {
  assertBuyer(actor);
  const ep = activeEndpointOf(db(), actor, id);
  requireConfirmation(
    opts.confirmed,
    "a new secret signs every delivery from now on; the current one also signs them for 24 hours, then no more",
  );
  const secret = newWebhookSecret();
  const stored = sealWebhookSecret(ep.id, secret); // before the transaction: refused here when the key is missing
  // The secret before, kept encrypted too (one stored before encryption, not yet sealed at a start, is sealed now).
  const previous = webhookBox.isSealed(ep.secret) ? ep.secret : sealWebhookSecret(ep.id, ep.secret);
  const previousUntil = new Date(nowMs() + ROTATION_OVERLAP_MS);
  transaction((tx) => {
    const changed = tx
      .update(webhookEndpoints)
      .set({ secret: stored, previousSecret: previous, previousSecretUntil: previousUntil })
      .where(
        and(eq(webhookEndpoints.id, ep.id), eq(webhookEndpoints.active, true), eq(webhookEndpoints.secret, ep.secret)),
      )
      .run().changes;
    if (!changed)
      throw new ServiceError(
        "conflict",
        "This endpoint changed meanwhile (removed, or its secret rotated): reload the page.",
      );
    recordAudit(tx, actor, {
      action: "webhook.secret_rotated",
      target: { type: "webhook", id: ep.id },
      organizationId: ep.organizationId,
      details: { url: ep.url, previousSignsUntil: previousUntil.toISOString() },
    });
  });
  return { url: ep.url, secret, previousUntil };
}

/**
 * Removes an endpoint: nothing more is queued to it, and its pending deliveries fail for good (a send
 * in flight stays failed). Audited as "webhook.removed", with `why` in the details. Returns how
 * many pending deliveries were given up.
 */
function deactivateEndpoint(
  tx: Tx,
  actor: AnyActor,
  ep: { id: string; url: string; organizationId: string },
  why: Record<string, unknown>,
): number {
  tx.update(webhookEndpoints).set({ active: false }).where(eq(webhookEndpoints.id, ep.id)).run();
  const givenUp = tx
    .update(webhookDeliveries)
    .set({ status: "failed", nextAttemptAt: null })
    .where(and(eq(webhookDeliveries.endpointId, ep.id), eq(webhookDeliveries.status, "pending")))
    .run().changes;
  recordAudit(tx, actor, {
    action: "webhook.removed",
    target: { type: "webhook", id: ep.id },
    organizationId: ep.organizationId,
    details: { url: ep.url, ...why },
  });
  return givenUp;
}

const endpointColumns = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  organizationId: webhookEndpoints.organizationId,
};

/**
 * Removes the active endpoints `userId` registered, in the caller's transaction: their account is
 * being disabled, and an endpoint must not outlive its creator's access (an address they chose,
 * signed with a secret they hold, receiving the organisation's events). Subscribed to
 * `user.disabled`; as revoking their API tokens, for good. Returns how many.
 */
export function removeWebhooksCreatedBy(tx: Tx, actor: AnyActor, userId: string, creatorEmail: string): number {
  const endpoints = tx
    .select(endpointColumns)
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.createdBy, userId), eq(webhookEndpoints.active, true)))
    .all();
  for (const ep of endpoints)
    deactivateEndpoint(tx, actor, ep, { reason: `its creator's account (${creatorEmail}) was disabled` });
  return endpoints.length;
}

/**
 * Removes the active endpoints whose creator's account is disabled: those of accounts disabled
 * before disabling removed them (removeWebhooksCreatedBy), found at startup. Idempotent; audited
 * like any removal. Returns how many.
 */
export function removeWebhooksOfDisabledCreators(actor: AnyActor): number {
  return transaction((tx) => {
    const orphans = tx
      .select({ ...endpointColumns, creatorEmail: users.email })
      .from(webhookEndpoints)
      .innerJoin(users, eq(users.id, webhookEndpoints.createdBy))
      .where(and(eq(webhookEndpoints.active, true), isNotNull(users.disabledAt)))
      .all();
    for (const { creatorEmail, ...ep } of orphans)
      deactivateEndpoint(tx, actor, ep, { reason: `its creator's account (${creatorEmail}) is disabled` });
    return orphans.length;
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
      secret: webhookEndpoints.secret,
      previousSecretUntil: webhookEndpoints.previousSecretUntil,
    })
    .from(webhookEndpoints)
    .innerJoin(users, eq(users.id, webhookEndpoints.createdBy))
    .where(and(eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.active, true)))
    .orderBy(asc(webhookEndpoints.createdAt))
    .all();
  return endpoints.map(({ secret, previousSecretUntil, ...ep }) => {
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
      /** Its deliveries are held: the server cannot sign them (its webhook key is missing or not this secret's). */
      held: openWebhookSecret(ep.id, secret, { quiet: true }) === null,
      /** After a rotation: until when the secret before also signs deliveries (null when it no longer does). */
      previousSignsUntil: previousSecretSigns(previousSecretUntil, nowMs()) ? previousSecretUntil : null,
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

/** At most this many endpoints are sent to at once (a lane each): a slow one holds one lane, not the queue. */
export const DISPATCH_LANES = 8;
/** At most this many deliveries to one endpoint per round, oldest due first (in order, one at a time). */
const PER_ENDPOINT_PER_ROUND = 10;
/** After a network error or timeout, an endpoint's other deliveries wait this long (each keeps its own backoff). */
const ENDPOINT_PAUSE_MS = 30_000;
/** An endpoint whose secret does not open with the key here is tried again after this long. */
const HELD_PAUSE_MS = 5 * 60_000;

/** Endpoints being sent to by this process now, and endpoints paused after a network failure (until when). */
const inFlight = new Set<string>();
const pausedUntil = new Map<string, number>();

/**
 * Sends the due deliveries, each endpoint in its own lane (up to DISPATCH_LANES at once): in a lane,
 * an endpoint's deliveries go one at a time, the one waiting longest (next attempt time) first (a
 * delivery waiting for its retry does not hold back a newer one: a receiver orders by the body's seq);
 * each attempt is recorded, then retried with backoff or given up. An endpoint that times out or
 * cannot be reached is paused for ENDPOINT_PAUSE_MS, so one dead receiver delays only its own
 * deliveries, never another organisation's. A round may start while lanes of the previous one are
 * still busy (their endpoints are skipped). Several processes are safe: a delivery is claimed (its
 * next attempt time moved) before it is sent. Returns how many attempts this round made (once its
 * lanes are done).
 */
export async function dispatchWebhooks(limit = 50, options: { timeoutMs?: number } = {}): Promise<number> {
  const now = nowMs();
  for (const [id, until] of pausedUntil) if (until <= now) pausedUntil.delete(id);
  const lanes = DISPATCH_LANES - inFlight.size;
  if (lanes <= 0) return 0;
  const busy = [...inFlight, ...pausedUntil.keys()];
  // Without the key, the endpoints whose secrets are sealed under it are left out (held): they take no lane.
  const keyUsable = webhookKeyUsable();
  // The endpoints with something due, the one waiting longest first; removed endpoints send nothing.
  const endpoints = db()
    .select({
      id: webhookEndpoints.id,
      url: webhookEndpoints.url,
      secret: webhookEndpoints.secret,
      previousSecret: webhookEndpoints.previousSecret,
      previousSecretUntil: webhookEndpoints.previousSecretUntil,
      waitingSince: sql<number>`min(${webhookDeliveries.nextAttemptAt})`,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, new Date(now)),
        eq(webhookEndpoints.active, true),
        busy.length ? notInArray(webhookEndpoints.id, busy) : undefined,
        keyUsable ? undefined : not(like(webhookEndpoints.secret, webhookBox.sealedPattern)),
      ),
    )
    .groupBy(webhookEndpoints.id)
    .orderBy(sql`min(${webhookDeliveries.nextAttemptAt})`)
    .limit(Math.min(lanes, limit))
    .all();
  let budget = limit;
  const runs: Promise<number>[] = [];
  for (const ep of endpoints) {
    if (budget <= 0) break;
    // A secret that does not open with the key here (another server's key, an altered row): held, never sent
    // unsigned nor given up, and left out for a while without taking this round's budget.
    const secret = openWebhookSecret(ep.id, ep.secret);
    if (secret === null) {
      pausedUntil.set(ep.id, nowMs() + HELD_PAUSE_MS);
      continue;
    }
    // While a rotation overlaps, signed with the previous secret too (when it opens: else with the new one alone).
    const previous =
      ep.previousSecret && previousSecretSigns(ep.previousSecretUntil, nowMs())
        ? openWebhookSecret(ep.id, ep.previousSecret, { quiet: true })
        : null;
    const take = Math.min(PER_ENDPOINT_PER_ROUND, budget);
    budget -= take;
    inFlight.add(ep.id);
    const lane = { id: ep.id, url: ep.url, secrets: previous ? [secret, previous] : [secret] };
    runs.push(sendLane(lane, take, options.timeoutMs).finally(() => inFlight.delete(ep.id)));
  }
  return (await Promise.all(runs)).reduce((a, b) => a + b, 0);
}

/** One endpoint's lane: up to `take` of its due deliveries, in order; stops at a network failure. */
async function sendLane(
  ep: { id: string; url: string; secrets: string[] },
  take: number,
  timeoutMs: number | undefined,
): Promise<number> {
  const due = db()
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, ep.id),
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, new Date(nowMs())),
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.createdAt))
    .limit(take)
    .all();
  let sent = 0;
  for (const d of due) {
    // Claim it: whoever moves nextAttemptAt first sends it (the send times out well before the claim ends).
    const claimedUntil = new Date(nowMs() + 60_000);
    const claimed = transaction(
      (tx) =>
        tx
          .update(webhookDeliveries)
          .set({ nextAttemptAt: claimedUntil })
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
      url: ep.url,
      secret: ep.secrets,
      body: d.body,
      eventId: d.eventId,
      allowLoopbackHttp: allowLoopbackHttp(),
      timeoutMs,
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
      // Only our claim moves it on: an endpoint removed meanwhile has failed its pending deliveries for good.
      tx.update(webhookDeliveries)
        .set({
          attempts: attempt,
          lastStatusCode: result.status,
          status: decision.outcome === "delivered" ? "delivered" : decision.outcome === "retry" ? "pending" : "failed",
          nextAttemptAt: decision.outcome === "retry" ? new Date(nowMs() + decision.delayMs) : null,
          deliveredAt: decision.outcome === "delivered" ? new Date(nowMs()) : null,
        })
        .where(
          and(
            eq(webhookDeliveries.id, d.id),
            eq(webhookDeliveries.status, "pending"),
            eq(webhookDeliveries.nextAttemptAt, claimedUntil),
          ),
        )
        .run();
    });
    sent++;
    if (result.status === null) {
      pausedUntil.set(ep.id, nowMs() + ENDPOINT_PAUSE_MS);
      break;
    }
  }
  return sent;
}
