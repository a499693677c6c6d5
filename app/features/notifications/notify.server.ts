/**
 * The one way a module tells people something: `notify` writes, in the transaction of the change
 * that calls for it, one in-app notification per recipient and, for each recipient whose
 * preference for the category asks for mail, one row of the mail outbox (sent by the mail worker,
 * mail.server.ts, or kept for the daily digest). Idempotent per (key, user): an event notifies a
 * user at most once, ever, however often (and in however many processes) it is raised; a second
 * call with the same key writes nothing, mail included.
 *
 * The caller decides who may see what: `userIds` must already be filtered (the disclosure rules
 * apply to notifications as to every view), and title and body must carry nothing the recipients
 * may not read.
 */
import crypto from "node:crypto";
import { and, desc, eq, inArray, isNull, notInArray, or, sql } from "drizzle-orm";
import { mailOutbox, notificationPreferences, notifications, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { afterCommit, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import {
  defaultEmailPreference,
  mailRouting,
  URGENT_MAIL,
  type Category,
  type UrgentReason,
} from "./domain/categories";
import {
  isPortalPath,
  messageIdFor,
  fromDomain,
  notificationPath,
  oneLine,
  portalUrl,
  renderNotificationMail,
  type MailBody,
} from "./domain/mail-body";
import { kickMailWorker } from "./mail.server";

export type NotificationCategory = "reports" | "submissions" | "recurring" | "seals" | "watch" | "reviews" | "system";

// The contract's category type and the domain's list (schema, settings page) are one set: checked by the compiler.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const categoriesAgree: Same<NotificationCategory, Category> = true;
void categoriesAgree;

export interface NotificationInput {
  userIds: string[]; // recipients (user ids), already filtered to who may see it
  category: NotificationCategory;
  kind: string; // e.g. "report.deadline.7d"
  key: string; // idempotency key of the event: (key, user) notifies at most once, ever
  title: string; // one line plain text
  body: string; // plain text, a few sentences
  link: string; // a path in the portal to act on, e.g. "/supplier/submissions/<id>/requirements/5.1-1"
  /** Mail at once even to a user whose preference for the category is "digest": why (listed on the settings page). */
  urgent?: UrgentReason;
}

/** The settings page, linked from every mail. */
export const NOTIFICATION_SETTINGS_PATH = "/notifications/settings";

/** Writes, in `tx` (the transaction of the change), one in-app notification per user and one mail-outbox row per user whose preference asks for mail. Returns the number of in-app notifications created (0 when all existed). */
export function notify(tx: Tx, n: NotificationInput): number {
  if (!n.key) throw new Error("notify: the idempotency key must not be empty");
  if (!isPortalPath(n.link))
    throw new Error(`notify: the link must be a path of the portal, got ${JSON.stringify(n.link)}`);
  if (n.urgent && URGENT_MAIL[n.urgent].category !== n.category)
    throw new Error(`notify: the urgent reason ${n.urgent} belongs to the category ${URGENT_MAIL[n.urgent].category}`);
  const userIds = [...new Set(n.userIds)];
  if (!userIds.length) return 0;
  const env = getEnv();
  const at = new Date(nowMs());
  const title = oneLine(n.title);
  const body = n.body.trim();
  // Recipients that exist; a disabled account keeps its in-app notifications but gets no mail.
  const recipients = tx
    .select({ id: users.id, email: users.email, name: users.name, disabledAt: users.disabledAt })
    .from(users)
    .where(inArray(users.id, userIds))
    .all();
  const chosen = new Map(
    tx
      .select({ userId: notificationPreferences.userId, email: notificationPreferences.email })
      .from(notificationPreferences)
      .where(and(inArray(notificationPreferences.userId, userIds), eq(notificationPreferences.category, n.category)))
      .all()
      .map((p) => [p.userId, p.email]),
  );
  let created = 0;
  let queued = 0;
  for (const user of recipients) {
    const notificationId = crypto.randomUUID();
    const inserted = tx
      .insert(notifications)
      .values({
        id: notificationId,
        userId: user.id,
        category: n.category,
        kind: n.kind,
        key: n.key,
        title,
        body,
        link: n.link,
        createdAt: at,
      })
      .onConflictDoNothing()
      .run().changes;
    if (!inserted) continue; // told before: no second mail either
    created++;
    if (user.disabledAt) continue;
    const route = mailRouting(chosen.get(user.id) ?? defaultEmailPreference(n.category), Boolean(n.urgent));
    if (route === "none") continue;
    const mail = renderNotificationMail({
      recipientName: user.name,
      title,
      body,
      // Through the notification, so reading it by mail marks it read in the app too; it goes on to `link`.
      url: portalUrl(env.baseUrl, notificationPath(notificationId)),
      settingsUrl: portalUrl(env.baseUrl, NOTIFICATION_SETTINGS_PATH),
    });
    // Without SMTP_URL a mail is kept (readable at /admin/outbox), never sent later by surprise.
    const status = route === "digest" ? "digest" : env.smtpUrl ? "pending" : "kept";
    const written = tx
      .insert(mailOutbox)
      .values(
        mailOutboxRow({ userId: user.id, to: user.email, kind: n.kind, key: n.key, link: n.link, ...mail }, status, at),
      )
      .onConflictDoNothing()
      .run().changes;
    if (written && status === "pending") queued++;
  }
  // Mail queued for now: the worker (if this process runs one) sends it right after the commit.
  if (queued) afterCommit(kickMailWorker);
  return created;
}

/**
 * A row of the mail outbox: due at once when "pending", its Message-ID derived from its key and
 * address (the same on every attempt). Shared by notifications and the account mails.
 */
export function mailOutboxRow(
  mail: MailBody & { userId: string | null; to: string; kind: string; key: string; link: string },
  status: "pending" | "kept" | "digest",
  at: Date,
): typeof mailOutbox.$inferInsert {
  return {
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
    messageId: messageIdFor(mail.key, mail.to, fromDomain(getEnv().mailFrom)),
  };
}

/** A key column starting with `prefix`, exactly (no LIKE: keys hold "_", LIKE's wildcard). */
const keyStartsWith = (key: typeof notifications.key | typeof mailOutbox.key, prefix: string) =>
  sql`substr(${key}, 1, ${prefix.length}) = ${prefix}`;

/**
 * Marks read, for everyone, the unread notices with `key` (or every key starting with `prefix`):
 * the to-do they told of is done, by whoever did it ("New in the queue" once an assessor decided,
 * "Recurring evidence to check" once one accepted it). Unlike `retract` the notice stays in each
 * list, as history; only the bell stops counting it. Mail already queued is left as it is. Returns
 * how many notices it marked.
 */
export function settle(tx: Tx, match: { key: string } | { prefix: string }): number {
  const keyMatches = "key" in match ? eq(notifications.key, match.key) : keyStartsWith(notifications.key, match.prefix);
  return tx
    .update(notifications)
    .set({ readAt: new Date(nowMs()) })
    .where(and(keyMatches, isNull(notifications.readAt)))
    .run().changes;
}

/**
 * The newest key starting with `prefix` that `notify` wrote (in-app or mail), for a rule that takes
 * back the last of a series (a submission's latest "submitted" notice); null when none.
 */
export function latestKeyLike(tx: Tx, prefix: string): string | null {
  const inApp = tx
    .select({ key: notifications.key, at: notifications.createdAt })
    .from(notifications)
    .where(keyStartsWith(notifications.key, prefix))
    .orderBy(desc(notifications.createdAt))
    .limit(1)
    .get();
  const mailed = tx
    .select({ key: mailOutbox.key, at: mailOutbox.createdAt })
    .from(mailOutbox)
    .where(keyStartsWith(mailOutbox.key, prefix))
    .orderBy(desc(mailOutbox.createdAt))
    .limit(1)
    .get();
  const newest = [inApp, mailed].filter((r) => r !== undefined).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  return newest?.key ?? null;
}

/** Every key `notify` wrote (in-app or mail) that is `base` or starts with `base:`. */
function keysOf(tx: Tx, base: string): Set<string> {
  const under = (k: typeof notifications.key | typeof mailOutbox.key) => or(eq(k, base), keyStartsWith(k, `${base}:`));
  return new Set(
    [
      ...tx.selectDistinct({ key: notifications.key }).from(notifications).where(under(notifications.key)).all(),
      ...tx.selectDistinct({ key: mailOutbox.key }).from(mailOutbox).where(under(mailOutbox.key)).all(),
    ].map((r) => r.key),
  );
}

/**
 * A to-do that can come back (no assessor can confirm an approval; then someone can; then nobody can
 * again): the key to tell it under now. The first time `base`, then `base:2`, `base:3`…: while one is
 * told and not yet done (closeToDo), that one, so nobody is told twice while it lasts, read or not;
 * each time has its own key, so its mail its own Message-ID.
 */
export function recurringToDoKey(tx: Tx, base: string): string {
  const keys = [...keysOf(tx, base)];
  const open = keys.find((k) => !k.endsWith(":done"));
  if (open) return open;
  const times = keys.length; // each done
  return times === 0 ? base : `${base}:${times + 1}`;
}

/**
 * Marks the time of a recurring to-do that is told now done for everyone (`settle`; the notices stay
 * in the lists) and keeps it, with its mail, under `<key>:done`, so that recurringToDoKey gives the
 * next time a key of its own. Returns whether one was open.
 */
export function closeToDo(tx: Tx, base: string): boolean {
  const open = [...keysOf(tx, base)].find((k) => !k.endsWith(":done"));
  if (!open) return false;
  settle(tx, { key: open });
  tx.update(notifications)
    .set({ key: `${open}:done` })
    .where(eq(notifications.key, open))
    .run();
  tx.update(mailOutbox)
    .set({ key: `${open}:done` })
    .where(eq(mailOutbox.key, open))
    .run();
  return true;
}

/**
 * Takes back what `notify` wrote for `key`, when the change it told of was undone before anyone
 * could act on it (recurring evidence whose bytes the store never took): the in-app notifications,
 * read or not, and the mail not yet tried (pending, kept, or waiting for a digest that has not gone
 * out). Mail already sent or being tried stays: it cannot be taken back, and its link then answers
 * that there is no such item. Returns what it removed.
 */
export function retract(
  tx: Tx,
  key: string,
  opts: { keepUserIds?: readonly string[]; onlyUserIds?: readonly string[] } = {},
): { notifications: number; mails: number } {
  // `keepUserIds`: those who acted on it keep theirs (the assessor who confirmed a proposal).
  // `onlyUserIds`: taken back from these alone (an assessor no longer free to act on it).
  const keep = opts.keepUserIds?.length ? [...opts.keepUserIds] : null;
  const only = opts.onlyUserIds ? [...opts.onlyUserIds] : null;
  if (only && !only.length) return { notifications: 0, mails: 0 };
  const removed = tx
    .delete(notifications)
    .where(
      and(
        eq(notifications.key, key),
        keep ? notInArray(notifications.userId, keep) : undefined,
        only ? inArray(notifications.userId, only) : undefined,
      ),
    )
    .run().changes;
  const mails = tx
    .delete(mailOutbox)
    .where(
      and(
        eq(mailOutbox.key, key),
        keep ? notInArray(mailOutbox.userId, keep) : undefined,
        only ? inArray(mailOutbox.userId, only) : undefined,
        eq(mailOutbox.attempts, 0),
        or(
          inArray(mailOutbox.status, ["pending", "kept"]),
          and(eq(mailOutbox.status, "digest"), isNull(mailOutbox.digestMailId)),
        ),
      ),
    )
    .run().changes;
  return { notifications: removed, mails };
}
