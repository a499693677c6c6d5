/**
 * When a session was last used (/account, "Where you are signed in"): written by the request that
 * uses it, at most once a step, so that a page load does not write to the database each time. The
 * time shown is therefore right to within the step.
 */
export const SESSION_SEEN_STEP_MS = 5 * 60_000;

export interface SessionActivity {
  createdAt: Date;
  lastSeenAt: Date | null;
}

/** When the session was last used, as far as written: its last use, or its sign-in before any was written. */
export function lastActiveAt(s: SessionActivity): Date {
  return s.lastSeenAt ?? s.createdAt;
}

/** Whether a request using the session at `nowMs` writes its last use: a step or more after the last one written. */
export function sessionSeenDue(s: SessionActivity, nowMs: number): boolean {
  return nowMs - lastActiveAt(s).getTime() >= SESSION_SEEN_STEP_MS;
}
