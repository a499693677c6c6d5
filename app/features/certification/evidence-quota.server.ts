/**
 * The per-organisation evidence quota (`EVIDENCE_QUOTA_MB_PER_ORG`, 10 GiB by default). An
 * organisation uses the sum of the sizes of the distinct files its own rows name: the evidence
 * links of its submissions and its recurring evidence. Bytes shared with another organisation
 * (content-addressed, stored once) count in full for each organisation that names them, so
 * neither the usage shown nor a refusal depends on other organisations' files.
 *
 * An upload is bounded twice: while it streams, by the bytes left (`uploadBudget`: the stream is
 * cut off past it, nothing kept), and in the transaction that records it, exactly (`assertEvidenceQuota`:
 * only files the organisation does not already hold count; concurrent uploads are serialised by
 * the transaction's write lock).
 */
import { sql } from "drizzle-orm";
import { getEnv } from "../../platform/env.server";
import { quotaExceededMessage, type QuotaStanding } from "./domain/evidence-quota";
import type { Actor } from "../../platform/actor";
import { assertCan } from "../../platform/authorize.server";
import { db, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";

type Reader = Pick<Tx, "get">;

/** The distinct evidence files the organisation's rows name (a SQL fragment selecting sha256). */
const orgShas = (organizationId: string) => sql`
  select l.sha256 from evidence_links l join submissions s on s.id = l.submission_id where s.organization_id = ${organizationId}
  union
  select r.sha256 from recurring_evidence r where r.organization_id = ${organizationId}`;

export function evidenceUsageBytes(t: Reader, organizationId: string): number {
  const row = t.get<{ used: number | null }>(
    sql`select sum(f.size) as used from evidence_files f where f.sha256 in (${orgShas(organizationId)})`,
  );
  return Number(row?.used ?? 0);
}

export function quotaStanding(organizationId: string, t: Reader = db()): QuotaStanding {
  return { usedBytes: evidenceUsageBytes(t, organizationId), quotaBytes: getEnv().evidenceQuotaBytesPerOrg };
}

function heldBy(t: Reader, organizationId: string, sha256: string): boolean {
  return !!t.get(sql`select 1 as x from (${orgShas(organizationId)}) where sha256 = ${sha256} limit 1`);
}

/**
 * Refuses (413, nothing recorded) files that would take the organisation past its quota. Only
 * bytes it does not already hold count; call it inside the transaction that records the files.
 */
export function assertEvidenceQuota(
  tx: Reader,
  organizationId: string,
  files: { sha256: string; size: number }[],
): void {
  const fresh = new Map<string, number>();
  for (const f of files) if (!fresh.has(f.sha256) && !heldBy(tx, organizationId, f.sha256)) fresh.set(f.sha256, f.size);
  const needed = [...fresh.values()].reduce((a, b) => a + b, 0);
  if (needed === 0) return;
  const standing = quotaStanding(organizationId, tx);
  if (standing.usedBytes + needed > standing.quotaBytes) {
    throw new ServiceError("too_large", quotaExceededMessage(standing, needed), {
      file: "Over your organisation's evidence quota.",
    });
  }
}

/** The bytes an upload may stream before it is cut off: what is left of the organisation's quota. */
export function uploadBudget(organizationId: string): QuotaStanding & { leftBytes: number } {
  const standing = quotaStanding(organizationId);
  return { ...standing, leftBytes: Math.max(0, standing.quotaBytes - standing.usedBytes) };
}

/** The supplier's own organisation's usage, for its dashboard. */
export function ownEvidenceQuota(actor: Actor): QuotaStanding {
  assertCan(actor, "supplier.workspace");
  return quotaStanding(actor.organizationId);
}
