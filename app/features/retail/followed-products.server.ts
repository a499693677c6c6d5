/**
 * Products watched by GTIN: the watch is of the product, not of one seal. Its watchlist row, its
 * policy results and the dashboard follow the product's current seal as the GS1 Digital Link
 * resolver answers for its GTIN: among the product's seals that answer for that GTIN (their signed
 * credential names it: certification/product-seals.server.ts answersForGtin), the newest valid one,
 * else the newest (certification/domain/current-seal.ts). A seal issued before the product had its
 * GTIN (or for another GTIN) is never its current seal. The GTIN followed is the product's GTIN now,
 * so a watch follows a supplier's GTIN change; the GTIN watched when the product carries none now.
 * When a new firmware version is certified, a seal is re-issued or the current seal stops being
 * valid, the current seal changes and each organisation watching by GTIN gets one
 * `product.current_seal` watch event (feed, webhooks, notifications), in the transaction of the
 * seal event that changed it (subscribed to `seal.changed`; a GTIN change: `product.changed`). When
 * no seal names the GTIN followed any more (the supplier changed the product's GTIN, say), the
 * event has no `serial` (nor `status`) and says so; a seal naming it again is announced as "Now
 * certified". The first current seal of a new watch is recorded without an event (`currentSerial`
 * is the current seal as last recorded: null, none).
 *
 * Decided here from the seals' records (sealVerdictOf), synchronously, in the event's transaction;
 * the watchlist page also checks each stored credential's signature (a forged one is never current).
 */
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { products, productVersions, seals, watchlistEntries } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { preparedQueries, type Tx } from "../../platform/db.server";
import { sealVerdictOf, type SealVerdict } from "../trust/domain/verdict";
import { gtin14Of } from "../catalogue/domain/gtin";
import { signedGtin14Of } from "../catalogue/products-by-gtin.server";
import { currentSealOf, newestFirst } from "../certification/domain/current-seal";
import { answersForGtin } from "../certification/product-seals.server";
import { currentSealChangeReason } from "./domain/watch-csv";
import { noCurrentSealReason } from "./domain/version-seals";
import { publishWatchEvent } from "./watch-feed.server";

type Reader = Pick<Tx, "select">;

/** The watch event raised when a followed product's current seal changes. */
export const CURRENT_SEAL_EVENT = "product.current_seal";

export interface SealNow {
  serial: string;
  firmware: string;
  verdict: SealVerdict;
  issuedAt: Date;
  /** The 14-digit GTIN the seal's credential names (null: none). */
  signedGtin14: string | null;
}

/** A product's GTIN now (14 digits; null: none) and every seal of it with its verdict now. */
export interface ProductSealsNow {
  gtin14: string | null;
  seals: SealNow[];
}

/** Every seal of these products with its verdict now (from the record), and each product's GTIN now, by product. */
export function sealsNowOf(t: Reader, productIds: readonly string[]): Map<string, ProductSealsNow> {
  const out = new Map<string, ProductSealsNow>();
  if (!productIds.length) return out;
  const now = new Date(nowMs());
  for (let i = 0; i < productIds.length; i += 500) {
    for (const r of t
      .select({
        productId: productVersions.productId,
        productGtin: products.gtin,
        serial: seals.serial,
        credential: seals.credential,
        firmware: productVersions.firmwareVersion,
        state: seals.state,
        validFrom: seals.validFrom,
        validUntil: seals.validUntil,
        issuedAt: seals.issuedAt,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(productVersions.productId, productIds.slice(i, i + 500)))
      .all()) {
      const entry = out.get(r.productId) ?? { gtin14: gtin14Of(r.productGtin), seals: [] };
      entry.seals.push({
        serial: r.serial,
        firmware: r.firmware,
        verdict: sealVerdictOf(r, now).verdict,
        issuedAt: r.issuedAt,
        signedGtin14: signedGtin14Of(r.credential),
      });
      out.set(r.productId, entry);
    }
  }
  return out;
}

/**
 * The GTIN (14 digits) a watch by GTIN follows: the product's GTIN now (a supplier may change it
 * after the watch began), else the GTIN watched (the product carries none now).
 */
export function followedGtin(productGtin14: string | null, watchedGtin14: string): string {
  return productGtin14 ?? watchedGtin14;
}

/** A watch by GTIN's current seal among its product's seals: the current one of those that answer for the GTIN it follows. */
export function currentSealOfWatch(product: ProductSealsNow | undefined, watchedGtin14: string): SealNow | null {
  if (!product) return null;
  const gtin14 = followedGtin(product.gtin14, watchedGtin14);
  return currentSealOf(product.seals.filter((s) => answersForGtin(s, gtin14)));
}

/** The current seal of each of these watches by GTIN, asked by product and GTIN watched (null: none answers). */
export function currentSealsOf(
  t: Reader,
  watches: readonly { productId: string; gtin: string }[],
): (productId: string, watchedGtin14: string) => SealNow | null {
  const byProduct = sealsNowOf(t, [...new Set(watches.map((w) => w.productId))]);
  const memo = new Map<string, SealNow | null>(); // asked once per seal of a product
  return (productId, watchedGtin14) => {
    const key = `${productId}|${watchedGtin14}`;
    if (!memo.has(key)) memo.set(key, currentSealOfWatch(byProduct.get(productId), watchedGtin14));
    return memo.get(key) ?? null;
  };
}

/** Who watches a product by its GTIN: asked on every seal event (in its transaction), prepared once per connection. */
const gtinWatchesOf = preparedQueries((t) =>
  t
    .select({
      id: watchlistEntries.id,
      org: watchlistEntries.organizationId,
      gtin: watchlistEntries.gtin,
      seen: watchlistEntries.currentSerial,
    })
    .from(watchlistEntries)
    .where(and(eq(watchlistEntries.productId, sql.placeholder("productId")), isNotNull(watchlistEntries.gtin)))
    .prepare(),
);

/**
 * Moves the watches by GTIN of `productId` to their current seal, telling each organisation whose
 * current seal changed. Returns how many were told. Idempotent.
 */
export function followCurrentSeal(tx: Tx, productId: string): number {
  const watches = gtinWatchesOf(tx).all({ productId });
  if (!watches.length) return 0;
  const sealsNow = sealsNowOf(tx, [productId]).get(productId);
  const list = sealsNow?.seals ?? [];
  const product = tx
    .select({ id: products.id, name: products.name, model: products.model })
    .from(products)
    .where(eq(products.id, productId))
    .get()!;
  const at = new Date(nowMs());
  let told = 0;
  for (const w of watches) {
    const current = currentSealOfWatch(sealsNow, w.gtin!);
    if ((current?.serial ?? null) === w.seen) continue;
    tx.update(watchlistEntries)
      .set({ currentSerial: current?.serial ?? null })
      .where(eq(watchlistEntries.id, w.id))
      .run();
    const previous = list.find((s) => s.serial === w.seen) ?? null;
    if (!current) {
      // No seal names the GTIN followed any more (a GTIN changed, a credential that no longer names
      // it): the buyer is told the product has no current seal, as the watchlist row says.
      const gtin14 = followedGtin(sealsNow?.gtin14 ?? null, w.gtin!);
      publishWatchEvent(tx, {
        organizationId: w.org,
        productId,
        type: CURRENT_SEAL_EVENT,
        serial: null,
        body: {
          id: `current-seal-${w.id}-none-${at.getTime()}`,
          type: CURRENT_SEAL_EVENT,
          serial: null,
          reason: noCurrentSealReason(gtin14, previous),
          product,
          firmwareVersion: null,
          previousSerial: previous?.serial ?? w.seen,
          at: at.toISOString(),
        },
      });
      told++;
      continue;
    }
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
