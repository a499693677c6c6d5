/**
 * A user's own notifications: the unread count for the bell, the list, opening one (which marks
 * it read), "mark all read", and the mail preferences per category. Every function acts for the
 * signed-in user only: nobody reads or changes another user's notifications.
 */
import { and, count, desc, eq, isNull } from "drizzle-orm";
import { notificationPreferences, notifications } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { nowMs } from "../../platform/clock.server";
import { db, transaction } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import {
  CATEGORIES_FOR_ROLE,
  CATEGORY_LABELS,
  defaultEmailPreference,
  NOTIFICATION_CATEGORIES,
  type Category,
  type EmailPreference,
} from "./domain/categories";

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
  return { items, total, unread: unreadCount(actor.userId), page: current, pages };
}

/** Marks one of the user's notifications read and returns where it points. */
export function openNotification(actor: Actor, id: string): string {
  return transaction((tx) => {
    const row = tx
      .select({ link: notifications.link, readAt: notifications.readAt })
      .from(notifications)
      .where(and(eq(notifications.id, id), eq(notifications.userId, actor.userId)))
      .get();
    if (!row) throw new ServiceError("not_found", "You have no notification with this id.");
    if (!row.readAt)
      tx.update(notifications)
        .set({ readAt: new Date(nowMs()) })
        .where(eq(notifications.id, id))
        .run();
    return row.link;
  });
}

/** Marks every unread notification of the user read; returns how many. */
export function markAllRead(actor: Actor): number {
  return transaction(
    (tx) =>
      tx
        .update(notifications)
        .set({ readAt: new Date(nowMs()) })
        .where(and(eq(notifications.userId, actor.userId), isNull(notifications.readAt)))
        .run().changes,
  );
}

export interface PreferenceRow {
  category: Category;
  label: string;
  hint: string;
  email: EmailPreference;
  isDefault: boolean;
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
  }));
}

/** Saves the user's mail choices (the categories given; others unchanged). Returns how many changed. */
export function saveNotificationPreferences(actor: Actor, choices: Partial<Record<Category, EmailPreference>>): number {
  return transaction((tx) => {
    let changed = 0;
    const at = new Date(nowMs());
    for (const [category, email] of Object.entries(choices) as [Category, EmailPreference][]) {
      const before = tx
        .select({ email: notificationPreferences.email })
        .from(notificationPreferences)
        .where(and(eq(notificationPreferences.userId, actor.userId), eq(notificationPreferences.category, category)))
        .get();
      if ((before?.email ?? defaultEmailPreference(category)) !== email) changed++;
      tx.insert(notificationPreferences)
        .values({ userId: actor.userId, category, email, updatedAt: at })
        .onConflictDoUpdate({
          target: [notificationPreferences.userId, notificationPreferences.category],
          set: { email, updatedAt: at },
        })
        .run();
    }
    return changed;
  });
}
