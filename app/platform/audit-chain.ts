/**
 * The audit log's hash chain. Each event's hash is SHA-256 over the previous event's hash and
 * the event's canonical content (RFC 8785 JSON), so changing, removing or reordering a row
 * breaks the link of the row after it.
 *
 * What that does not catch on its own: removing the newest rows (the shorter chain still
 * verifies), and a rewrite whose author recomputed every hash after it (the hash uses no secret).
 * Both show when the chain is compared with a head recorded elsewhere, such as a backup's
 * manifest (`compareWithRecordedHead`).
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

/** A chain head recorded outside the database: a backup's manifest has `auditChain.events` and `.head`. */
export interface RecordedHead {
  events: number;
  head: string;
}

export type HeadComparison =
  | { ok: true; events: number; newer: number }
  | { ok: false; reason: "missing"; events: number; current: number }
  | { ok: false; reason: "different"; events: number; storedHash: string };

/**
 * Whether the log still holds, unchanged, the chain recorded as `recorded`: event #`events` must
 * exist and carry the recorded head as its hash (the genesis hash for an empty log). `stored` is
 * that event's stored hash (undefined when there is no such event); `current` the newest seq.
 * Together with `verifyAuditChain` (every link up to the newest event) this shows that no event
 * up to the recorded head was removed or rewritten, even with the hashes recomputed.
 */
export function compareWithRecordedHead(
  recorded: RecordedHead,
  stored: string | undefined,
  current: number,
): HeadComparison {
  if (recorded.events === 0) {
    return recorded.head === GENESIS_HASH
      ? { ok: true, events: 0, newer: current }
      : { ok: false, reason: "different", events: 0, storedHash: GENESIS_HASH };
  }
  if (stored === undefined) return { ok: false, reason: "missing", events: recorded.events, current };
  if (stored !== recorded.head) return { ok: false, reason: "different", events: recorded.events, storedHash: stored };
  return { ok: true, events: recorded.events, newer: current - recorded.events };
}
