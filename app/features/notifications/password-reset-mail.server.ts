/**
 * The password reset mail ("password.reset_requested", from the accounts module): one row of the
 * mail outbox, written in the transaction that made the link, so a link is mailed exactly when it
 * exists. Not a notification: no in-app entry (the user cannot log in) and no preference applies
 * (the user asked for it). Sent by the mail worker like any mail; without SMTP_URL it is kept, and
 * admins read it at /admin/outbox (the demo). Subscribed in app/system/wiring.server.ts.
 */
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { mailOutbox, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { afterCommit, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import type { DomainEvent } from "../../platform/events.server";
import { fromDomain, isPortalPath, messageIdFor, portalUrl } from "./domain/mail-body";
import { PASSWORD_RESET_MAIL_KIND, passwordResetMailKey, renderPasswordResetMail } from "./domain/account-mail";

export { PASSWORD_RESET_MAIL_KIND };
import { kickMailWorker } from "./mail.server";

export function mailPasswordReset(tx: Tx, e: DomainEvent<"password.reset_requested">): void {
  if (!isPortalPath(e.secretPath)) throw new Error("mailPasswordReset: the link must be a path of the portal");
  const user = tx
    .select({ email: users.email, name: users.name, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, e.userId))
    .get();
  if (!user || user.disabledAt) return;
  const env = getEnv();
  const at = new Date(nowMs());
  const key = passwordResetMailKey(e.resetId);
  const status = env.smtpUrl ? "pending" : "kept";
  const mail = renderPasswordResetMail({
    recipientName: user.name,
    url: portalUrl(env.baseUrl, e.secretPath),
    askAgainUrl: portalUrl(env.baseUrl, "/forgot-password"),
    expiresAt: e.expiresAt,
    requestedBy: e.requestedBy,
  });
  tx.insert(mailOutbox)
    .values({
      id: crypto.randomUUID(),
      userId: e.userId,
      toAddress: user.email,
      kind: PASSWORD_RESET_MAIL_KIND,
      key,
      ...mail,
      // The page to act on, without the token: the link itself is in the mail's text only.
      link: "/forgot-password",
      createdAt: at,
      status,
      attempts: 0,
      nextAttemptAt: status === "pending" ? at : null,
      messageId: messageIdFor(key, user.email, fromDomain(env.mailFrom)),
    })
    .onConflictDoNothing()
    .run();
  if (status === "pending") afterCommit(kickMailWorker);
}
