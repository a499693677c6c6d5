/**
 * When the mail worker tries a mail again (pure). Any failure (a 4xx or 5xx answer, a refused or
 * dropped connection, a timeout) is retried after 1, 5, 15, 60 and then every 240 minutes, until
 * MAIL_MAX_ATTEMPTS attempts have failed; then the mail is "failed" and stays in the outbox for
 * an admin to read. A permanent refusal (5xx) is retried too: a misconfigured relay or a mailbox
 * that is full today is common, and a few extra attempts cost nothing.
 */

/** Minutes to wait after the n-th failed attempt (the last value repeats). */
export const MAIL_BACKOFF_MINUTES = [1, 5, 15, 60, 240] as const;
export const MAIL_MAX_ATTEMPTS = 8;

/** How long to wait after `attempt` (1-based) failed attempts. */
export function mailRetryDelayMs(attempt: number): number {
  const i = Math.min(Math.max(attempt, 1), MAIL_BACKOFF_MINUTES.length) - 1;
  return MAIL_BACKOFF_MINUTES[i]! * 60_000;
}

export type AttemptOutcome = { status: "sent" } | { status: "pending"; nextAttemptAt: number } | { status: "failed" };

/** The state of a mail after its `attempt`-th attempt (1-based) at `nowMs` succeeded or not. */
export function afterAttempt(attempt: number, ok: boolean, nowMs: number): AttemptOutcome {
  if (ok) return { status: "sent" };
  if (attempt >= MAIL_MAX_ATTEMPTS) return { status: "failed" };
  return { status: "pending", nextAttemptAt: nowMs + mailRetryDelayMs(attempt) };
}

/** The whole schedule, for messages and docs: the waits before attempts 2..MAIL_MAX_ATTEMPTS, in minutes. */
export function retrySchedule(): number[] {
  return Array.from({ length: MAIL_MAX_ATTEMPTS - 1 }, (_, i) => mailRetryDelayMs(i + 1) / 60_000);
}
