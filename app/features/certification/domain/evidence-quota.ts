/**
 * Evidence storage rules, pure: the garbage collector's grace period, how a stale temporary upload
 * is recognised, and the wording of an organisation's quota.
 *
 * Quota accounting: an organisation uses the sum of the sizes of the distinct files its own rows
 * name (evidence links of its submissions, its recurring evidence). Bytes are stored once whoever
 * uploads them, but each organisation that names a file counts it in full: what an organisation
 * is told (its usage, whether an upload fits) never depends on another organisation's files.
 */
import { formatBytes } from "../../../platform/format";

export const DAY_MS = 86_400_000;

/** An evidence file no row names any more is deleted this long after the collector first saw it unreferenced. */
export const EVIDENCE_GC_GRACE_DAYS = 7;
export const EVIDENCE_GC_GRACE_MS = EVIDENCE_GC_GRACE_DAYS * DAY_MS;

/**
 * A temporary upload (`.part`) that no request of this process holds and that nothing has written
 * to for this long belongs to no request of any process: a live upload writes continuously, and
 * Node ends a request that has not finished within 5 minutes (`server.requestTimeout`).
 */
export const STALE_UPLOAD_MS = 10 * 60_000;

export function isStaleUpload(lastWriteMs: number, nowMs: number): boolean {
  return nowMs - lastWriteMs > STALE_UPLOAD_MS;
}

export interface QuotaStanding {
  usedBytes: number;
  quotaBytes: number;
}

export function bytesLeft(q: QuotaStanding): number {
  return Math.max(0, q.quotaBytes - q.usedBytes);
}

const ADVICE = "Remove evidence you no longer need from your drafts, or ask the certification body to raise the quota.";

/** An upload whose new files (bytes the organisation does not already hold) do not fit. */
export function quotaExceededMessage(q: QuotaStanding, neededBytes: number): string {
  return `Your organisation uses ${formatBytes(q.usedBytes)} of its ${formatBytes(q.quotaBytes)} evidence quota; this upload needs ${formatBytes(neededBytes)} and only ${formatBytes(bytesLeft(q))} is left. Nothing was stored. ${ADVICE}`;
}

/** An upload cut off while it streamed, once its bytes passed what is left. */
export function quotaCutOffMessage(q: QuotaStanding): string {
  return `Your organisation uses ${formatBytes(q.usedBytes)} of its ${formatBytes(q.quotaBytes)} evidence quota; this upload is larger than the ${formatBytes(bytesLeft(q))} left. Nothing was stored. ${ADVICE}`;
}

/** "Evidence stored: 1.2 GiB of 10 GiB (12%)." */
export function quotaUsageLine(q: QuotaStanding): string {
  const pct = q.quotaBytes > 0 ? Math.min(100, Math.round((q.usedBytes / q.quotaBytes) * 100)) : 100;
  return `Evidence stored: ${formatBytes(q.usedBytes)} of ${formatBytes(q.quotaBytes)} (${pct}%).`;
}
