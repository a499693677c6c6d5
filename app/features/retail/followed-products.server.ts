/**
 * Products watched by GTIN: the watch is of the product, not of one seal. Its watchlist row, its
 * policy results and the dashboard follow the product's current seal (the newest valid seal across
 * its firmware versions, else the newest: certification/domain/current-seal.ts); when a new firmware
 * version is certified, a seal is re-issued or the current seal stops being valid, the current seal
 * changes and each organisation watching by GTIN gets one `product.current_seal` watch event (feed,
 * webhooks, notifications), in the transaction of the seal event that changed it (subscribed to
 * `seal.changed`). The first current seal of a new watch is recorded without an event.
 *
 * Decided here from the seals' records (sealVerdictOf), synchronously, in the event's transaction;
 * the watchlist page also checks each stored credential's signature (a forged one is never current).
 */
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { products, productVersions, seals, watchlistEntries } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { preparedQueries, type Tx } from "../../platform/db.server";
import { sealVerdictOf, type SealVerdict } from "../trust/domain/verdict";
import { currentSealOf, newestFirst } from "../certification/domain/current-seal";
import { currentSealChangeReason } from "./domain/watch-csv";
import { publishWatchEvent } from "./watch-feed.server";

type Reader = Pick<Tx, "select">;

/** The watch event raised when a followed product's current seal changes. */
export const CURRENT_SEAL_EVENT = "product.current_seal";

export interface SealNow {
  serial: string;
  firmware: string;
  verdict: SealVerdict;
  issuedAt: Date;
}

/** Every seal of these products with its verdict now (from the record), by product. */
export function sealsNowOf(t: Reader, productIds: readonly string[]): Map<string, SealNow[]> {
  const out = new Map<string, SealNow[]>();
  if (!productIds.length) return out;
  const now = new Date(nowMs());
  for (let i = 0; i < productIds.length; i += 500) {
    for (const r of t
      .select({
        productId: productVersions.productId,
        serial: seals.serial,
        firmware: productVersions.firmwareVersion,
        state: seals.state,
        validFrom: seals.validFrom,
        validUntil: seals.validUntil,
        issuedAt: seals.issuedAt,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(inArray(productVersions.productId, productIds.slice(i, i + 500)))
      .all()) {
      const list = out.get(r.productId) ?? [];
      list.push({
        serial: r.serial,
        firmware: r.firmware,
        verdict: sealVerdictOf(r, now).verdict,
        issuedAt: r.issuedAt,
      });
      out.set(r.productId, list);
    }
  }
  return out;
}

/** The current seal of each of these products (a product without a seal has none). */
export function currentSealsOf(t: Reader, productIds: readonly string[]): Map<string, SealNow> {
  const out = new Map<string, SealNow>();
  for (const [productId, list] of sealsNowOf(t, productIds)) {
    const current = currentSealOf(list);
    if (current) out.set(productId, current);
  }
  return out;
}

/**
 * Moves the watches by GTIN of `productId` to its current seal, telling each organisation whose
 * current seal changed. Returns how many were told. Idempotent.
 */
/** Who watches a product by its GTIN: asked on every seal event (in its transaction), prepared once per connection. */
const gtinWatchesOf = preparedQueries((t) =>
  t
    .select({ id: watchlistEntries.id, org: watchlistEntries.organizationId, seen: watchlistEntries.currentSerial })
    .from(watchlistEntries)
    .where(and(eq(watchlistEntries.productId, sql.placeholder("productId")), isNotNull(watchlistEntries.gtin)))
    .prepare(),
);

export function followCurrentSeal(tx: Tx, productId: string): number {
  const watches = gtinWatchesOf(tx).all({ productId });
  if (!watches.length) return 0;
  const list = sealsNowOf(tx, [productId]).get(productId) ?? [];
  const current = currentSealOf(list);
  if (!current) return 0;
  const product = tx
    .select({ id: products.id, name: products.name, model: products.model })
    .from(products)
    .where(eq(products.id, productId))
    .get()!;
  const at = new Date(nowMs());
  let told = 0;
  for (const w of watches) {
    if (w.seen === current.serial) continue;
    tx.update(watchlistEntries).set({ currentSerial: current.serial }).where(eq(watchlistEntries.id, w.id)).run();
    if (w.seen === null) continue; // never announced before: recorded without an event
    const previous = list.find((s) => s.serial === w.seen) ?? null;
    const reason = currentSealChangeReason(previous, {
      serial: current.serial,
      firmware: current.firmware,
      verdict: current.verdict,
      newerThanPrevious: !previous || newestFirst([previous, current])[0] === current,
    });
    publishWatchEvent(tx, {
      organizationId: w.org,
      productId,
      type: CURRENT_SEAL_EVENT,
      serial: current.serial,
      body: {
        id: `current-seal-${w.id}-${current.serial}-${at.getTime()}`,
        type: CURRENT_SEAL_EVENT,
        serial: current.serial,
        status: current.verdict,
        reason,
        product,
        firmwareVersion: current.firmware,
        previousSerial: previous?.serial ?? null,
        at: at.toISOString(),
      },
    });
    told++;
  }
  return told;
}
