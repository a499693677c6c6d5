/**
 * Products by GTIN, for the GS1 Digital Link resolver and the GTIN API. A GTIN is stored as the
 * supplier typed it (8, 12, 13 or 14 digits, check digit verified); it is compared here in its
 * 14-digit form (domain/gtin.ts), so a GTIN-13 printed on a box finds a product registered with
 * the same number written as a GTIN-14 with a leading zero, and the other way round.
 */
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { organizations, products } from "../../../db/schema";
import { db } from "../../platform/db.server";

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
