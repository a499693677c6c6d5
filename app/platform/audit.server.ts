/** The audit log: every service writes one event per change, in the same transaction. */
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { auditEvents } from "../../db/schema";
import { nowMs } from "./clock.server";
import { auditHash, GENESIS_HASH, verifyAuditChain, type ChainCheck } from "./audit-chain";
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

export interface AuditPage {
  events: (typeof auditEvents.$inferSelect)[];
  nextBefore: number | null;
}

/** Newest first, `limit` at a time; `before` is the seq to continue below. */
export function listAudit(opts: { organizationId?: string; before?: number; limit?: number } = {}): AuditPage {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const where = and(
    opts.organizationId ? eq(auditEvents.organizationId, opts.organizationId) : undefined,
    opts.before ? lt(auditEvents.seq, opts.before) : undefined,
  );
  const rows = db()
    .select()
    .from(auditEvents)
    .where(where)
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1)
    .all();
  const events = rows.slice(0, limit);
  return { events, nextBefore: rows.length > limit ? events[events.length - 1].seq : null };
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
