/**
 * What an audit event was about, in words: "Gator Kids Watch 3, firmware 3.2.0, requirement 6-8"
 * rather than a submission's id. The log records a target's kind and id (and, for some events, a
 * requirement in its details); the names are read now, from the tables of the modules that own
 * them (catalogue, certification, trust, findings, monitoring, retail, accounts), so this lives
 * here, above them all. One query per kind of target on the page, never one per event. A target
 * since deleted (a webhook endpoint, an API token) has no name: the event is shown without one.
 */
import { eq, inArray } from "drizzle-orm";
import {
  acceptancePolicies,
  apiTokens,
  checklistVersions,
  findings,
  importedAdvisories,
  organizations,
  products,
  productVersions,
  recurringEvidence,
  seals,
  submissions,
  users,
  webhookEndpoints,
} from "../../db/schema";
import type { Actor } from "../platform/actor";
import { db } from "../platform/db.server";
import { can, type Permission, type Role } from "../platform/roles";
import { twoStepKeyReport } from "../features/accounts/two-step-secrets.server";
import { webhookKeyReport } from "../features/retail/webhook-secrets.server";
import { adminOverview, workspaceOverview } from "../features/accounts/dashboard.server";

export interface AuditTarget {
  targetType: string | null;
  targetId: string | null;
  /** The event's details as recorded (JSON text): a requirement's `ref` is named with its submission. */
  details?: string | null;
  /** Who did it: an event on oneself (logged in, changed one's password) needs no subject. */
  actorUserId?: string | null;
}

const key = (type: string, id: string) => `${type}\u0000${id}`;

const productAndFirmware = (product: string, firmware: string) => `${product}, firmware ${firmware}`;

/** A target in words, and what its page's address needs besides its id (a firmware's product, a check's seal). */
interface Named {
  name: string;
  productId?: string;
  serial?: string;
}

/** The names of each kind of target, from the ids on the page. */
const NAMERS: Record<string, (ids: string[]) => [string, Named][]> = {
  submission: (ids) =>
    db()
      .select({ id: submissions.id, product: products.name, firmware: productVersions.firmwareVersion })
      .from(submissions)
      .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(submissions.id, ids))
      .all()
      .map((r) => [r.id, { name: productAndFirmware(r.product, r.firmware) }]),
  seal: (ids) =>
    db()
      .select({ serial: seals.serial, product: products.name, firmware: productVersions.firmwareVersion })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(seals.serial, ids))
      .all()
      .map((r) => [r.serial, { name: `seal ${r.serial} (${productAndFirmware(r.product, r.firmware)})` }]),
  product: (ids) =>
    db()
      .select({ id: products.id, name: products.name, model: products.model })
      .from(products)
      .where(inArray(products.id, ids))
      .all()
      .map((r) => [r.id, { name: `${r.name} (${r.model})` }]),
  product_version: (ids) =>
    db()
      .select({
        id: productVersions.id,
        productId: products.id,
        product: products.name,
        firmware: productVersions.firmwareVersion,
      })
      .from(productVersions)
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(productVersions.id, ids))
      .all()
      .map((r) => [r.id, { name: productAndFirmware(r.product, r.firmware), productId: r.productId }]),
  finding: (ids) =>
    db()
      .select({ id: findings.id, title: findings.title, advisoryId: findings.advisoryId, product: products.name })
      .from(findings)
      .innerJoin(products, eq(products.id, findings.productId))
      .where(inArray(findings.id, ids))
      .all()
      .map((r) => [r.id, { name: `“${r.title}” (${r.product}${r.advisoryId ? `, ${r.advisoryId}` : ""})` }]),
  recurring_evidence: (ids) =>
    db()
      .select({ id: recurringEvidence.id, serial: recurringEvidence.serial, ref: recurringEvidence.requirementRef })
      .from(recurringEvidence)
      .where(inArray(recurringEvidence.id, ids))
      .all()
      .map((r) => [r.id, { name: `seal ${r.serial}, requirement ${r.ref}`, serial: r.serial }]),
  checklist_version: (ids) =>
    db()
      .select({ id: checklistVersions.id, title: checklistVersions.title, version: checklistVersions.version })
      .from(checklistVersions)
      .where(inArray(checklistVersions.id, ids))
      .all()
      .map((r) => [r.id, { name: `${r.title} ${r.version}` }]),
  imported_advisory: (ids) =>
    db()
      .select({ id: importedAdvisories.id, title: importedAdvisories.title, tracking: importedAdvisories.trackingId })
      .from(importedAdvisories)
      .where(inArray(importedAdvisories.id, ids))
      .all()
      .map((r) => [r.id, { name: `${r.tracking}: “${r.title}”` }]),
  policy: (ids) =>
    db()
      .select({ id: acceptancePolicies.id, name: acceptancePolicies.name })
      .from(acceptancePolicies)
      .where(inArray(acceptancePolicies.id, ids))
      .all()
      .map((r) => [r.id, { name: `policy “${r.name}”` }]),
  user: (ids) =>
    db()
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, ids))
      .all()
      .map((r) => [r.id, { name: r.name }]),
  organization: (ids) =>
    db()
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(inArray(organizations.id, ids))
      .all()
      .map((r) => [r.id, { name: r.name }]),
  api_token: (ids) =>
    db()
      .select({ id: apiTokens.id, name: apiTokens.name })
      .from(apiTokens)
      .where(inArray(apiTokens.id, ids))
      .all()
      .map((r) => [r.id, { name: `API token “${r.name}”` }]),
  webhook: (ids) =>
    db()
      .select({ id: webhookEndpoints.id, url: webhookEndpoints.url })
      .from(webhookEndpoints)
      .where(inArray(webhookEndpoints.id, ids))
      .all()
      .map((r) => [r.id, { name: `webhook ${r.url}` }]),
};

/** The requirement an event on a submission was about (an answer, evidence, a verdict), from its details. */
function requirementOf(details: string | null | undefined): string | null {
  if (!details || !details.includes('"ref"')) return null;
  try {
    const ref = (JSON.parse(details) as { ref?: unknown }).ref;
    return typeof ref === "string" && ref ? ref : null;
  } catch {
    return null;
  }
}

const e = encodeURIComponent;

/**
 * The page of an event's target that this viewer may open, or null (none for their role: a
 * retail buyer has no page for a submission, an administrator none for a product). The one rule
 * for every list of events: the dashboards' recent activity and the audit log. `named` carries
 * what some addresses need besides the id (absent for a target since deleted); `ref` is the
 * requirement an event on a submission was about.
 */
export function targetHref(
  viewer: Role,
  target: { type: string | null; id: string | null },
  named?: Omit<Named, "name">,
  ref?: string | null,
): string | null {
  const { type, id } = target;
  if (!type || !id) return null;
  switch (type) {
    case "submission": {
      const side = can(viewer, "supplier.workspace")
        ? "supplier"
        : can(viewer, "assessor.workspace")
          ? "assessor"
          : null;
      return side ? `/${side}/submissions/${e(id)}${ref ? `/requirements/${e(ref)}` : ""}` : null;
    }
    case "seal": // the certification body's page of a seal; everyone else its public page
      return can(viewer, "seals.manage") ? `/seals/${e(id)}` : `/s/${e(id)}`;
    case "product":
      return can(viewer, "supplier.workspace") ? `/supplier/products/${e(id)}` : null;
    case "product_version":
      return can(viewer, "supplier.workspace") && named?.productId ? `/supplier/products/${e(named.productId)}` : null;
    case "finding":
      return can(viewer, "supplier.workspace") || can(viewer, "seals.manage") ? `/findings/${e(id)}` : null;
    case "recurring_evidence":
      if (can(viewer, "assessor.workspace")) return `/assessor/recurring/${e(id)}`;
      return can(viewer, "supplier.workspace") && named?.serial ? `/supplier/seals/${e(named.serial)}/recurring` : null;
    case "imported_advisory":
      return can(viewer, "seals.manage") ? `/assessor/advisories/${e(id)}` : null;
    case "checklist_version": {
      const at = id.lastIndexOf("@"); // "etsi-en-303-645@2.1.1"
      return at > 0 && can(viewer, "checklists.read")
        ? `/checklists/${e(id.slice(0, at))}/${e(id.slice(at + 1))}`
        : null;
    }
    case "policy":
      return can(viewer, "retailer.workspace") ? `/retailer/policies/${e(id)}` : null;
    case "api_token":
      return can(viewer, "retailer.workspace") ? "/retailer/api" : null;
    case "webhook":
      return can(viewer, "retailer.workspace") ? "/retailer/webhooks" : null;
    case "user":
      return can(viewer, "admin.users.manage") ? "/admin/users" : null;
    case "organization":
      return can(viewer, "admin.users.manage") ? "/admin/organizations" : null;
    default:
      return null; // a backup, a replica...: no page of its own; the audit log's filter shows its events
  }
}

export interface Subject {
  /** What it was about, in words ("Gator Kids Watch 3, firmware 3.2.0, requirement 6-8"). */
  text: string;
  /** Its page, when the viewer has one. */
  href: string | null;
}

/**
 * Each event's subject in words and, for a viewer, where to open it, in the order given (null: a
 * target with no name to give, or none). Read-only; whoever calls it has already decided the
 * viewer may see these events.
 */
export function auditSubjectsFor(events: readonly AuditTarget[], viewer: Role | null): (Subject | null)[] {
  const wanted = new Map<string, Set<string>>();
  for (const ev of events) {
    if (!ev.targetType || !ev.targetId || !Object.hasOwn(NAMERS, ev.targetType)) continue;
    const ids = wanted.get(ev.targetType) ?? new Set<string>();
    ids.add(ev.targetId);
    wanted.set(ev.targetType, ids);
  }
  const names = new Map<string, Named>();
  for (const [type, ids] of wanted) {
    for (const [id, named] of NAMERS[type]([...ids])) names.set(key(type, id), named);
  }
  return events.map((ev) => {
    if (!ev.targetType || !ev.targetId) return null;
    if (ev.targetType === "user" && ev.targetId === ev.actorUserId) return null;
    const named = names.get(key(ev.targetType, ev.targetId));
    if (!named) return null;
    const ref = ev.targetType === "submission" ? requirementOf(ev.details) : null;
    return {
      text: ref ? `${named.name}, requirement ${ref}` : named.name,
      href: viewer ? targetHref(viewer, { type: ev.targetType, id: ev.targetId }, named, ref) : null,
    };
  });
}

/** Each event's subject in words (see auditSubjectsFor). */
export function auditSubjects(events: readonly AuditTarget[]): (string | null)[] {
  return auditSubjectsFor(events, null).map((s) => s?.text ?? null);
}

/**
 * Items (a dashboard's recent activity) with their subject beside them and its page for this
 * viewer; the details they were named from are left out (they go no further than the server).
 */
export function withSubjects<T extends AuditTarget>(
  items: readonly T[],
  viewer: Role,
): (Omit<T, "details" | "targetId" | "actorUserId"> & { subject: string | null; subjectHref: string | null })[] {
  const subjects = auditSubjectsFor(items, viewer);
  return items.map(({ details: _details, targetId: _targetId, actorUserId: _actorUserId, ...item }, i) => ({
    ...item,
    subject: subjects[i]?.text ?? null,
    subjectHref: subjects[i]?.href ?? null,
  }));
}

/** A member's dashboard (colleagues, recent activity): accounts' workspaceOverview, each activity named. */
export function workspaceDashboard(actor: Actor, permission: Permission) {
  const overview = workspaceOverview(actor, permission);
  return { ...overview, activity: withSubjects(overview.activity, actor.role) };
}

/** The administrator's dashboard: accounts' adminOverview, each activity named. */
export function adminDashboard(actor: Actor) {
  const overview = adminOverview(actor);
  return {
    ...overview,
    activity: withSubjects(overview.activity, actor.role),
    // The keys secrets in the database are kept under (after the overview's permission check).
    keysAtRest: [twoStepKeyReport(), webhookKeyReport()],
  };
}
