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
import type { Permission } from "../platform/roles";
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

/** The names of each kind of target, from the ids on the page. */
const NAMERS: Record<string, (ids: string[]) => [string, string][]> = {
  submission: (ids) =>
    db()
      .select({ id: submissions.id, product: products.name, firmware: productVersions.firmwareVersion })
      .from(submissions)
      .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(submissions.id, ids))
      .all()
      .map((r) => [r.id, productAndFirmware(r.product, r.firmware)]),
  seal: (ids) =>
    db()
      .select({ serial: seals.serial, product: products.name, firmware: productVersions.firmwareVersion })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(seals.serial, ids))
      .all()
      .map((r) => [r.serial, `seal ${r.serial} (${productAndFirmware(r.product, r.firmware)})`]),
  product: (ids) =>
    db()
      .select({ id: products.id, name: products.name, model: products.model })
      .from(products)
      .where(inArray(products.id, ids))
      .all()
      .map((r) => [r.id, `${r.name} (${r.model})`]),
  product_version: (ids) =>
    db()
      .select({ id: productVersions.id, product: products.name, firmware: productVersions.firmwareVersion })
      .from(productVersions)
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(productVersions.id, ids))
      .all()
      .map((r) => [r.id, productAndFirmware(r.product, r.firmware)]),
  finding: (ids) =>
    db()
      .select({ id: findings.id, title: findings.title, advisoryId: findings.advisoryId, product: products.name })
      .from(findings)
      .innerJoin(products, eq(products.id, findings.productId))
      .where(inArray(findings.id, ids))
      .all()
      .map((r) => [r.id, `“${r.title}” (${r.product}${r.advisoryId ? `, ${r.advisoryId}` : ""})`]),
  recurring_evidence: (ids) =>
    db()
      .select({ id: recurringEvidence.id, serial: recurringEvidence.serial, ref: recurringEvidence.requirementRef })
      .from(recurringEvidence)
      .where(inArray(recurringEvidence.id, ids))
      .all()
      .map((r) => [r.id, `seal ${r.serial}, requirement ${r.ref}`]),
  checklist_version: (ids) =>
    db()
      .select({ id: checklistVersions.id, title: checklistVersions.title, version: checklistVersions.version })
      .from(checklistVersions)
      .where(inArray(checklistVersions.id, ids))
      .all()
      .map((r) => [r.id, `${r.title} ${r.version}`]),
  imported_advisory: (ids) =>
    db()
      .select({ id: importedAdvisories.id, title: importedAdvisories.title, tracking: importedAdvisories.trackingId })
      .from(importedAdvisories)
      .where(inArray(importedAdvisories.id, ids))
      .all()
      .map((r) => [r.id, `${r.tracking}: “${r.title}”`]),
  policy: (ids) =>
    db()
      .select({ id: acceptancePolicies.id, name: acceptancePolicies.name })
      .from(acceptancePolicies)
      .where(inArray(acceptancePolicies.id, ids))
      .all()
      .map((r) => [r.id, `policy “${r.name}”`]),
  user: (ids) =>
    db()
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, ids))
      .all()
      .map((r) => [r.id, r.name]),
  organization: (ids) =>
    db()
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(inArray(organizations.id, ids))
      .all()
      .map((r) => [r.id, r.name]),
  api_token: (ids) =>
    db()
      .select({ id: apiTokens.id, name: apiTokens.name })
      .from(apiTokens)
      .where(inArray(apiTokens.id, ids))
      .all()
      .map((r) => [r.id, `API token “${r.name}”`]),
  webhook: (ids) =>
    db()
      .select({ id: webhookEndpoints.id, url: webhookEndpoints.url })
      .from(webhookEndpoints)
      .where(inArray(webhookEndpoints.id, ids))
      .all()
      .map((r) => [r.id, `webhook ${r.url}`]),
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

/**
 * Each event's subject in words, in the order given (null: a target with no name to give, or
 * none). Read-only; whoever calls it has already decided the viewer may see these events.
 */
export function auditSubjects(events: readonly AuditTarget[]): (string | null)[] {
  const wanted = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.targetType || !e.targetId || !Object.hasOwn(NAMERS, e.targetType)) continue;
    const ids = wanted.get(e.targetType) ?? new Set<string>();
    ids.add(e.targetId);
    wanted.set(e.targetType, ids);
  }
  const names = new Map<string, string>();
  for (const [type, ids] of wanted) {
    for (const [id, name] of NAMERS[type]([...ids])) names.set(key(type, id), name);
  }
  return events.map((e) => {
    if (!e.targetType || !e.targetId) return null;
    if (e.targetType === "user" && e.targetId === e.actorUserId) return null;
    const name = names.get(key(e.targetType, e.targetId));
    if (!name) return null;
    const ref = e.targetType === "submission" ? requirementOf(e.details) : null;
    return ref ? `${name}, requirement ${ref}` : name;
  });
}

/**
 * Items (a dashboard's recent activity) with their subject beside them; the details they were
 * named from are left out (they go no further than the server).
 */
export function withSubjects<T extends AuditTarget>(
  items: readonly T[],
): (Omit<T, "details" | "targetId" | "actorUserId"> & { subject: string | null })[] {
  const subjects = auditSubjects(items);
  return items.map(({ details: _details, targetId: _targetId, actorUserId: _actorUserId, ...item }, i) => ({
    ...item,
    subject: subjects[i],
  }));
}

/** A member's dashboard (colleagues, recent activity): accounts' workspaceOverview, each activity named. */
export function workspaceDashboard(actor: Actor, permission: Permission) {
  const overview = workspaceOverview(actor, permission);
  return { ...overview, activity: withSubjects(overview.activity) };
}

/** The administrator's dashboard: accounts' adminOverview, each activity named. */
export function adminDashboard(actor: Actor) {
  const overview = adminOverview(actor);
  return { ...overview, activity: withSubjects(overview.activity) };
}
