/**
 * Products by GTIN, for the GS1 Digital Link resolver and the GTIN API. A GTIN is stored as the
 * supplier typed it (8, 12, 13 or 14 digits, check digit verified); it is compared here in its
 * 14-digit form (domain/gtin.ts), so a GTIN-13 printed on a box finds a product registered with
 * the same number written as a GTIN-14 with a leading zero, and the other way round. Which of them
 * answers for a GTIN with its seals is sealsSignedForGtins's rule (the seals that signed that GTIN).
 */
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { organizations, products, productVersions, seals } from "../../../db/schema";
import { db } from "../../platform/db.server";
import { unverifiedPayload } from "../trust/domain/credential";
import type { SealState } from "../trust/domain/seal-state";
import { gtin14Of } from "./domain/gtin";

export interface ProductWithGtin {
  id: string;
  name: string;
  model: string;
  gtin: string;
  category: string;
  supplierName: string;
  organizationId: string;
  createdAt: Date;
}

/** Every product whose GTIN is `gtin14` (already normalised and checked), oldest registration first. */
export function productsWithGtin(gtin14: string): ProductWithGtin[] {
  return productsWithGtins([gtin14]).get(gtin14) ?? [];
}

/** The same for many GTINs at once (a bulk check): by 14-digit GTIN, each list oldest registration first. */
export function productsWithGtins(gtin14s: readonly string[]): Map<string, ProductWithGtin[]> {
  const out = new Map<string, ProductWithGtin[]>();
  const wanted = [...new Set(gtin14s)];
  const gtin14 = sql<string>`substr('00000000000000' || ${products.gtin}, -14, 14)`;
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = db()
      .select({
        id: products.id,
        name: products.name,
        model: products.model,
        gtin: sql<string>`${products.gtin}`,
        category: products.category,
        supplierName: organizations.name,
        organizationId: products.organizationId,
        createdAt: products.createdAt,
        gtin14,
      })
      .from(products)
      .innerJoin(organizations, eq(organizations.id, products.organizationId))
      .where(and(isNotNull(products.gtin), inArray(gtin14, wanted.slice(i, i + 500))))
      .orderBy(asc(products.createdAt), asc(products.id))
      .all();
    for (const { gtin14: g, ...product } of rows) {
      const list = out.get(g);
      if (list) list.push(product);
      else out.set(g, [product]);
    }
  }
  return out;
}

/** A seal as the GTIN resolution reads it (sealsSignedForGtins). */
export interface GtinSealRecord {
  serial: string;
  productId: string;
  state: SealState;
  validFrom: Date;
  validUntil: Date;
  issuedAt: Date;
}

/** The products that answer for one GTIN, each with its seals that name it. */
export type GtinAnswerers = { product: ProductWithGtin; seals: GtinSealRecord[] }[];

/**
 * The 14-digit GTIN a seal's credential names (credentialSubject.product.gtin), or null when it names
 * none. Read from the credential as stored, which is what the issuer signed; every answer that shows
 * a seal checks its signature first (certification/product-seals.server.ts calls it forged otherwise).
 */
export function signedGtin14Of(credential: string): string | null {
  const payload = unverifiedPayload(credential) as { credentialSubject?: { product?: { gtin?: unknown } } } | null;
  const gtin = payload?.credentialSubject?.product?.gtin;
  return typeof gtin === "string" ? gtin14Of(gtin) : null;
}

/**
 * For each GTIN (14 digits, checked), the products that answer for it: those that carry it now and
 * have seals whose signed credential names that same GTIN, with those seals (absent: none). A seal
 * vouches only for the GTIN it signed: a product that took the GTIN after its seals were issued, or
 * whose GTIN was changed since, does not answer for it with them. Products oldest registration first,
 * seals in no particular order (the caller picks the current one: certification/domain/current-seal.ts).
 */
export function sealsSignedForGtins(gtin14s: readonly string[]): Map<string, GtinAnswerers> {
  const byGtin = productsWithGtins(gtin14s);
  const product = new Map([...byGtin.values()].flat().map((p) => [p.id, p]));
  const ids = [...product.keys()];
  const sealsOf = new Map<string, (GtinSealRecord & { gtin14: string | null })[]>();
  for (let i = 0; i < ids.length; i += 500)
    for (const { credential, ...r } of db()
      .select({
        serial: seals.serial,
        productId: productVersions.productId,
        state: seals.state,
        validFrom: seals.validFrom,
        validUntil: seals.validUntil,
        issuedAt: seals.issuedAt,
        credential: seals.credential,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(inArray(productVersions.productId, ids.slice(i, i + 500)))
      .all()) {
      const list = sealsOf.get(r.productId) ?? [];
      list.push({ ...r, gtin14: signedGtin14Of(credential) });
      sealsOf.set(r.productId, list);
    }
  const out = new Map<string, GtinAnswerers>();
  for (const [gtin14, candidates] of byGtin) {
    const answerers = candidates.flatMap((p) => {
      const signed = (sealsOf.get(p.id) ?? []).filter((s) => s.gtin14 === gtin14).map(({ gtin14: _, ...s }) => s);
      return signed.length ? [{ product: product.get(p.id)!, seals: signed }] : [];
    });
    if (answerers.length) out.set(gtin14, answerers);
  }
  return out;
}
