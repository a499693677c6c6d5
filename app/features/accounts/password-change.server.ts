/**
 * /account: a signed-in user changes their own password. The current password is asked for (rate
 * limited like logins, per user); the new one meets the password policy and differs from it. Every
 * other session of the user ends, the current one gets a new token (a copy of its cookie taken
 * before the change stops working, the user stays signed in), and any reset link not yet used stops working.
 */
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { sessions, users } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { endLoginChallenges, hashToken, newToken, throttle } from "./auth.server";
import { passwordProblems } from "./domain/password-policy";
import type { changePasswordInput } from "./forms";
import { deleteOtherSessions } from "./own-sessions.server";
import { endResetLinks } from "./password-reset.server";
import { hashPassword, verifyPassword } from "./passwords.server";

/**
 * Changes the actor's password. `sessionToken` is the session the change is made in: it goes on
 * under a new token, returned as `sessionToken` (the caller sets it as the cookie); every other
 * session of the user ends (`otherSessionsEnded`). Without a current session, every session ends
 * and `sessionToken` is null.
 */
export async function changePassword(
  actor: Actor,
  sessionToken: string | null,
  input: z.infer<typeof changePasswordInput>,
): Promise<{ otherSessionsEnded: number; sessionToken: string | null }> {
  throttle("password-change", actor.userId);
  const row = db().select().from(users).where(eq(users.id, actor.userId)).get();
  if (!row || row.disabledAt) throw new ServiceError("unauthenticated", "Log in again to change your password.");
  if (!(await verifyPassword(input.currentPassword, row.passwordHash))) {
    transaction((tx) =>
      recordAudit(tx, actor, {
        action: "user.password_change_failed",
        target: { type: "user", id: actor.userId },
        details: { reason: "wrong current password" },
      }),
    );
    throw new ServiceError("invalid", "Your password was not changed.", {
      currentPassword: "This is not your current password.",
    });
  }
  const problems = passwordProblems(input.newPassword, { email: row.email, name: row.name });
  if (!problems.length && (await verifyPassword(input.newPassword, row.passwordHash)))
    problems.push("Choose a password other than your current one.");
  if (problems.length)
    throw new ServiceError("invalid", "Your password was not changed.", { newPassword: problems.join(" ") });
  const passwordHash = await hashPassword(input.newPassword);
  return transaction((tx) => {
    // Against the hash the current password was checked with: a change made meanwhile elsewhere wins.
    const changed = tx
      .update(users)
      .set({ passwordHash })
      .where(and(eq(users.id, actor.userId), eq(users.passwordHash, row.passwordHash)))
      .run().changes;
    if (!changed)
      throw new ServiceError("conflict", "Your password was changed meanwhile in another session. Log in again.");
    const current = sessionToken ? hashToken(sessionToken) : null;
    const otherSessionsEnded = deleteOtherSessions(tx, actor.userId, current);
    // The current session goes on under a new token: the old one (a copy of the cookie) no longer works.
    let rotated: string | null = null;
    if (current) {
      const fresh = newToken();
      const moved = tx
        .update(sessions)
        .set({ tokenHash: fresh.tokenHash })
        .where(and(eq(sessions.tokenHash, current), eq(sessions.userId, actor.userId)))
        .run().changes;
      if (!moved)
        throw new ServiceError(
          "unauthenticated",
          "Your session ended meanwhile. Log in again to change your password.",
        );
      rotated = fresh.token;
    }
    endResetLinks(tx, actor.userId);
    endLoginChallenges(tx, actor.userId);
    recordAudit(tx, actor, {
      action: "user.password_changed",
      target: { type: "user", id: actor.userId },
      details: { otherSessionsEnded },
    });
    return { otherSessionsEnded, sessionToken: rotated };
  });
}
