/**
 * The registration mails (from the accounts module, decision record 037), each one row of the mail
 * outbox written in the transaction of the event, like the password reset mail:
 * - "signup.requested": the confirmation link, to an address without an account (the row has no
 *   user); its link is a secret fact of the event, never in the event outbox.
 * - "signup.address_in_use": the warning to the owner of an existing account that someone tried to
 *   register with its address.
 * Not notifications: no in-app entry and no preference applies. Sent by the mail worker; without
 * SMTP_URL kept, and admins read them at /admin/outbox (the demo). Subscribed in app/system/wiring.server.ts.
 */
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { mailOutbox, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { afterCommit, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import type { DomainEvent } from "../../platform/events.server";
import {
  renderSignupAddressInUseMail,
  renderSignupConfirmMail,
  SIGNUP_ADDRESS_IN_USE_MAIL_KIND,
  SIGNUP_CONFIRM_MAIL_KIND,
  signupAddressInUseMailKey,
  signupConfirmMailKey,
} from "./domain/account-mail";
import { fromDomain, isPortalPath, messageIdFor, portalUrl, type MailBody } from "./domain/mail-body";
import { kickMailWorker } from "./mail.server";

/** One account mail into the outbox: pending with SMTP_URL (and the worker woken after the commit), kept without. */
function queueAccountMail(
  tx: Tx,
  mail: MailBody & { userId: string | null; to: string; kind: string; key: string; link: string },
): void {
  const env = getEnv();
  const at = new Date(nowMs());
  const status = env.smtpUrl ? "pending" : "kept";
  tx.insert(mailOutbox)
    .values({
      id: crypto.randomUUID(),
      userId: mail.userId,
      toAddress: mail.to,
      kind: mail.kind,
      key: mail.key,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      link: mail.link,
      createdAt: at,
      status,
      attempts: 0,
      nextAttemptAt: status === "pending" ? at : null,
      messageId: messageIdFor(mail.key, mail.to, fromDomain(env.mailFrom)),
    })
    .onConflictDoNothing()
    .run();
  if (status === "pending") afterCommit(kickMailWorker);
}

export function mailSignupConfirmation(tx: Tx, e: DomainEvent<"signup.requested">): void {
  if (!isPortalPath(e.secretPath)) throw new Error("mailSignupConfirmation: the link must be a path of the portal");
  const { baseUrl } = getEnv();
  queueAccountMail(tx, {
    ...renderSignupConfirmMail({
      recipientName: e.name,
      organizationName: e.organizationName,
      kind: e.kind,
      url: portalUrl(baseUrl, e.secretPath),
      signupUrl: portalUrl(baseUrl, "/signup"),
      expiresAt: e.expiresAt,
    }),
    userId: null,
    to: e.email,
    kind: SIGNUP_CONFIRM_MAIL_KIND,
    key: signupConfirmMailKey(e.requestId),
    // The page to act on, without the token: the link itself is in the mail's text only.
    link: "/signup",
  });
}

export function mailSignupAddressInUse(tx: Tx, e: DomainEvent<"signup.address_in_use">): void {
  const user = tx
    .select({ email: users.email, name: users.name, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, e.userId))
    .get();
  if (!user || user.disabledAt) return;
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
