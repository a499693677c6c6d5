/**
 * The mail outbox as administrators read it (/admin/outbox): every mail with its status,
 * recipient, subject, attempts and last error, newest first and paged, and one mail's text with
 * every attempt. Admins only: mails carry what their recipients may see, not what every user may.
 * A password reset link is not shown (outboxTextOf) unless the mail is kept: without SMTP_URL the
 * admin hands it over.
 */
import { and, asc, count, desc, eq, type SQL } from "drizzle-orm";
import { mailAttempts, mailOutbox } from "../../../db/schema";
import type { AnyActor } from "../../platform/actor";
import { assertCan } from "../../platform/authorize.server";
import { db } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { ServiceError } from "../../platform/errors.server";
import { redactSmtpUrl } from "./adapters/smtp.server";
import type { MAIL_STATUS_FILTERS } from "./forms";
import { outboxTextOf } from "./domain/account-mail";
import { mailHealth } from "./mail.server";

export const OUTBOX_PER_PAGE = 50;

/** One page of the outbox, newest first, optionally of one status; with counts by status. */
export function outboxPage(actor: AnyActor, query: { page: number; status: (typeof MAIL_STATUS_FILTERS)[number] }) {
  assertCan(actor, "admin.workspace");
  const t = db();
  const where: SQL | undefined = query.status === "all" ? undefined : eq(mailOutbox.status, query.status);
  const total = t.select({ n: count() }).from(mailOutbox).where(where).get()!.n;
  const pages = Math.max(1, Math.ceil(total / OUTBOX_PER_PAGE));
  const page = Math.min(Math.max(1, query.page), pages);
  const mails = t
    .select({
      id: mailOutbox.id,
      status: mailOutbox.status,
      toAddress: mailOutbox.toAddress,
      subject: mailOutbox.subject,
      kind: mailOutbox.kind,
      attempts: mailOutbox.attempts,
      lastError: mailOutbox.lastError,
      createdAt: mailOutbox.createdAt,
      sentAt: mailOutbox.sentAt,
      nextAttemptAt: mailOutbox.nextAttemptAt,
      digestMailId: mailOutbox.digestMailId,
    })
    .from(mailOutbox)
    .where(where)
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(OUTBOX_PER_PAGE)
    .offset((page - 1) * OUTBOX_PER_PAGE)
    .all();
  const env = getEnv();
  return {
    mails,
    total,
    page,
    pages,
    health: mailHealth(),
    smtp: env.smtpUrl ? redactSmtpUrl(env.smtpUrl) : null,
    from: env.mailFrom,
  };
}

/**
 * One mail with its text and every attempt. `resetLink`: for a password reset mail, whether its link
 * is shown (kept), hidden (waiting to be sent) or removed (sent or set aside); null for other mails.
 */
export function outboxMail(actor: AnyActor, id: string) {
  assertCan(actor, "admin.workspace");
  const t = db();
  const mail = t.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get();
  if (!mail) throw new ServiceError("not_found", "There is no mail with this id in the outbox.");
  const attempts = t
    .select()
    .from(mailAttempts)
    .where(and(eq(mailAttempts.mailId, id)))
    .orderBy(asc(mailAttempts.id))
    .all();
  const included =
    mail.kind === "digest"
      ? t.select({ n: count() }).from(mailOutbox).where(eq(mailOutbox.digestMailId, id)).get()!.n
      : 0;
  const { html, claimedBy, ...rest } = mail;
  void html;
  void claimedBy;
  const shown = outboxTextOf(mail);
  return { mail: { ...rest, text: shown.text }, resetLink: shown.link, attempts, included };
}
