/** The audit log: every service writes one event per change, in the same transaction. */
import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, notInArray, or, sql } from "drizzle-orm";
import { auditEvents, organizations, users } from "../../db/schema";
import { nowMs } from "./clock.server";
import {
  auditHash,
  compareWithRecordedHead,
  GENESIS_HASH,
  verifyAuditChain,
  type ChainCheck,
  type HeadComparison,
  type RecordedHead,
} from "./audit-chain";
import { isSystem, type AnyActor } from "./actor";
import { db, placeholders, preparedQueries, type Db, type Tx } from "./db.server";

export interface AuditEntry {
  action: string; // e.g. "user.login", "organization.created"
  target?: { type: string; id: string };
  organizationId?: string | null; // whose business this is (for per-organisation views)
  details?: Record<string, unknown>;
}

const AUDIT_COLUMNS = [
  "seq",
  "at",
  "actorUserId",
  "actorLabel",
  "organizationId",
  "action",
  "targetType",
  "targetId",
  "ip",
  "details",
  "prevHash",
  "hash",
] as const;

/** The chain's head and the append: every write of the portal makes them, prepared once per connection. */
const chain = preparedQueries((t) => ({
  head: t
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1)
    .prepare(),
  append: t.insert(auditEvents).values(placeholders(AUDIT_COLUMNS)).prepare(),
}));

export function recordAudit(tx: Tx, actor: AnyActor | null, entry: AuditEntry): void {
  const q = chain(tx);
  const head = q.head.get();
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const at = nowMs();
  const content = {
    seq,
    at: new Date(at).toISOString(),
    actorUserId: actor && !isSystem(actor) ? actor.userId : null,
    actorLabel: actor === null ? "anonymous" : isSystem(actor) ? `system:${actor.system}` : actor.email,
    organizationId: entry.organizationId ?? (actor && !isSystem(actor) ? actor.organizationId : null),
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: actor?.ip ?? null,
    details: entry.details ?? {},
  };
  q.append.run({
    ...content,
    at: new Date(at),
    details: JSON.stringify(content.details),
    prevHash,
    hash: auditHash(prevHash, content),
  });
}

export type AuditRow = typeof auditEvents.$inferSelect & {
  /** The name of the organisation whose business the event is (null: none, or since deleted). */
  organizationName: string | null;
};

export interface AuditPage {
  events: AuditRow[];
  nextBefore: number | null;
}

export interface AuditFilter {
  organizationId?: string;
  /** An action exactly, e.g. "user.disabled". */
  action?: string;
  /** Who acted, as the log names them: an email (any case), "system:<name>" or "anonymous". */
  actor?: string;
  /** The events on one thing: its type and id, as recorded ("submission" and its id). */
  targetType?: string;
  targetId?: string;
}

/** Newest first, `limit` at a time; `before` is the seq to continue below. */
export function listAudit(opts: AuditFilter & { before?: number; limit?: number } = {}): AuditPage {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const where = and(
    opts.organizationId ? eq(auditEvents.organizationId, opts.organizationId) : undefined,
    opts.action ? eq(auditEvents.action, opts.action) : undefined,
    opts.actor ? sql`lower(${auditEvents.actorLabel}) = lower(${opts.actor})` : undefined,
    opts.targetType ? eq(auditEvents.targetType, opts.targetType) : undefined,
    opts.targetType && opts.targetId ? eq(auditEvents.targetId, opts.targetId) : undefined,
    opts.before ? lt(auditEvents.seq, opts.before) : undefined,
  );
  const rows = db()
    .select({ ...getTableColumns(auditEvents), organizationName: organizations.name })
    .from(auditEvents)
    .leftJoin(organizations, eq(organizations.id, auditEvents.organizationId))
    .where(where)
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1)
    .all();
  const events = rows.slice(0, limit);
  return { events, nextBefore: rows.length > limit ? events[events.length - 1].seq : null };
}

/** How many of the latest recorded events recentAudit puts in the order they happened. */
export const RECENT_AUDIT_WINDOW = 500;

/**
 * The latest events by when they happened (`at`, newest first; the later recorded first at the same
 * time), for a dashboard's "Recent activity". The log itself is in the order events were recorded
 * (seq), which is not always the order they happened: the demo seed records each story with the
 * clock set back to its dates, one story after another, so a story of July is recorded after one of
 * November. Read from the last RECENT_AUDIT_WINDOW recorded (by the seq index), never the whole log.
 * With `organizationId`: what happened to the organisation and what its members did elsewhere (an
 * assessor's verdicts and seals are recorded against the supplier's organisation: the certification
 * body's dashboard showed only its logins).
 */
export function recentAudit(opts: {
  organizationId?: string;
  limit: number;
  /** Actions left out (a dashboard leaves out logins: the audit log has them). */
  except?: readonly string[];
}): AuditRow[] {
  const t = db();
  const members = opts.organizationId
    ? t.select({ id: users.id }).from(users).where(eq(users.organizationId, opts.organizationId))
    : null;
  const rows = t
    .select({ ...getTableColumns(auditEvents), organizationName: organizations.name })
    .from(auditEvents)
    .leftJoin(organizations, eq(organizations.id, auditEvents.organizationId))
    .where(
      and(
        opts.organizationId && members
          ? or(eq(auditEvents.organizationId, opts.organizationId), inArray(auditEvents.actorUserId, members))
          : undefined,
        opts.except?.length ? notInArray(auditEvents.action, [...opts.except]) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(RECENT_AUDIT_WINDOW)
    .all();
  return rows.sort((x, y) => y.at.getTime() - x.at.getTime() || y.seq - x.seq).slice(0, opts.limit);
}

/**
 * How many events of one action on one target the log holds since `since`, from how many client
 * addresses (the actor's, or `details.ip` for an event without a signed-in actor: a failed login),
 * and when the latest was. By the target index; in the caller's transaction.
 */
export function auditTally(
  tx: Tx,
  q: { action: string | string[]; targetType: string; targetId: string; since: Date },
): { events: number; addresses: number; earliestAt: Date | null; latestAt: Date | null } {
  const row = tx
    .select({
      events: sql<number>`count(*)`,
      addresses: sql<number>`count(distinct coalesce(${auditEvents.ip}, json_extract(${auditEvents.details}, '$.ip')))`,
      earliestAt: sql<number | null>`min(${auditEvents.at})`,
      latestAt: sql<number | null>`max(${auditEvents.at})`,
    })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.targetType, q.targetType),
        eq(auditEvents.targetId, q.targetId),
        typeof q.action === "string" ? eq(auditEvents.action, q.action) : inArray(auditEvents.action, q.action),
        gte(auditEvents.at, q.since),
      ),
    )
    .get();
  return {
    events: row?.events ?? 0,
    addresses: row?.addresses ?? 0,
    earliestAt: row?.earliestAt == null ? null : new Date(row.earliestAt),
    latestAt: row?.latestAt == null ? null : new Date(row.latestAt),
  };
}

/** Every action the log holds, for a filter's choices. */
export function auditActions(): string[] {
  return db()
    .selectDistinct({ action: auditEvents.action })
    .from(auditEvents)
    .orderBy(asc(auditEvents.action))
    .all()
    .map((r) => r.action);
}

/**
 * Compares the log with a chain head recorded outside it (a backup manifest's `auditChain`): see
 * compareWithRecordedHead. Run it with checkAuditChain, which checks the links after that event.
 */
export function compareAuditHead(recorded: RecordedHead): HeadComparison {
  const t = db();
  const stored = t
    .select({ hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.seq, recorded.events))
    .get()?.hash;
  const current =
    t
      .select({ seq: sql<number | null>`max(${auditEvents.seq})` })
      .from(auditEvents)
      .get()?.seq ?? 0;
  return compareWithRecordedHead(recorded, stored, current);
}

export function countAudit(): number {
  return (
    db()
      .select({ n: sql<number>`count(*)` })
      .from(auditEvents)
      .get()?.n ?? 0
  );
}

/** Re-computes the whole chain, streaming rows in order (of the portal's database, or of another file: a backup). */
export function checkAuditChain(client: Pick<Db["$client"], "prepare"> = db().$client): ChainCheck {
  const stmt = client.prepare(
    "select seq, at, actor_user_id, actor_label, organization_id, action, target_type, target_id, ip, details, prev_hash, hash from audit_events order by seq",
  );
  function* rows() {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SQLite rows, typed field by field below
    for (const r of stmt.iterate() as Iterable<Record<string, any>>) {
      let details: unknown;
      try {
        details = JSON.parse(r.details);
      } catch {
        details = r.details; // unparseable text fails its hash check below
      }
      yield {
        seq: r.seq,
        at: new Date(r.at).toISOString(),
        actorUserId: r.actor_user_id,
        actorLabel: r.actor_label,
        organizationId: r.organization_id,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        ip: r.ip,
        details,
        prevHash: r.prev_hash,
        hash: r.hash,
      };
    }
  }
  return verifyAuditChain(rows());
}
