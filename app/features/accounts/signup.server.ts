/**
 * Registering an organisation, confirmed by email (decision record 037). /signup stores the details
 * given as a request and mails a link to the address; opening the link and typing the chosen
 * password again creates the organisation and its first user, and signs them in.
 *
 * The answer to /signup is the same whether or not the address already has an account: an existing
 * account's owner is told by mail that someone tried to register with it (with the way to log in or
 * reset the password) instead, so sign-up reveals no account. Only an organisation name already
 * registered is refused on the form: organisation names are public (every seal names its supplier).
 *
 * The link works once, for SIGNUP_LINK_TTL_MS; only its SHA-256 is kept (signup_requests), and the
 * mail is written by the notifications module from the event "signup.requested", whose link is a
 * secret fact (never in the event outbox). Typing the password again makes the link alone useless:
 * whoever registered someone else's address cannot have its owner confirm an account whose
 * password they chose, nor can a link read from a mailbox create an account without the password.
 */
import crypto from "node:crypto";
import { and, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { z } from "zod";
import { organizations, signupRequests, users } from "../../../db/schema";
import { recordAudit } from "../../platform/audit.server";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import { hitSlidingWindow } from "../../platform/rate-limit-store.server";
import { clientAddressKey } from "../../platform/rate-limit";
import { roleForSignupKind, type SelfSignupKind } from "../../platform/roles";
import { hashToken, newToken, openSession, throttle, type ClientInfo, type LoginResult } from "./auth.server";
import type { confirmSignupInput, signupInput } from "./forms";
import { hashPassword, verifyPassword } from "./passwords.server";
import { organizationNamed } from "./users.server";

/** How long a confirmation link works. */
export const SIGNUP_LINK_TTL_MS = 24 * 60 * 60_000;
/**
 * Mails that /signup sends to one address at the request of one client (its address, an IPv6 one by
 * its /64): at most this many in SIGNUP_MAIL_WINDOW_MS, so no one client floods a mailbox, and no
 * stranger's requests keep the owner's own mail from going.
 */
export const SIGNUP_MAILS_PER_EMAIL = 3;
export const SIGNUP_MAIL_WINDOW_MS = 15 * 60_000;

/** The path of a confirmation link. */
export function signupLinkPath(token: string): string {
  return `/signup/confirm/${token}`;
}

/** The organisation name is taken: the one refusal /signup shows on its form. */
const ORGANIZATION_NAME_TAKEN =
  "An organisation with this name is already registered. To join it, ask the IoT Seal administrators to add you to it.";

/**
 * /signup. Refuses an organisation name already registered (field organizationName); otherwise
 * answers the same whatever the address: a new address gets a confirmation link, the owner of an
 * existing account a warning instead (neither past SIGNUP_MAILS_PER_EMAIL in the window). Both ways
 * hash the password and write one audit entry, so the answer takes about as long.
 */
export async function requestSignup(input: z.infer<typeof signupInput>, client: ClientInfo): Promise<void> {
  throttle("signup", client.ip);
  const passwordHash = await hashPassword(input.password);
  const fresh = newToken();
  transaction((tx) => {
    if (organizationNamed(tx, input.organizationName))
      throw new ServiceError("conflict", "Some details are already in use.", {
        organizationName: ORGANIZATION_NAME_TAKEN,
      });
    // Counted per address and client: a stranger's requests never hold back the owner's own.
    const perEmail = hitSlidingWindow(
      `signup:email:${input.email}:${clientAddressKey(client.ip ?? "unknown")}`,
      SIGNUP_MAILS_PER_EMAIL,
      SIGNUP_MAIL_WINDOW_MS,
      nowMs(),
    );
    const existing = tx
      .select({ id: users.id, organizationId: users.organizationId, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.email, input.email))
      .get();
    const outcome = !perEmail.allowed
      ? "not sent: too many for this address"
      : existing
        ? existing.disabledAt
          ? "address in use (account disabled): not sent"
          : "address in use: owner warned"
        : "confirmation link sent";
    const requestId = crypto.randomUUID();
    if (perEmail.allowed && existing && !existing.disabledAt)
      emit(tx, "signup.address_in_use", { userId: existing.id, attemptId: requestId });
    if (perEmail.allowed && !existing) {
      const now = nowMs();
      const expiresAt = now + SIGNUP_LINK_TTL_MS;
      tx.insert(signupRequests)
        .values({
          id: requestId,
          tokenHash: fresh.tokenHash,
          email: input.email,
          name: input.name,
          organizationName: input.organizationName,
          kind: input.kind,
          passwordHash,
          ip: client.ip ?? null,
          createdAt: new Date(now),
          expiresAt: new Date(expiresAt),
        })
        .run();
      // The event names the request only: the outbox of events keeps no one's name or address.
      emit(tx, "signup.requested", { requestId, expiresAt, secretPath: signupLinkPath(fresh.token) });
    }
    recordAudit(tx, null, {
      action: "user.signup_requested",
      organizationId: existing?.organizationId ?? null,
      target: existing ? { type: "user", id: existing.id } : undefined,
      details: {
        email: input.email,
        organizationName: input.organizationName,
        kind: input.kind,
        ip: client.ip ?? null,
        outcome,
      },
    });
  });
}

/** Why a confirmation link does not work, as its page says it. */
export const SIGNUP_LINK_PROBLEMS = {
  unknown: "This confirmation link is not one IoT Seal sent: check that the whole address was copied.",
  expired: "This confirmation link has expired: links work for 24 hours. Register again to get a new one.",
  used: "This registration is already confirmed: log in with your email and password.",
  taken:
    "An account with this email was created since this link was sent: log in, or reset your password if you forgot it.",
  nameTaken:
    "An organisation with the name you registered was created since this link was sent: register again with another name.",
  guessed: "This confirmation link stopped working after too many wrong passwords. Register again to get a new one.",
} as const;
export type SignupLinkProblem = keyof typeof SIGNUP_LINK_PROBLEMS;

export type SignupLinkState =
  | {
      ok: true;
      id: string;
      email: string;
      name: string;
      organizationName: string;
      kind: SelfSignupKind;
      expiresAt: number;
      /** For the confirmation's password check; never sent to a page. */
      passwordHash: string;
    }
  | { ok: false; problem: SignupLinkProblem };

/** Why a stored request can no longer be confirmed, or null: the one rule for its page, its form and its mail. */
function problemOf(
  tx: Pick<Tx, "select">,
  row: typeof signupRequests.$inferSelect | undefined,
): SignupLinkProblem | null {
  if (!row) return "unknown";
  if (row.confirmedAt) return "used";
  if (row.expiresAt.getTime() <= nowMs()) return "expired";
  if (tx.select({ id: users.id }).from(users).where(eq(users.email, row.email)).get()) return "taken";
  if (organizationNamed(tx, row.organizationName)) return "nameTaken";
  return null;
}

/** What a confirmation link leads to: the registration it confirms, or why it does not work. */
export function signupLinkState(token: string, tx: Pick<Tx, "select"> = db()): SignupLinkState {
  const row = tx
    .select()
    .from(signupRequests)
    .where(eq(signupRequests.tokenHash, hashToken(token)))
    .get();
  const problem = problemOf(tx, row);
  if (problem || !row) return { ok: false, problem: problem ?? "unknown" };
  return {
    ok: true,
    id: row.id,
    email: row.email,
    name: row.name,
    organizationName: row.organizationName,
    kind: row.kind as SelfSignupKind,
    expiresAt: row.expiresAt.getTime(),
    passwordHash: row.passwordHash,
  };
}

/** Whether a confirmation mail still carries a live link (the mail worker sends no dead one). */
export function signupRequestProblemOf(requestId: string, tx: Pick<Tx, "select"> = db()): SignupLinkProblem | null {
  return problemOf(tx, tx.select().from(signupRequests).where(eq(signupRequests.id, requestId)).get());
}

/** The address and kind a request's confirmation mail goes to and names (read by the notifications module). */
export function signupRequestMailFacts(
  tx: Pick<Tx, "select">,
  requestId: string,
): { email: string; kind: SelfSignupKind } | null {
  const row = tx
    .select({ email: signupRequests.email, kind: signupRequests.kind })
    .from(signupRequests)
    .where(eq(signupRequests.id, requestId))
    .get();
  return row ? { email: row.email, kind: row.kind as SelfSignupKind } : null;
}

/** Wrong passwords a link takes before it stops working (the password is the step a stolen link lacks). */
export const SIGNUP_CONFIRM_MAX_FAILURES = 5;

/**
 * /signup/confirm/<token>: with the password chosen when registering, creates the organisation and
 * its first user, spends the link and signs the user in. Counted like logins (a password is
 * checked). Of two submissions of one link only the first creates anything; a name or an address
 * registered meanwhile by someone else is refused, saying so.
 */
export async function confirmSignup(
  token: string,
  input: z.infer<typeof confirmSignupInput>,
  client: ClientInfo,
): Promise<LoginResult> {
  throttle("login", client.ip);
  const state = signupLinkState(token);
  if (!state.ok) throw new ServiceError("invalid", SIGNUP_LINK_PROBLEMS[state.problem]);
  const failures = `signup-confirm:${state.id}`;
  if (!(await verifyPassword(input.password, state.passwordHash))) {
    // Counted per link whatever the client: a link read from a mailbox does not get unlimited guesses.
    // (The window allows MAX - 1: the MAXth wrong password is the one that ends the link.)
    const left = hitSlidingWindow(failures, SIGNUP_CONFIRM_MAX_FAILURES - 1, SIGNUP_LINK_TTL_MS, nowMs());
    transaction((tx) => {
      if (!left.allowed)
        tx.update(signupRequests)
          .set({ expiresAt: new Date(nowMs()) })
          .where(eq(signupRequests.id, state.id))
          .run();
      recordAudit(tx, null, {
        action: "user.signup_confirm_failed",
        details: { email: state.email, ip: client.ip ?? null, linkEnded: !left.allowed },
      });
    });
    if (!left.allowed) throw new ServiceError("invalid", SIGNUP_LINK_PROBLEMS.guessed);
    throw new ServiceError("invalid", "Check the highlighted field.", {
      password: "That is not the password chosen when registering. Type it again, or register again.",
    });
  }
  const row = state;
  return transaction((tx) => {
    const now = new Date(nowMs());
    // Checked again in this (immediate, write-locked) transaction: another confirmation of the link,
    // an account with the address or an organisation with the name may have come first.
    const problem = problemOf(tx, tx.select().from(signupRequests).where(eq(signupRequests.id, row.id)).get());
    if (problem) throw new ServiceError("invalid", SIGNUP_LINK_PROBLEMS[problem]);
    tx.update(signupRequests).set({ confirmedAt: now }).where(eq(signupRequests.id, row.id)).run();
    const orgId = crypto.randomUUID();
    const userId = crypto.randomUUID();
    tx.insert(organizations).values({ id: orgId, name: row.organizationName, kind: row.kind, createdAt: now }).run();
    tx.insert(users)
      .values({
        id: userId,
        email: row.email,
        name: row.name,
        passwordHash: row.passwordHash,
        role: roleForSignupKind(row.kind as SelfSignupKind),
        organizationId: orgId,
        createdAt: now,
        lastLoginAt: now,
      })
      .run();
    const started = openSession(tx, userId, client);
    recordAudit(tx, started.user, {
      action: "organization.created",
      target: { type: "organization", id: orgId },
      details: { name: row.organizationName, kind: row.kind },
    });
    recordAudit(tx, started.user, {
      action: "user.signed_up",
      target: { type: "user", id: userId },
      details: { email: row.email, role: started.user.role, emailConfirmed: true },
    });
    return started;
  });
}

/** How long a request is kept after its link expired or was used: long enough for its page to say why. */
export const SIGNUP_REQUEST_KEPT_MS = 7 * 24 * 60 * 60_000;

/**
 * The lifecycle sweep forgets registration requests SIGNUP_REQUEST_KEPT_MS after their link expired
 * unused, or after they were confirmed (the account holds the details then): a request carries a
 * person's name and address and a password hash, kept no longer than its use. Their link then reads
 * as unknown. Returns how many were forgotten.
 */
export function forgetSignupRequests(now = nowMs()): number {
  const before = new Date(now - SIGNUP_REQUEST_KEPT_MS);
  return transaction(
    (tx) =>
      tx
        .delete(signupRequests)
        .where(
          or(
            and(isNull(signupRequests.confirmedAt), lt(signupRequests.expiresAt, before)),
            and(isNotNull(signupRequests.confirmedAt), lt(signupRequests.confirmedAt, before)),
          ),
        )
        .run().changes,
  );
}
