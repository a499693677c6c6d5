/**
 * /account: where the signed-in user is signed in (every session of theirs not yet expired: the
 * device it was opened from, the address, since when, when and where it was last used, until when), and signing one of them out,
 * or all but the current one: a browser left signed in on a shared machine, a lost laptop. Each
 * is audited. A session is named on the page by an id derived from its row (never the token, nor
 * its stored SHA-256).
 */
import crypto from "node:crypto";
import { and, desc, eq, gt, ne } from "drizzle-orm";
import { sessions } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { hashToken } from "./auth.server";
import { lastActiveAt } from "./domain/session-activity";
import { describeUserAgent } from "./domain/user-agent";

export interface OwnSession {
  /** Names the session in a form (a digest of its row's key: it opens nothing). */
  id: string;
  /** The session this page was asked for in. */
  current: boolean;
  /** "Firefox on Windows", from the User-Agent of the login. */
  device: string;
  /** The address it was signed in from. */
  ip: string | null;
  startedAt: Date;
  expiresAt: Date;
  /** When it was last used (to within SESSION_SEEN_STEP_MS), and from where. */
  lastActiveAt: Date;
  lastIp: string | null;
}

const publicId = (tokenHash: string) =>
  crypto.createHash("sha256").update(`session-id:${tokenHash}`).digest("base64url").slice(0, 22);

function liveRows(userId: string, q: Pick<ReturnType<typeof db>, "select"> = db()) {
  return q
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date(nowMs()))))
    .orderBy(desc(sessions.createdAt))
    .all();
}

/** The actor's sessions, the current one (`currentToken`, the cookie's) first, then the newest. */
export function listOwnSessions(actor: Actor, currentToken: string | null): OwnSession[] {
  const current = currentToken ? hashToken(currentToken) : null;
  return liveRows(actor.userId)
    .map((s) => ({
      id: publicId(s.tokenHash),
      current: s.tokenHash === current,
      device: describeUserAgent(s.userAgent),
      ip: s.ip,
      startedAt: s.createdAt,
      expiresAt: s.expiresAt,
      lastActiveAt: lastActiveAt(s),
      lastIp: s.lastSeenIp ?? s.ip,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/**
 * Signs one of the actor's other sessions out (the current one signs out with Log out). What it was
 * is returned for the page to say. Another user's session, or one that ended meanwhile, is not found.
 */
export function endOwnSession(
  actor: Actor,
  currentToken: string | null,
  sessionId: string,
): { device: string; startedAt: Date } {
  const current = currentToken ? hashToken(currentToken) : null;
  return transaction((tx) => {
    const row = liveRows(actor.userId, tx).find((s) => publicId(s.tokenHash) === sessionId);
    if (!row) throw new ServiceError("not_found", "That session has ended already: it is no longer listed.");
    if (row.tokenHash === current)
      throw new ServiceError("invalid", "This is the session you are using: log out to end it.");
    tx.delete(sessions)
      .where(and(eq(sessions.tokenHash, row.tokenHash), eq(sessions.userId, actor.userId)))
      .run();
    const device = describeUserAgent(row.userAgent);
    recordAudit(tx, actor, {
      action: "user.session_ended",
      target: { type: "user", id: actor.userId },
      details: { device, ip: row.ip, startedAt: row.createdAt.toISOString() },
    });
    return { device, startedAt: row.createdAt };
  });
}

/**
 * Ends every live session of the user but `currentTokenHash` (all of them when null), in the
 * caller's transaction; how many ended. Also for a password change.
 */
export function deleteOtherSessions(tx: Tx, userId: string, currentTokenHash: string | null): number {
  return tx
    .delete(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        gt(sessions.expiresAt, new Date(nowMs())),
        currentTokenHash ? ne(sessions.tokenHash, currentTokenHash) : undefined,
      ),
    )
    .run().changes;
}

/** Signs every session of the actor out but the current one; how many ended. */
export function endOtherOwnSessions(actor: Actor, currentToken: string | null): number {
  const current = currentToken ? hashToken(currentToken) : null;
  return transaction((tx) => {
    const ended = deleteOtherSessions(tx, actor.userId, current);
    if (ended)
      recordAudit(tx, actor, {
        action: "user.other_sessions_ended",
        target: { type: "user", id: actor.userId },
        details: { ended },
      });
    return ended;
  });
}
