// The notification core against a real database, without SMTP_URL: `notify` writes one in-app
// notification per user and per event key (never twice), mail as each user's preference says
// (instant, digest, off; urgent beats the digest), kept rather than sent when no SMTP server is
// configured; the daily digest combines the waiting mail once a day; each user reads and marks only
// their own notifications; only admins read the outbox.
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mailOutbox, notifications, users } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { notify, retract, type NotificationInput } from "../../../app/features/notifications/notify.server";
import { deliverPendingMail, sendDigests } from "../../../app/features/notifications/mail.server";
import {
  listNotifications,
  markAllRead,
  notificationPreferencesOf,
  openNotification,
  saveNotificationPreferences,
  unreadCount,
} from "../../../app/features/notifications/inbox.server";
import { outboxMail, outboxPage } from "../../../app/features/notifications/outbox.server";
import { preferencesInput } from "../../../app/features/notifications/forms";
import type { Actor } from "../../../app/platform/actor";
import { makeUser } from "./fixtures";

let grace: Actor, sam: Actor, buyer: Actor, admin: Actor, gone: Actor;

beforeAll(() => {
  delete process.env.SMTP_URL;
  grace = makeUser("supplier", "Grace");
  sam = makeUser("supplier", "Sam");
  buyer = makeUser("retailer", "Bea Buyer");
  admin = makeUser("admin", "Ada Admin");
  gone = makeUser("supplier", "Gone");
  db().update(users).set({ disabledAt: new Date() }).where(eq(users.id, gone.userId)).run();
});

afterEach(() => testClock.reset());

const event = (over: Partial<NotificationInput> = {}): NotificationInput => ({
  userIds: [grace.userId],
  category: "reports",
  kind: "report.deadline.7d",
  key: `report.deadline.7d:${Math.random()}`,
  title: "High report on Gator Kids Watch 3: deadline in 7 days",
  body: "The disclosure deadline of IOTSEAL-2026-0007 is 2026-12-10.\n\nAnswer it before then.",
  link: "/findings/f-1",
  ...over,
});

const mailsOf = (key: string) => db().select().from(mailOutbox).where(eq(mailOutbox.key, key)).all();

describe("notify", () => {
  it("tells each user once per key, ever, and mails each once", () => {
    const e = event({ userIds: [grace.userId, sam.userId, grace.userId] });
    expect(transaction((tx) => notify(tx, e))).toBe(2);
    expect(transaction((tx) => notify(tx, e))).toBe(0);
    expect(transaction((tx) => notify(tx, { ...e, title: "Something else" }))).toBe(0);
    const rows = db().select().from(notifications).where(eq(notifications.key, e.key)).all();
    expect(rows.map((r) => r.userId).sort()).toEqual([grace.userId, sam.userId].sort());
    const mails = mailsOf(e.key);
    expect(mails).toHaveLength(2);
    // No SMTP_URL: kept for admins to read, never sent.
    expect(mails.every((m) => m.status === "kept" && m.nextAttemptAt === null)).toBe(true);
    expect(mails.map((m) => m.toAddress).sort()).toEqual([grace.email, sam.email].sort());
    expect(mails[0]!.subject).toBe(e.title);
    // The mail links to the recipient's own notification (opening it marks it read and goes on to the page).
    for (const m of mails) {
      const own = rows.find((r) => r.userId === m.userId)!;
      expect(m.link).toBe("/findings/f-1");
      expect(m.text).toContain(`http://localhost:3000/notifications/${own.id}`);
      expect(m.html).toContain(`href="http://localhost:3000/notifications/${own.id}"`);
    }
    expect(mails[0]!.messageId).toMatch(/^<[0-9a-f]{40}@iotseal\.local>$/);
  });

  it("a user added to a later call of the same event is told; the others are not told again", () => {
    const e = event();
    expect(transaction((tx) => notify(tx, e))).toBe(1);
    expect(transaction((tx) => notify(tx, { ...e, userIds: [grace.userId, sam.userId] }))).toBe(1);
    expect(mailsOf(e.key)).toHaveLength(2);
  });

  it("writes nothing when the change rolls back", () => {
    const e = event();
    expect(() =>
      transaction((tx) => {
        notify(tx, e);
        throw new Error("the change failed");
      }),
    ).toThrow("the change failed");
    expect(db().select().from(notifications).where(eq(notifications.key, e.key)).all()).toHaveLength(0);
    expect(mailsOf(e.key)).toHaveLength(0);
  });

  it("refuses a link that is not a path of the portal", () => {
    expect(() => transaction((tx) => notify(tx, event({ link: "https://evil.example/x" })))).toThrow(
      /path of the portal/,
    );
    expect(() => transaction((tx) => notify(tx, event({ link: "//evil.example/x" })))).toThrow(/path of the portal/);
  });

  it("tells a disabled user in the app but mails nobody who cannot log in", () => {
    const e = event({ userIds: [gone.userId] });
    expect(transaction((tx) => notify(tx, e))).toBe(1);
    expect(mailsOf(e.key)).toHaveLength(0);
  });

  it("follows each user's preference: off, digest (unless urgent), instant; watch events default to the digest", () => {
    saveNotificationPreferences(grace, { reports: "off" });
    saveNotificationPreferences(sam, { reports: "digest" });
    const e = event({ userIds: [grace.userId, sam.userId] });
    expect(transaction((tx) => notify(tx, e))).toBe(2);
    const mails = mailsOf(e.key);
    expect(mails.map((m) => [m.toAddress, m.status])).toEqual([[sam.email, "digest"]]);

    const urgent = event({ userIds: [grace.userId, sam.userId], urgent: "report-deadline" });
    transaction((tx) => notify(tx, urgent));
    expect(mailsOf(urgent.key).map((m) => [m.toAddress, m.status])).toEqual([[sam.email, "kept"]]);

    const watch = event({ userIds: [buyer.userId], category: "watch", kind: "watch.seal.changed" });
    transaction((tx) => notify(tx, watch));
    expect(mailsOf(watch.key).map((m) => m.status)).toEqual(["digest"]);
    const revoked = event({
      userIds: [buyer.userId],
      category: "watch",
      kind: "watch.seal.revoked",
      urgent: "watched-seal-withdrawn",
    });
    // An urgent reason belongs to one category (the settings page lists it there).
    expect(() => transaction((tx) => notify(tx, { ...revoked, key: `${revoked.key}:x`, category: "reports" }))).toThrow(
      /belongs to the category watch/,
    );
    transaction((tx) => notify(tx, revoked));
    expect(mailsOf(revoked.key).map((m) => m.status)).toEqual(["kept"]);
    saveNotificationPreferences(grace, { reports: "instant" });
    saveNotificationPreferences(sam, { reports: "instant" });
  });

  it("does not send without SMTP_URL", async () => {
    expect(await deliverPendingMail()).toEqual({ attempted: 0, sent: 0, retried: 0, failed: 0, released: 0 });
  });
});

describe("retract", () => {
  it("takes back the in-app notifications and the mail not yet tried; mail sent or being tried stays", () => {
    const e = event({ userIds: [grace.userId, sam.userId] });
    transaction((tx) => notify(tx, e));
    const other = event();
    transaction((tx) => notify(tx, other));
    const [first] = mailsOf(e.key);
    db()
      .update(mailOutbox)
      .set({ status: "sent", attempts: 1, sentAt: new Date() })
      .where(eq(mailOutbox.id, first.id))
      .run();
    expect(transaction((tx) => retract(tx, e.key))).toEqual({ notifications: 2, mails: 1 });
    expect(db().select().from(notifications).where(eq(notifications.key, e.key)).all()).toEqual([]);
    expect(mailsOf(e.key).map((m) => [m.id, m.status])).toEqual([[first.id, "sent"]]);
    expect(mailsOf(other.key)).toHaveLength(1); // another event's are untouched
    expect(transaction((tx) => retract(tx, e.key))).toEqual({ notifications: 0, mails: 0 });
  });
});

describe("the daily digest", () => {
  it("combines a user's waiting mail once a day, from 07:00 UTC, and marks it included", () => {
    const day = Date.UTC(2031, 2, 4);
    testClock.set(day - 86_400_000 + 8 * 3600_000);
    sendDigests(); // the day before: the other tests' waiting mail goes in their users' digests
    testClock.set(day + 6 * 3600_000); // 06:00 UTC
    const reader = makeUser("retailer", "Digest Reader");
    for (const n of [1, 2, 3])
      transaction((tx) =>
        notify(tx, {
          userIds: [reader.userId],
          category: "watch",
          kind: "watch.seal.changed",
          key: `watch:${reader.userId}:${n}`,
          title: `Watched seal ${n} changed`,
          body: `What changed on seal ${n}.`,
          link: `/retailer/watchlist?n=${n}`,
        }),
      );
    expect(sendDigests()).toBe(0); // before 07:00
    testClock.set(day + 7 * 3600_000 + 60_000);
    expect(sendDigests()).toBe(1);
    expect(sendDigests()).toBe(0); // once a day, however often it runs
    const key = `digest:${reader.userId}:2031-03-04`;
    const [digest] = mailsOf(key);
    expect(digest).toMatchObject({ kind: "digest", status: "kept", toAddress: reader.email, link: "/notifications" });
    expect(digest!.subject).toBe("IoT Seal daily digest for 2031-03-04: 3 notifications");
    for (const n of [1, 2, 3]) {
      expect(digest!.text).toContain(`Watched seal ${n} changed`);
      expect(digest!.text).toContain(`What changed on seal ${n}.`);
      const own = db()
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, reader.userId), eq(notifications.key, `watch:${reader.userId}:${n}`)))
        .get()!;
      expect(own.link).toBe(`/retailer/watchlist?n=${n}`);
      expect(digest!.text).toContain(`http://localhost:3000/notifications/${own.id}`);
    }
    const included = db()
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.userId, reader.userId), eq(mailOutbox.status, "digest")))
      .all();
    expect(included.map((r) => r.digestMailId)).toEqual([digest!.id, digest!.id, digest!.id]);

    // What arrives after today's digest waits for tomorrow's.
    transaction((tx) =>
      notify(tx, {
        userIds: [reader.userId],
        category: "watch",
        kind: "watch.policy.unmet",
        key: `watch:${reader.userId}:4`,
        title: "A watched product no longer meets a policy",
        body: "Children's wearables.",
        link: "/retailer/watchlist",
      }),
    );
    expect(sendDigests()).toBe(0);
    testClock.set(day + 86_400_000 + 8 * 3600_000);
    expect(sendDigests()).toBe(1);
    expect(mailsOf(`digest:${reader.userId}:2031-03-05`)[0]!.subject).toMatch(/: 1 notification$/);
  });
});

describe("a new mail choice applies to the mail waiting for the digest", () => {
  const watchEvent = (reader: Actor, n: number): NotificationInput => ({
    userIds: [reader.userId],
    category: "watch",
    kind: "watch.seal.changed",
    key: `waiting:${reader.userId}:${n}`,
    title: `Watched seal ${n} expired`,
    body: `Seal ${n} expired.`,
    link: "/retailer/watchlist",
  });
  const waitingOf = (reader: Actor) =>
    db()
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.userId, reader.userId)))
      .all();

  it('"No email" drops it; the in-app notifications stay', () => {
    const reader = makeUser("retailer", "Quiet Reader");
    for (const n of [1, 2]) transaction((tx) => notify(tx, watchEvent(reader, n)));
    // Another category's waiting mail is not touched.
    transaction((tx) =>
      notify(tx, { ...event({ userIds: [reader.userId], category: "reports" }), key: `waiting:${reader.userId}:r` }),
    );
    saveNotificationPreferences(reader, { reports: "digest" }); // make the report's next mail wait too
    expect(waitingOf(reader).map((m) => m.status)).toEqual(["digest", "digest", "kept"]);
    expect(saveNotificationPreferences(reader, { watch: "off" })).toEqual({ changed: 1, dropped: 2, sentNow: 0 });
    expect(waitingOf(reader).map((m) => m.key)).toEqual([`waiting:${reader.userId}:r`]);
    expect(listNotifications(reader).total).toBe(3);
    testClock.set(Date.UTC(2031, 5, 1, 8));
    sendDigests();
    expect(mailsOf(`digest:${reader.userId}:2031-06-01`)).toHaveLength(0);
  });

  it('"Email at once" sends it now instead of in tomorrow\'s digest', () => {
    const reader = makeUser("retailer", "Eager Reader");
    for (const n of [1, 2]) transaction((tx) => notify(tx, watchEvent(reader, n)));
    expect(saveNotificationPreferences(reader, { watch: "instant" })).toEqual({ changed: 1, dropped: 0, sentNow: 2 });
    // No SMTP_URL here: kept (readable at /admin/outbox), as notify keeps any mail.
    expect(waitingOf(reader).map((m) => [m.status, m.digestMailId])).toEqual([
      ["kept", null],
      ["kept", null],
    ]);
    testClock.set(Date.UTC(2031, 5, 2, 8));
    sendDigests();
    expect(mailsOf(`digest:${reader.userId}:2031-06-02`)).toHaveLength(0);
  });
});

describe("a user's own notifications", () => {
  it("lists them newest first with the unread count; opening one marks it read and gives its link", () => {
    const me = makeUser("supplier", "Lister");
    const other = makeUser("supplier", "Other");
    for (const n of [1, 2, 3]) {
      testClock.set(Date.UTC(2031, 0, 1, 10, n));
      transaction((tx) =>
        notify(tx, {
          userIds: [me.userId],
          category: "submissions",
          kind: "submission.changes_requested",
          key: `list:${me.userId}:${n}`,
          title: `Changes requested ${n}`,
          body: "Comments on 5.1-1.",
          link: `/supplier/submissions/s${n}/requirements/5.1-1`,
        }),
      );
    }
    const page = listNotifications(me);
    expect(page.items.map((i) => i.title)).toEqual([
      "Changes requested 3",
      "Changes requested 2",
      "Changes requested 1",
    ]);
    expect(page.unread).toBe(3);
    expect(unreadCount(me.userId)).toBe(3);
    expect(openNotification(me, page.items[1]!.id)).toBe("/supplier/submissions/s2/requirements/5.1-1");
    expect(unreadCount(me.userId)).toBe(2);
    // Nobody opens, lists or marks another user's notifications.
    expect(() => openNotification(other, page.items[0]!.id)).toThrow(/no notification with this id/);
    expect(listNotifications(other).items).toHaveLength(0);
    expect(markAllRead(other)).toBe(0);
    expect(unreadCount(me.userId)).toBe(2);
    // "Mark all read" marks what the page showed: one that arrived after it stays unread.
    const shown = listNotifications(me).newestAt!;
    testClock.set(Date.UTC(2031, 0, 1, 10, 9));
    transaction((tx) =>
      notify(tx, {
        userIds: [me.userId],
        category: "submissions",
        kind: "submission.rejected",
        key: `list:${me.userId}:late`,
        title: "Rejected",
        body: "Arrived after the page was shown.",
        link: "/supplier/submissions/s9",
      }),
    );
    expect(markAllRead(me, shown)).toBe(2);
    expect(unreadCount(me.userId)).toBe(1);
    expect(listNotifications(me).items.find((i) => !i.readAt)!.title).toBe("Rejected");
    expect(markAllRead(me)).toBe(1);
    expect(unreadCount(me.userId)).toBe(0);
  });

  it("shows the categories the role is sent, with their defaults and urgent mails, and saves a choice", () => {
    const b = makeUser("retailer", "Pref Buyer");
    const before = notificationPreferencesOf(b);
    expect(before.map((p) => [p.category, p.email])).toEqual([["watch", "digest"]]);
    expect(before[0]!.urgent).toEqual(["a watched seal suspended or revoked"]);
    const parsed = preferencesInput.parse({ "email.watch": "instant", "email.seals": "off", other: "x" });
    expect(saveNotificationPreferences(b, parsed).changed).toBe(2);
    expect(saveNotificationPreferences(b, parsed).changed).toBe(0);
    // A category chosen but never sent to the role is not shown until the user has one of it.
    expect(notificationPreferencesOf(b).map((p) => [p.category, p.email, p.isDefault])).toEqual([
      ["watch", "instant", false],
    ]);
    expect(notificationPreferencesOf(makeUser("supplier", "Pref Supplier")).map((p) => p.category)).toEqual([
      "reports",
      "submissions",
      "recurring",
      "seals",
    ]);
    expect(notificationPreferencesOf(makeUser("assessor", "Pref Assessor")).map((p) => p.category)).toEqual([
      "reviews",
      "reports",
      "recurring",
    ]);
    expect(notificationPreferencesOf(admin).map((p) => p.category)[0]).toBe("system");
    expect(preferencesInput.safeParse({ "email.watch": "sometimes" }).success).toBe(false);
    expect(preferencesInput.safeParse({}).success).toBe(false);
  });
});

describe("the outbox", () => {
  it("is for admins only, paged, with one mail's text and attempts", () => {
    const page = outboxPage(admin, { page: 1, status: "all" });
    expect(page.total).toBeGreaterThan(0);
    expect(page.smtp).toBeNull();
    const one = outboxMail(admin, page.mails[0]!.id);
    expect(one.mail.text.length).toBeGreaterThan(0);
    expect(one.attempts).toEqual([]);
    expect(outboxPage(admin, { page: 1, status: "kept" }).mails.every((m) => m.status === "kept")).toBe(true);
    for (const who of [grace, buyer]) {
      expect(() => outboxPage(who, { page: 1, status: "all" })).toThrow(/permission/);
      expect(() => outboxMail(who, page.mails[0]!.id)).toThrow(/permission/);
    }
    expect(() => outboxMail(admin, "no-such-mail")).toThrow(/no mail with this id/);
  });
});
