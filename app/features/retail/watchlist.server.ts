/**
 * Retailer watchlists: the products a retail buyer's organisation stocks, their seals' live
 * status, what changed since the buyer last looked, a paged feed of changes, and webhooks that
 * deliver each change (signed, retried with backoff, every attempt recorded). Webhook deliveries
 * are written in the transaction of the seal event (an outbox), and sent by a dispatcher.
 */
import crypto from "node:crypto";
import { and, asc, desc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { organizations, products, productVersions, sealEvents, seals, users, watchEvents, watchlistEntries, watchlistVisits, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { deliverWebhook } from "./adapters/webhook-sender.server";
import { getEnv } from "../../platform/env.server";
import { sealVerdict, type SealVerdict } from "../trust/domain/credential";
import { can } from "../../platform/roles";
import { normalizeSerial } from "../trust/domain/serial";
import { newWebhookSecret, retryDecision, webhookUrlProblem } from "./domain/webhook";
import { parseBulkCsv, serialsOf } from "./bulk-csv.server";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { storedCredentialChecked } from "../trust/verify.server";
import { evaluateForOrganization, forgetPolicyStates, hasPolicies, syncPolicyStates } from "./policies.server";

function assertBuyer(actor: Actor): void {
  if (!can(actor.role, "seals.verify")) throw new ServiceError("forbidden", "Watchlists belong to retail buyers.");
}

/** Webhooks to loopback http are for development and tests (the e2e receiver); production wants public https. */
/** WEBHOOKS_ALLOW_LOOPBACK (app/platform/env.ts): on by default outside production, refused in production. */
const allowLoopbackHttp = () => getEnv().webhooksAllowLoopback;

// --- The watchlist -------------------------------------------------------------------------------

export const watchInput = z.object({
  serial: z.string().trim().min(1, "Enter a seal serial."),
  label: z.string().trim().max(100, "Keep your label under 100 characters.").default(""),
});

function productOfSerial(t: Tx | ReturnType<typeof db>, input: string): { productId: string; serial: string } | null {
  const serial = normalizeSerial(input);
  if (!serial) return null;
  const row = t.select({ productId: productVersions.productId }).from(seals).innerJoin(productVersions, eq(productVersions.id, seals.productVersionId)).where(eq(seals.serial, serial)).get();
  return row ? { productId: row.productId, serial } : null;
}

/** Watches the product a seal certifies (all its seals, present and future). */
export function watchBySerial(actor: Actor, input: z.infer<typeof watchInput>): { productName: string; added: boolean } {
  assertBuyer(actor);
  return transaction((tx) => {
    const found = productOfSerial(tx, input.serial);
    if (!found) throw new ServiceError("not_found", `No seal has the serial ${input.serial}.`, { serial: "No seal has this serial." });
    const product = tx.select({ name: products.name }).from(products).where(eq(products.id, found.productId)).get()!;
    const added = addEntry(tx, actor, found.productId, input.label);
    return { productName: product.name, added };
  });
}

function addEntry(tx: Tx, actor: Actor, productId: string, label: string): boolean {
  const exists = tx.select({ id: watchlistEntries.id }).from(watchlistEntries).where(and(eq(watchlistEntries.organizationId, actor.organizationId), eq(watchlistEntries.productId, productId))).get();
  if (exists) return false;
  const id = crypto.randomUUID();
  tx.insert(watchlistEntries).values({ id, organizationId: actor.organizationId, productId, label, addedBy: actor.userId, createdAt: new Date(nowMs()) }).run();
  // The product's history comes with it (no webhooks for the past): the feed and "since your last visit" start complete.
  for (const e of tx
    .select({ id: sealEvents.id, kind: sealEvents.kind, serial: sealEvents.serial, at: sealEvents.at })
    .from(sealEvents)
    .innerJoin(seals, eq(seals.serial, sealEvents.serial))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(productVersions.productId, productId))
    .orderBy(asc(sealEvents.id))
    .all()) {
    tx.insert(watchEvents).values({ organizationId: actor.organizationId, type: `seal.${e.kind}`, productId, serial: e.serial, body: "", sealEventId: e.id, at: e.at }).onConflictDoNothing().run();
  }
  syncPolicyStates(tx, { organizationId: actor.organizationId, productId }); // the first results, recorded without an event
  recordAudit(tx, actor, { action: "watchlist.added", target: { type: "product", id: productId }, organizationId: actor.organizationId, details: { label } });
  return true;
}

/** Watches every product named by the serials of a bulk-check CSV (other columns: the first non-serial one is the label). */
export function watchFromCsv(actor: Actor, text: string): { added: number; already: number; unknown: string[] } {
  assertBuyer(actor);
  const parsed = parseBulkCsv(text);
  if (!parsed.ok) throw new ServiceError("invalid", parsed.message, { file: parsed.message });
  const serials = serialsOf(parsed.value);
  const labelColumn = parsed.value.header.findIndex((_, i) => i !== parsed.value.serialColumn);
  return transaction((tx) => {
    let added = 0;
    let already = 0;
    const unknown: string[] = [];
    parsed.value.rows.forEach((row, i) => {
      const found = productOfSerial(tx, serials[i]);
      if (!found) {
        if (serials[i].trim()) unknown.push(serials[i].trim());
        return;
      }
      if (addEntry(tx, actor, found.productId, labelColumn >= 0 ? (row[labelColumn] ?? "").slice(0, 100) : "")) added++;
      else already++;
    });
    return { added, already, unknown };
  });
}

export function unwatch(actor: Actor, entryId: string): void {
  assertBuyer(actor);
  transaction((tx) => {
    const entry = tx.select().from(watchlistEntries).where(and(eq(watchlistEntries.id, entryId), eq(watchlistEntries.organizationId, actor.organizationId))).get();
    if (!entry) throw new ServiceError("not_found", "This product is not on your watchlist.");
    tx.delete(watchlistEntries).where(eq(watchlistEntries.id, entryId)).run();
    forgetPolicyStates(tx, actor.organizationId, entry.productId);
    recordAudit(tx, actor, { action: "watchlist.removed", target: { type: "product", id: entry.productId }, organizationId: actor.organizationId, details: {} });
  });
}

/** The public description of one seal event (what a watcher, the feed and a webhook see). */
export interface SealWatchEvent {
  id: string; // seal-event-<n>: the same for every watcher
  type: string; // seal.issued, seal.suspended, ...
  serial: string;
  status: SealVerdict;
  reason: string;
  product: { id: string; name: string; model: string };
  firmwareVersion: string;
  logIndex: number;
  at: string;
}

/**
 * One change a watcher sees: a seal event of a watched product (above), or an event of the
 * organisation's own (a policy met or missed, an advisory disclosed), each with a type, the
 * product, a one-line reason and, for the feed, the cursor `seq`.
 */
export type WatchEvent = { seq: number; type: string; serial: string | null; reason: string; product: { id: string; name: string; model: string }; at: string; status?: SealVerdict } & Record<string, unknown>;

const EVENT_STATUS: Record<string, SealVerdict> = { issued: "valid", reinstated: "valid", suspended: "suspended", revoked: "revoked", expired: "expired", superseded: "superseded" };

function sealEventRows(t: Tx | ReturnType<typeof db>, ids: number[]): Map<number, SealWatchEvent> {
  const out = new Map<number, SealWatchEvent>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = t
      .select({ e: sealEvents, productId: products.id, productName: products.name, model: products.model, firmware: productVersions.firmwareVersion })
      .from(sealEvents)
      .innerJoin(seals, eq(seals.serial, sealEvents.serial))
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(sealEvents.id, ids.slice(i, i + 500)))
      .all();
    for (const r of rows) {
      out.set(r.e.id, {
        id: `seal-event-${r.e.id}`,
        type: `seal.${r.e.kind}`,
        serial: r.e.serial,
        status: EVENT_STATUS[r.e.kind] ?? "valid",
        reason: r.e.reason,
        product: { id: r.productId, name: r.productName, model: r.model },
        firmwareVersion: r.firmware,
        logIndex: r.e.logIndex,
        at: r.e.at.toISOString(),
      });
    }
  }
  return out;
}

/** An organisation's watch events after `since` (oldest first, or newest first), as the watchers see them. */
function watchEventsOf(t: Tx | ReturnType<typeof db>, organizationId: string, since: number, limit: number, order: "asc" | "desc" = "asc"): WatchEvent[] {
  const rows = t
    .select()
    .from(watchEvents)
    .where(and(eq(watchEvents.organizationId, organizationId), gt(watchEvents.id, since)))
    .orderBy(order === "asc" ? asc(watchEvents.id) : desc(watchEvents.id))
    .limit(limit)
    .all();
  const sealRows = sealEventRows(t, rows.filter((r) => r.sealEventId !== null).map((r) => r.sealEventId!));
  const out: WatchEvent[] = [];
  for (const r of rows) {
    const body = r.sealEventId !== null ? sealRows.get(r.sealEventId) : (JSON.parse(r.body) as Omit<WatchEvent, "seq">);
    if (body) out.push({ ...body, seq: r.id } as WatchEvent);
  }
  return out;
}

/**
 * Records one change for the watchers of `productId` (every organisation watching it, or only
 * `organizationId`) and queues it to each of their active webhook endpoints, in the caller's
 * transaction (an outbox). `body.id` is the event's id in webhook deliveries.
 */
export function publishWatchEvent(tx: Tx, e: { productId: string; type: string; serial: string | null; body: { id: string } & Record<string, unknown>; sealEventId?: number; organizationId?: string }): void {
  const orgs = e.organizationId
    ? [e.organizationId]
    : tx.select({ org: watchlistEntries.organizationId }).from(watchlistEntries).where(eq(watchlistEntries.productId, e.productId)).all().map((r) => r.org);
  const at = new Date(nowMs());
  for (const org of orgs) {
    const inserted = tx
      .insert(watchEvents)
      .values({ organizationId: org, type: e.type, productId: e.productId, serial: e.serial, body: e.sealEventId === undefined ? JSON.stringify(e.body) : "", sealEventId: e.sealEventId ?? null, at })
      .onConflictDoNothing()
      .run();
    if (!inserted.changes) continue;
    const endpoints = tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(and(eq(webhookEndpoints.organizationId, org), eq(webhookEndpoints.active, true))).all();
    for (const ep of endpoints) enqueue(tx, ep.id, e.body.id, e.body);
  }
}

/** The watchlist page: each watched product with its current seal, counts by status, and what changed since the last visit. */
export async function watchlistView(actor: Actor, opts: { markSeen?: boolean } = {}) {
  assertBuyer(actor);
  const t = db();
  const entries = t
    .select({ id: watchlistEntries.id, label: watchlistEntries.label, productId: products.id, name: products.name, model: products.model, supplier: organizations.name, addedAt: watchlistEntries.createdAt })
    .from(watchlistEntries)
    .innerJoin(products, eq(products.id, watchlistEntries.productId))
    .innerJoin(organizations, eq(organizations.id, products.organizationId))
    .where(eq(watchlistEntries.organizationId, actor.organizationId))
    .orderBy(asc(products.name))
    .all();
  const now = new Date(nowMs());
  // One row per current seal of each watched product (every firmware version certified and not
  // superseded: a shop may stock several), or one row saying the product has no seal.
  const rows = [];
  for (const e of entries) {
    const productSeals = t
      .select({ serial: seals.serial, credential: seals.credential, state: seals.state, firmware: productVersions.firmwareVersion, validUntil: seals.validUntil })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(and(eq(productVersions.productId, e.productId), sql`${seals.state} != 'superseded'`))
      .orderBy(desc(seals.issuedAt))
      .all();
    if (productSeals.length === 0) rows.push({ ...e, key: e.id, seal: null, status: "no_seal" as const });
    for (const seal of productSeals) {
      const credential = await storedCredentialChecked(seal);
      const status: SealVerdict = credential ? sealVerdict(credential, { now, revoked: seal.state === "revoked", suspended: seal.state === "suspended", superseded: false }).verdict : "forged";
      rows.push({ ...e, key: `${e.id}:${seal.serial}`, seal: { serial: seal.serial, firmware: seal.firmware, validUntil: seal.validUntil }, status });
    }
  }
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  // The organisation's acceptance policies, applied to every current seal (null: no policy defined).
  const withSeal = rows.filter((r) => r.seal);
  const results = evaluateForOrganization(t, actor.organizationId, withSeal.map((r) => r.seal!.serial), new Map(withSeal.map((r) => [r.seal!.serial, r.status as SealVerdict])));
  const policied = rows.map((r) => ({ ...r, policies: r.seal ? (results.get(r.seal.serial) ?? null) : null }));
  const visit = t.select().from(watchlistVisits).where(eq(watchlistVisits.userId, actor.userId)).get();
  const since = visit?.lastSeenEventId ?? 0;
  const changes = watchEventsOf(t, actor.organizationId, since, 200, "desc");
  const newest = t.select({ id: sql<number>`coalesce(max(${watchEvents.id}), 0)` }).from(watchEvents).where(eq(watchEvents.organizationId, actor.organizationId)).get()!.id;
  if (opts.markSeen) {
    t.insert(watchlistVisits).values({ userId: actor.userId, lastSeenEventId: newest, at: now }).onConflictDoUpdate({ target: watchlistVisits.userId, set: { lastSeenEventId: newest, at: now } }).run();
  }
  return { rows: policied, counts, changes, lastVisit: visit?.at ?? null, hasPolicies: hasPolicies(actor.organizationId) };
}

/** The feed of changes of watched products: oldest first after `since` (a cursor: the last event's `seq`), paged. */
export function watchlistFeed(actor: Actor, since: number, limit = 100) {
  assertBuyer(actor);
  const page = Math.min(Math.max(limit, 1), 500);
  const events = watchEventsOf(db(), actor.organizationId, since, page);
  const next = events.length ? events[events.length - 1].seq : since;
  return { events, next, hasMore: events.length === page };
}

// --- Webhooks ------------------------------------------------------------------------------------

export const webhookInput = z.object({ url: z.string().trim().min(1, "Enter the endpoint's URL.").max(2048, "That URL is too long.") });

/** Registers an endpoint; the secret is returned once (it signs every delivery). */
export function registerWebhook(actor: Actor, input: z.infer<typeof webhookInput>): { id: string; secret: string } {
  assertBuyer(actor);
  const problem = webhookUrlProblem(input.url, { allowLoopbackHttp: allowLoopbackHttp() });
  if (problem) throw new ServiceError("invalid", problem, { url: problem });
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  transaction((tx) => {
    const count = tx.select({ n: sql<number>`count(*)` }).from(webhookEndpoints).where(and(eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.active, true))).get()!.n;
    if (count >= 5) throw new ServiceError("conflict", "An organisation can have at most 5 webhook endpoints; remove one first.");
    tx.insert(webhookEndpoints).values({ id, organizationId: actor.organizationId, url: input.url, secret, createdBy: actor.userId, createdAt: new Date(nowMs()) }).run();
    recordAudit(tx, actor, { action: "webhook.registered", target: { type: "webhook", id }, organizationId: actor.organizationId, details: { url: input.url } });
  });
  return { id, secret };
}

export function removeWebhook(actor: Actor, id: string): void {
  assertBuyer(actor);
  transaction((tx) => {
    const ep = tx.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.organizationId, actor.organizationId))).get();
    if (!ep) throw new ServiceError("not_found", "No webhook endpoint of your organisation has this id.");
    tx.update(webhookEndpoints).set({ active: false }).where(eq(webhookEndpoints.id, id)).run();
    tx.update(webhookDeliveries).set({ status: "failed", nextAttemptAt: null }).where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, "pending"))).run();
    recordAudit(tx, actor, { action: "webhook.removed", target: { type: "webhook", id }, organizationId: actor.organizationId, details: { url: ep.url } });
  });
}

function enqueue(tx: Tx, endpointId: string, eventId: string, payload: unknown): void {
  tx.insert(webhookDeliveries)
    .values({ id: crypto.randomUUID(), endpointId, eventId, body: JSON.stringify(payload), status: "pending", attempts: 0, nextAttemptAt: new Date(nowMs()), createdAt: new Date(nowMs()) })
    .onConflictDoNothing()
    .run();
}

/** Queues a test event for one endpoint (the "send a test" button). */
export function sendTestWebhook(actor: Actor, id: string): void {
  assertBuyer(actor);
  transaction((tx) => {
    const ep = tx.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.active, true))).get();
    if (!ep) throw new ServiceError("not_found", "No active webhook endpoint of your organisation has this id.");
    const eventId = `test-${crypto.randomUUID()}`;
    enqueue(tx, ep.id, eventId, { id: eventId, type: "test", at: new Date(nowMs()).toISOString(), message: "A test delivery from IoT Seal." });
  });
}

/**
 * Called inside the transaction of every seal event: one watch event per organisation watching
 * the seal's product, and one webhook delivery per active endpoint of each (the outbox).
 */
export function enqueueSealEvent(tx: Tx, sealEventId: number): void {
  const event = sealEventRows(tx, [sealEventId]).get(sealEventId);
  if (!event) return;
  publishWatchEvent(tx, { productId: event.product.id, type: event.type, serial: event.serial, body: { ...event }, sealEventId });
  syncPolicyStates(tx, { productId: event.product.id }); // a status change can make a watched product stop (or start) meeting a policy
}

/** The buyer's endpoints with their recent deliveries and every attempt. */
export function webhooksView(actor: Actor) {
  assertBuyer(actor);
  const t = db();
  const endpoints = t.select({ id: webhookEndpoints.id, url: webhookEndpoints.url, createdAt: webhookEndpoints.createdAt, by: users.name }).from(webhookEndpoints).innerJoin(users, eq(users.id, webhookEndpoints.createdBy)).where(and(eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.active, true))).orderBy(asc(webhookEndpoints.createdAt)).all();
  return endpoints.map((ep) => {
    const deliveries = t.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, ep.id)).orderBy(desc(webhookDeliveries.createdAt)).limit(20).all();
    const attempts = deliveries.length ? t.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveries.map((d) => d.id))).orderBy(asc(webhookAttempts.id)).all() : [];
    return {
      ...ep,
      deliveries: deliveries.map((d) => ({ id: d.id, eventId: d.eventId, type: (JSON.parse(d.body) as { type?: string }).type ?? "", status: d.status, attempts: attempts.filter((a) => a.deliveryId === d.id), nextAttemptAt: d.nextAttemptAt, createdAt: d.createdAt })),
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
      const claimed = transaction((tx) => tx.update(webhookDeliveries).set({ nextAttemptAt: new Date(nowMs() + 60_000) }).where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, new Date(nowMs())))).run().changes);
      if (!claimed) continue;
      const result = await deliverWebhook({ url, secret, body: d.body, eventId: d.eventId, allowLoopbackHttp: allowLoopbackHttp() });
      const attempt = d.attempts + 1;
      const decision = retryDecision(attempt, result.status, Math.random);
      transaction((tx) => {
        tx.insert(webhookAttempts).values({ deliveryId: d.id, attempt, statusCode: result.status, error: result.error ?? null, durationMs: Math.round(result.durationMs), at: new Date(nowMs()) }).run();
        tx.update(webhookDeliveries)
          .set({
            attempts: attempt,
            lastStatusCode: result.status,
            status: decision.outcome === "delivered" ? "delivered" : decision.outcome === "retry" ? "pending" : "failed",
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
