/** What each role's dashboard shows; later features add their own panels here. */
import { assertCan } from "../../platform/authorize.server";
import type { Actor } from "../../platform/actor";
import { checkAuditChain, countAudit, listAudit } from "../../platform/audit.server";
import type { Permission } from "../../platform/roles";
import { countByRole, countOrganizationsByKind, listColleagues } from "./users.server";

export interface ActivityItem {
  seq: number;
  at: Date;
  actorLabel: string;
  action: string;
  targetType: string | null;
}

function activity(organizationId?: string, limit = 10): ActivityItem[] {
  return listAudit({ organizationId, limit }).events.map((e) => ({
    seq: e.seq,
    at: e.at,
    actorLabel: e.actorLabel,
    action: e.action,
    targetType: e.targetType,
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

export function adminOverview(actor: Actor) {
  assertCan(actor, "admin.workspace");
  return {
    usersByRole: countByRole(),
    organizationsByKind: countOrganizationsByKind(),
    auditEvents: countAudit(),
    chain: checkAuditChain(),
    activity: activity(undefined, 15),
  };
}
