/**
 * The audit log's hash chain. Each event's hash is SHA-256 over the previous event's hash and
 * the event's canonical content (RFC 8785 JSON), so changing, removing or reordering any row
 * breaks every hash after it.
 */
import canonicalize from "canonicalize";
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditContent {
  seq: number;
  at: string; // ISO 8601
  actorUserId: string | null;
  actorLabel: string;
  organizationId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: unknown;
}

export function canonicalAuditContent(content: AuditContent): string {
  const text = canonicalize(content);
  if (text === undefined) throw new Error("audit content cannot be canonicalised");
  return text;
}

export function auditHash(prevHash: string, content: AuditContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalAuditContent(content)).digest("hex");
}

export interface StoredAuditRow extends AuditContent {
  prevHash: string;
  hash: string;
}

export type ChainCheck =
  { ok: true; checked: number; head: string } | { ok: false; checked: number; firstBrokenSeq: number; reason: string };

/**
 * Checks rows in order (ascending seq). Names the first row whose link or hash is wrong;
 * a gap in the sequence (a deleted row) is reported at the row after the gap.
 */
export function verifyAuditChain(rows: Iterable<StoredAuditRow>): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq: number | undefined;
  let checked = 0;
  for (const row of rows) {
    if (expectedSeq !== undefined && row.seq !== expectedSeq) {
      return {
        ok: false,
        checked,
        firstBrokenSeq: row.seq,
        reason: `sequence jumps from ${expectedSeq - 1} to ${row.seq}`,
      };
    }
    if (row.prevHash !== prev) {
      return {
        ok: false,
        checked,
        firstBrokenSeq: row.seq,
        reason: "previous-hash link does not match the row before",
      };
    }
    const { prevHash: _p, hash, ...content } = row;
    if (auditHash(prev, content) !== hash) {
      return { ok: false, checked, firstBrokenSeq: row.seq, reason: "content does not match its hash (row altered)" };
    }
    prev = hash;
    expectedSeq = row.seq + 1;
    checked++;
  }
  return { ok: true, checked, head: prev };
}
