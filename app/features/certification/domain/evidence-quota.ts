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
 * to for this long belongs to no request of any process: an upload may take hours, but it writes
 * as its bytes arrive, and server.mjs cuts a request body that brings nothing for
 * REQUEST_BODY_IDLE_SECONDS (60 s by default, at most 300 s, so always well within this).
 */
export const STALE_UPLOAD_MS = 10 * 60_000;

/** An unfinished resumable (tus) upload expires this long after it was created: its bytes are swept, its quota freed. */
export const RESUMABLE_EXPIRES_MS = 24 * 3600_000;

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

/**
 * An upload (multipart) cut off while it streamed, once its bytes passed what is left: the quota
 * less the stored files and what the organisation's unfinished resumable uploads have reserved.
 */
export function quotaCutOffMessage(q: QuotaStanding, reservedBytes = 0): string {
  return `Your organisation uses ${formatBytes(q.usedBytes)} of its ${formatBytes(q.quotaBytes)} evidence quota${reservedWords(reservedBytes)}; this upload is larger than the ${formatBytes(resumableBytesLeft({ ...q, unfinishedBytes: reservedBytes }))} left. Nothing was stored. ${ADVICE}`;
}

/** How much the unfinished resumable uploads hold back, in the quota's messages (nothing when none). */
function reservedWords(reservedBytes: number): string {
  return reservedBytes > 0
    ? `, and its unfinished uploads have reserved ${formatBytes(reservedBytes)} more (each until it is finished, or removed ${RESUMABLE_EXPIRES_MS / 3600_000} hours after it started)`
    : "";
}

/**
 * Where an organisation stands for a new resumable upload: its stored files, and the declared
 * sizes of its unfinished resumable uploads (they are not stored yet, but each may finish).
 */
export interface ResumableStanding extends QuotaStanding {
  unfinishedBytes: number;
}

/** What a new resumable upload may declare: the quota less the stored files and the unfinished uploads. */
export function resumableBytesLeft(q: ResumableStanding): number {
  return Math.max(0, q.quotaBytes - q.usedBytes - q.unfinishedBytes);
}

/**
 * A resumable upload that does not fit: refused on creation (nothing was stored), or on a later
 * PATCH, once the stored files have grown meanwhile (the upload is then removed with its bytes).
 */
export function resumableQuotaMessage(q: ResumableStanding, sizeBytes: number, when: "creation" | "patch"): string {
  const unfinished = reservedWords(q.unfinishedBytes);
  const outcome =
    when === "creation" ? "Nothing was stored." : "The upload was cancelled and the part already received deleted.";
  return `Your organisation uses ${formatBytes(q.usedBytes)} of its ${formatBytes(q.quotaBytes)} evidence quota${unfinished}; this file is ${formatBytes(sizeBytes)} and only ${formatBytes(resumableBytesLeft(q))} is left. ${outcome} ${ADVICE}`;
}

/** "Evidence stored: 1.2 GiB of 10 GiB (12%)." */
export function quotaUsageLine(q: QuotaStanding): string {
  const pct = q.quotaBytes > 0 ? Math.min(100, Math.round((q.usedBytes / q.quotaBytes) * 100)) : 100;
  return `Evidence stored: ${formatBytes(q.usedBytes)} of ${formatBytes(q.quotaBytes)} (${pct}%).`;
}
