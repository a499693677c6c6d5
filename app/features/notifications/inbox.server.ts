/**
 * A user's own notifications: the unread count for the bell, the list, opening one (which marks
 * it read), "mark all read", and the mail preferences per category. Every function acts for the
 * signed-in user only: nobody reads or changes another user's notifications.
 */
import { and, count, desc, eq, inArray, isNull, lte } from "drizzle-orm";
import { mailOutbox, notificationPreferences, notifications } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { nowMs } from "../../platform/clock.server";
import { afterCommit, db, transaction } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { ServiceError } from "../../platform/errors.server";
import {
  CATEGORIES_FOR_ROLE,
  CATEGORY_LABELS,
  defaultEmailPreference,
  NOTIFICATION_CATEGORIES,
  type Category,
  type EmailPreference,
  urgentMailOf,
} from "./domain/categories";
import { kickMailWorker } from "./mail.server";

export const NOTIFICATIONS_PER_PAGE = 25;

/** How many notifications the user has not opened (the bell). */
export function unreadCount(userId: string): number {
  return db()
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .get()!.n;
}

/** The user's notifications, newest first, a page at a time. */
export function listNotifications(actor: Actor, page = 1) {
  const t = db();
  const total = t.select({ n: count() }).from(notifications).where(eq(notifications.userId, actor.userId)).get()!.n;
  const pages = Math.max(1, Math.ceil(total / NOTIFICATIONS_PER_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const items = t
    .select({
      id: notifications.id,
      category: notifications.category,
      kind: notifications.kind,
      title: notifications.title,
      body: notifications.body,
      link: notifications.link,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
    })
    .from(notifications)
    .where(eq(notifications.userId, actor.userId))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(NOTIFICATIONS_PER_PAGE)
    .offset((current - 1) * NOTIFICATIONS_PER_PAGE)
    .all();
  // "Mark all read" marks what was there when the page was shown, not what arrived since.
  const newest = t
    .select({ at: notifications.createdAt })
    .from(notifications)
    .where(eq(notifications.userId, actor.userId))
    .orderBy(desc(notifications.createdAt))
    .limit(1)
    .get();
  return { items, total, unread: unreadCount(actor.userId), page: current, pages, newestAt: newest?.at ?? null };
}

/** Marks one of the user's notifications read and returns where it points. */
export function openNotification(actor: Actor, id: string): string {
  return transaction((tx) => {
    const row = tx
      .select({ link: notifications.link, readAt: notifications.readAt })
      .from(notifications)
      .where(and(eq(notifications.id, id), eq(notifications.userId, actor.userId)))
      .get();
    // A mail's link to a notice taken back since (what it told of changed before it was opened) lands here too.
    if (!row)
      throw new ServiceError(
        "not_found",
        "You have no notification with this id. A notification is taken back when what it told of changed before you opened it (a proposal withdrawn, a conflict of interest declared); your notifications list has what stands.",
      );
    if (!row.readAt)
      tx.update(notifications)
        .set({ readAt: new Date(nowMs()) })
        .where(eq(notifications.id, id))
        .run();
    return row.link;
  });
}

/**
 * Marks the user's unread notifications read: those created up to `upTo` (the newest one the page
 * showed; one that arrived after it stays unread), or all of them. Returns how many.
 */
export function markAllRead(actor: Actor, upTo?: Date): number {
  return transaction(
    (tx) =>
      tx
        .update(notifications)
        .set({ readAt: new Date(nowMs()) })
        .where(
          and(
            eq(notifications.userId, actor.userId),
            isNull(notifications.readAt),
            upTo ? lte(notifications.createdAt, upTo) : undefined,
          ),
        )
        .run().changes,
  );
}

export interface PreferenceRow {
  category: Category;
  label: string;
  hint: string;
  email: EmailPreference;
  isDefault: boolean;
  /** What in this category is mailed at once even with the daily digest. */
  urgent: string[];
}

/** The user's mail choice per category: the role's categories, and any in which the user has notifications. */
export function notificationPreferencesOf(actor: Actor): PreferenceRow[] {
  const t = db();
  const chosen = new Map(
    t
      .select({ category: notificationPreferences.category, email: notificationPreferences.email })
      .from(notificationPreferences)
      .where(eq(notificationPreferences.userId, actor.userId))
      .all()
      .map((p) => [p.category, p.email]),
  );
  const received = new Set(
    t
      .selectDistinct({ category: notifications.category })
      .from(notifications)
      .where(eq(notifications.userId, actor.userId))
      .all()
      .map((r) => r.category),
  );
  const shown = [
    ...CATEGORIES_FOR_ROLE[actor.role],
    ...NOTIFICATION_CATEGORIES.filter((c) => !CATEGORIES_FOR_ROLE[actor.role].includes(c) && received.has(c)),
  ];
  return shown.map((category) => ({
    category,
    ...CATEGORY_LABELS[category],
    email: chosen.get(category) ?? defaultEmailPreference(category),
    isDefault: !chosen.has(category),
    urgent: urgentMailOf(category),
  }));
}

export interface SavedPreferences {
  /** Categories whose choice changed. */
  changed: number;
  /** Mails that waited for the digest and were dropped ("No email" now). */
  dropped: number;
  /** Mails that waited for the digest and are sent now ("Email at once" now). */
  sentNow: number;
}

/**
 * Saves the user's mail choices (the categories given; others unchanged). A new choice applies to
 * the mail already waiting for the next digest too: "No email" drops it, "Email at once" sends it
 * now (the in-app notifications stay as they are).
 */
export function saveNotificationPreferences(
  actor: Actor,
  choices: Partial<Record<Category, EmailPreference>>,
): SavedPreferences {
  const env = getEnv();
  return transaction((tx) => {
    const saved: SavedPreferences = { changed: 0, dropped: 0, sentNow: 0 };
    const at = new Date(nowMs());
    for (const [category, email] of Object.entries(choices) as [Category, EmailPreference][]) {
      const before = tx
        .select({ email: notificationPreferences.email })
        .from(notificationPreferences)
        .where(and(eq(notificationPreferences.userId, actor.userId), eq(notificationPreferences.category, category)))
        .get();
      if ((before?.email ?? defaultEmailPreference(category)) !== email) saved.changed++;
      tx.insert(notificationPreferences)
        .values({ userId: actor.userId, category, email, updatedAt: at })
        .onConflictDoUpdate({
          target: [notificationPreferences.userId, notificationPreferences.category],
          set: { email, updatedAt: at },
        })
        .run();
      if (email === "digest") continue;
      // The mail of this category still waiting for a digest (a mail row and its notification share the key).
      const waiting = tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .innerJoin(
          notifications,
          and(eq(notifications.userId, mailOutbox.userId), eq(notifications.key, mailOutbox.key)),
        )
        .where(
          and(
            eq(mailOutbox.userId, actor.userId),
            eq(mailOutbox.status, "digest"),
            isNull(mailOutbox.digestMailId),
            eq(notifications.category, category),
          ),
        )
        .all()
        .map((r) => r.id);
      if (!waiting.length) continue;
      if (email === "off") {
        saved.dropped += tx.delete(mailOutbox).where(inArray(mailOutbox.id, waiting)).run().changes;
      } else {
        // Without SMTP_URL a mail is kept (as notify does), never sent later by surprise.
        const status = env.smtpUrl ? "pending" : "kept";
        saved.sentNow += tx
          .update(mailOutbox)
          .set({ status, nextAttemptAt: status === "pending" ? at : null })
          .where(inArray(mailOutbox.id, waiting))
          .run().changes;
        if (status === "pending") afterCommit(kickMailWorker);
      }
    }
    return saved;
  });
}
