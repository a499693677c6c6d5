/**
 * What people outside the supplier and the certification body see of a product's vulnerability
 * reports: built here and nowhere else, for the public seal page, the seal API, the retailer
 * watchlist and the "advisory.published" events (watchlist, feed, webhooks).
 *
 * The rules are app/features/findings/domain/disclosure.ts (visibilityFor, outsiderView, publicAdvisory). This
 * service works out who the viewer is (anonymous; a retailer whose organisation watches the
 * product, or not; a supplier that owns the product, or not; the certification body) and loads
 * the findings WITHOUT their description, reporter, CVSS vector or history, so nothing built
 * here can carry them, whatever a caller does with the result.
 */
import { and, eq, inArray, lt, lte, ne, or, sql } from "drizzle-orm";
import { findings, findingVersions, products, productVersions, seals, watchlistEntries } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import {
  outsiderView,
  publicAdvisory,
  type DisclosureFinding,
  type OutsiderView,
  type PublicAdvisory,
  type Viewer,
} from "./domain/disclosure";
import { SEVERITY_LABELS, type FindingStatus, type Severity } from "./domain/findings";
import { can } from "../../platform/roles";
import { normalizeSerial } from "../trust/domain/serial";
import type { Actor } from "../../platform/actor";
import { db, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";

type Reader = Tx | ReturnType<typeof db>;

/** The columns of a finding the disclosure rules need: never the description, reporter, CVSS or notes. */
export interface DisclosureRow {
  id: string;
  advisoryId: string | null;
  title: string;
  severity: Severity;
  status: FindingStatus;
  reportedAt: Date;
  deadline: Date;
  verifiedAt: Date | null;
  publishedAt: Date | null;
  fixedInVersion: string | null;
}

export const DISCLOSURE_COLUMNS = {
  id: findings.id,
  advisoryId: findings.advisoryId,
  title: findings.title,
  severity: findings.severity,
  status: findings.status,
  reportedAt: findings.reportedAt,
  deadline: findings.deadline,
  verifiedAt: findings.verifiedAt,
  publishedAt: findings.publishedAt,
  fixedInVersion: findings.fixedInVersion,
};

const byVersion = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/**
 * The domain's view of a finding. The description is deliberately empty: it is never loaded for
 * an outside view. A finding without an advisory id (none should exist: ids are given when a
 * report is recorded, and migration 0012 gave the older ones theirs) is left out.
 */
export function disclosureFindingOf(row: DisclosureRow, affectedVersions: readonly string[]): DisclosureFinding | null {
  if (!row.advisoryId) return null;
  return {
    id: row.id,
    advisoryId: row.advisoryId,
    title: row.title,
    description: "",
    severity: row.severity,
    status: row.status,
    reportedAt: row.reportedAt,
    deadline: row.deadline,
    verifiedAt: row.verifiedAt,
    publishedAt: row.publishedAt,
    fixedInVersion: row.fixedInVersion,
    affectedVersions: [...affectedVersions].sort(byVersion),
  };
}

/** The firmware versions each finding affects. */
export function affectedVersionsOf(t: Reader, findingIds: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < findingIds.length; i += 500) {
    const rows = t
      .select({ findingId: findingVersions.findingId, firmware: productVersions.firmwareVersion })
      .from(findingVersions)
      .innerJoin(productVersions, eq(productVersions.id, findingVersions.productVersionId))
      .where(inArray(findingVersions.findingId, findingIds.slice(i, i + 500)))
      .all();
    for (const r of rows) out.set(r.findingId, [...(out.get(r.findingId) ?? []), r.firmware]);
  }
  return out;
}

/** Every finding of the given products, as the disclosure rules see them, by product. */
function findingsOfProducts(t: Reader, productIds: readonly string[]): Map<string, DisclosureFinding[]> {
  const out = new Map<string, DisclosureFinding[]>(productIds.map((p) => [p, []]));
  if (productIds.length === 0) return out;
  const rows = t
    .select({ ...DISCLOSURE_COLUMNS, productId: findings.productId })
    .from(findings)
    .where(inArray(findings.productId, [...productIds]))
    .all();
  const versions = affectedVersionsOf(
    t,
    rows.map((r) => r.id),
  );
  for (const r of rows) {
    const f = disclosureFindingOf(r, versions.get(r.id) ?? []);
    if (f) out.get(r.productId)!.push(f);
  }
  return out;
}

/** Who is looking at a product's advisories, in the domain's terms. */
function viewerOf(t: Reader, actor: Actor | null, product: { id: string; organizationId: string }): Viewer {
  if (!actor) return { kind: "anonymous" };
  if (can(actor.role, "seals.manage")) return { kind: "certifier" };
  if (actor.role === "supplier")
    return { kind: "supplier", ownsProduct: product.organizationId === actor.organizationId };
  if (actor.role === "retailer") {
    const entry = t
      .select({ id: watchlistEntries.id })
      .from(watchlistEntries)
      .where(and(eq(watchlistEntries.organizationId, actor.organizationId), eq(watchlistEntries.productId, product.id)))
      .get();
    return { kind: "retailer", watchesProduct: entry !== undefined };
  }
  return { kind: "anonymous" };
}

export interface ProductAdvisories extends OutsiderView {
  /**
   * Whom the section speaks to: "public" (anyone: the published advisories), "watcher" (a retail
   * buyer whose organisation watches the product: also the open embargoed count), or "staff"
   * (the owning supplier or the certification body, who see this section as the public does and
   * the full reports under /findings).
   */
  audience: "public" | "watcher" | "staff";
}

/** The advisories section of a product as `viewer` (null: anonymous) may see it now. */
export function productAdvisories(viewer: Actor | null, productId: string): ProductAdvisories {
  const t = db();
  const product = t
    .select({ id: products.id, organizationId: products.organizationId })
    .from(products)
    .where(eq(products.id, productId))
    .get();
  if (!product) throw new ServiceError("not_found", "There is no such product.");
  const who = viewerOf(t, viewer, product);
  const view = outsiderView(who, findingsOfProducts(t, [product.id]).get(product.id)!, new Date(nowMs()));
  const audience =
    who.kind === "certifier" || (who.kind === "supplier" && who.ownsProduct)
      ? "staff"
      : view.openEmbargoed
        ? "watcher"
        : "public";
  return { ...view, audience };
}

/** The advisories of the product a seal certifies (the public seal page), or null when no seal has this serial. */
export function sealAdvisories(viewer: Actor | null, serialInput: string): ProductAdvisories | null {
  const serial = normalizeSerial(serialInput);
  if (!serial) return null;
  const row = db()
    .select({ productId: productVersions.productId })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(seals.serial, serial))
    .get();
  return row ? productAdvisories(viewer, row.productId) : null;
}

export interface WatchedProductAdvisories {
  /** The public advisories' ids, newest disclosed first. */
  advisoryIds: string[];
  /** Open reports still under embargo: how many, and of which severity (no details). */
  openEmbargoed: { count: number; bySeverity: Record<Severity, number> };
}

/** For the watchlist: per product the buyer's organisation watches, its public advisories and its embargoed open count. */
export function watchedProductAdvisories(actor: Actor): Record<string, WatchedProductAdvisories> {
  if (!can(actor.role, "seals.verify")) throw new ServiceError("forbidden", "Watchlists belong to retail buyers.");
  const t = db();
  const watched = t
    .select({ productId: watchlistEntries.productId })
    .from(watchlistEntries)
    .where(eq(watchlistEntries.organizationId, actor.organizationId))
    .all()
    .map((r) => r.productId);
  const now = new Date(nowMs());
  const out: Record<string, WatchedProductAdvisories> = {};
  for (const [productId, list] of findingsOfProducts(t, watched)) {
    const view = outsiderView({ kind: "retailer", watchesProduct: true }, list, now);
    out[productId] = { advisoryIds: view.advisories.map((a) => a.advisoryId), openEmbargoed: view.openEmbargoed! };
  }
  return out;
}

// --- The advisory event (watchlist, feed, webhooks) ----------------------------------------------

export interface AdvisoryEventBody {
  [key: string]: unknown;
  /** advisory-<advisory id>: the same for every watcher, and the webhook delivery's event id. */
  id: string;
  type: "advisory.published";
  serial: string | null;
  reason: string;
  product: { id: string; name: string; model: string };
  advisory: PublicAdvisory;
  at: string;
}

/** "Advisory IOTSEAL-2026-0003 published: Pairing PIN can be brute-forced (high)". */
export function advisoryReason(a: Pick<PublicAdvisory, "advisoryId" | "title" | "severity">): string {
  return `Advisory ${a.advisoryId} published: ${a.title} (${SEVERITY_LABELS[a.severity].toLowerCase()})`;
}

/**
 * What watchers are told when an advisory becomes public (null while it is not): the public
 * advisory and nothing else of the finding. `serial` is the product's current seal, whose public
 * page lists the advisory.
 */
export function advisoryEventBody(
  t: Reader,
  f: DisclosureFinding,
  productId: string,
  now: Date,
): AdvisoryEventBody | null {
  const advisory = publicAdvisory(f, now);
  if (!advisory) return null;
  const product = t
    .select({ id: products.id, name: products.name, model: products.model })
    .from(products)
    .where(eq(products.id, productId))
    .get()!;
  const current = t
    .select({ serial: seals.serial })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(and(eq(productVersions.productId, productId), inArray(seals.state, ["active", "suspended"])))
    .orderBy(sql`${seals.issuedAt} desc`)
    .limit(1)
    .get();
  return {
    id: `advisory-${advisory.advisoryId}`,
    type: "advisory.published",
    serial: current?.serial ?? null,
    reason: advisoryReason(advisory),
    product,
    advisory,
    at: now.toISOString(),
  };
}

// --- The seal API (hot path) ---------------------------------------------------------------------

type Db = ReturnType<typeof db>;
const apiStatements = new WeakMap<Db, ReturnType<typeof prepareApiStatement>>();

/**
 * One statement: the findings of the seal's product that may be public now (not withdrawn; fix
 * verified, published early, or past the deadline), each with its affected firmware versions as
 * a JSON array. The domain then decides exactly what is public.
 */
function prepareApiStatement(d: Db) {
  const now = sql.placeholder("now");
  return d
    .select({
      ...DISCLOSURE_COLUMNS,
      versions: sql<string>`(select json_group_array(av.firmware_version) from finding_versions fv join product_versions av on av.id = fv.product_version_id where fv.finding_id = ${findings.id})`,
    })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(findings, eq(findings.productId, productVersions.productId))
    .where(
      and(
        eq(seals.serial, sql.placeholder("serial")),
        ne(findings.status, "withdrawn"),
        or(
          and(eq(findings.status, "verified_fixed"), lte(findings.verifiedAt, now)),
          lte(findings.publishedAt, now),
          lt(findings.deadline, now),
        ),
      ),
    )
    .prepare();
}

/**
 * The public advisories of the product a seal certifies, as the JSON text of an array (newest
 * disclosed first; "[]" when there are none), for GET /api/v1/seals/<serial>. `serial` must be
 * normalised already.
 */
export function sealApiAdvisoriesJson(serial: string): string {
  const d = db();
  let st = apiStatements.get(d);
  if (!st) apiStatements.set(d, (st = prepareApiStatement(d)));
  const now = nowMs();
  const rows = st.all({ serial, now });
  if (rows.length === 0) return "[]";
  const list: DisclosureFinding[] = [];
  for (const r of rows) {
    const f = disclosureFindingOf(r, JSON.parse(r.versions) as string[]);
    if (f) list.push(f);
  }
  return JSON.stringify(outsiderView({ kind: "anonymous" }, list, new Date(now)).advisories);
}
