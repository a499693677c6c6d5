/**
 * A product's seals by GTIN: which product a GTIN names, every seal of it (each firmware version,
 * each renewal) with its live verdict, and the current one (domain/current-seal.ts). Read by the
 * GS1 Digital Link resolver and the GTIN API (public/gs1-resolver.server.ts) and by the public
 * seal page (its GS1 Digital Link QR code). Nothing private: what the public seal pages show.
 *
 * A GTIN answers only with seals whose signed credential names it (credentialSubject.product.gtin,
 * compared as GTIN-14) and whose product still carries it (catalogue sealsSignedForGtins): a
 * supplier that edits its product's GTIN to one already certified for someone else's product never
 * takes over that GTIN's answers, and a GTIN changed since a seal was issued no longer answers with it.
 */
import { desc, eq, inArray } from "drizzle-orm";
import { checklistVersions, products, productVersions, seals, submissions } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db } from "../../platform/db.server";
import { normalizeSerial } from "../trust/domain/serial";
import { sealVerdictOf, type SealVerdict } from "../trust/domain/verdict";
import { storedCredentialChecked } from "../trust/verify.server";
import { gtin14Of } from "../catalogue/domain/gtin";
import { sealsSignedForGtins, signedGtin14Of, type ProductWithGtin } from "../catalogue/products-by-gtin.server";
import { checklistLabelFor } from "../catalogue/checklists.server";
import { currentSealOf, newestFirst } from "./domain/current-seal";

export interface ProductSeal {
  serial: string;
  firmwareVersion: string;
  hardwareRevision: string;
  verdict: SealVerdict;
  issuedAt: Date;
  validFrom: Date;
  validUntil: Date;
  checklist: { id: string; version: string; title: string };
  /** The checklist as the pages name it (title, version, "with continuous monitoring"). */
  checklistLabel: string;
  level: { id: string; title: string };
  /** The 14-digit GTIN the seal's credential names (null: none): the GTIN it answers for. */
  signedGtin14: string | null;
}

export interface ProductCertification {
  product: ProductWithGtin;
  /** Newest first. */
  seals: ProductSeal[];
  /** The newest valid seal, else the newest (null only if the seals vanished meanwhile). */
  current: ProductSeal | null;
}

/**
 * Whether a seal answers for a GTIN (14 digits): its signed credential names that GTIN. The one rule
 * for which of a product's seals a GTIN's link, its API, a bulk check and a watch by GTIN show.
 */
export function answersForGtin(seal: { signedGtin14: string | null }, gtin14: string): boolean {
  return seal.signedGtin14 === gtin14;
}

/** Every seal of these products with its live verdict (a stored credential that does not verify is "forged"). */
async function sealsOfProducts(productIds: readonly string[]): Promise<Map<string, ProductSeal[]>> {
  const out = new Map<string, ProductSeal[]>();
  if (productIds.length === 0) return out;
  const rows = db()
    .select({
      productId: productVersions.productId,
      serial: seals.serial,
      credential: seals.credential,
      state: seals.state,
      validFrom: seals.validFrom,
      validUntil: seals.validUntil,
      issuedAt: seals.issuedAt,
      firmwareVersion: productVersions.firmwareVersion,
      hardwareRevision: productVersions.hardwareRevision,
      targetLevel: submissions.targetLevel,
      checklistId: checklistVersions.checklistId,
      checklistVersion: checklistVersions.version,
      checklistTitle: checklistVersions.title,
      levels: checklistVersions.levels,
    })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(submissions, eq(submissions.id, seals.submissionId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(inArray(productVersions.productId, [...productIds]))
    .orderBy(desc(seals.issuedAt))
    .all();
  const now = new Date(nowMs());
  for (const r of rows) {
    const checked = await storedCredentialChecked(r);
    const verdict: SealVerdict = checked ? sealVerdictOf(r, now).verdict : "forged";
    // A forged one is placed by what it claims (its answer says forged; nothing it claims is trusted).
    const signedGtin14 = checked ? gtin14Of(checked.credentialSubject.product.gtin) : signedGtin14Of(r.credential);
    const list = out.get(r.productId) ?? [];
    list.push({
      signedGtin14,
      serial: r.serial,
      firmwareVersion: r.firmwareVersion,
      hardwareRevision: r.hardwareRevision,
      verdict,
      issuedAt: r.issuedAt,
      validFrom: r.validFrom,
      validUntil: r.validUntil,
      checklist: { id: r.checklistId, version: r.checklistVersion, title: r.checklistTitle },
      checklistLabel: checklistLabelFor({ id: r.checklistId, version: r.checklistVersion, title: r.checklistTitle }),
      level: { id: r.targetLevel, title: r.levels.find((l) => l.id === r.targetLevel)?.title ?? r.targetLevel },
    });
    out.set(r.productId, list);
  }
  return out;
}

/**
 * The product with a seal that a GTIN (14 digits, checked) names, or null. A product registered
 * without any seal is not public (a supplier's catalogue is theirs): it is answered like an unknown
 * GTIN. Only seals that signed the GTIN count (see above). GTINs are not unique across suppliers in
 * the catalogue: when several products answer for one, the product of the GTIN's current seal among
 * all their seals answers (a valid one first, then the newest: domain/current-seal.ts). Synchronous
 * (the verdict here is the record's, the signature is checked by sealsOfProductForGtin), so a fast
 * route can decide 404 before going async.
 */
export function sealedProductOfGtin(gtin14: string): ProductWithGtin | null {
  return sealedProductsOfGtins([gtin14]).get(gtin14) ?? null;
}

/** The same for many GTINs at once (a bulk check): the product with a seal, by 14-digit GTIN (absent: none). */
export function sealedProductsOfGtins(gtin14s: readonly string[]): Map<string, ProductWithGtin> {
  const out = new Map<string, ProductWithGtin>();
  const now = new Date(nowMs());
  for (const [gtin14, answerers] of sealsSignedForGtins(gtin14s)) {
    const productOf = new Map<string, ProductWithGtin>();
    const choices = answerers.flatMap(({ product, seals: list }) =>
      list.map((s) => {
        productOf.set(s.serial, product);
        return { serial: s.serial, issuedAt: s.issuedAt, verdict: sealVerdictOf(s, now).verdict };
      }),
    );
    const current = currentSealOf(choices);
    if (current) out.set(gtin14, productOf.get(current.serial)!);
  }
  return out;
}

/** For many GTINs at once (a bulk check): the product with a seal and its current seal, by 14-digit GTIN (absent: no sealed product). */
export async function currentSealsOfGtins(
  gtin14s: readonly string[],
): Promise<Map<string, { product: ProductWithGtin; current: ProductSeal | null }>> {
  const products = sealedProductsOfGtins(gtin14s);
  const ids = [...new Set([...products.values()].map((p) => p.id))];
  const sealsBy = new Map<string, ProductSeal[]>();
  for (let i = 0; i < ids.length; i += 500)
    for (const [id, list] of await sealsOfProducts(ids.slice(i, i + 500))) sealsBy.set(id, list);
  const out = new Map<string, { product: ProductWithGtin; current: ProductSeal | null }>();
  for (const [gtin14, product] of products)
    out.set(gtin14, {
      product,
      current: currentSealOf((sealsBy.get(product.id) ?? []).filter((s) => answersForGtin(s, gtin14))),
    });
  return out;
}

/** Every seal of a product, newest first, with its live verdict, and the current one. */
export async function sealsOfProduct(
  productId: string,
): Promise<{ seals: ProductSeal[]; current: ProductSeal | null }> {
  const list = newestFirst((await sealsOfProducts([productId])).get(productId) ?? []);
  return { seals: list, current: currentSealOf(list) };
}

/**
 * The seals of a product that answer for a GTIN (14 digits: those whose credential signed it),
 * newest first, with their live verdicts, and the current one: what the GTIN's link and API show.
 */
export async function sealsOfProductForGtin(
  productId: string,
  gtin14: string,
): Promise<{ seals: ProductSeal[]; current: ProductSeal | null }> {
  const all = (await sealsOfProducts([productId])).get(productId) ?? [];
  const list = newestFirst(all.filter((s) => answersForGtin(s, gtin14)));
  return { seals: list, current: currentSealOf(list) };
}

/** The product with a seal a GTIN names, its seals that answer for it and the current one; null when there is none. */
export async function certificationOfGtin(gtin14: string): Promise<ProductCertification | null> {
  const product = sealedProductOfGtin(gtin14);
  if (!product) return null;
  return { product, ...(await sealsOfProductForGtin(product.id, gtin14)) };
}

/**
 * The 14-digit GTIN whose GS1 Digital Link answers with a seal's product: the product's GTIN as
 * registered now, when the seal's credential signed that same GTIN; else null (no GTIN, or one
 * changed since the seal was issued: its link would not answer with this seal's product).
 */
export function productGtinOfSeal(serialInput: string): string | null {
  const serial = normalizeSerial(serialInput);
  if (!serial) return null;
  const gtin14 = productGtinsOfSeals([serial]).get(serial) ?? null;
  if (!gtin14) return null;
  const row = db().select({ credential: seals.credential }).from(seals).where(eq(seals.serial, serial)).get();
  return row && signedGtin14Of(row.credential) === gtin14 ? gtin14 : null;
}

/** The same for many seals (normalised serials): by serial, the product's 14-digit GTIN (absent or null: none). */
export function productGtinsOfSeals(serials: readonly string[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const wanted = [...new Set(serials)];
  for (let i = 0; i < wanted.length; i += 500)
    for (const row of db()
      .select({ serial: seals.serial, gtin: products.gtin })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(seals.serial, wanted.slice(i, i + 500)))
      .all())
      out.set(row.serial, gtin14Of(row.gtin));
  return out;
}
