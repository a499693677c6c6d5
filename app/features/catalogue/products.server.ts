/** A supplier's products and their versions (hardware revision + firmware). Own organisation only. */
import crypto from "node:crypto";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { products, productVersions, seals, submissions } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { gtinProblem, PRODUCT_CATEGORIES } from "./domain/product";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan, assertSameOrganization } from "../../platform/authorize.server";
import { db, transaction } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { syncPolicyStates } from "../retail/policies.server";

const shortText = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}.` })
    .trim()
    .min(1, { error: `Enter ${label}.` })
    .max(max, { error: `${label[0].toUpperCase()}${label.slice(1)} must be at most ${max} characters.` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: `${label[0].toUpperCase()}${label.slice(1)} must not contain control characters.` });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `At most ${max} characters.` })
    .optional()
    .transform((v) => v || null);

export const productInput = z
  .object({
    name: shortText("the product's name", 120),
    model: shortText("the model designation", 80),
    gtin: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v.replace(/[\s-]/g, "") : null))
      .superRefine((v, ctx) => {
        const problem = v ? gtinProblem(v) : null;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    sku: optionalText(64),
    category: z.enum(PRODUCT_CATEGORIES, { error: "Choose a category." }),
    description: z.string().trim().max(2000, { error: "At most 2000 characters." }).optional().default(""),
    supportPeriodEnd: z
      .string({ error: "Enter the date security updates end." })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "Enter the date as YYYY-MM-DD." })
      .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), { error: "That is not a real date." }),
    disclosurePolicyUrl: z.url({ protocol: /^https?$/, error: "Enter the web address (https://…) of your vulnerability disclosure policy." }).max(500),
  })
  .superRefine((v, ctx) => {
    if (v.supportPeriodEnd < new Date(nowMs()).toISOString().slice(0, 10)) {
      ctx.addIssue({ code: "custom", path: ["supportPeriodEnd"], message: "The support period has already ended; a product must still receive security updates to be certified." });
    }
  });

export const productVersionInput = z.object({
  hardwareRevision: shortText("the hardware revision", 40),
  firmwareVersion: shortText("the firmware version", 40),
  appVersion: optionalText(40),
  notes: z.string().trim().max(1000).optional().default(""),
});

function ownProduct(actor: Actor, productId: string) {
  const product = db().select().from(products).where(eq(products.id, productId)).get();
  if (!product) throw new ServiceError("not_found", "There is no such product.");
  assertSameOrganization(actor, product.organizationId);
  return product;
}

export function createProduct(actor: Actor, input: z.infer<typeof productInput>): string {
  assertCan(actor, "supplier.workspace");
  return transaction((tx) => {
    const clash = tx
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.organizationId, actor.organizationId), sql`lower(${products.model}) = lower(${input.model})`))
      .get();
    if (clash) throw new ServiceError("conflict", "You already registered a product with this model designation.", { model: "Already registered." });
    const id = crypto.randomUUID();
    const at = new Date(nowMs());
    tx.insert(products).values({ id, organizationId: actor.organizationId, ...input, createdAt: at, updatedAt: at }).run();
    recordAudit(tx, actor, { action: "product.created", target: { type: "product", id }, details: { name: input.name, model: input.model } });
    return id;
  });
}

export function updateProduct(actor: Actor, productId: string, input: z.infer<typeof productInput>): void {
  assertCan(actor, "supplier.workspace");
  const before = ownProduct(actor, productId);
  // UK PSTI: a published minimum security-update period may be extended, never shortened.
  if (input.supportPeriodEnd < before.supportPeriodEnd) {
    const message = `The security support period is published (it ends on ${before.supportPeriodEnd}); it can be extended, never shortened.`;
    throw new ServiceError("invalid", message, { supportPeriodEnd: message });
  }
  transaction((tx) => {
    tx.update(products).set({ ...input, updatedAt: new Date(nowMs()) }).where(eq(products.id, productId)).run();
    const changed = Object.fromEntries(Object.entries(input).filter(([k, v]) => (before as Record<string, unknown>)[k] !== v));
    recordAudit(tx, actor, { action: "product.updated", target: { type: "product", id: productId }, details: { changed } });
    syncPolicyStates(tx, { productId }); // a category or support period change can change a watcher's policy result
  });
}

export function addProductVersion(actor: Actor, productId: string, input: z.infer<typeof productVersionInput>): string {
  assertCan(actor, "supplier.workspace");
  ownProduct(actor, productId);
  return transaction((tx) => {
    const clash = tx
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(and(eq(productVersions.productId, productId), eq(productVersions.hardwareRevision, input.hardwareRevision), eq(productVersions.firmwareVersion, input.firmwareVersion)))
      .get();
    if (clash) throw new ServiceError("conflict", "This hardware revision and firmware version are already registered.", { firmwareVersion: "Already registered." });
    const id = crypto.randomUUID();
    tx.insert(productVersions).values({ id, productId, ...input, createdAt: new Date(nowMs()) }).run();
    recordAudit(tx, actor, { action: "product_version.created", target: { type: "product_version", id }, details: { productId, ...input } });
    return id;
  });
}

export function listProducts(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  const rows = db().select().from(products).where(eq(products.organizationId, actor.organizationId)).orderBy(asc(products.name)).all();
  const versions = db()
    .select({ productId: productVersions.productId, n: sql<number>`count(*)` })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(products.organizationId, actor.organizationId))
    .groupBy(productVersions.productId)
    .all();
  const counts = new Map(versions.map((v) => [v.productId, v.n]));
  return rows.map((p) => ({ ...p, versionCount: counts.get(p.id) ?? 0 }));
}

export function getProduct(actor: Actor, productId: string) {
  assertCan(actor, "supplier.workspace");
  const product = ownProduct(actor, productId);
  const versions = db().select().from(productVersions).where(eq(productVersions.productId, productId)).orderBy(desc(productVersions.createdAt)).all();
  const subs = db()
    .select({
      id: submissions.id,
      status: submissions.status,
      productVersionId: submissions.productVersionId,
      firmwareVersion: productVersions.firmwareVersion,
      checklistVersionId: submissions.checklistVersionId,
      targetLevel: submissions.targetLevel,
      updatedAt: submissions.updatedAt,
      sealSerial: seals.serial,
      sealState: seals.state,
      sealValidUntil: seals.validUntil,
    })
    .from(submissions)
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .leftJoin(seals, eq(seals.submissionId, submissions.id))
    .where(eq(productVersions.productId, productId))
    .orderBy(desc(submissions.updatedAt))
    .all();
  const now = nowMs();
  // The seal's standing as a verifier would put it (expiry follows from the date).
  const withSeal = subs.map((r) => ({ ...r, sealVerdict: r.sealState === "active" && r.sealValidUntil && r.sealValidUntil.getTime() <= now ? ("expired" as const) : r.sealState === "active" ? ("valid" as const) : r.sealState }));
  return { product, versions, submissions: withSeal };
}

/** The organisation's product versions, for choosing what a new submission is about. */
export function listProductVersionChoices(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  return db()
    .select({ id: productVersions.id, productId: products.id, name: products.name, model: products.model, hardwareRevision: productVersions.hardwareRevision, firmwareVersion: productVersions.firmwareVersion })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(products.organizationId, actor.organizationId))
    .orderBy(asc(products.name), desc(productVersions.createdAt))
    .all();
}
