/**
 * Two-step login (decision record 039): a user turns it on from /account/two-step (scan the code
 * into an authenticator app, type the code it shows, keep the ten recovery codes); from then on a
 * right password opens no session by itself: /login/code asks for the app's code or a recovery
 * code. Turning it off, or a new set of recovery codes, asks for the password again; an
 * administrator can turn it off for a user who lost both phone and codes.
 */
import crypto from "node:crypto";
import { and, count, eq, gt, isNotNull, isNull, lt, ne, or } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { loginChallenges, recoveryCodes, sessions, twoStepLogins, users } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { requireConfirmation } from "../../platform/confirmation.server";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { emit } from "../../platform/events.server";
import { getEnv } from "../../platform/env.server";
import { ROLE_LABELS, ROLES, type Role } from "../../platform/roles";
import { ServiceError } from "../../platform/errors.server";
import {
  completeLogin,
  endLoginChallenges,
  hashToken,
  LOGIN_FAILED_ACTION,
  refuseWhenCodesExhausted,
  STEP_UP_FAILED_ACTION,
  throttle,
  warnOfRepeatedFailures,
  type ClientInfo,
  type LoginResult,
} from "./auth.server";
import {
  attemptsLeft,
  readEnteredCode,
  setupStillPending,
  stepIsFresh,
  TWO_STEP,
  type EnteredCode,
} from "./domain/two-step";
import { verifyPassword } from "./passwords.server";
import {
  hashRecoveryCode,
  openTwoStepSecret,
  recoveryCodeMatches,
  sealTwoStepSecret,
  twoStepBox,
} from "./two-step-secrets.server";

const ISSUER = "IoT Seal";

function totp(secret: string, label = "") {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: TWO_STEP.digits,
    period: TWO_STEP.periodSeconds,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** The time step of the app's code `code` (this step's, or one either side), or null if it is none of them. */
function stepOf(secret: string, code: string, now: number): number | null {
  const t = totp(secret);
  const delta = t.validate({ token: code, timestamp: now, window: TWO_STEP.window });
  return delta === null ? null : t.counter({ timestamp: now }) + delta;
}

export interface TwoStepStatus {
  /** off: never set up (or turned off); pending: a key was shown, no code typed yet; on: asked at every login. */
  state: "off" | "pending" | "on";
  since: Date | null;
  recoveryCodesLeft: number;
}

export function twoStepStatus(actor: Actor): TwoStepStatus {
  const row = db().select().from(twoStepLogins).where(eq(twoStepLogins.userId, actor.userId)).get();
  if (!row || (!row.confirmedAt && !setupStillPending(row.createdAt.getTime(), nowMs())))
    return { state: "off", since: null, recoveryCodesLeft: 0 };
  if (!row.confirmedAt) return { state: "pending", since: null, recoveryCodesLeft: 0 };
  const left = db()
    .select({ id: recoveryCodes.id })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, actor.userId), isNull(recoveryCodes.usedAt)))
    .all().length;
  return { state: "on", since: row.confirmedAt, recoveryCodesLeft: left };
}

/**
 * Starts setting up two-step login: a new key for the app, kept until it is confirmed with a code,
 * the setup is cancelled, or TWO_STEP.pendingTtlMs has passed (then a new key: one copied by
 * someone with brief access to the account is not shown to its owner later).
 */
export function beginTwoStep(actor: Actor): void {
  transaction((tx) => {
    const row = tx.select().from(twoStepLogins).where(eq(twoStepLogins.userId, actor.userId)).get();
    if (row?.confirmedAt) throw new ServiceError("conflict", "Two-step login is already on for your account.");
    const now = nowMs();
    // The key shown (and perhaps scanned) stays; unless it no longer opens (the server's two-step key was lost).
    const opens = (stored: string) => twoStepBox.status([{ owner: actor.userId, stored }]).cannotOpen === 0;
    if (row && setupStillPending(row.createdAt.getTime(), now) && opens(row.secret)) return;
    // 160 bits, RFC 4226's recommendation; stored encrypted (two-step-secrets.server.ts).
    const secret = sealTwoStepSecret(actor.userId, new OTPAuth.Secret({ size: 20 }).base32);
    tx.insert(twoStepLogins)
      .values({ userId: actor.userId, secret, createdAt: new Date(now) })
      .onConflictDoUpdate({ target: twoStepLogins.userId, set: { secret, createdAt: new Date(now) } })
      .run();
  });
}

/**
 * The key of a setup begun and not yet confirmed: as an otpauth:// address (for the QR code) and as
 * text to type into an app by hand; null if no setup is under way.
 */
export function pendingTwoStepKey(actor: Actor): { secret: string; uri: string } | null {
  const row = db().select().from(twoStepLogins).where(eq(twoStepLogins.userId, actor.userId)).get();
  if (!row || row.confirmedAt || !setupStillPending(row.createdAt.getTime(), nowMs())) return null;
  const secret = openTwoStepSecret(row.userId, row.secret);
  return { secret, uri: totp(secret, actor.email).toString() };
}

/** Leaves a setup begun and not confirmed (the key shown is forgotten); nothing if two-step login is on. */
export function cancelTwoStepSetup(actor: Actor): void {
  transaction((tx) =>
    tx
      .delete(twoStepLogins)
      .where(and(eq(twoStepLogins.userId, actor.userId), isNull(twoStepLogins.confirmedAt)))
      .run(),
  );
}

/** Ten new recovery codes and their slow hashes, made before the transaction that stores them (hashing takes a while). */
function makeRecoveryCodes(): { code: string; hash: string }[] {
  const made: { code: string; hash: string }[] = [];
  while (made.length < TWO_STEP.recoveryCodes) {
    // 10 base32 characters from 50 random bits (the last byte's spare bits unused).
    const code = new OTPAuth.Secret({ buffer: new Uint8Array(crypto.randomBytes(7)).buffer }).base32.slice(
      0,
      TWO_STEP.recoveryCodeLength,
    );
    if (made.some((m) => m.code === code)) continue;
    made.push({ code, hash: hashRecoveryCode(code) });
  }
  return made;
}

/** The user's recovery codes become `made` (the old ones stop working); the codes, to show once. */
function storeRecoveryCodes(tx: Tx, userId: string, made: { code: string; hash: string }[]): string[] {
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  const now = new Date(nowMs());
  for (const { hash } of made)
    tx.insert(recoveryCodes).values({ id: crypto.randomUUID(), userId, codeHash: hash, createdAt: now }).run();
  return made.map((m) => m.code);
}

/**
 * The id of the user's unused recovery code that `code` is, or null. Every stored hash is tried
 * (the time taken does not tell which matched), outside any transaction: a slow hash must not hold
 * the database's write lock. The transaction then spends that id only if it is still unused.
 */
function matchRecoveryCode(userId: string | undefined, entered: EnteredCode | null): string | null {
  if (!userId || entered?.kind !== "recovery") return null;
  const rows = db()
    .select({ id: recoveryCodes.id, hash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .all();
  let found: string | null = null;
  for (const r of rows) if (recoveryCodeMatches(entered.code, r.hash)) found = r.id;
  return found;
}

const wrongSetupCode = () =>
  new ServiceError("invalid", "Two-step login is not on yet.", {
    code: "That is not the code your app shows for this key. Check that the app was set up with the key on this page and that your phone's clock is right, then type the code it shows now.",
  });

/**
 * Confirms the setup with the password and a code the app shows: two-step login is on; the recovery
 * codes, shown once, are returned. Every other session of the user ends (one opened before, perhaps
 * by someone else, would go on without the code); `sessionToken` is the one it is done in.
 */
export async function confirmTwoStep(
  actor: Actor,
  sessionToken: string | null,
  input: { code: string; password: string },
): Promise<{ recoveryCodes: string[]; otherSessionsEnded: number }> {
  await checkPassword(actor, input.password, "Two-step login is not on yet.");
  const entered = readEnteredCode(input.code);
  const made = makeRecoveryCodes();
  return transaction((tx) => {
    const row = tx.select().from(twoStepLogins).where(eq(twoStepLogins.userId, actor.userId)).get();
    if (!row || (!row.confirmedAt && !setupStillPending(row.createdAt.getTime(), nowMs())))
      throw new ServiceError(
        "conflict",
        "This setup has ended (it waits 15 minutes for the code). Start again: a new key is shown.",
      );
    if (row.confirmedAt) throw new ServiceError("conflict", "Two-step login is already on for your account.");
    const step =
      entered?.kind === "authenticator"
        ? stepOf(openTwoStepSecret(row.userId, row.secret), entered.code, nowMs())
        : null;
    if (step === null) throw wrongSetupCode();
    tx.update(twoStepLogins)
      .set({ confirmedAt: new Date(nowMs()), lastStep: step })
      .where(eq(twoStepLogins.userId, actor.userId))
      .run();
    const codes = storeRecoveryCodes(tx, actor.userId, made);
    const current = sessionToken ? hashToken(sessionToken) : null;
    const otherSessionsEnded = tx
      .delete(sessions)
      .where(and(eq(sessions.userId, actor.userId), current ? ne(sessions.tokenHash, current) : undefined))
      .run().changes;
    recordChange(tx, actor, actor.userId, "enabled");
    return { recoveryCodes: codes, otherSessionsEnded };
  });
}

/** The actor's password again (for turning two-step login off, or new recovery codes), rate limited per user. */
async function checkPassword(actor: Actor, password: string, what: string): Promise<void> {
  throttle("two-step", actor.userId);
  const row = db().select({ hash: users.passwordHash }).from(users).where(eq(users.id, actor.userId)).get();
  if (!row || !(await verifyPassword(password, row.hash)))
    throw new ServiceError("invalid", what, { password: "This is not your current password." });
}

function requireOn(tx: Tx, userId: string) {
  const row = tx.select().from(twoStepLogins).where(eq(twoStepLogins.userId, userId)).get();
  if (!row?.confirmedAt) throw new ServiceError("conflict", "Two-step login is not on for this account.");
  return row;
}

/**
 * Takes a code for the user: the app's (of a step later than the last one taken: compared in the
 * update, so two tries at once take one) or an unused recovery code (spent). Which kind was taken,
 * or null (a wrong code, or one already used).
 */
function takeCode(
  tx: Tx,
  twoStep: typeof twoStepLogins.$inferSelect,
  entered: EnteredCode | null,
  now: number,
  /** The recovery code's row when `entered` is one of the user's unused codes (matchRecoveryCode, before the transaction). */
  recoveryId: string | null,
): "authenticator" | "recovery code" | null {
  const userId = twoStep.userId;
  if (entered?.kind === "authenticator") {
    const step = stepOf(openTwoStepSecret(userId, twoStep.secret), entered.code, now);
    if (step === null || !stepIsFresh(step, twoStep.lastStep)) return null;
    const taken = tx
      .update(twoStepLogins)
      .set({ lastStep: step })
      .where(
        and(eq(twoStepLogins.userId, userId), or(isNull(twoStepLogins.lastStep), lt(twoStepLogins.lastStep, step))),
      )
      .run().changes;
    return taken === 1 ? "authenticator" : null;
  }
  if (entered?.kind === "recovery" && recoveryId) {
    const spent = tx
      .update(recoveryCodes)
      .set({ usedAt: new Date(now) })
      .where(and(eq(recoveryCodes.id, recoveryId), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
      .run().changes;
    return spent === 1 ? "recovery code" : null;
  }
  return null;
}

/**
 * A change made signed in that a stolen session and a known password must not be enough for (turning
 * two-step login off, new recovery codes): the password, then a code from the app or a recovery
 * code, then `change` in the same transaction. A wrong code is audited and counts towards the
 * account's wrong codes for the hour (refuseWhenCodesExhausted), and refuses the change.
 */
async function withSecondFactor<T>(
  actor: Actor,
  input: { password: string; code: string },
  refused: string,
  change: (tx: Tx) => T,
): Promise<T> {
  await checkPassword(actor, input.password, refused);
  const entered = readEnteredCode(input.code);
  const recoveryId = matchRecoveryCode(actor.userId, entered);
  const outcome = transaction((tx): { ok: true; value: T } | { ok: false } => {
    const row = requireOn(tx, actor.userId);
    refuseWhenCodesExhausted(tx, actor.userId);
    if (!takeCode(tx, row, entered, nowMs(), recoveryId)) {
      recordAudit(tx, actor, {
        action: STEP_UP_FAILED_ACTION,
        target: { type: "user", id: actor.userId },
        details: { reason: "wrong code" },
      });
      return { ok: false };
    }
    return { ok: true, value: change(tx) };
  });
  if (outcome.ok) return outcome.value;
  throw new ServiceError("invalid", refused, {
    code: "That code is not right: type the code your app shows now (each works once), or one of your recovery codes.",
  });
}

/** A new set of recovery codes (the old ones stop working), after the password and a code. */
export async function renewRecoveryCodes(
  actor: Actor,
  input: { password: string; code: string },
): Promise<{ recoveryCodes: string[] }> {
  const made = makeRecoveryCodes();
  return withSecondFactor(actor, input, "No new recovery codes were made.", (tx) => {
    const codes = storeRecoveryCodes(tx, actor.userId, made);
    recordChange(tx, actor, actor.userId, "codes_renewed");
    return { recoveryCodes: codes };
  });
}

const CHANGE_ACTIONS = {
  enabled: "user.two_step_enabled",
  disabled: "user.two_step_disabled",
  codes_renewed: "user.recovery_codes_renewed",
} as const;

/** A change to a user's two-step login: in the audit log, and told to its owner (notifications mails them). */
function recordChange(
  tx: Tx,
  actor: Actor,
  userId: string,
  change: keyof typeof CHANGE_ACTIONS,
  /** An administrator's change to another user (in that user's organisation's log); null: the user's own. */
  by: { organizationId: string } | null = null,
): void {
  recordAudit(tx, actor, {
    action: CHANGE_ACTIONS[change],
    organizationId: by?.organizationId,
    target: { type: "user", id: userId },
    details: change === "disabled" ? { by: by ? "admin" : "self" } : undefined,
  });
  const at = nowMs();
  emit(tx, "two_step.changed", { changeId: crypto.randomUUID(), userId, change, by: by ? "admin" : "self", at });
}

function removeTwoStep(tx: Tx, userId: string): void {
  tx.delete(twoStepLogins).where(eq(twoStepLogins.userId, userId)).run();
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  endLoginChallenges(tx, userId);
}

export interface TwoStepAdoption {
  /** Active accounts of the role (disabled ones left out). */
  accounts: number;
  /** Of those, with two-step login on (a setup begun and not confirmed does not count). */
  on: number;
  /** Whether TWO_STEP_REQUIRED_FOR names the role: the rest are asked to set it up at their next page. */
  required: boolean;
}

/** How many active accounts of each role use two-step login (the administrator's dashboard). */
export function twoStepAdoption(actor: Actor): Record<Role, TwoStepAdoption> {
  assertCan(actor, "admin.users.manage");
  const required = getEnv().twoStepRequiredFor;
  const out = Object.fromEntries(
    ROLES.map((r) => [r, { accounts: 0, on: 0, required: required.includes(r) }]),
  ) as Record<Role, TwoStepAdoption>;
  const rows = db()
    .select({ role: users.role, on: isNotNull(twoStepLogins.confirmedAt), n: count() })
    .from(users)
    .leftJoin(twoStepLogins, eq(twoStepLogins.userId, users.id))
    .where(isNull(users.disabledAt))
    .groupBy(users.role, isNotNull(twoStepLogins.confirmedAt))
    .all();
  for (const r of rows) {
    const row = out[r.role as Role];
    if (!row) continue;
    row.accounts += r.n;
    if (r.on) row.on += r.n;
  }
  return out;
}

/** Whether the actor's role must use two-step login (TWO_STEP_REQUIRED_FOR): then it cannot be turned off by its user. */
export function twoStepRequired(actor: Actor): boolean {
  return getEnv().twoStepRequiredFor.includes(actor.role);
}

/** Turns two-step login off for oneself, after the password and a code (not where the role requires it). */
export async function turnOffTwoStep(actor: Actor, input: { password: string; code: string }): Promise<void> {
  if (twoStepRequired(actor))
    throw new ServiceError(
      "forbidden",
      `Two-step login is required for ${ROLE_LABELS[actor.role].toLowerCase()}s here: it cannot be turned off. Make new recovery codes if you need them.`,
    );
  await withSecondFactor(actor, input, "Two-step login is still on.", (tx) => {
    removeTwoStep(tx, actor.userId);
    recordChange(tx, actor, actor.userId, "disabled");
  });
}

/**
 * An administrator turns two-step login off for a user who lost their phone and their recovery
 * codes (after checking who is asking, outside the portal): the user logs in with the password
 * alone and can set it up again.
 */
export function adminTurnOffTwoStep(admin: Actor, userId: string, opts: { confirmed: boolean }): { email: string } {
  assertCan(admin, "admin.users.manage");
  if (userId === admin.userId)
    throw new ServiceError(
      "forbidden",
      "Turn your own two-step login off on your account page (it asks for your code).",
    );
  requireConfirmation(opts.confirmed, "you have checked, outside IoT Seal, that it is this user who asks");
  return transaction((tx) => {
    const user = tx
      .select({ email: users.email, organizationId: users.organizationId })
      .from(users)
      .where(eq(users.id, userId))
      .get();
    if (!user) throw new ServiceError("not_found", "No such user.");
    requireOn(tx, userId);
    removeTwoStep(tx, userId);
    recordChange(tx, admin, userId, "disabled", { organizationId: user.organizationId });
    return { email: user.email };
  });
}

/** Whether a login challenge token still waits for its code (the code page shows itself only then). */
export function challengeIsOpen(token: string | null): boolean {
  if (!token || token.length > 200) return false;
  const row = db()
    .select({ attempts: loginChallenges.attempts })
    .from(loginChallenges)
    .where(and(eq(loginChallenges.tokenHash, hashToken(token)), gt(loginChallenges.expiresAt, new Date(nowMs()))))
    .get();
  return !!row && attemptsLeft(row.attempts) > 0;
}

export const CHALLENGE_ENDED =
  "That login has ended (it waits five minutes and takes five codes). Log in again with your password.";

/**
 * The second step of logging in: the app's code (not one used before) or an unused recovery code,
 * against the challenge the password step opened. A session, or a refusal; after
 * TWO_STEP.maxAttempts wrong codes the challenge ends and the password is asked for again. Wrong
 * codes count as failed logins (an owner is told of repeated ones: the password is known).
 */
export function finishLogin(token: string | null, input: { code: string }, client: ClientInfo): LoginResult {
  throttle("login", client.ip);
  if (!token || token.length > 200) throw new ServiceError("unauthenticated", CHALLENGE_ENDED);
  const tokenHash = hashToken(token);
  const now = nowMs();
  const entered = readEnteredCode(input.code);
  // The challenge's user, read to match a recovery code before the transaction (which checks the challenge itself).
  const challengeUser = db()
    .select({ userId: loginChallenges.userId })
    .from(loginChallenges)
    .where(eq(loginChallenges.tokenHash, tokenHash))
    .get()?.userId;
  const recoveryId = matchRecoveryCode(challengeUser, entered);
  type Outcome = { ok: true; result: LoginResult } | { ok: false; left: number };
  const outcome = transaction((tx): Outcome => {
    const c = tx
      .select({ challenge: loginChallenges, user: users, twoStep: twoStepLogins })
      .from(loginChallenges)
      .innerJoin(users, eq(users.id, loginChallenges.userId))
      .innerJoin(twoStepLogins, eq(twoStepLogins.userId, loginChallenges.userId))
      .where(eq(loginChallenges.tokenHash, tokenHash))
      .get();
    if (
      !c ||
      c.challenge.expiresAt.getTime() <= now ||
      !attemptsLeft(c.challenge.attempts) ||
      c.user.disabledAt ||
      !c.twoStep.confirmedAt
    )
      throw new ServiceError("unauthenticated", CHALLENGE_ENDED);
    const userId = c.user.id;
    refuseWhenCodesExhausted(tx, userId);
    const used = takeCode(tx, c.twoStep, entered, now, recoveryId);
    if (!used) {
      const attempts = c.challenge.attempts + 1;
      tx.update(loginChallenges).set({ attempts }).where(eq(loginChallenges.tokenHash, tokenHash)).run();
      recordAudit(tx, null, {
        action: LOGIN_FAILED_ACTION.code,
        organizationId: c.user.organizationId,
        target: { type: "user", id: userId },
        details: { email: c.user.email, reason: "wrong code", ip: client.ip ?? null },
      });
      warnOfRepeatedFailures(tx, userId, "code");
      return { ok: false, left: attemptsLeft(attempts) };
    }
    tx.delete(loginChallenges).where(eq(loginChallenges.tokenHash, tokenHash)).run();
    const left =
      used === "recovery code"
        ? tx
            .select({ id: recoveryCodes.id })
            .from(recoveryCodes)
            .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
            .all().length
        : undefined;
    return {
      ok: true,
      result: completeLogin(tx, userId, client, { secondStep: used, recoveryCodesLeft: left }),
    };
  });
  if (outcome.ok) return outcome.result;
  // Refused after the transaction: the wrong code is counted and audited.
  if (!outcome.left) throw new ServiceError("unauthenticated", CHALLENGE_ENDED);
  throw new ServiceError("invalid", "You are not logged in yet.", {
    code: `${entered ? "That code is not right (an app's code works once)." : "Type the 6-digit code your app shows, or one of your recovery codes."} ${outcome.left} ${outcome.left === 1 ? "try" : "tries"} left.`,
  });
}
