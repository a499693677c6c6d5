/**
 * Password reset links (decision record 034): asked for by the user (/forgot-password), sent by an
 * admin (/admin/users) or printed for an operator (npm run user:reset-password). A link carries a
 * random 256-bit token; only its SHA-256 is kept (password_resets), as for sessions. It works once,
 * for an hour, and only while it is the user's newest. Using it sets the password and ends every
 * session of the user.
 *
 * The mail is written by the notifications module in the same transaction, from the event
 * "password.reset_requested"; the token travels only as the event's secret fact (never stored in
 * the event outbox). The mail outbox keeps the mail's text, link included, until it is sent or set
 * aside; then its copy loses the link. Meanwhile /admin/outbox shows the link masked, except in a
 * mail kept without SMTP_URL, which is never sent: the admin reads that link and hands it over.
 * The outbox is the one place the link lives, for at most its hour of use.
 */
import crypto from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { z } from "zod";
import { passwordResets, sessions, users } from "../../../db/schema";
import type { AnyActor, Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import { hitSlidingWindow } from "../../platform/rate-limit-store.server";
import type { Role } from "../../platform/roles";
import { endLoginChallenges, hashToken, newToken, throttle, type ClientInfo } from "./auth.server";
import { passwordProblems } from "./domain/password-policy";
import type { forgotPasswordInput, resetPasswordInput } from "./forms";
import { generatePassword, hashPassword } from "./passwords.server";

/** How long a link works. */
export const RESET_LINK_TTL_MS = 60 * 60_000;
/**
 * Reset mails to one address: at most RESET_MAILS_PER_EMAIL in RESET_MAIL_WINDOW_MS. Past that,
 * requests are answered as always but send nothing (and end no link): nobody can flood a mailbox,
 * nor learn from the answer whether the address has an account, and the newest link sent still works.
 */
export const RESET_MAILS_PER_EMAIL = 3;
export const RESET_MAIL_WINDOW_MS = 15 * 60_000;

/** The path of a reset link. */
export function resetLinkPath(token: string): string {
  return `/reset-password/${token}`;
}

/** Ends the user's links not yet used: a newer link, a reset or a password change makes them useless. */
export function endResetLinks(tx: Tx, userId: string): number {
  return tx
    .update(passwordResets)
    .set({ supersededAt: new Date(nowMs()) })
    .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt), isNull(passwordResets.supersededAt)))
    .run().changes;
}

/** Stores a new link for the user (its token's hash only) and ends the older ones. */
function storeLink(
  tx: Tx,
  userId: string,
  requestedBy: "self" | "admin" | "cli",
  tokenHash: string,
): { id: string; expiresAt: number } {
  endResetLinks(tx, userId);
  const id = crypto.randomUUID();
  const now = nowMs();
  const expiresAt = now + RESET_LINK_TTL_MS;
  tx.insert(passwordResets)
    .values({ id, userId, tokenHash, requestedBy, createdAt: new Date(now), expiresAt: new Date(expiresAt) })
    .run();
  return { id, expiresAt };
}

/** Stores a link and has it mailed (the notifications module writes the mail in this transaction). */
function mailLink(tx: Tx, userId: string, requestedBy: "self" | "admin", fresh: { token: string; tokenHash: string }) {
  const link = storeLink(tx, userId, requestedBy, fresh.tokenHash);
  emit(tx, "password.reset_requested", {
    userId,
    resetId: link.id,
    expiresAt: link.expiresAt,
    requestedBy,
    secretPath: resetLinkPath(fresh.token),
  });
  return link;
}

/**
 * /forgot-password. Answers the same whatever the address (the caller shows one message): an
 * account that exists and is enabled gets a link by mail, unless its address had
 * RESET_MAILS_PER_EMAIL already in the window. Both ways make a token, read the user and write one
 * audit entry in one transaction, so the answer takes about as long; the mail is sent after the
 * answer, by the mail worker. Only a client address over RATE_LIMIT_PER_MINUTE is refused (429).
 */
export function requestPasswordReset(input: z.infer<typeof forgotPasswordInput>, client: ClientInfo): void {
  throttle("password-reset", client.ip);
  const fresh = newToken();
  const perEmail = hitSlidingWindow(
    `password-reset:email:${input.email}`,
    RESET_MAILS_PER_EMAIL,
    RESET_MAIL_WINDOW_MS,
    nowMs(),
  );
  transaction((tx) => {
    const user = tx
      .select({ id: users.id, organizationId: users.organizationId, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.email, input.email))
      .get();
    const outcome = !user
      ? "no account"
      : user.disabledAt
        ? "account disabled"
        : !perEmail.allowed
          ? "not sent: too many for this address"
          : "sent";
    if (user && outcome === "sent") mailLink(tx, user.id, "self", fresh);
    recordAudit(tx, null, {
      action: "user.password_reset_requested",
      organizationId: user?.organizationId ?? null,
      target: user ? { type: "user", id: user.id } : undefined,
      details: { email: input.email, ip: client.ip ?? null, outcome },
    });
  });
}

function userOrThrow(tx: Tx, where: { id: string } | { email: string }) {
  const user = tx
    .select()
    .from(users)
    .where("id" in where ? eq(users.id, where.id) : eq(users.email, where.email))
    .get();
  if (!user)
    throw new ServiceError(
      "not_found",
      "There is no such user.",
      "email" in where ? { email: "No user has this email." } : {},
    );
  return user;
}

/** /admin/users: an admin has a reset link mailed to a user (an enabled one: a disabled account cannot use it). */
export function sendPasswordReset(actor: AnyActor, userId: string): { email: string; expiresAt: number } {
  assertCan(actor, "admin.users.manage");
  const fresh = newToken();
  return transaction((tx) => {
    const user = userOrThrow(tx, { id: userId });
    if (user.disabledAt)
      throw new ServiceError("invalid", `${user.email} is disabled: enable the account first, then send the reset.`);
    const link = mailLink(tx, user.id, "admin", fresh);
    recordAudit(tx, actor, {
      action: "user.password_reset_sent",
      target: { type: "user", id: user.id },
      organizationId: user.organizationId,
      details: { email: user.email, expiresAt: new Date(link.expiresAt).toISOString() },
    });
    return { email: user.email, expiresAt: link.expiresAt };
  });
}

/**
 * npm run user:reset-password: a link for an operator to pass on by other means (no mail is
 * queued). Returns its URL (PUBLIC_URL + path), shown once; only its hash is kept.
 */
export function createPasswordResetLink(actor: AnyActor, email: string): { url: string; expiresAt: number } {
  assertCan(actor, "admin.users.manage");
  const fresh = newToken();
  return transaction((tx) => {
    const user = userOrThrow(tx, { email });
    if (user.disabledAt)
      throw new ServiceError("invalid", `${user.email} is disabled: enable the account first.`, {
        email: "This account is disabled.",
      });
    const link = storeLink(tx, user.id, "cli", fresh.tokenHash);
    recordAudit(tx, actor, {
      action: "user.password_reset_link_issued",
      target: { type: "user", id: user.id },
      organizationId: user.organizationId,
      details: { email: user.email, expiresAt: new Date(link.expiresAt).toISOString() },
    });
    return { url: `${getEnv().baseUrl}${resetLinkPath(fresh.token)}`, expiresAt: link.expiresAt };
  });
}

/**
 * npm run user:reset-password -- --generate-password: sets a generated password at once (shown
 * once), ends every session and reset link of the user: an operator's way to rotate a leaked password.
 * A disabled account's too (`disabled` says so: it logs in with it once enabled again).
 */
export async function setGeneratedPassword(
  actor: AnyActor,
  email: string,
): Promise<{ password: string; sessionsEnded: number; disabled: boolean }> {
  assertCan(actor, "admin.users.manage");
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  let disabled = false;
  const sessionsEnded = transaction((tx) => {
    const user = userOrThrow(tx, { email });
    // A disabled account's password may be rotated (a leak found after it was disabled); it is
    // said, as the password works only once an administrator enables the account again.
    disabled = user.disabledAt !== null;
    tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).run();
    const ended = tx.delete(sessions).where(eq(sessions.userId, user.id)).run().changes;
    endResetLinks(tx, user.id);
    endLoginChallenges(tx, user.id);
    recordAudit(tx, actor, {
      action: "user.password_set",
      target: { type: "user", id: user.id },
      organizationId: user.organizationId,
      details: { email: user.email, generated: true, sessionsEnded: ended },
    });
    return ended;
  });
  return { password, sessionsEnded, disabled };
}

export type ResetLinkProblem = "unknown" | "expired" | "used" | "superseded" | "disabled";

export type ResetLinkState =
  | { ok: true; id: string; userId: string; email: string; requestedBy: string }
  | { ok: false; problem: ResetLinkProblem };

/** What a link is now: usable (for whom), or why not. Never changes anything (a mail scanner may open links). */
export function resetLinkState(token: string, tx: Pick<Tx, "select"> = db()): ResetLinkState {
  if (!token || token.length > 200) return { ok: false, problem: "unknown" };
  const r = tx
    .select({ link: passwordResets, email: users.email, disabledAt: users.disabledAt })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, hashToken(token)))
    .get();
  if (!r) return { ok: false, problem: "unknown" };
  const problem = linkProblem(r.link, r.disabledAt);
  if (problem) return { ok: false, problem };
  return { ok: true, id: r.link.id, userId: r.link.userId, email: r.email, requestedBy: r.link.requestedBy };
}

function linkProblem(
  link: { usedAt: Date | null; supersededAt: Date | null; expiresAt: Date },
  disabledAt: Date | null,
): ResetLinkProblem | null {
  if (link.usedAt) return "used";
  if (link.supersededAt) return "superseded";
  if (link.expiresAt.getTime() <= nowMs()) return "expired";
  if (disabledAt) return "disabled";
  return null;
}

/**
 * Whether the link stored as `resetId` still works, or why not: the mail worker asks before it
 * sends (or sends again) a reset mail, so a mail held up by a mail outage never delivers a dead link.
 */
export function resetLinkProblemOf(resetId: string, tx: Pick<Tx, "select"> = db()): ResetLinkProblem | null {
  const r = tx
    .select({ link: passwordResets, disabledAt: users.disabledAt })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.id, resetId))
    .get();
  return r ? linkProblem(r.link, r.disabledAt) : "unknown";
}

/** What the page says about a link that does not work. */
export const RESET_LINK_PROBLEMS: Record<ResetLinkProblem, string> = {
  unknown: "This password reset link is not valid. Check that you copied all of it, or ask for a new one.",
  expired: "This password reset link has expired: a link works for one hour. Ask for a new one.",
  used: "This password reset link was already used: a link works once. If you did not use it, ask for a new one.",
  superseded: "A newer password reset link was sent since this one: use the newest mail, or ask for a new link.",
  disabled: "This account is disabled. Ask an administrator of IoT Seal.",
};

/**
 * /reset-password/<token>: sets the new password (the password policy, with the account's email),
 * spends the link, ends the user's other links and every session of the user. Of two submissions of
 * one link, only the first sets a password.
 */
export async function resetPassword(
  token: string,
  input: z.infer<typeof resetPasswordInput>,
  client: ClientInfo,
): Promise<{ email: string }> {
  const state = resetLinkState(token);
  if (!state.ok) throw new ServiceError("invalid", RESET_LINK_PROBLEMS[state.problem]);
  const problems = passwordProblems(input.newPassword, { email: state.email });
  if (problems.length)
    throw new ServiceError("invalid", "Check the highlighted fields.", { newPassword: problems.join(" ") });
  const passwordHash = await hashPassword(input.newPassword);
  return transaction((tx) => {
    const now = new Date(nowMs());
    const spent = tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(
        and(
          eq(passwordResets.id, state.id),
          isNull(passwordResets.usedAt),
          isNull(passwordResets.supersededAt),
          gt(passwordResets.expiresAt, now),
        ),
      )
      .run().changes;
    const user = tx.select().from(users).where(eq(users.id, state.userId)).get();
    if (!spent || !user || user.disabledAt) {
      const again = resetLinkState(token, tx);
      throw new ServiceError("invalid", RESET_LINK_PROBLEMS[again.ok ? "used" : again.problem]);
    }
    tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).run();
    const sessionsEnded = tx.delete(sessions).where(eq(sessions.userId, user.id)).run().changes;
    endResetLinks(tx, user.id);
    endLoginChallenges(tx, user.id);
    const actor: Actor = {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role as Role,
      organizationId: user.organizationId,
      ip: client.ip ?? null,
    };
    recordAudit(tx, actor, {
      action: "user.password_reset",
      target: { type: "user", id: user.id },
      details: { requestedBy: state.requestedBy, sessionsEnded },
    });
    return { email: user.email };
  });
}
