/**
 * Accounts and sessions: log in (rate limited), log out, and resolve a session token
 * to the acting user. Sessions are database rows keyed by the SHA-256 of a random token.
 */
import crypto from "node:crypto";
import { and, eq, gt, lt, or } from "drizzle-orm";
import { z } from "zod";
import { loginChallenges, organizations, sessions, twoStepLogins, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import { hitSlidingWindow, resetRateLimitCounts } from "../../platform/rate-limit-store.server";
import { clientAddressKey } from "../../platform/rate-limit";
import type { Role } from "../../platform/roles";
import type { Actor } from "../../platform/actor";
import { auditTally, recordAudit } from "../../platform/audit.server";
import { emit } from "../../platform/events.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import type { loginInput } from "./forms";
import { burnPasswordCheck, hashCost, hashPassword, needsRehash, verifyPassword } from "./passwords.server";
import { failureWarnsOwner, LOGIN_FAILURE_WARNINGS, type FailedStep } from "./domain/login-failures";
import { TWO_STEP, wrongCodeLimitReached } from "./domain/two-step";
import { sessionSeenDue } from "./domain/session-activity";

/** The audit action of a failed login, by the step that failed (a wrong password; a wrong two-step code after the right one). */
export const LOGIN_FAILED_ACTION: Record<FailedStep, string> = {
  password: "user.login_failed",
  code: "user.login_code_failed",
};

/** A wrong two-step code typed by a signed-in user (to turn two-step login off, or for new recovery codes). */
export const STEP_UP_FAILED_ACTION = "user.two_step_code_failed";

export const WRONG_CODES_LIMIT_MESSAGE =
  "Too many wrong codes for this account in the last hour: no more are taken until it has passed. If they were not yours, someone has your password: set a new one.";

/**
 * Refuses (rate_limited) when the account has taken its wrong two-step codes for the hour, at login
 * and signed in alike, from whatever addresses (TWO_STEP.wrongCodesPerAccount).
 */
export function refuseWhenCodesExhausted(tx: Tx, userId: string): void {
  const tally = auditTally(tx, {
    action: [LOGIN_FAILED_ACTION.code, STEP_UP_FAILED_ACTION],
    targetType: "user",
    targetId: userId,
    since: new Date(nowMs() - TWO_STEP.wrongCodesWindowMs),
  });
  if (!wrongCodeLimitReached(tally.events)) return;
  const wait = tally.earliestAt ? tally.earliestAt.getTime() + TWO_STEP.wrongCodesWindowMs - nowMs() : 0;
  throw new ServiceError("rate_limited", WRONG_CODES_LIMIT_MESSAGE, {}, Math.max(1, Math.ceil(wait / 1000)));
}

export interface SessionUser extends Actor {
  organizationName: string;
  organizationKind: string;
  /** Whether the user has two-step login on (TWO_STEP_REQUIRED_FOR sends those who must and have not to set it up). */
  twoStepOn: boolean;
}

const MINUTE = 60_000;

/** What is rate limited like logins: RATE_LIMIT_PER_MINUTE attempts a minute per key. */
export type ThrottledAction = "login" | "signup" | "password-change" | "password-reset" | "two-step";

/** Test hook: forget all attempts. */
export function resetRateLimits(): void {
  for (const kind of ["login", "signup", "password-change", "password-reset", "two-step"] satisfies ThrottledAction[])
    resetRateLimitCounts(`${kind}:`);
}

/**
 * RATE_LIMIT_PER_MINUTE attempts a minute per client address, whatever the email. Never per email
 * alone: that let anyone lock a known account out from their own address (issue 13.10); attempts
 * from one address never block the account's owner at another. (A limit per email and address
 * at the same rate would add nothing: the address's own limit is always reached first.) Counted in
 * DATA_DIR/rate-limits.db, shared by every process of the server (decision record 031). A password
 * change, made by a signed-in user, is counted per user instead (`who` is the user's id): a stolen
 * session cannot try current passwords faster from many addresses. An address is counted under
 * clientAddressKey: an IPv6 client by its /64, which it holds whole (one address per attempt
 * would otherwise escape the limit).
 */
export function throttle(kind: ThrottledAction, who: string | null | undefined): void {
  const perUser = kind === "password-change" || kind === "two-step";
  const key = !who ? "unknown" : perUser ? who : clientAddressKey(who);
  const byIp = hitSlidingWindow(`${kind}:${key}`, getEnv().rateLimitPerMinute, MINUTE, nowMs());
  if (!byIp.allowed) {
    const seconds = Math.max(1, Math.ceil(byIp.retryAfterMs / 1000));
    throw new ServiceError("rate_limited", `Too many attempts. Try again in ${seconds} seconds.`, {}, seconds);
  }
}

/** A random 256-bit token (base64url) and the SHA-256 that is all the database keeps of it. */
export function newToken(): { token: string; tokenHash: string } {
  const token = crypto.randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

export type LoginResult = { token: string; user: SessionUser; expiresAt: Date };

/**
 * The password was right and the account has two-step login on: no session yet. The browser keeps
 * `token` (a login challenge, not a session) and sends it with the code (two-step.server.ts).
 */
export type SecondStepAsked = { secondStep: { token: string; expiresAt: Date } };

/**
 * For callers that cannot ask for a code (the tests of everything else, scripts): a session, or a
 * refusal when the account has two-step login on. The login page uses startLogin.
 */
export async function login(input: z.infer<typeof loginInput>, client: ClientInfo): Promise<LoginResult> {
  const started = await startLogin(input, client);
  if ("secondStep" in started)
    throw new ServiceError(
      "forbidden",
      "This account asks for a code from an authenticator app: log in on the login page.",
    );
  return started;
}

/**
 * The password step of logging in: a session, or (the account has two-step login on) a login
 * challenge that the code completes within TWO_STEP.challengeTtlMs.
 */
export async function startLogin(
  input: z.infer<typeof loginInput>,
  client: ClientInfo,
): Promise<LoginResult | SecondStepAsked> {
  throttle("login", client.ip);
  const row = db().select().from(users).where(eq(users.email, input.email)).get();
  const ok = row
    ? await verifyPassword(input.password, row.passwordHash)
    : (await burnPasswordCheck(input.password), false);
  if (!row || !ok || row.disabledAt) {
    // The audit entry is written whatever went wrong, so every failure takes about as long.
    transaction((tx) => {
      recordAudit(tx, null, {
        action: LOGIN_FAILED_ACTION.password,
        organizationId: row?.organizationId ?? null,
        target: row ? { type: "user", id: row.id } : undefined,
        details: {
          email: input.email,
          reason: !row ? "unknown email" : !ok ? "wrong password" : "account disabled",
          // Nobody is signed in, so the entry has no actor's address: where a guess came from is kept here.
          ip: client.ip ?? null,
        },
      });
      if (row && !ok && !row.disabledAt) warnOfRepeatedFailures(tx, row.id);
    });
    // A disabled account is named only to whoever typed its password. Otherwise one message whatever
    // went wrong: it must not reveal whether the email exists.
    if (row && ok) throw new ServiceError("forbidden", "This account is disabled. Ask an administrator of IoT Seal.");
    throw new ServiceError("unauthenticated", "That email and password do not match an account.");
  }
  // PASSWORD_HASH_COST was raised since this hash was made: stored again at today's cost, unless the
  // password changed meanwhile (a reset in another request).
  const rehashed = needsRehash(row.passwordHash) ? await hashPassword(input.password) : null;
  return transaction((tx): LoginResult | SecondStepAsked => {
    const stored = rehashed
      ? tx
          .update(users)
          .set({ passwordHash: rehashed })
          .where(and(eq(users.id, row.id), eq(users.passwordHash, row.passwordHash)))
          .run().changes
      : 0;
    // A password's hash changed: the audit log says so (not the hash), with the costs.
    if (stored)
      recordAudit(
        tx,
        { system: "password-upgrade" },
        {
          action: "user.password_rehashed",
          target: { type: "user", id: row.id },
          details: { fromCost: hashCost(row.passwordHash), toCost: hashCost(rehashed!) },
        },
      );
    const twoStep = tx
      .select({ on: twoStepLogins.confirmedAt })
      .from(twoStepLogins)
      .where(eq(twoStepLogins.userId, row.id))
      .get();
    if (twoStep?.on) {
      refuseWhenCodesExhausted(tx, row.id);
      return { secondStep: openLoginChallenge(tx, row.id) };
    }
    return completeLogin(tx, row.id, client);
  });
}

/** A login challenge for the user, in the caller's transaction (expired ones are cleaned up as new ones are made). */
function openLoginChallenge(tx: Tx, userId: string): { token: string; expiresAt: Date } {
  const { token, tokenHash } = newToken();
  const now = nowMs();
  const expiresAt = new Date(now + TWO_STEP.challengeTtlMs);
  // One open challenge per user: a new login ends the one before (its tries are not added to this one's).
  tx.delete(loginChallenges)
    .where(or(eq(loginChallenges.userId, userId), lt(loginChallenges.expiresAt, new Date(now))))
    .run();
  tx.insert(loginChallenges)
    .values({ tokenHash, userId, expiresAt, createdAt: new Date(now) })
    .run();
  return { token, expiresAt };
}

/** Ends the user's login challenges: a new password ends a login half done with the old one. */
export function endLoginChallenges(tx: Tx, userId: string): void {
  tx.delete(loginChallenges).where(eq(loginChallenges.userId, userId)).run();
}

/**
 * The user is who they said (the password, and the code where one is asked for): a session, in the
 * caller's transaction. `details` says more in the audit entry (which second step was used).
 */
export function completeLogin(
  tx: Tx,
  userId: string,
  client: ClientInfo,
  details?: Record<string, unknown>,
): LoginResult {
  tx.update(users)
    .set({ lastLoginAt: new Date(nowMs()) })
    .where(eq(users.id, userId))
    .run();
  const started = openSession(tx, userId, client);
  recordAudit(tx, started.user, { action: "user.login", target: { type: "user", id: userId }, details });
  return started;
}

/**
 * After a wrong password on an enabled account: when the failures on it within the window reach the
 * threshold, its owner is told (by mail: notifications, through the event).
 */
export function warnOfRepeatedFailures(tx: Tx, userId: string, step: FailedStep = "password"): void {
  const now = nowMs();
  const tally = auditTally(tx, {
    action: LOGIN_FAILED_ACTION[step],
    targetType: "user",
    targetId: userId,
    since: new Date(now - LOGIN_FAILURE_WARNINGS[step].windowMs),
  });
  if (!failureWarnsOwner(tally.events, step)) return;
  emit(tx, "login.failures_repeated", {
    userId,
    step,
    failures: tally.events,
    addresses: tally.addresses,
    latestAt: tally.latestAt?.getTime() ?? now,
  });
}

/**
 * A new session of the user (a random token; the database keeps its SHA-256), in the caller's
 * transaction. Expired sessions are cleaned up as new ones are made.
 */
export function openSession(tx: Tx, userId: string, client: ClientInfo): LoginResult {
  const { token, tokenHash } = newToken();
  const now = nowMs();
  const expiresAt = new Date(now + getEnv().sessionTtlMs);
  tx.insert(sessions)
    .values({
      tokenHash,
      userId,
      expiresAt,
      ip: client.ip ?? null,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      createdAt: new Date(now),
    })
    .run();
  tx.delete(sessions)
    .where(lt(sessions.expiresAt, new Date(now)))
    .run();
  return { token, user: sessionUserById(tx, userId, client.ip), expiresAt };
}

function sessionUserById(tx: Pick<ReturnType<typeof db>, "select">, userId: string, ip?: string | null): SessionUser {
  const r = tx
    .select({ user: users, org: organizations, twoStepSince: twoStepLogins.confirmedAt })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .leftJoin(twoStepLogins, eq(twoStepLogins.userId, users.id))
    .where(eq(users.id, userId))
    .get();
  if (!r) throw new ServiceError("not_found", "No such user.");
  return toSessionUser(r.user, r.org, r.twoStepSince, ip);
}

function toSessionUser(
  user: typeof users.$inferSelect,
  org: typeof organizations.$inferSelect,
  twoStepSince: Date | null,
  ip?: string | null,
): SessionUser {
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role as Role,
    organizationId: org.id,
    organizationName: org.name,
    organizationKind: org.kind,
    twoStepOn: twoStepSince !== null,
    ip: ip ?? null,
  };
}

/**
 * Whether the user must set up two-step login before anything else (TWO_STEP_REQUIRED_FOR names
 * their role and they have not): every page but its setup and logging out sends them there, and
 * the JSON endpoints refuse them.
 */
export const TWO_STEP_FIRST = "Set up two-step login first, on your account page: /account/two-step.";

export function twoStepSetupDue(user: SessionUser): boolean {
  return !user.twoStepOn && getEnv().twoStepRequiredFor.includes(user.role);
}

/** The user a session token belongs to, or null when the token is unknown, expired or the user disabled. */
export function userForSession(token: string, ip?: string | null): SessionUser | null {
  if (!token || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const now = nowMs();
  const r = db()
    .select({
      user: users,
      org: organizations,
      twoStepSince: twoStepLogins.confirmedAt,
      session: { createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .leftJoin(twoStepLogins, eq(twoStepLogins.userId, users.id))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, new Date(now))))
    .get();
  if (!r || r.user.disabledAt) return null;
  if (sessionSeenDue(r.session, now)) noteSessionSeen(tokenHash, now, ip ?? null);
  return toSessionUser(r.user, r.org, r.twoStepSince, ip);
}

/** Whether the last write of a last use failed and was said (said once until one succeeds again). */
let seenFailureLogged = false;

/**
 * Writes when and from where a session was last used (its owner's /account shows it). Never fails
 * the request that uses the session: a database that cannot take the write now (another process
 * holding it past the busy timeout) leaves the last use as it was, to be written by a later request.
 */
function noteSessionSeen(tokenHash: string, now: number, ip: string | null): void {
  try {
    db()
      .update(sessions)
      .set({ lastSeenAt: new Date(now), lastSeenIp: ip })
      .where(eq(sessions.tokenHash, tokenHash))
      .run();
    seenFailureLogged = false; // the next failure is news again
  } catch (error) {
    if (!seenFailureLogged)
      console.error("[sessions] could not write a session's last use (shown older than it is):", error);
    seenFailureLogged = true;
  }
}

export function logout(token: string, ip?: string | null): void {
  const user = userForSession(token, ip);
  transaction((tx) => {
    tx.delete(sessions)
      .where(eq(sessions.tokenHash, hashToken(token)))
      .run();
    if (user) recordAudit(tx, user, { action: "user.logout", target: { type: "user", id: user.userId } });
  });
}
