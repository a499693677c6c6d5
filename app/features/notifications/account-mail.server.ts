/**
 * The account mails, each one row of the mail outbox written in the transaction of its event, so a
 * mail exists exactly when what it tells of does. Not notifications: no in-app entry and no
 * preference applies (someone asked for them). Sent by the mail worker; without SMTP_URL kept, and
 * admins read them at /admin/outbox (the demo). Subscribed in app/system/wiring.server.ts.
 * - "password.reset_requested" (accounts, decision record 034): the reset link, to the account.
 * - "signup.requested" (decision record 037): the confirmation link, to an address without an
 *   account (the row has no user). The mail carries none of the text the registrant typed (names
 *   can hold anything: the portal must not mail a stranger's words to any address); the link's page
 *   shows what it confirms.
 * - "signup.address_in_use": the warning to the owner of an existing account that someone tried to
 *   register with its address.
 * - "login.failures_repeated": the warning to an account's owner of repeated failed logins (at most
 *   one a day: the mail's key is the day).
 * - "two_step.changed": the notice that two-step login was turned on or off (by the owner or an
 *   administrator), or new recovery codes made (decision record 039).
 * The links are secret facts of their events, never in the event outbox.
 */
import { eq } from "drizzle-orm";
import { mailOutbox, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { afterCommit, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import type { DomainEvent } from "../../platform/events.server";
import {
  PASSWORD_RESET_MAIL_KIND,
  passwordResetMailKey,
  LOGIN_FAILURES_MAIL_KIND,
  loginFailuresMailKey,
  renderLoginFailuresMail,
  renderPasswordResetMail,
  renderSignupAddressInUseMail,
  renderSignupConfirmMail,
  renderTwoStepChangedMail,
  TWO_STEP_CHANGED_MAIL_KIND,
  twoStepChangedMailKey,
  SIGNUP_ADDRESS_IN_USE_MAIL_KIND,
  SIGNUP_CONFIRM_MAIL_KIND,
  signupAddressInUseMailKey,
  signupConfirmMailKey,
} from "./domain/account-mail";
import { isPortalPath, portalUrl, type MailBody } from "./domain/mail-body";
import { kickMailWorker } from "./mail.server";
import { mailOutboxRow } from "./notify.server";
import { signupRequestMailFacts } from "../accounts/signup.server";

/** One account mail into the outbox: pending with SMTP_URL (and the worker woken after the commit), kept without. */
function queueAccountMail(
  tx: Tx,
  mail: MailBody & { userId: string | null; to: string; kind: string; key: string; link: string },
): void {
  const at = new Date(nowMs());
  const status = getEnv().smtpUrl ? "pending" : "kept";
  tx.insert(mailOutbox)
    .values(mailOutboxRow(mail, status, at))
    .onConflictDoNothing()
    .run();
  if (status === "pending") afterCommit(kickMailWorker);
}

export function mailSignupConfirmation(tx: Tx, e: DomainEvent<"signup.requested">): void {
  if (!isPortalPath(e.secretPath)) throw new Error("mailSignupConfirmation: the link must be a path of the portal");
  const request = signupRequestMailFacts(tx, e.requestId);
  if (!request) return;
  const { baseUrl } = getEnv();
  queueAccountMail(tx, {
    ...renderSignupConfirmMail({
      kind: request.kind,
      url: portalUrl(baseUrl, e.secretPath),
      signupUrl: portalUrl(baseUrl, "/signup"),
      expiresAt: e.expiresAt,
    }),
    userId: null,
    to: request.email,
    kind: SIGNUP_CONFIRM_MAIL_KIND,
    key: signupConfirmMailKey(e.requestId),
    // The page to act on, without the token: the link itself is in the mail's text only.
    link: "/signup",
  });
}

export function mailSignupAddressInUse(tx: Tx, e: DomainEvent<"signup.address_in_use">): void {
  const user = enabledUser(tx, e.userId);
  if (!user) return;
  const { baseUrl } = getEnv();
  queueAccountMail(tx, {
    ...renderSignupAddressInUseMail({
      recipientName: user.name,
      loginUrl: portalUrl(baseUrl, "/login"),
      forgotPasswordUrl: portalUrl(baseUrl, "/forgot-password"),
    }),
    userId: e.userId,
    to: user.email,
    kind: SIGNUP_ADDRESS_IN_USE_MAIL_KIND,
    key: signupAddressInUseMailKey(e.attemptId),
    link: "/login",
  });
}

export function mailLoginFailures(tx: Tx, e: DomainEvent<"login.failures_repeated">): void {
  const user = enabledUser(tx, e.userId);
  if (!user) return;
  const { baseUrl } = getEnv();
  queueAccountMail(tx, {
    ...renderLoginFailuresMail({
      recipientName: user.name,
      step: e.step,
      failures: e.failures,
      addresses: e.addresses,
      latestAt: e.latestAt,
      forgotPasswordUrl: portalUrl(baseUrl, "/forgot-password"),
      accountUrl: portalUrl(baseUrl, "/account"),
    }),
    userId: e.userId,
    to: user.email,
    kind: LOGIN_FAILURES_MAIL_KIND,
    key: loginFailuresMailKey(e.userId, e.latestAt, e.step),
    link: "/account",
  });
}

export function mailTwoStepChanged(tx: Tx, e: DomainEvent<"two_step.changed">): void {
  const user = enabledUser(tx, e.userId);
  if (!user) return;
  const { baseUrl } = getEnv();
  queueAccountMail(tx, {
    ...renderTwoStepChangedMail({
      recipientName: user.name,
      change: e.change,
      by: e.by,
      at: e.at,
      accountUrl: portalUrl(baseUrl, "/account/two-step"),
      forgotPasswordUrl: portalUrl(baseUrl, "/forgot-password"),
    }),
    userId: e.userId,
    to: user.email,
    kind: TWO_STEP_CHANGED_MAIL_KIND,
    key: twoStepChangedMailKey(e.changeId),
    link: "/account/two-step",
  });
}

/** An enabled account's name and address, or null. */
function enabledUser(tx: Tx, userId: string): { email: string; name: string } | null {
  const user = tx
    .select({ email: users.email, name: users.name, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return user && !user.disabledAt ? { email: user.email, name: user.name } : null;
}

export function mailPasswordReset(tx: Tx, e: DomainEvent<"password.reset_requested">): void {
  if (!isPortalPath(e.secretPath)) throw new Error("mailPasswordReset: the link must be a path of the portal");
  const user = enabledUser(tx, e.userId);
  if (!user) return;
  const { baseUrl } = getEnv();
  queueAccountMail(tx, {
    ...renderPasswordResetMail({
      recipientName: user.name,
      url: portalUrl(baseUrl, e.secretPath),
      askAgainUrl: portalUrl(baseUrl, "/forgot-password"),
      expiresAt: e.expiresAt,
      requestedBy: e.requestedBy,
    }),
    userId: e.userId,
    to: user.email,
    kind: PASSWORD_RESET_MAIL_KIND,
    key: passwordResetMailKey(e.resetId),
    // The page to act on, without the token: the link itself is in the mail's text only.
    link: "/forgot-password",
  });
}
