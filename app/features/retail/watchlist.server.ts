/**
 * Retailer watchlists: the products a retail buyer's organisation stocks, their seals' live
 * status, what changed since the buyer last looked, and the paged feed of changes. The changes
 * themselves are recorded by the watch feed (watch-feed.server.ts) and delivered by the webhooks
 * (webhooks.server.ts).
 */
import crypto from "node:crypto";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import {
  organizations,
  products,
  productVersions,
  sealEvents,
  seals,
  watchEvents,
  watchlistEntries,
  watchlistVisits,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { sealVerdictOf, type SealVerdict } from "../trust/domain/verdict";
import { normalizeSerial } from "../trust/domain/serial";
import { parseBulkCsv, serialsOf } from "./bulk-csv.server";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import type { watchInput } from "./forms";
import { storedCredentialChecked } from "../trust/verify.server";
import { evaluateForOrganization, forgetPolicyStates, hasPolicies, syncPolicyStates } from "./policies.server";

import { assertBuyer } from "./access.server";
import { updateRequiredBySerial } from "../findings/advisories.server";
import { watchEventsOf } from "./watch-feed.server";

// --- The watchlist -------------------------------------------------------------------------------

function productOfSerial(t: Tx | ReturnType<typeof db>, input: string): { productId: string; serial: string } | null {
  const serial = normalizeSerial(input);
  if (!serial) return null;
  const row = t
    .select({ productId: productVersions.productId })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(seals.serial, serial))
    .get();
  return row ? { productId: row.productId, serial } : null;
}

/** Watches the product a seal certifies (all its seals, present and future). */
export function watchBySerial(
  actor: Actor,
  input: z.infer<typeof watchInput>,
): { productName: string; added: boolean } {
  assertBuyer(actor);
  return transaction((tx) => {
    const found = productOfSerial(tx, input.serial);
    if (!found)
      throw new ServiceError("not_found", `No seal has the serial ${input.serial}.`, {
        serial: "No seal has this serial.",
      });
    const product = tx.select({ name: products.name }).from(products).where(eq(products.id, found.productId)).get()!;
    const added = addEntry(tx, actor, found.productId, input.label);
    return { productName: product.name, added };
  });
}

function addEntry(tx: Tx, actor: Actor, productId: string, label: string): boolean {
  const exists = tx
    .select({ id: watchlistEntries.id })
    .from(watchlistEntries)
    .where(and(eq(watchlistEntries.organizationId, actor.organizationId), eq(watchlistEntries.productId, productId)))
    .get();
  if (exists) return false;
  const id = crypto.randomUUID();
  tx.insert(watchlistEntries)
    .values({
      id,
      organizationId: actor.organizationId,
      productId,
      label,
      addedBy: actor.userId,
      createdAt: new Date(nowMs()),
    })
    .run();
  // The product's history comes with it (no webhooks for the past): the feed and "since your last visit" start complete.
  for (const e of tx
    .select({ id: sealEvents.id, kind: sealEvents.kind, serial: sealEvents.serial, at: sealEvents.at })
    .from(sealEvents)
    .innerJoin(seals, eq(seals.serial, sealEvents.serial))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(productVersions.productId, productId))
    .orderBy(asc(sealEvents.id))
    .all()) {
    tx.insert(watchEvents)
      .values({
        organizationId: actor.organizationId,
        type: `seal.${e.kind}`,
        productId,
        serial: e.serial,
        body: "",
        sealEventId: e.id,
        at: e.at,
      })
      .onConflictDoNothing()
      .run();
  }
  syncPolicyStates(tx, { organizationId: actor.organizationId, productId }); // the first results, recorded without an event
  recordAudit(tx, actor, {
    action: "watchlist.added",
    target: { type: "product", id: productId },
    organizationId: actor.organizationId,
    details: { label },
  });
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
    const entry = tx
      .select()
      .from(watchlistEntries)
      .where(and(eq(watchlistEntries.id, entryId), eq(watchlistEntries.organizationId, actor.organizationId)))
      .get();
    if (!entry) throw new ServiceError("not_found", "This product is not on your watchlist.");
    tx.delete(watchlistEntries).where(eq(watchlistEntries.id, entryId)).run();
    forgetPolicyStates(tx, actor.organizationId, entry.productId);
    recordAudit(tx, actor, {
      action: "watchlist.removed",
      target: { type: "product", id: entry.productId },
      organizationId: actor.organizationId,
      details: {},
    });
  });
}

/** The watchlist page: each watched product with its current seal, counts by status, and what changed since the last visit. */
export async function watchlistView(actor: Actor, opts: { markSeen?: boolean } = {}) {
  assertBuyer(actor);
  const t = db();
  const entries = t
    .select({
      id: watchlistEntries.id,
      label: watchlistEntries.label,
      productId: products.id,
      name: products.name,
      model: products.model,
      supplier: organizations.name,
      addedAt: watchlistEntries.createdAt,
    })
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
      .select({
        serial: seals.serial,
        credential: seals.credential,
        state: seals.state,
        firmware: productVersions.firmwareVersion,
        validFrom: seals.validFrom,
        validUntil: seals.validUntil,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(and(eq(productVersions.productId, e.productId), sql`${seals.state} != 'superseded'`))
      .orderBy(desc(seals.issuedAt))
      .all();
    if (productSeals.length === 0) rows.push({ ...e, key: e.id, seal: null, status: "no_seal" as const });
    for (const seal of productSeals) {
      // A stored credential that does not verify is "forged" whatever the record says.
      const status: SealVerdict = (await storedCredentialChecked(seal)) ? sealVerdictOf(seal, now).verdict : "forged";
      rows.push({
        ...e,
        key: `${e.id}:${seal.serial}`,
        seal: { serial: seal.serial, firmware: seal.firmware, validUntil: seal.validUntil },
        status,
      });
    }
  }
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  // The organisation's acceptance policies, applied to every current seal (null: no policy defined).
  const withSeal = rows.filter((r) => r.seal);
  const results = evaluateForOrganization(
    t,
    actor.organizationId,
    withSeal.map((r) => r.seal!.serial),
    new Map(withSeal.map((r) => [r.seal!.serial, r.status as SealVerdict])),
  );
  // A public advisory affecting a seal's firmware, fixed in another version: "valid, update required".
  const updates = updateRequiredBySerial(
    withSeal.map((r) => r.seal!.serial),
    t,
  );
  const policied = rows.map((r) => ({
    ...r,
    policies: r.seal ? (results.get(r.seal.serial) ?? null) : null,
    updateRequired: r.seal && r.status !== "forged" ? (updates.get(r.seal.serial) ?? null) : null,
  }));
  const visit = t.select().from(watchlistVisits).where(eq(watchlistVisits.userId, actor.userId)).get();
  const since = visit?.lastSeenEventId ?? 0;
  const changes = watchEventsOf(t, actor.organizationId, since, 200, "desc");
  const newest = t
    .select({ id: sql<number>`coalesce(max(${watchEvents.id}), 0)` })
    .from(watchEvents)
    .where(eq(watchEvents.organizationId, actor.organizationId))
    .get()!.id;
  if (opts.markSeen) {
    t.insert(watchlistVisits)
      .values({ userId: actor.userId, lastSeenEventId: newest, at: now })
      .onConflictDoUpdate({ target: watchlistVisits.userId, set: { lastSeenEventId: newest, at: now } })
      .run();
  }
  return {
    rows: policied,
    counts,
    changes,
    lastVisit: visit?.at ?? null,
    hasPolicies: hasPolicies(actor.organizationId),
  };
}

/** The feed of changes of watched products: oldest first after `since` (a cursor: the last event's `seq`), paged. */
export function watchlistFeed(actor: Actor, since: number, limit = 100) {
  assertBuyer(actor);
  const page = Math.min(Math.max(limit, 1), 500);
  const events = watchEventsOf(db(), actor.organizationId, since, page);
  const next = events.length ? events[events.length - 1].seq : since;
  return { events, next, hasMore: events.length === page };
}
