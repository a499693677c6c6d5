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
import { craPublicFlagOf, type CraPublicFlag } from "./domain/cra-clocks";
import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import {
  findings,
  findingUpdates,
  findingVersions,
  products,
  productVersions,
  seals,
  watchlistEntries,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import {
  outsiderView,
  publicAdvisory,
  type AffectedVersion,
  type DisclosureFinding,
  type OutsiderView,
  type PublicAdvisory,
  type Viewer,
} from "./domain/disclosure";
import { SEVERITY_LABELS, type FindingStatus, type Severity } from "./domain/findings";
import { updateRequiredOf, type UpdateRequired } from "./domain/update-required";
import { can } from "../../platform/roles";
import { normalizeSerial } from "../trust/domain/serial";
import { sealVerdictOf } from "../trust/domain/verdict";
import type { Actor } from "../../platform/actor";
import { db, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";

type Reader = Pick<Tx, "select">;

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
  /** When the report was recorded in the portal: a report recorded after its deadline is public from then, not before. */
  createdAt: Date;
  /**
   * When the report was withdrawn: the time of its `withdrawn` history row (WITHDRAWN_AT), null when it
   * is not withdrawn. Never its `updatedAt`: a later write to a withdrawn report (whatever it is) must
   * not move its withdrawal, nor with it what was public before the withdrawal.
   */
  withdrawnAt: Date | null;
}

/**
 * When a report was withdrawn, as a column of a select from `findings`: its `withdrawn` history row's
 * time (finding_updates, append-only, written once by the withdrawal), null for a report never withdrawn.
 */
export const WITHDRAWN_AT =
  sql<Date | null>`(select min(wu.at) from finding_updates wu where wu.finding_id = ${findings}.id and wu.kind = 'withdrawn')`.mapWith(
    findingUpdates.at,
  );

/** The same for one report (a caller holding its whole row): when it was withdrawn, or null. */
export function withdrawnAtOf(t: Reader, findingId: string): Date | null {
  return t.select({ at: WITHDRAWN_AT }).from(findings).where(eq(findings.id, findingId)).get()?.at ?? null;
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
  createdAt: findings.createdAt,
  withdrawnAt: WITHDRAWN_AT,
};

const byVersion = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });
const byRevisionAndVersion = (a: AffectedVersion, b: AffectedVersion) =>
  byVersion(a.hardwareRevision, b.hardwareRevision) || byVersion(a.firmwareVersion, b.firmwareVersion);

/**
 * The domain's view of a finding, with the versions it affects (hardware revision and firmware
 * version; affectedVersionsOf). The description is deliberately empty: it is never loaded for
 * an outside view. A finding without an advisory id (none should exist: ids are given when a
 * report is recorded, and migration 0012 gave the older ones theirs) is left out.
 */
export function disclosureFindingOf(
  row: DisclosureRow,
  affected: readonly AffectedVersion[],
): DisclosureFinding | null {
  if (!row.advisoryId) return null;
  return {
    id: row.id,
    advisoryId: row.advisoryId,
    title: row.title,
    description: "",
    severity: row.severity,
    status: row.status,
    reportedAt: row.reportedAt,
    recordedAt: row.createdAt,
    deadline: row.deadline,
    verifiedAt: row.verifiedAt,
    publishedAt: row.publishedAt,
    withdrawnAt: row.status === "withdrawn" ? row.withdrawnAt : null,
    fixedInVersion: row.fixedInVersion,
    // Each firmware version once (a report against 1.0 of revisions A and B affects firmware 1.0).
    affectedVersions: [...new Set(affected.map((v) => v.firmwareVersion))].sort(byVersion),
    affected: affected
      .map((v) => ({ hardwareRevision: v.hardwareRevision, firmwareVersion: v.firmwareVersion }))
      .sort(byRevisionAndVersion),
  };
}

/** The versions (hardware revision and firmware version) each finding affects. */
export function affectedVersionsOf(t: Reader, findingIds: readonly string[]): Map<string, AffectedVersion[]> {
  const out = new Map<string, AffectedVersion[]>();
  for (let i = 0; i < findingIds.length; i += 500) {
    const rows = t
      .select({
        findingId: findingVersions.findingId,
        firmwareVersion: productVersions.firmwareVersion,
        hardwareRevision: productVersions.hardwareRevision,
      })
      .from(findingVersions)
      .innerJoin(productVersions, eq(productVersions.id, findingVersions.productVersionId))
      .where(inArray(findingVersions.findingId, findingIds.slice(i, i + 500)))
      .all();
    for (const r of rows)
      out.set(r.findingId, [
        ...(out.get(r.findingId) ?? []),
        { hardwareRevision: r.hardwareRevision, firmwareVersion: r.firmwareVersion },
      ]);
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
  /** For a watcher only: the severities of open reports under embargo flagged actively exploited (CRA Article 14). */
  exploitedEmbargoed?: Severity[];
  /** For a watcher only: the same for reports flagged a severe incident only (Article 14(3)), not exploited. */
  incidentEmbargoed?: Severity[];
  /**
   * For a watcher only: the same two for flags the supplier became aware of before Article 14 applied
   * (ARTICLE_14_APPLIES_FROM): flagged, and no report to the authority is due (CraPublicFlag).
   */
  exploitedBeforeArticle14?: Severity[];
  incidentBeforeArticle14?: Severity[];
  /**
   * The advisories' fixed firmware versions that have a valid seal of their own, with that seal's
   * serial: only these are certified firmware. The others' fixes were verified by an assessor, and
   * the firmware itself has no seal (docs/decisions/015-update-required.md).
   */
  certifiedFixes: Record<string, string>;
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
  const sealed = validSealsByFirmware(t, product.id);
  const certifiedFixes = Object.fromEntries(
    view.advisories.flatMap((a) => {
      const serial = a.fixedInVersion ? sealed.get(a.fixedInVersion.trim()) : undefined;
      return serial ? [[a.fixedInVersion!, serial] as const] : [];
    }),
  );
  const audience =
    who.kind === "certifier" || (who.kind === "supplier" && who.ownsProduct)
      ? "staff"
      : view.openEmbargoed
        ? "watcher"
        : "public";
  if (audience !== "watcher") return { ...view, audience, certifiedFixes };
  const list = findingsOfProducts(t, [product.id]).get(product.id)!;
  const flags = craFlagsOf(t, [product.id]);
  const now = new Date(nowMs());
  const exploited = craEmbargoed(list, flags, "exploited", now);
  const incidents = craEmbargoed(list, flags, "incident", now);
  const exploitedBefore = craEmbargoed(list, flags, "exploited_before_article_14", now);
  const incidentsBefore = craEmbargoed(list, flags, "incident_before_article_14", now);
  return {
    ...view,
    audience,
    certifiedFixes,
    ...(exploited.length ? { exploitedEmbargoed: exploited } : {}),
    ...(incidents.length ? { incidentEmbargoed: incidents } : {}),
    ...(exploitedBefore.length ? { exploitedBeforeArticle14: exploitedBefore } : {}),
    ...(incidentsBefore.length ? { incidentBeforeArticle14: incidentsBefore } : {}),
  };
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
  /**
   * CRA Article 14: open reports under embargo flagged actively exploited: only that one is being
   * handled, and its severity, never its details before disclosure.
   */
  exploitedEmbargoed: Severity[];
  /** The same for reports flagged a severe incident only (not actively exploited). */
  incidentEmbargoed: Severity[];
  /**
   * The same two for flags the supplier became aware of before Article 14 applied: no report to the
   * authority is due (left out when there is none).
   */
  exploitedBeforeArticle14?: Severity[];
  incidentBeforeArticle14?: Severity[];
}

/**
 * The reports of these products flagged actively exploited or a severe incident, and how a buyer
 * reads it (craPublicFlagOf): which flag, and whether Article 14 applies to it (the supplier's
 * awareness time, article14Applies).
 */
function craFlagsOf(t: Reader, productIds: readonly string[]): Map<string, CraPublicFlag> {
  if (productIds.length === 0) return new Map();
  return new Map(
    t
      .select({
        id: findings.id,
        activelyExploited: findings.activelyExploited,
        severeIncident: findings.severeIncident,
        exploitedAwareAt: findings.exploitedAwareAt,
        incidentAwareAt: findings.incidentAwareAt,
      })
      .from(findings)
      .where(
        and(
          inArray(findings.productId, [...productIds]),
          or(eq(findings.activelyExploited, true), eq(findings.severeIncident, true)),
        ),
      )
      .all()
      .flatMap((r) => {
        const flag = craPublicFlagOf(r);
        return flag ? [[r.id, flag] as const] : [];
      }),
  );
}

/** The severities of the open, still embargoed reports a buyer reads as `flag`: the fact and the severity, nothing else. */
function craEmbargoed(
  list: readonly DisclosureFinding[],
  flags: Map<string, CraPublicFlag>,
  flag: CraPublicFlag,
  now: Date,
): Severity[] {
  return list
    .filter((f) => flags.get(f.id) === flag && f.status !== "verified_fixed" && f.status !== "withdrawn")
    .filter((f) => publicAdvisory(f, now) === null)
    .map((f) => f.severity);
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
  const flags = craFlagsOf(t, watched);
  for (const [productId, list] of findingsOfProducts(t, watched)) {
    const view = outsiderView({ kind: "retailer", watchesProduct: true }, list, now);
    const exploitedBefore = craEmbargoed(list, flags, "exploited_before_article_14", now);
    const incidentsBefore = craEmbargoed(list, flags, "incident_before_article_14", now);
    out[productId] = {
      advisoryIds: view.advisories.map((a) => a.advisoryId),
      openEmbargoed: view.openEmbargoed!,
      exploitedEmbargoed: craEmbargoed(list, flags, "exploited", now),
      incidentEmbargoed: craEmbargoed(list, flags, "incident", now),
      ...(exploitedBefore.length ? { exploitedBeforeArticle14: exploitedBefore } : {}),
      ...(incidentsBefore.length ? { incidentBeforeArticle14: incidentsBefore } : {}),
    };
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
  return {
    id: `advisory-${advisory.advisoryId}`,
    type: "advisory.published",
    serial: currentSerial(t, productId),
    reason: advisoryReason(advisory),
    product,
    advisory,
    at: now.toISOString(),
  };
}

// --- The report events (watchlist, feed, webhooks): embargo-safe ------------------------------

export interface ReportEventBody {
  [key: string]: unknown;
  /** report-<finding id>-recorded | report-<finding id>-withdrawn | advisory-<advisory id>-withdrawn. */
  id: string;
  type: "report.recorded" | "report.withdrawn" | "advisory.withdrawn";
  serial: string | null;
  reason: string;
  product: { id: string; name: string; model: string };
  /** The report's severity: the only fact of a report under embargo that watchers learn. */
  severity: Severity;
  /** The product's open reports under embargo after this change: how many, of which severity. */
  openEmbargoed: { count: number; bySeverity: Record<Severity, number> };
  /** Only for "advisory.withdrawn": the public advisory, which stays public, marked withdrawn. */
  advisory?: PublicAdvisory;
  at: string;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** "2 open reports under embargo (1 high, 1 low)" or "no open report under embargo". */
function embargoedText(open: { count: number; bySeverity: Record<Severity, number> }): string {
  if (open.count === 0) return "no open report under embargo";
  const by = (Object.keys(open.bySeverity) as Severity[])
    .filter((s) => open.bySeverity[s] > 0)
    .map((s) => `${open.bySeverity[s]} ${SEVERITY_LABELS[s].toLowerCase()}`)
    .join(", ");
  return `${plural(open.count, "open report")} under embargo (${by})`;
}

/**
 * What watchers are told when a report on the product is recorded or withdrawn, or null (no
 * finding, no advisory id). While a report is under embargo they learn its severity and the open
 * count, never its title, description or advisory id (the same "existence" view as the seal page).
 * A report withdrawn after its advisory was disclosed is announced with that public advisory, marked
 * withdrawn: it stays public.
 */
export function reportEventBody(
  t: Reader,
  e: { findingId: string; productId: string; change: "recorded" | "withdrawn" },
  now: Date,
): ReportEventBody | null {
  const all = findingsOfProducts(t, [e.productId]).get(e.productId) ?? [];
  const f = all.find((x) => x.id === e.findingId);
  if (!f) return null;
  const view = outsiderView({ kind: "retailer", watchesProduct: true }, all, now);
  const open = view.openEmbargoed!;
  const product = t
    .select({ id: products.id, name: products.name, model: products.model })
    .from(products)
    .where(eq(products.id, e.productId))
    .get()!;
  const base = { serial: currentSerial(t, e.productId), product, severity: f.severity, openEmbargoed: open };
  const severity = SEVERITY_LABELS[f.severity].toLowerCase();
  const advisory = publicAdvisory(f, now);
  if (e.change === "withdrawn") {
    if (advisory?.withdrawnOn)
      return {
        ...base,
        id: `advisory-${advisory.advisoryId}-withdrawn`,
        type: "advisory.withdrawn",
        reason: `Advisory ${advisory.advisoryId} withdrawn after disclosure on ${advisory.disclosedOn}: ${advisory.title} (${severity}); it stays public, marked withdrawn`,
        advisory,
        at: now.toISOString(),
      };
    return {
      ...base,
      id: `report-${f.id}-withdrawn`,
      type: "report.withdrawn",
      reason: `A ${severity} report under embargo was withdrawn (not a real issue); now ${embargoedText(open)}`,
      at: now.toISOString(),
    };
  }
  return {
    ...base,
    id: `report-${f.id}-recorded`,
    type: "report.recorded",
    reason: advisory
      ? `New ${severity} vulnerability report, public at once (its deadline had passed): see advisory ${advisory.advisoryId}`
      : `New ${severity} vulnerability report under embargo; now ${embargoedText(open)}. Details are published when fixed or at the deadline`,
    at: now.toISOString(),
  };
}

/**
 * The product's firmware versions that have a valid seal of their own (the verdict "valid": active,
 * within its dates), each with its newest such seal. A fix an assessor verified in a firmware is not
 * a certified firmware: only these are (docs/decisions/015-update-required.md).
 */
export function validSealsByFirmware(t: Reader, productId: string, now = new Date(nowMs())): Map<string, string> {
  const rows = t
    .select({
      serial: seals.serial,
      state: seals.state,
      validFrom: seals.validFrom,
      validUntil: seals.validUntil,
      firmware: productVersions.firmwareVersion,
    })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(and(eq(productVersions.productId, productId), eq(seals.state, "active")))
    .orderBy(desc(seals.issuedAt))
    .all();
  const out = new Map<string, string>();
  for (const r of rows)
    if (sealVerdictOf(r, now).verdict === "valid" && !out.has(r.firmware.trim())) out.set(r.firmware.trim(), r.serial);
  return out;
}

/** The valid seal of the product's firmware `firmware` (null: that firmware is not certified). */
export function validSealOfProductFirmware(productId: string, firmware: string, t: Reader = db()): string | null {
  return validSealsByFirmware(t, productId).get(firmware.trim()) ?? null;
}

/** The same for the product that seal `serial` certifies (/verify: the firmware a seal must update to). */
export function validSealOfFirmware(serial: string, firmware: string, t: Reader = db()): string | null {
  const row = t
    .select({ productId: productVersions.productId })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(seals.serial, serial))
    .get();
  return row ? validSealOfProductFirmware(row.productId, firmware, t) : null;
}

/**
 * The product's current seal (active or suspended, newest), whose public page lists its advisories:
 * the seal the advisory events name, and the page a CSAF document links at disclosure (csaf.server.ts).
 */
export function currentSerial(t: Reader, productId: string): string | null {
  const current = t
    .select({ serial: seals.serial })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(and(eq(productVersions.productId, productId), inArray(seals.state, ["active", "suspended"])))
    .orderBy(sql`${seals.issuedAt} desc`)
    .limit(1)
    .get();
  return current?.serial ?? null;
}

// --- The seal API (hot path) ---------------------------------------------------------------------

type Db = ReturnType<typeof db>;
const apiStatements = new WeakMap<Db, ReturnType<typeof prepareApiStatement>>();

/** A finding as the seal API's statement returns it: epoch-ms timestamps, versions as a JSON array. */
export interface SealApiFindingRow {
  id: string;
  advisoryId: string | null;
  title: string;
  severity: DisclosureRow["severity"];
  status: DisclosureRow["status"];
  reportedAt: number;
  deadline: number;
  verifiedAt: number | null;
  publishedAt: number | null;
  fixedInVersion: string | null;
  createdAt: number;
  /** When a withdrawn report was withdrawn (its `withdrawn` history row), else null. */
  withdrawnAt: number | null;
  /** The versions it affects: a JSON array of { hardwareRevision, firmwareVersion }. */
  versions: string;
}

/**
 * The seal API's statement, in two parts for whoever composes it with more (seals.server.ts adds
 * the seal's live state to it, so a request costs one statement): the columns of a finding `f`
 * (SealApiFindingRow, nullable under a left join), and the condition on `f` (with @now) that keeps
 * the findings that may be public now: fix verified, published early, or past the deadline (a
 * withdrawn one only if that was before its withdrawal). The domain then decides exactly what is
 * public. On the driver itself: the query builder's placeholder filling and row mapping cost more
 * than the query on this hot path.
 */
export const SEAL_API_FINDING_COLUMNS = `f.id, f.advisory_id as advisoryId, f.title, f.severity, f.status,
  f.reported_at as reportedAt, f.deadline, f.verified_at as verifiedAt, f.published_at as publishedAt,
  f.fixed_in_version as fixedInVersion, f.created_at as createdAt,
  case when f.status = 'withdrawn' then (select min(wu.at) from finding_updates wu
     where wu.finding_id = f.id and wu.kind = 'withdrawn') end as withdrawnAt,
  (select json_group_array(json_object('hardwareRevision', av.hardware_revision, 'firmwareVersion', av.firmware_version))
     from finding_versions fv
     join product_versions av on av.id = fv.product_version_id where fv.finding_id = f.id) as versions`;
export const SEAL_API_FINDING_MAY_BE_PUBLIC =
  "((f.status = 'verified_fixed' and f.verified_at <= @now) or f.published_at <= @now or f.deadline < @now)";

function prepareApiStatement(d: Db) {
  return d.$client.prepare<{ serial: string; now: number }, SealApiFindingRow>(
    `select ${SEAL_API_FINDING_COLUMNS}
     from seals s
     join product_versions v on v.id = s.product_version_id
     join findings f on f.product_id = v.product_id
     where s.serial = @serial and ${SEAL_API_FINDING_MAY_BE_PUBLIC}`,
  );
}

const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));

/** The public advisories (newest disclosed first) among the seal API statement's rows, at `now`. */
export function sealApiAdvisoriesOf(rows: readonly SealApiFindingRow[], now: number): PublicAdvisory[] {
  if (rows.length === 0) return [];
  const list: DisclosureFinding[] = [];
  for (const r of rows) {
    const row: DisclosureRow = {
      id: r.id,
      advisoryId: r.advisoryId,
      title: r.title,
      severity: r.severity,
      status: r.status,
      reportedAt: new Date(r.reportedAt),
      deadline: new Date(r.deadline),
      verifiedAt: dateOrNull(r.verifiedAt),
      publishedAt: dateOrNull(r.publishedAt),
      fixedInVersion: r.fixedInVersion,
      createdAt: new Date(r.createdAt),
      withdrawnAt: dateOrNull(r.withdrawnAt),
    };
    const f = disclosureFindingOf(row, JSON.parse(r.versions) as AffectedVersion[]);
    if (f) list.push(f);
  }
  return outsiderView({ kind: "anonymous" }, list, new Date(now)).advisories;
}

/**
 * The public advisories of the product a seal certifies (newest disclosed first; empty when there
 * are none), for GET /api/v1/seals/<serial>. `serial` must be normalised already.
 */
export function sealApiAdvisories(serial: string): PublicAdvisory[] {
  const d = db();
  let st = apiStatements.get(d);
  if (!st) apiStatements.set(d, (st = prepareApiStatement(d)));
  const now = nowMs();
  return sealApiAdvisoriesOf(st.all({ serial, now }), now);
}

/** The same, as the JSON text of an array ("[]" when there are none). */
export function sealApiAdvisoriesJson(serial: string): string {
  return JSON.stringify(sealApiAdvisories(serial));
}

// --- "Valid, update required" -------------------------------------------------------------------

/** The public advisories of each product (what anyone may read now), newest disclosed first. */
export function publicAdvisoriesOfProducts(t: Reader, productIds: readonly string[]): Map<string, PublicAdvisory[]> {
  const now = new Date(nowMs());
  const out = new Map<string, PublicAdvisory[]>();
  for (const [productId, list] of findingsOfProducts(t, [...new Set(productIds)]))
    out.set(productId, outsiderView({ kind: "anonymous" }, list, now).advisories);
  return out;
}

/**
 * For each seal serial (normalised), whether its certified firmware needs an update: the public
 * advisories affecting it whose fix is certified in another version (domain/update-required.ts).
 * Serials without a seal, or whose firmware no fixed public advisory affects, are left out.
 */
export function updateRequiredBySerial(serials: readonly string[], t: Reader = db()): Map<string, UpdateRequired> {
  const out = new Map<string, UpdateRequired>();
  const wanted = [...new Set(serials)];
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = t
      .select({
        serial: seals.serial,
        productId: productVersions.productId,
        firmware: productVersions.firmwareVersion,
        hardware: productVersions.hardwareRevision,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(inArray(seals.serial, wanted.slice(i, i + 500)))
      .all();
    const advisories = publicAdvisoriesOfProducts(
      t,
      rows.map((r) => r.productId),
    );
    for (const r of rows) {
      const u = updateRequiredOf(r.firmware, advisories.get(r.productId) ?? [], r.hardware);
      if (u) out.set(r.serial, u);
    }
  }
  return out;
}
