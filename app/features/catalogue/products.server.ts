/** A supplier's products and their versions (hardware revision + firmware). Own organisation only. */
import crypto from "node:crypto";
import { and, asc, desc, eq, gt, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { checklistVersions, products, productVersions, seals, submissions } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { sealVerdictOf } from "../trust/domain/verdict";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan, assertSameOrganization } from "../../platform/authorize.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { formatDate, formatDateTime } from "../../platform/format";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import { productFormFields, toProduct, type productVersionInput } from "./forms";
import { assessSupportPeriod, supportFactsOf, supportPeriodShortfall } from "./domain/support-period";
import { checklistLabelFor, hasRecurringRequirements } from "./checklists.server";
import { gtin14Of } from "./domain/gtin";
import { productsWithGtin, sealsSignedForGtins, signedGtin14Of } from "./products-by-gtin.server";

/**
 * The product form (forms.ts) and, on the server, a support period that has not already ended by
 * the clock: a rule of the field itself, so that it is said with the other fields' problems in one
 * answer (a refinement of the whole form would wait until every other field is right).
 */
export const productInput = productFormFields
  .extend({
    supportPeriodEnd: productFormFields.shape.supportPeriodEnd.refine(
      (v) => v >= new Date(nowMs()).toISOString().slice(0, 10),
      { error: "The support period has already ended; a product must still receive security updates to be certified." },
    ),
  })
  .transform(toProduct);

/** The support facts a service may leave out (absent: unchanged on an edit, not stated on a creation). */
type SupportDetails = "placedOnMarketOn" | "expectedUseMonths" | "expectedUseReason";
export type ProductInput = Omit<z.infer<typeof productInput>, SupportDetails> &
  Partial<Pick<z.infer<typeof productInput>, SupportDetails>>;

/** Refuses a support period that does not meet the EU CRA (domain/support-period.ts), naming the field. */
function assertSupportPeriodMeetsCra(product: Parameters<typeof supportFactsOf>[0]): void {
  const a = assessSupportPeriod(supportFactsOf(product));
  if (a.kind === "refused")
    throw new ServiceError("invalid", "Check the support period: it falls short of the EU Cyber Resilience Act.", {
      [a.field]: a.message,
    });
}

/** What the pages say about a product whose support period does not meet the EU CRA (null: it does). */
export function supportShortfallOf(product: Parameters<typeof supportFactsOf>[0]): string | null {
  return supportPeriodShortfall(supportFactsOf(product));
}

function ownProduct(actor: Actor, productId: string) {
  const product = db().select().from(products).where(eq(products.id, productId)).get();
  if (!product) throw new ServiceError("not_found", "There is no such product.");
  assertSameOrganization(actor, product.organizationId);
  return product;
}

export function createProduct(actor: Actor, input: ProductInput): string {
  assertCan(actor, "supplier.workspace");
  const at = new Date(nowMs());
  assertSupportPeriodMeetsCra({
    supportPeriodEnd: input.supportPeriodEnd,
    placedOnMarketOn: input.placedOnMarketOn ?? null,
    expectedUseMonths: input.expectedUseMonths ?? null,
    expectedUseReason: input.expectedUseReason ?? null,
    createdAt: at,
  });
  return transaction((tx) => {
    assertModelFree(tx, actor.organizationId, input.model, null);
    assertGtinFree(actor.organizationId, input.gtin, null);
    const id = crypto.randomUUID();
    tx.insert(products)
      .values({ id, organizationId: actor.organizationId, ...input, createdAt: at, updatedAt: at })
      .run();
    recordAudit(tx, actor, {
      action: "product.created",
      target: { type: "product", id },
      details: { name: input.name, model: input.model },
    });
    return id;
  });
}

export const MODEL_TAKEN = "You already registered a product with this model designation.";

/** Refuses a model designation another product of the organisation has (compared as the unique index does: lower(model)). */
function assertModelFree(tx: Tx, organizationId: string, model: string, productId: string | null): void {
  const clash = tx
    .select({ id: products.id })
    .from(products)
    .where(
      and(
        eq(products.organizationId, organizationId),
        sql`lower(${products.model}) = lower(${model})`,
        productId ? ne(products.id, productId) : undefined,
      ),
    )
    .get();
  if (clash) throw new ServiceError("conflict", MODEL_TAKEN, { model: MODEL_TAKEN });
}

/**
 * A GTIN names one trade item: a supplier cannot give one of its GTINs to a second product of its
 * own (the resolver and the GTIN API would answer with the first, and the second's seal page would
 * promise a barcode that opens another product). Nor can it take a GTIN that already answers for
 * another organisation's product with a seal (products-by-gtin.server.ts: seals that signed it):
 * the GTIN's link and API would then name the newcomer's product. Another organisation registering
 * a GTIN that answers for nothing yet is left to GS1 ownership (decision 020).
 */
function assertGtinFree(organizationId: string, gtin: string | null | undefined, productId: string | null) {
  const gtin14 = gtin14Of(gtin);
  if (!gtin14) return;
  const holder = productsWithGtin(gtin14).find((p) => p.organizationId === organizationId && p.id !== productId);
  if (holder) {
    const message = `This GTIN is already registered for your product ${holder.name} (${holder.model}): a GTIN names one trade item.`;
    throw new ServiceError("conflict", message, { gtin: message });
  }
  const certified = sealsSignedForGtins([gtin14])
    .get(gtin14)
    ?.find((a) => a.product.organizationId !== organizationId);
  if (certified) {
    const { name, model, supplierName } = certified.product;
    const message = `This GTIN already identifies ${name} (${model}) of ${supplierName}, a product with an IoT Seal: its GS1 Digital Link opens that seal. Check the number; if your organisation owns this GTIN, contact the certification body.`;
    throw new ServiceError("conflict", message, { gtin: message });
  }
}

/**
 * A product's category is signed into each of its seals' credentials, and buyers' policies judge a
 * seal by its product's category: while a seal of the product is active or suspended, changing the
 * category would make the policies judge a category the signed credential does not say. Refused,
 * naming the field, until no seal of it is current (revoked, expired or replaced seals vouch for nothing).
 */
function assertCategoryUnsealed(tx: Pick<Tx, "select">, productId: string): void {
  const [sealed] = currentSealsOfProduct(tx, productId);
  if (!sealed) return;
  const message = `The category cannot change while the product has a current seal: seal ${sealed.serial} (firmware ${sealed.firmware}) was issued for its current category, and its signed credential says so.`;
  throw new ServiceError("conflict", message, { category: message });
}

/**
 * The product's current seals, oldest first: active or suspended, and not expired (revoked, expired or
 * replaced seals vouch for nothing). What a change to the facts the seals signed must wait for.
 */
export function currentSealsOfProduct(t: Pick<Tx, "select">, productId: string) {
  return t
    .select({ serial: seals.serial, firmware: productVersions.firmwareVersion, credential: seals.credential })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(
      and(
        eq(productVersions.productId, productId),
        inArray(seals.state, ["active", "suspended"]),
        gt(seals.validUntil, new Date(nowMs())),
      ),
    )
    .orderBy(asc(seals.issuedAt))
    .all();
}

/**
 * A seal answers barcode look-ups (GS1 Digital Link, the GTIN API, bulk checks, watchlists) only for
 * the GTIN its signed credential names (products-by-gtin.server.ts, sealsSignedForGtins). While a
 * seal of the product that signed its current GTIN is current (active or suspended, not expired),
 * changing or removing that GTIN would make the stock in shops, which carries it, answer "No IoT
 * Seal", and the new GTIN too (no seal signed it): refused on the GTIN field, naming the seal.
 */
function assertGtinUnsigned(tx: Pick<Tx, "select">, productId: string, gtin: string | null): void {
  const gtin14 = gtin14Of(gtin);
  if (!gtin14) return; // no GTIN: no seal answers for one
  const signed = currentSealsOfProduct(tx, productId).find((r) => signedGtin14Of(r.credential) === gtin14);
  if (!signed) return;
  const message = `The GTIN cannot change while seal ${signed.serial} (firmware ${signed.firmware}) is current: it was issued for GTIN ${gtin}, and a barcode look-up finds a seal only by the GTIN it signed, so neither ${gtin} (on the products already in shops) nor the new GTIN would show an IoT Seal. A new GTIN needs a seal of its own: register the product under it as a new product and submit a version of it for certification; this product's GTIN can change once none of its seals is current.`;
  throw new ServiceError("conflict", message, { gtin: message });
}

/** The stale-save refusal (updateProduct's `expected`): what the supplier sees over the form, input kept. */
export function productChangedMeanwhile(savedAt: Date): string {
  return `Someone else saved changes to this product at ${formatDateTime(savedAt)}, after you opened it. Your changes are not saved yet: they are still in the form. Check the product's current details, then save again to replace them with yours.`;
}

/**
 * Saves a product's details. `expected.updatedAt` (the edit form's hidden field) is the time of the
 * version the supplier edited: a save over a newer version (a colleague saved meanwhile) is refused
 * with a conflict, nothing written (optimistic concurrency; absent: not checked, for scripts and tests).
 */
export function updateProduct(
  actor: Actor,
  productId: string,
  input: ProductInput,
  expected?: { updatedAt: number },
): void {
  assertCan(actor, "supplier.workspace");
  ownProduct(actor, productId);
  transaction((tx) => {
    // Read in the (immediate) transaction: no other save can come between the check and the write.
    const before = tx.select().from(products).where(eq(products.id, productId)).get()!;
    if (expected && before.updatedAt.getTime() !== expected.updatedAt)
      throw new ServiceError("conflict", productChangedMeanwhile(before.updatedAt));
    // UK PSTI: a published minimum security-update period may be extended, never shortened.
    if (input.supportPeriodEnd < before.supportPeriodEnd) {
      const message = `The security support period is published (it ends on ${formatDate(`${before.supportPeriodEnd}T00:00:00Z`)}); it can be extended, never shortened.`;
      throw new ServiceError("invalid", message, { supportPeriodEnd: message });
    }
    // EU CRA: checked when the support facts change, so a product registered before the rule can
    // still have its other details edited (its pages say plainly that it falls short).
    const after = { ...before, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
    const supportKeys = ["supportPeriodEnd", "placedOnMarketOn", "expectedUseMonths", "expectedUseReason"] as const;
    if (supportKeys.some((k) => after[k] !== before[k])) assertSupportPeriodMeetsCra(after);
    assertModelFree(tx, actor.organizationId, input.model, productId);
    if (input.category !== before.category) assertCategoryUnsealed(tx, productId);
    const gtinChanged = input.gtin !== undefined && input.gtin !== before.gtin;
    if (gtinChanged && gtin14Of(input.gtin) !== gtin14Of(before.gtin)) {
      assertGtinUnsigned(tx, productId, before.gtin);
      assertGtinFree(actor.organizationId, input.gtin, productId);
    }
    // Strictly later than the version replaced, even within one millisecond (or under a stopped clock):
    // the edit form's version stamp then always tells two versions apart.
    const updatedAt = new Date(Math.max(nowMs(), before.updatedAt.getTime() + 1));
    tx.update(products)
      .set({ ...input, updatedAt })
      .where(eq(products.id, productId))
      .run();
    const changed = Object.fromEntries(
      Object.entries(input).filter(([k, v]) => v !== undefined && (before as Record<string, unknown>)[k] !== v),
    );
    recordAudit(tx, actor, {
      action: "product.updated",
      target: { type: "product", id: productId },
      details: { changed },
    });
    // A category or support period change can change a watcher's policy result; a GTIN change moves
    // the product's GS1 Digital Link (the publication settles the old GTIN's published linkset).
    emit(tx, "product.changed", gtinChanged ? { productId, previousGtin: before.gtin } : { productId });
  });
}

export function addProductVersion(actor: Actor, productId: string, input: z.infer<typeof productVersionInput>): string {
  assertCan(actor, "supplier.workspace");
  ownProduct(actor, productId);
  return transaction((tx) => {
    const clash = tx
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(
        and(
          eq(productVersions.productId, productId),
          eq(productVersions.hardwareRevision, input.hardwareRevision),
          eq(productVersions.firmwareVersion, input.firmwareVersion),
        ),
      )
      .get();
    if (clash)
      throw new ServiceError("conflict", "This hardware revision and firmware version are already registered.", {
        firmwareVersion: "Already registered.",
      });
    const id = crypto.randomUUID();
    tx.insert(productVersions)
      .values({ id, productId, ...input, createdAt: new Date(nowMs()) })
      .run();
    recordAudit(tx, actor, {
      action: "product_version.created",
      target: { type: "product_version", id },
      details: { productId, ...input },
    });
    return id;
  });
}

export function listProducts(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  const rows = db()
    .select()
    .from(products)
    .where(eq(products.organizationId, actor.organizationId))
    .orderBy(asc(products.name))
    .all();
  const versions = db()
    .select({ productId: productVersions.productId, n: sql<number>`count(*)` })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(products.organizationId, actor.organizationId))
    .groupBy(productVersions.productId)
    .all();
  const counts = new Map(versions.map((v) => [v.productId, v.n]));
  return rows.map((p) => ({ ...p, versionCount: counts.get(p.id) ?? 0, supportShortfall: supportShortfallOf(p) }));
}

export function getProduct(actor: Actor, productId: string) {
  assertCan(actor, "supplier.workspace");
  const product = ownProduct(actor, productId);
  const versions = db()
    .select()
    .from(productVersions)
    .where(eq(productVersions.productId, productId))
    .orderBy(desc(productVersions.createdAt))
    .all();
  const subs = db()
    .select({
      id: submissions.id,
      status: submissions.status,
      productVersionId: submissions.productVersionId,
      firmwareVersion: productVersions.firmwareVersion,
      checklistVersionId: submissions.checklistVersionId,
      checklistTitle: checklistVersions.title,
      checklistVersion: checklistVersions.version,
      levels: checklistVersions.levels,
      targetLevel: submissions.targetLevel,
      updatedAt: submissions.updatedAt,
      sealSerial: seals.serial,
      sealState: seals.state,
      sealValidFrom: seals.validFrom,
      sealValidUntil: seals.validUntil,
    })
    .from(submissions)
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .leftJoin(seals, eq(seals.submissionId, submissions.id))
    .where(eq(productVersions.productId, productId))
    .orderBy(desc(submissions.updatedAt))
    .all();
  const now = new Date(nowMs());
  // The seal's standing as a verifier would put it (expiry follows from the date).
  const labels = new Map<string, string>();
  const recurs = new Map<string, boolean>();
  const withSeal = subs.map(({ checklistTitle, checklistVersion, levels, ...r }) => {
    const { sealState: state, sealValidFrom: validFrom, sealValidUntil: validUntil } = r;
    const seal = state && validFrom && validUntil ? { state, validFrom, validUntil } : null;
    if (!labels.has(r.checklistVersionId))
      labels.set(
        r.checklistVersionId,
        checklistLabelFor({ id: r.checklistVersionId.split("@")[0], version: checklistVersion, title: checklistTitle }),
      );
    if (!recurs.has(r.checklistVersionId))
      recurs.set(r.checklistVersionId, hasRecurringRequirements(r.checklistVersionId));
    return {
      ...r,
      checklistLabel: labels.get(r.checklistVersionId)!,
      /** Whether the seal's checklist version asks for fresh evidence (a link to its recurring page is worth showing). */
      recurring: recurs.get(r.checklistVersionId)!,
      levelTitle: levels.find((l) => l.id === r.targetLevel)?.title ?? r.targetLevel,
      sealVerdict: seal ? sealVerdictOf(seal, now).verdict : null,
    };
  });
  return { product, supportShortfall: supportShortfallOf(product), versions, submissions: withSeal };
}

/** The organisation's product versions, for choosing what a new submission is about. */
export function listProductVersionChoices(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  return db()
    .select({
      id: productVersions.id,
      productId: products.id,
      name: products.name,
      model: products.model,
      hardwareRevision: productVersions.hardwareRevision,
      firmwareVersion: productVersions.firmwareVersion,
    })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(products.organizationId, actor.organizationId))
    .orderBy(asc(products.name), desc(productVersions.createdAt))
    .all();
}
