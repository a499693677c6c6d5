/** What each role's dashboard shows; later features add their own panels here. */
import { twoStepAdoption } from "./two-step.server";
import { assertCan } from "../../platform/authorize.server";
import { actorInWords, type Actor } from "../../platform/actor";
import { asc, inArray, sql } from "drizzle-orm";
import { organizations, users } from "../../../db/schema";
import type { HeadComparison, RecordedHead, ChainCheck } from "../../platform/audit-chain";
import {
  auditActions,
  checkAuditChain,
  compareAuditHead,
  countAudit,
  listAudit,
  recentAudit,
  type AuditFilter,
} from "../../platform/audit.server";
import { db } from "../../platform/db.server";
import type { Permission } from "../../platform/roles";
import { countByRole, countOrganizationsByKind, listColleagues } from "./users.server";

export interface ActivityItem {
  seq: number;
  at: Date;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  actorUserId: string | null;
  /** As recorded (JSON text), for naming the subject (app/system/audit-subjects.server.ts); not for the page. */
  details: string;
  /** The organisation it happened to, when not the viewer's own (an assessor's verdict: the supplier). */
  about: string | null;
}

/**
 * Left out of a dashboard's recent activity: each login of each member would soon be all it showed
 * (three of the certification body's latest ten were logins), and a password stored again at a
 * higher cost comes with a login. The audit log keeps them.
 */
const NOT_ACTIVITY = ["user.login", "user.password_rehashed"] as const;

/**
 * The latest events by when they happened (not in the log's order of recording: see recentAudit),
 * each with who did it in words: a person by name, a system actor as what it is (actorInWords); the
 * audit log itself keeps the email or "system:<name>" it recorded.
 */
function activity(organizationId?: string, limit = 10): ActivityItem[] {
  const events = recentAudit({ organizationId, limit, except: NOT_ACTIVITY });
  const emails = [...new Set(events.map((e) => e.actorLabel.toLowerCase()).filter((l) => l.includes("@")))];
  const names = new Map(
    emails.length
      ? db()
          .select({ email: users.email, name: users.name })
          .from(users)
          .where(inArray(sql`lower(${users.email})`, emails))
          .all()
          .map((u) => [u.email.toLowerCase(), u.name])
      : [],
  );
  return events.map((e) => ({
    seq: e.seq,
    at: e.at,
    actorLabel: actorInWords(e.actorLabel, names),
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    actorUserId: e.actorUserId,
    details: e.details,
    about: e.organizationId && e.organizationId !== organizationId ? e.organizationName : null,
  }));
}

/** A member's view of their own organisation: colleagues and recent activity. */
export function workspaceOverview(actor: Actor, permission: Permission) {
  assertCan(actor, permission);
  return {
    colleagues: listColleagues(actor.organizationId),
    activity: activity(actor.organizationId),
  };
}

/**
 * The admin's dashboard. It does not verify the audit chain (that re-hashes every event, too slow
 * for a page everyone opens first): the audit page does, on request.
 */
export function adminOverview(actor: Actor) {
  assertCan(actor, "admin.workspace");
  return {
    usersByRole: countByRole(),
    organizationsByKind: countOrganizationsByKind(),
    auditEvents: countAudit(),
    twoStep: twoStepAdoption(actor),
    activity: activity(undefined, 15),
  };
}

export interface AuditLogQuery extends AuditFilter {
  before?: number;
  /** Re-compute the whole chain (slow on a long log: only when asked). */
  verify?: boolean;
  /** Compare with the head a backup's manifest recorded (implies verify). */
  backup?: RecordedHead;
}

/**
 * /admin/audit: a page of the log, filtered, with the choices of the filters; the chain's check
 * and the comparison with a backup's head only when asked. An unknown organisation is named in
 * `problems` and not applied.
 */
export function auditLogView(actor: Actor, q: AuditLogQuery) {
  assertCan(actor, "admin.audit.read");
  const t = db();
  const orgs = t
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .orderBy(asc(organizations.name))
    .all();
  const problems: Record<string, string> = {};
  const filter: AuditFilter = {
    organizationId: q.organizationId,
    action: q.action,
    actor: q.actor,
    targetType: q.targetType,
    targetId: q.targetId,
  };
  if (filter.organizationId && !orgs.some((o) => o.id === filter.organizationId)) {
    problems.organization = "Organisation: there is no such organisation; events of every organisation are shown.";
    filter.organizationId = undefined;
  }
  const chain: ChainCheck | null = q.verify || q.backup ? checkAuditChain() : null;
  const backup: HeadComparison | null = q.backup ? compareAuditHead(q.backup) : null;
  return {
    filter,
    problems,
    page: listAudit({ ...filter, before: q.before, limit: 50 }),
    organizations: orgs,
    actions: auditActions(),
    actors: t
      .select({ email: users.email })
      .from(users)
      .orderBy(asc(users.email))
      .all()
      .map((u) => u.email),
    chain,
    backup,
  };
}
