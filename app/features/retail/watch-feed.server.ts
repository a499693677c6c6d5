/**
 * The watch feed: what each organisation watching a product sees change (its seal events, the
 * organisation's own policy results, advisories disclosed, reports recorded or withdrawn: severity
 * and count only while under embargo), recorded in the transaction of the
 * change and queued to the organisation's webhooks in the same transaction; each row raises
 * `watch.published` (the notifications tell the organisation's people).
 */
import { and, asc, desc, eq, gt, inArray, lte, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import {
  products,
  productVersions,
  sealEvents,
  seals,
  watchEvents,
  watchlistEntries,
  webhookEndpoints,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db, preparedQueries, type Tx } from "../../platform/db.server";
import { emit } from "../../platform/events.server";
import type { SealVerdict } from "../trust/domain/credential";
import { sealVerdictOf } from "../trust/domain/verdict";
import { restatesSuspension, type SealState } from "../trust/domain/seal-state";
import { enqueueWebhook } from "./webhooks.server";
import { reportEventBody } from "../findings/advisories.server";
import { replacedInItsVersion } from "./domain/version-seals";

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
  /** A "seal.suspended" that only gives a new reason: the seal was suspended already. */
  restated?: true;
}

/**
 * One change a watcher sees: a seal event of a watched product (above), or an event of the
 * organisation's own (a policy met or missed, an advisory disclosed), each with a type, the
 * product, a one-line reason and, for the feed, the cursor `seq`. `backfill: true` marks a seal
 * event of the product's past, copied into the feed when the organisation started watching it
 * (the feed starts complete): history, not news; no webhook or notification was sent for it.
 */
export type WatchEvent = {
  seq: number;
  type: string;
  serial: string | null;
  reason: string;
  product: { id: string; name: string; model: string };
  at: string;
  status?: SealVerdict;
  backfill?: true;
} & Record<string, unknown>;

/**
 * The `body` of a watch event copied from a product's history when a watch starts (a seal event's
 * row keeps its public description in the seal event; its body only says it is history).
 */
export const BACKFILL_BODY = JSON.stringify({ backfill: true });

/** Which of an organisation's watch events: changes (recorded as they happened) or backfilled history. */
export interface WatchEventFilter {
  /** Only events up to this cursor. */
  upTo?: number;
  /** true: only backfilled history; false: only changes; unset: both. */
  backfill?: boolean;
}

function watchEventWhere(organizationId: string, since: number, f: WatchEventFilter) {
  return and(
    eq(watchEvents.organizationId, organizationId),
    gt(watchEvents.id, since),
    f.upTo === undefined ? undefined : lte(watchEvents.id, f.upTo),
    f.backfill === undefined
      ? undefined
      : f.backfill
        ? eq(watchEvents.body, BACKFILL_BODY)
        : ne(watchEvents.body, BACKFILL_BODY),
  );
}

/** How many of an organisation's watch events come after `since` (within the filter). */
export function countWatchEvents(
  t: Tx | ReturnType<typeof db>,
  organizationId: string,
  since: number,
  filter: WatchEventFilter = {},
): number {
  return t
    .select({ n: sql<number>`count(*)` })
    .from(watchEvents)
    .where(watchEventWhere(organizationId, since, filter))
    .get()!.n;
}

/** The `seq` of an organisation's newest watch event (0: none yet). */
export function newestWatchEventSeq(t: Tx | ReturnType<typeof db>, organizationId: string): number {
  return (
    t
      .select({ n: sql<number | null>`max(${watchEvents.id})` })
      .from(watchEvents)
      .where(eq(watchEvents.organizationId, organizationId))
      .get()?.n ?? 0
  );
}

/** The state each seal event leaves the seal in; "expired" changes none (expiry follows from validUntil). */
const STATE_LEFT_BY: Partial<Record<string, SealState>> = {
  issued: "active",
  reinstated: "active",
  suspended: "suspended",
  revoked: "revoked",
  superseded: "superseded",
};

/**
 * The verdict a seal event left, by the one rule (sealVerdictOf) at the event's time, from the
 * state the event left: an issuance or a reinstatement leaves the seal valid only if it has not
 * expired by then (a suspended seal reinstated after its validUntil is expired, not valid). An
 * expiry leaves the state the seal was in (`stateBefore`: the kind of its latest earlier
 * state-changing event), so it reads as the pages, the API and the status lists said then: a seal
 * that expired while suspended stays "suspended", a superseded one "superseded".
 */
function statusAfter(
  kind: string,
  at: Date,
  seal: { validFrom: Date; validUntil: Date; state: SealState; stateBefore: string | null },
): SealVerdict {
  const state =
    kind === "expired" ? (STATE_LEFT_BY[seal.stateBefore ?? ""] ?? seal.state) : (STATE_LEFT_BY[kind] ?? seal.state);
  return sealVerdictOf({ state, validFrom: seal.validFrom, validUntil: seal.validUntil }, at).verdict;
}

function sealEventSelect(t: Tx | ReturnType<typeof db>) {
  return t
    .select({
      e: sealEvents,
      productId: products.id,
      productName: products.name,
      model: products.model,
      firmware: productVersions.firmwareVersion,
      validFrom: seals.validFrom,
      validUntil: seals.validUntil,
      state: seals.state,
      // For an expiry or a suspension only: the kind of the seal's latest earlier event that changed
      // its state (the seal_events_serial index (serial, id) answers it).
      stateBefore: sql<string | null>`case when ${sealEvents.kind} in ('expired', 'suspended') then (
        select p.kind from seal_events p
        where p.serial = ${sealEvents.serial} and p.id < ${sealEvents.id} and p.kind <> 'expired'
        order by p.id desc limit 1) end`,
    })
    .from(sealEvents)
    .innerJoin(seals, eq(seals.serial, sealEvents.serial))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId));
}

/** One event: what every seal event's transaction asks (prepared once per connection). */
const oneSealEvent = preparedQueries((t) =>
  sealEventSelect(t)
    .where(eq(sealEvents.id, sql.placeholder("id")))
    .prepare(),
);

export function sealEventRows(t: Tx | ReturnType<typeof db>, ids: number[]): Map<number, SealWatchEvent> {
  const out = new Map<number, SealWatchEvent>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows =
      ids.length === 1
        ? oneSealEvent(t).all({ id: ids[0] })
        : sealEventSelect(t)
            .where(inArray(sealEvents.id, ids.slice(i, i + 500)))
            .all();
    for (const r of rows) {
      out.set(r.e.id, {
        id: `seal-event-${r.e.id}`,
        type: `seal.${r.e.kind}`,
        serial: r.e.serial,
        status: statusAfter(r.e.kind, r.e.at, r),
        reason: r.e.reason,
        product: { id: r.productId, name: r.productName, model: r.model },
        firmwareVersion: r.firmware,
        logIndex: r.e.logIndex,
        at: r.e.at.toISOString(),
        // A new reason for a seal suspended already (still "seal.suspended", for consumers that know only that).
        ...(restatesSuspension(r.e.kind, r.stateBefore) ? { restated: true as const } : {}),
      });
    }
  }
  return out;
}

/** An organisation's watch events after `since` (oldest first, or newest first), as the watchers see them. */
export function watchEventsOf(
  t: Tx | ReturnType<typeof db>,
  organizationId: string,
  since: number,
  limit: number,
  order: "asc" | "desc" = "asc",
  filter: WatchEventFilter = {},
): WatchEvent[] {
  const rows = t
    .select()
    .from(watchEvents)
    .where(watchEventWhere(organizationId, since, filter))
    .orderBy(order === "asc" ? asc(watchEvents.id) : desc(watchEvents.id))
    .limit(limit)
    .all();
  const sealRows = sealEventRows(
    t,
    rows.filter((r) => r.sealEventId !== null).map((r) => r.sealEventId!),
  );
  const out: WatchEvent[] = [];
  for (const r of rows) {
    const body = r.sealEventId !== null ? sealRows.get(r.sealEventId) : (JSON.parse(r.body) as Omit<WatchEvent, "seq">);
    if (body) out.push({ ...body, seq: r.id, ...(r.body === BACKFILL_BODY ? { backfill: true } : {}) } as WatchEvent);
  }
  return out;
}

/**
 * Records one change for the watchers of `productId` (every organisation watching it, or only
 * `organizationId`) and queues it to each of their active webhook endpoints, in the caller's
 * transaction (an outbox). `body.id` is the event's id in webhook deliveries.
 */
/** The organisations watching a product: asked on every seal event (in its transaction), prepared once per connection. */
const watchersOf = preparedQueries((t) =>
  t
    .select({ org: watchlistEntries.organizationId })
    .from(watchlistEntries)
    .where(eq(watchlistEntries.productId, sql.placeholder("productId")))
    .prepare(),
);

export function publishWatchEvent(
  tx: Tx,
  e: {
    productId: string;
    type: string;
    serial: string | null;
    body: { id: string } & Record<string, unknown>;
    sealEventId?: number;
    organizationId?: string;
  },
): void {
  const orgs = e.organizationId
    ? [e.organizationId]
    : watchersOf(tx)
        .all({ productId: e.productId })
        .map((r) => r.org);
  const at = new Date(nowMs());
  for (const org of orgs) {
    const inserted = tx
      .insert(watchEvents)
      .values({
        organizationId: org,
        type: e.type,
        productId: e.productId,
        serial: e.serial,
        body: e.sealEventId === undefined ? JSON.stringify(e.body) : "",
        sealEventId: e.sealEventId ?? null,
        at,
      })
      .onConflictDoNothing()
      .run();
    if (!inserted.changes) continue;
    // The organisation's people are told (app/features/notifications: in app, by mail or in the daily digest).
    emit(tx, "watch.published", {
      watchEventId: Number(inserted.lastInsertRowid),
      organizationId: org,
      productId: e.productId,
      type: e.type,
    });
    const endpoints = tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.organizationId, org), eq(webhookEndpoints.active, true)))
      .all();
    // `seq`: the event's cursor in the organisation's feed (increasing, not contiguous; receivers order by it, as the feed does).
    for (const ep of endpoints)
      enqueueWebhook(tx, ep.id, e.body.id, { ...e.body, seq: Number(inserted.lastInsertRowid) });
  }
}

/**
 * A seal event (issued, suspended, reinstated, revoked, expired, superseded), for every
 * organisation watching the seal's product: one watch event each, and one webhook delivery per
 * active endpoint of each. Subscribed to `seal.changed` (runs in the event's transaction).
 */
export function announceSealEvent(tx: Tx, sealEventId: number): void {
  const event = sealEventRows(tx, [sealEventId]).get(sealEventId);
  if (!event) return;
  // The expiry of a seal its firmware version's renewal replaced is no news: the version is certified.
  if (event.type === "seal.expired" && replacedInItsVersion(event.serial, versionSealsOf(tx, event.serial))) return;
  publishWatchEvent(tx, {
    productId: event.product.id,
    type: event.type,
    serial: event.serial,
    body: { ...event },
    sealEventId,
  });
}

/** An advisory made public, for the organisations that watched the product at that moment. Subscribed to `advisory.published`. */
export function announceAdvisory(
  tx: Tx,
  e: {
    productId: string;
    serial: string | null;
    organizationIds: readonly string[];
    body: { id: string; type: string } & Record<string, unknown>;
  },
): void {
  for (const org of e.organizationIds)
    publishWatchEvent(tx, {
      productId: e.productId,
      type: e.body.type,
      serial: e.serial,
      body: e.body,
      organizationId: org,
    });
}

/**
 * A vulnerability report recorded on (or withdrawn from) a watched product, for every organisation
 * watching it: embargo-safe (the severity and the open count; the public advisory only if it was
 * disclosed). Subscribed to `finding.changed` with a `change` (runs in the event's transaction).
 */
export function announceReportChange(
  tx: Tx,
  e: { findingId: string; productId: string; change: "recorded" | "withdrawn" },
): void {
  const now = new Date(nowMs());
  const body = reportEventBody(tx, e, now);
  if (!body) return;
  // The organisations watching at this moment (a back-dated record, as the demo seed makes, is not
  // announced to organisations that started watching after it), as for advisories.
  const watchers = tx
    .select({ org: watchlistEntries.organizationId })
    .from(watchlistEntries)
    .where(and(eq(watchlistEntries.productId, e.productId), lte(watchlistEntries.createdAt, now)))
    .all();
  for (const w of watchers)
    publishWatchEvent(tx, {
      productId: e.productId,
      type: body.type,
      serial: body.serial,
      body,
      organizationId: w.org,
    });
}

/** The seal fields each firmware version's current seal is chosen from (domain/version-seals.ts). */
export const VERSION_SEAL_COLUMNS = {
  serial: seals.serial,
  state: seals.state,
  validFrom: seals.validFrom,
  validUntil: seals.validUntil,
  issuedAt: seals.issuedAt,
  productVersionId: seals.productVersionId,
};

/** Every seal of the firmware version a seal certifies (what domain/version-seals.ts chooses from), with its verdict now. */
function versionSealsOf(t: Tx, serial: string) {
  const version = alias(seals, "of_serial");
  const now = new Date(nowMs());
  return t
    .select(VERSION_SEAL_COLUMNS)
    .from(seals)
    .innerJoin(version, eq(version.productVersionId, seals.productVersionId))
    .where(eq(version.serial, serial))
    .all()
    .map((r) => ({ ...r, verdict: sealVerdictOf(r, now).verdict }));
}

/** The product a seal certifies. */
const productOfSeal = preparedQueries((t) =>
  t
    .select({ productId: productVersions.productId })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(seals.serial, sql.placeholder("serial")))
    .prepare(),
);

export function sealProductId(t: Tx, serial: string): string | null {
  const row = productOfSeal(t).get({ serial });
  return row?.productId ?? null;
}
