// A registration's confirmation link (decision record 037) is for the address's owner alone, like a
// reset link. With SMTP_URL, the outbox keeps it only while the mail waits to be sent, hidden from
// admins; once sent, or set aside because it expired first, the outbox's copy has no link left.
// (Without SMTP_URL the mail is kept and the admin reads the link: accounts/signup-confirmation.test.ts.)
import { desc, eq } from "drizzle-orm";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mailOutbox } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { deliverPendingMail } from "../../../app/features/notifications/mail.server";
import type { MailSender } from "../../../app/features/notifications/adapters/smtp.server";
import { outboxMail } from "../../../app/features/notifications/outbox.server";
import { RESET_LINK_REMOVED } from "../../../app/features/notifications/domain/account-mail";
import { resetRateLimits } from "../../../app/features/accounts/auth.server";
import { requestSignup, signupLinkState, SIGNUP_LINK_TTL_MS } from "../../../app/features/accounts/signup.server";

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

const mailsTo = (email: string) =>
  db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, email)).orderBy(desc(mailOutbox.createdAt)).all();
const tokenIn = (text: string) => /\/signup\/confirm\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;
const registration = (email: string) => ({
  kind: "retailer" as const,
  organizationName: `Shop of ${email}`,
  name: "Pat Shop",
  email,
  password: "a long enough password",
});

describe("a confirmation link in the mail outbox", () => {
  it("is hidden from admins while the mail waits, reaches the address, and is gone from the outbox once sent", async () => {
    await requestSignup(registration("pat@shop.test"), { ip: "203.0.113.90" });
    const [queued] = mailsTo("pat@shop.test");
    expect(queued).toMatchObject({ status: "pending", userId: null });
    const token = tokenIn(queued!.text)!;
    const waiting = outboxMail(ADMIN, queued!.id);
    expect(waiting.resetLink).toBe("hidden");
    expect(waiting.mail.text).not.toContain(token);

    expect(await deliverPendingMail({ sender })).toMatchObject({ attempted: 1, sent: 1 });
    const got = delivered.find((m) => m.to === "pat@shop.test")!;
    expect(got.text).toContain(`/signup/confirm/${token}`);
    expect(got.html).toContain(`/signup/confirm/${token}`);
    expect(signupLinkState(token)).toMatchObject({ ok: true, email: "pat@shop.test" });

    const [sent] = mailsTo("pat@shop.test");
    expect(sent).toMatchObject({ status: "sent" });
    expect(sent!.text).not.toContain(token);
    expect(sent!.html).not.toContain(token);
    expect(sent!.text).toContain(`Confirm your registration: ${RESET_LINK_REMOVED}`);
    expect(outboxMail(ADMIN, sent!.id).resetLink).toBe("removed");
  });

  it("is set aside, without its link, when a mail outage outlasts the link's 24 hours", async () => {
    const t0 = Date.UTC(2031, 6, 1, 12, 0);
    testClock.set(t0);
    await requestSignup(registration("late@shop.test"), { ip: "203.0.113.91" });
    refuse = true;
    try {
      expect(await deliverPendingMail({ sender })).toMatchObject({ attempted: 1, retried: 1 });
    } finally {
      refuse = false;
    }
    const token = tokenIn(mailsTo("late@shop.test")[0]!.text)!;
    testClock.set(t0 + SIGNUP_LINK_TTL_MS + 60_000);
    expect(await deliverPendingMail({ sender })).toMatchObject({ attempted: 0 });
    const [expired] = mailsTo("late@shop.test");
    expect(expired).toMatchObject({ status: "failed" });
    expect(expired!.lastError).toBe("Not sent: the registration link it carries expired before the mail could go.");
    expect(expired!.text).not.toContain(token);
    expect(expired!.html).not.toContain(token);
    expect(delivered.some((m) => m.to === "late@shop.test")).toBe(false);
  });
});
