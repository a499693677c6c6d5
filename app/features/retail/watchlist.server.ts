/**
 * Retailer watchlists: the products a retail buyer's organisation stocks (watched by a seal serial,
 * by GTIN, or from a CSV of either), their seals' live status (a GTIN watch: the product's current
 * seal, followed in followed-products.server.ts), what changed since the buyer last looked, and the
 * paged feed of changes. The changes themselves are recorded by the watch feed (watch-feed.server.ts)
 * and delivered by the webhooks (webhooks.server.ts).
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
import { WATCH_CSV_MAX_ROWS, serialRowWatch, watchCsvColumns, watchCsvRow } from "./domain/watch-csv";
import { readCsvRecords, recordProblem } from "./domain/csv-records";
import { productGtinsOfSeals, sealedProductOfGtin, sealsOfProductForGtin } from "../certification/product-seals.server";
import { gtin14Of } from "../catalogue/domain/gtin";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import type { watchGtinInput, watchInput } from "./forms";
import { storedCredentialChecked } from "../trust/verify.server";
import { evaluateForOrganization, forgetPolicyStates, hasPolicies, syncPolicyStates } from "./policies.server";

import { assertBuyer } from "./access.server";
import { updateRequiredBySerial } from "../findings/advisories.server";
import { BACKFILL_BODY, countWatchEvents, newestWatchEventSeq, watchEventsOf } from "./watch-feed.server";
import { currentSealsOf, followedGtin } from "./followed-products.server";
import { currentSealsOfVersions } from "./domain/version-seals";
import { countStandings } from "./domain/watch-standing";

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
    if (!found) {
      // One message, said once: the form shows it at the serial field (not a second, shorter one there).
      // A barcode number typed here is pointed to the GTIN form, not answered as an unknown serial.
      const message = looksLikeGtin(input.serial)
        ? `${input.serial.trim()} is a barcode number (GTIN), not a seal serial: watch the product with "Watch a product by its GTIN".`
        : `No seal has the serial ${input.serial}.`;
      throw new ServiceError("not_found", message, { serial: message });
    }
    const product = tx.select({ name: products.name }).from(products).where(eq(products.id, found.productId)).get()!;
    const added = addEntry(tx, actor, found.productId, input.label, null) === "added";
    return { productName: product.name, added };
  });
}

/** Digits only (spaces and hyphens as printed under a barcode allowed), as many as a GTIN has: no serial looks like this. */
function looksLikeGtin(value: string): boolean {
  const v = value.trim();
  const digits = v.replace(/[\s-]/g, "");
  return /^\d[\d\s-]*$/.test(v) && digits.length >= 7 && digits.length <= 14;
}

/** The product with a seal that a GTIN names, or why there is none (the same answer for an unknown GTIN and an unsealed product: a catalogue is its supplier's). */
function productOfGtin(gtin14: string): { productId: string; name: string } | null {
  const product = sealedProductOfGtin(gtin14);
  return product ? { productId: product.id, name: product.name } : null;
}

const noSealedProduct = (gtin14: string) =>
  `No product with an IoT Seal has the GTIN ${gtin14}: it is not registered, or not certified yet.`;

/**
 * Watches a product by its GTIN: the watch follows the product's current seal across firmware
 * versions and re-certifications (followed-products.server.ts). A product already watched by a
 * seal serial is then followed by its GTIN.
 */
export function watchByGtin(
  actor: Actor,
  input: z.infer<typeof watchGtinInput>,
): { productName: string; outcome: WatchOutcome } {
  assertBuyer(actor);
  return transaction((tx) => {
    const found = productOfGtin(input.gtin);
    if (!found)
      throw new ServiceError("not_found", noSealedProduct(input.gtin), {
        gtin: "No product with an IoT Seal has this GTIN.",
      });
    return { productName: found.name, outcome: addEntry(tx, actor, found.productId, input.label, input.gtin) };
  });
}

/** "added": a new watch; "by_gtin": a product watched by serial, now followed by its GTIN; "already": nothing changed. */
export type WatchOutcome = "added" | "by_gtin" | "already";

function addEntry(tx: Tx, actor: Actor, productId: string, label: string, gtin14: string | null): WatchOutcome {
  const exists = tx
    .select({ id: watchlistEntries.id, gtin: watchlistEntries.gtin, label: watchlistEntries.label })
    .from(watchlistEntries)
    .where(and(eq(watchlistEntries.organizationId, actor.organizationId), eq(watchlistEntries.productId, productId)))
    .get();
  if (exists) {
    if (!gtin14 || exists.gtin) return "already";
    // Watched by a serial until now: from here on the watch follows the product's current seal.
    tx.update(watchlistEntries)
      .set({
        gtin: gtin14,
        currentSerial: currentSealsOf(tx, [{ productId, gtin: gtin14 }])(productId, gtin14)?.serial ?? null,
        label: exists.label || label,
      })
      .where(eq(watchlistEntries.id, exists.id))
      .run();
    syncPolicyStates(tx, { organizationId: actor.organizationId, productId });
    recordAudit(tx, actor, {
      action: "watchlist.followed_by_gtin",
      target: { type: "product", id: productId },
      organizationId: actor.organizationId,
      details: { gtin: gtin14 },
    });
    return "by_gtin";
  }
  const id = crypto.randomUUID();
  tx.insert(watchlistEntries)
    .values({
      id,
      organizationId: actor.organizationId,
      productId,
      label,
      gtin: gtin14,
      // The current seal when the watch starts: recorded without an event.
      currentSerial: gtin14
        ? (currentSealsOf(tx, [{ productId, gtin: gtin14 }])(productId, gtin14)?.serial ?? null)
        : null,
      addedBy: actor.userId,
      createdAt: new Date(nowMs()),
    })
    .run();
  // The product's history comes with it (no webhooks for the past), marked as history: the feed
  // starts complete, each of these saying `backfill: true`, and the page lists them apart from the
  // changes since the last visit (a years-old revocation is not news).
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
        body: BACKFILL_BODY,
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
    details: gtin14 ? { label, gtin: gtin14 } : { label },
  });
  return "added";
}

/** The outcome of watching from a CSV: counts, the rows whose GTIN or serial was not found, the rows whose GTIN is not valid. */
export interface CsvWatchResult {
  added: number;
  already: number;
  /** Products watched by serial until now, followed by their GTIN from now on. */
  byGtin: number;
  /** Rows not watched: no product with a seal has their GTIN, or no seal their serial (`value` as written in the file). */
  unknown: { line: number; by: "gtin" | "serial"; value: string }[];
  /** Rows not watched: their GTIN is not valid. */
  invalid: { line: number; message: string }[];
  /** Rows not watched: they have neither a serial nor a GTIN (a line of other text, a row with those cells empty). */
  empty: { line: number; message: string }[];
  /** Rows read (and watched) although their CSV text is not well-formed, they have more cells than the header, or their GTIN needed its leading zeros restored. */
  problems: { line: number; message: string }[];
}

/**
 * Watches every product a CSV names: by GTIN (a `gtin`, `ean`, `upc` or `barcode` column) or by
 * seal serial (a `serial` column), labelled from its `label`, `sku` or `name` column
 * (domain/watch-csv.ts). The file is read as the bulk check reads it (domain/csv-records.ts): a
 * record that is not well-formed CSV is read as spreadsheets read it and reported with the line it
 * starts on, never a refusal of the whole file. A row whose GTIN is not valid is reported with its
 * line; the rest is watched.
 */
export function watchFromCsv(actor: Actor, text: string): CsvWatchResult {
  assertBuyer(actor);
  const fail = (message: string) => new ServiceError("invalid", message, { file: message });
  if (!text.trim()) throw fail("The CSV file is empty.");
  const [head, ...rows] = readCsvRecords(text);
  if (!head) throw fail("The CSV file is empty.");
  const columns = watchCsvColumns(head.cells);
  if (!columns.ok) throw fail(columns.message);
  if (rows.length === 0) throw fail("The CSV has a header but no rows to watch.");
  if (rows.length > WATCH_CSV_MAX_ROWS)
    throw fail(
      `The CSV has ${rows.length.toLocaleString("en")} rows; watch at most ${WATCH_CSV_MAX_ROWS.toLocaleString("en")} at a time.`,
    );
  return transaction((tx) => {
    const result: CsvWatchResult = {
      added: 0,
      already: 0,
      byGtin: 0,
      unknown: [],
      invalid: [],
      empty: [],
      problems: [],
    };
    const byGtin = new Map<string, string | null>();
    for (const record of rows) {
      const problem = recordProblem(record, head.cells.length);
      if (problem) result.problems.push({ line: record.line, message: problem });
      const row = watchCsvRow(record.cells, columns.columns);
      if (row.kind === "empty") {
        result.empty.push({ line: record.line, message: row.message }); // every row of the file is answered
        continue;
      }
      if (row.kind === "invalid") {
        result.invalid.push({ line: record.line, message: row.message });
        continue;
      }
      // The row's reading, as the bulk check notes it (a placeholder serial, a GTIN not valid beside the serial…).
      if (row.note) result.problems.push({ line: record.line, message: row.note });
      let productId: string | null;
      let gtin14: string | null = row.kind === "gtin" ? row.gtin14 : null;
      if (row.kind === "gtin") {
        if (!byGtin.has(row.gtin14)) byGtin.set(row.gtin14, productOfGtin(row.gtin14)?.productId ?? null);
        productId = byGtin.get(row.gtin14)!;
      } else {
        const found = productOfSerial(tx, row.serial);
        productId = found?.productId ?? null;
        // A GTIN beside the serial: followed when it is the seal's product's, else the mismatch is said.
        if (found && row.gtin14) {
          const watch = serialRowWatch(row.gtin14, productGtinsOfSeals([found.serial]).get(found.serial) ?? null);
          gtin14 = watch.gtin14;
          if (watch.note) result.problems.push({ line: record.line, message: watch.note });
        }
      }
      if (!productId) {
        result.unknown.push(
          row.kind === "gtin"
            ? { line: record.line, by: "gtin", value: (record.cells[columns.columns.gtin!] ?? "").trim() }
            : { line: record.line, by: "serial", value: row.serial },
        );
        continue;
      }
      const outcome = addEntry(tx, actor, productId, row.label, gtin14);
      if (outcome === "added") result.added++;
      else if (outcome === "by_gtin") result.byGtin++;
      else result.already++;
    }
    return result;
  });
}

/** Stops watching a product; returns its name (the page says which product went). */
export function unwatch(actor: Actor, entryId: string): { productName: string } {
  assertBuyer(actor);
  return transaction((tx) => {
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
    const product = tx.select({ name: products.name }).from(products).where(eq(products.id, entry.productId)).get();
    return { productName: product?.name ?? "The product" };
  });
}

/** How many changes (and, apart, how many events of newly watched products' history) the watchlist page lists. */
export const CHANGES_LISTED = 200;

/**
 * The watchlist page: each watched product with its current seal, counts by status, and what
 * changed since the last visit, newest first (at most CHANGES_LISTED, with how many more), with
 * the history of products watched since then listed apart (`history`: seal events from before the
 * watch started, not changes). The last visit is the user's own, recorded with `markSeen` (a plain
 * visit of the page); `since` (with the `lastVisit` it stood for) shows the view a visit showed
 * again, marking nothing: the page after one of its own forms was sent.
 */
export async function watchlistView(
  actor: Actor,
  opts: { markSeen?: boolean; since?: number; lastVisit?: Date | null } = {},
) {
  assertBuyer(actor);
  const t = db();
  const entries = t
    .select({
      id: watchlistEntries.id,
      label: watchlistEntries.label,
      gtin: watchlistEntries.gtin,
      productGtin: products.gtin,
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
  // Watched by serial: one row per firmware version certified (a shop may stock several), its
  // current seal (domain/version-seals.ts: a renewal stands for its version, not the seal it
  // renews; superseded seals drop out), or one row saying the product has no seal.
  // Watched by GTIN: one row, the product's current seal as the GTIN's Digital Link answers (among
  // the seals that name the GTIN, the newest valid one, else the newest), for the GTIN the product
  // carries now (`gtin`; `watchedGtin` is the one watched, `gtinNote` says when they differ).
  const rows = [];
  for (const { productGtin, ...entry } of entries) {
    if (entry.gtin) {
      const gtin = followedGtin(gtin14Of(productGtin), entry.gtin);
      const { current } = await sealsOfProductForGtin(entry.productId, gtin);
      const e = {
        ...entry,
        gtin,
        watchedGtin: entry.gtin,
        gtinNote: gtinNoteOf(entry.gtin, gtin14Of(productGtin), current !== null),
      };
      rows.push(
        current
          ? {
              ...e,
              key: `${e.id}:${current.serial}`,
              seal: { serial: current.serial, firmware: current.firmwareVersion, validUntil: current.validUntil },
              status: current.verdict,
            }
          : { ...e, key: e.id, seal: null, status: "no_seal" as const },
      );
      continue;
    }
    const e = { ...entry, watchedGtin: null, gtinNote: null };
    const productSeals = t
      .select({
        serial: seals.serial,
        credential: seals.credential,
        state: seals.state,
        firmware: productVersions.firmwareVersion,
        validFrom: seals.validFrom,
        validUntil: seals.validUntil,
        issuedAt: seals.issuedAt,
        productVersionId: seals.productVersionId,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(and(eq(productVersions.productId, e.productId), sql`${seals.state} != 'superseded'`))
      .orderBy(desc(seals.issuedAt))
      .all();
    const checked = [];
    for (const seal of productSeals)
      // A stored credential that does not verify is "forged" whatever the record says.
      checked.push({
        ...seal,
        verdict: (await storedCredentialChecked(seal)) ? sealVerdictOf(seal, now).verdict : ("forged" as SealVerdict),
      });
    const current = currentSealsOfVersions(checked);
    if (current.length === 0) rows.push({ ...e, key: e.id, seal: null, status: "no_seal" as const });
    for (const seal of current) {
      const status = seal.verdict;
      rows.push({
        ...e,
        key: `${e.id}:${seal.serial}`,
        seal: { serial: seal.serial, firmware: seal.firmware, validUntil: seal.validUntil },
        status,
      });
    }
  }
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
  const again = opts.since !== undefined;
  const since = again ? opts.since! : (visit?.lastSeenEventId ?? 0);
  const lastVisit = again ? (opts.lastVisit ?? null) : (visit?.at ?? null);
  // What is listed ends at the newest event now: what is marked seen is exactly what was listed (or counted).
  const newest = t
    .select({ id: sql<number>`coalesce(max(${watchEvents.id}), 0)` })
    .from(watchEvents)
    .where(eq(watchEvents.organizationId, actor.organizationId))
    .get()!.id;
  const listed = (backfill: boolean) => {
    const filter = { upTo: newest, backfill };
    const events = watchEventsOf(t, actor.organizationId, since, CHANGES_LISTED, "desc", filter);
    const total =
      events.length < CHANGES_LISTED ? events.length : countWatchEvents(t, actor.organizationId, since, filter);
    return { events, more: total - events.length };
  };
  const changes = listed(false);
  const history = listed(true);
  if (opts.markSeen && !again) {
    t.insert(watchlistVisits)
      .values({ userId: actor.userId, lastSeenEventId: newest, at: now })
      .onConflictDoUpdate({ target: watchlistVisits.userId, set: { lastSeenEventId: newest, at: now } })
      .run();
  }
  return {
    rows: policied,
    /** The rows counted by standing: the dashboard's counts too (domain/watch-standing.ts). */
    counts: countStandings(policied),
    /** Changes since the last visit, newest first, and how many more there are than listed. */
    changes: changes.events,
    moreChanges: changes.more,
    /** The history of products watched since the last visit (from before each watch started), apart, newest first. */
    history: [...history.events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.seq - a.seq), // by date, not by when each watch began
    moreHistory: history.more,
    /** The cursor the view starts after (the last visit's), and when that visit was. */
    since,
    lastVisit,
    hasPolicies: hasPolicies(actor.organizationId),
  };
}

/**
 * What a watch by GTIN's row says when the product no longer carries the GTIN watched (its
 * supplier changed or removed it since), or null when it still does.
 */
function gtinNoteOf(watched: string, productGtin14: string | null, hasSeal: boolean): string | null {
  if (productGtin14 === watched) return null;
  if (productGtin14 === null)
    return `This product carries no GTIN now: the row shows the seals that name GTIN ${watched}, the one you watched.`;
  return `You watched GTIN ${watched}; the supplier has since changed this product's GTIN to ${productGtin14}.${hasSeal ? "" : " No seal names the new GTIN yet."}`;
}

/** The feed of changes of watched products: oldest first after `since` (a cursor: the last event's `seq`), paged. */
export function watchlistFeed(actor: Actor, since: number, limit = 100) {
  assertBuyer(actor);
  return watchFeedOfOrganization(actor.organizationId, since, limit);
}

/**
 * The feed of an organisation's watched products, for a buyer logged in (watchlistFeed) or for the
 * organisation's API token (the route checks it: accounts/api-tokens.server.ts). `seq`s increase
 * but are not contiguous (one numbering for every organisation's events), and none is ever reused
 * or deleted: every cursor a receiver was given (a page's `next`, a webhook's `seq`) is at most the
 * organisation's newest. A `since` beyond it is a mistake (another organisation's seq, a number
 * from elsewhere, a database restored from an older backup) and is refused naming the newest:
 * answered, it would return `next: since` and silently skip every event up to it.
 */
export function watchFeedOfOrganization(organizationId: string, since: number, limit = 100) {
  const page = Math.min(Math.max(limit, 1), 500);
  const events = watchEventsOf(db(), organizationId, since, page);
  if (events.length === 0 && since > 0) {
    const newest = newestWatchEventSeq(db(), organizationId);
    if (since > newest) {
      const message =
        newest === 0
          ? `since ${since} is beyond your organisation's feed, which has no events yet: start from 0.`
          : `since ${since} is beyond your organisation's newest event (seq ${newest}): use the last seq you received, or 0 to read the feed from the start.`;
      throw new ServiceError("invalid", message, { since: message });
    }
  }
  const next = events.length ? events[events.length - 1].seq : since;
  return { events, next, hasMore: events.length === page };
}
