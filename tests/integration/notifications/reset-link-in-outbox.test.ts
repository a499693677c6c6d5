// A password reset link is for its recipient alone. With SMTP_URL, the outbox keeps the link only
// while the mail waits to be sent, and /admin/outbox shows it with its token hidden meanwhile; once the
// mail is sent or set aside (expired, replaced), the outbox's copy (text and HTML) has no link left.
// (Without SMTP_URL the mail is kept and the admin reads the link: tests/integration/accounts/password-reset.test.ts.)
import { and, desc, eq } from "drizzle-orm";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mailOutbox } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { deliverPendingMail } from "../../../app/features/notifications/mail.server";
import type { MailSender } from "../../../app/features/notifications/adapters/smtp.server";
import { outboxMail } from "../../../app/features/notifications/outbox.server";
import {
  PASSWORD_RESET_MAIL_KIND,
  RESET_LINK_REMOVED,
  RESET_TOKEN_HIDDEN,
} from "../../../app/features/notifications/domain/account-mail";
import { resetRateLimits } from "../../../app/features/accounts/auth.server";
import {
  requestPasswordReset,
  resetLinkState,
  RESET_LINK_TTL_MS,
} from "../../../app/features/accounts/password-reset.server";
import { makeUser } from "./fixtures";

// Mail is queued "pending" only with an SMTP server configured; the test sends through its own sender.
process.env.SMTP_URL = "smtp://127.0.0.1:9";
afterAll(() => {
  delete process.env.SMTP_URL;
});
afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

const ADMIN = { system: "test" };
const delivered: { to: string; text: string; html: string }[] = [];
let refuse = false;
const sender: MailSender = {
  send: async (mail) => {
    if (refuse) return { ok: false, detail: "451 4.3.0 Mailbox busy, try again later" };
    delivered.push({ to: mail.to, text: mail.text, html: mail.html });
    return { ok: true, detail: "250 OK" };
  },
  close: () => {},
};

/** The reset mails to `userId`, newest first. */
const resetMails = (userId: string) =>
  db()
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.userId, userId), eq(mailOutbox.kind, PASSWORD_RESET_MAIL_KIND)))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .all();

const tokenIn = (text: string) => /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;

describe("a password reset link in the mail outbox", () => {
  it("is hidden from admins while the mail waits, goes to the recipient, and is gone from the outbox once sent", async () => {
    const grace = makeUser("supplier", "Grace Reset");
    requestPasswordReset({ email: grace.email }, { ip: "203.0.113.80" });
    const [queued] = resetMails(grace.userId);
    expect(queued).toMatchObject({ status: "pending" });
    const token = tokenIn(queued!.text)!;
    expect(token).toBeTruthy();

    // What /admin/outbox shows before it goes: the link, its token hidden.
    const waiting = outboxMail(ADMIN, queued!.id);
    expect(waiting.resetLink).toBe("hidden");
    expect(waiting.mail.text).not.toContain(token);
    expect(waiting.mail.text).toContain(`/reset-password/${RESET_TOKEN_HIDDEN}`);
    expect(waiting.mail).not.toHaveProperty("html");

    expect(await deliverPendingMail({ sender })).toMatchObject({ attempted: 1, sent: 1 });
    // The recipient got the working link, in both parts.
    const got = delivered.find((m) => m.to === grace.email)!;
    expect(got.text).toContain(`/reset-password/${token}`);
    expect(got.html).toContain(`/reset-password/${token}`);
    expect(resetLinkState(token)).toMatchObject({ ok: true, userId: grace.userId });

    // The outbox's copy no longer holds it, in text or HTML, and says so.
    const [sent] = resetMails(grace.userId);
    expect(sent).toMatchObject({ status: "sent" });
    expect(sent!.text).not.toContain(token);
    expect(sent!.html).not.toContain(token);
    expect(sent!.text).not.toContain("/reset-password/");
    expect(sent!.html).not.toContain("/reset-password/");
    expect(sent!.text).toContain(`Set a new password: ${RESET_LINK_REMOVED}`);
    expect(sent!.text).toContain("The link works once, until");
    const after = outboxMail(ADMIN, sent!.id);
    expect(after.resetLink).toBe("removed");
    expect(after.mail.text).toContain(RESET_LINK_REMOVED);
  });

  it("is gone from the outbox's copy of a mail set aside because its link expired or was replaced", async () => {
    const sam = makeUser("supplier", "Sam Reset");
    const t0 = Date.UTC(2031, 6, 1, 12, 0);
    testClock.set(t0);
    requestPasswordReset({ email: sam.email }, { ip: "203.0.113.81" });
    refuse = true;
    try {
      expect(await deliverPendingMail({ sender })).toMatchObject({ attempted: 1, retried: 1 });
    } finally {
      refuse = false;
    }
    const [retrying] = resetMails(sam.userId);
    expect(retrying).toMatchObject({ status: "pending", attempts: 1 });
    const token = tokenIn(retrying!.text)!;
    // Waiting for its retry it still holds the link (it must survive until sent), hidden from admins.
    expect(outboxMail(ADMIN, retrying!.id).mail.text).not.toContain(token);

    // The outage outlasts the link's hour: the mail is set aside, and its copy loses the link.
    testClock.set(t0 + RESET_LINK_TTL_MS + 60_000);
    expect(await deliverPendingMail({ sender })).toMatchObject({ attempted: 0 });
    const [expired] = resetMails(sam.userId);
    expect(expired).toMatchObject({ status: "failed" });
    expect(expired!.lastError).toMatch(/expired before the mail could go/);
    expect(expired!.text).not.toContain(token);
    expect(expired!.html).not.toContain(token);
    expect(expired!.text).toContain(RESET_LINK_REMOVED);

    // Two requests: the first mail's link is replaced before it goes; it is set aside without it.
    requestPasswordReset({ email: sam.email }, { ip: "203.0.113.81" });
    testClock.advance(1000);
    requestPasswordReset({ email: sam.email }, { ip: "203.0.113.81" });
    expect(await deliverPendingMail({ sender })).toMatchObject({ attempted: 1, sent: 1 });
    const [newest, replaced] = resetMails(sam.userId);
    expect(replaced).toMatchObject({ status: "failed" });
    expect(replaced!.lastError).toMatch(/replaced by a newer one/);
    expect(newest).toMatchObject({ status: "sent" });
    for (const m of [newest!, replaced!]) {
      expect(m.text).not.toContain("/reset-password/");
      expect(m.html).not.toContain("/reset-password/");
    }
  });

  it("the forgot-password page says a link is mailed", async () => {
    const { loader } = await import("../../../app/routes/forgot-password");
    const r = (await loader({
      request: new Request("http://localhost/forgot-password"),
      params: {},
      context: {},
    } as never)) as { mailSent: boolean };
    expect(r.mailSent).toBe(true);
  });
});
