// Mail queued for a user who is disabled before it goes is not sent: the worker's claim marks it
// failed, "recipient disabled". A password reset mail keeps its own rule (its link belongs to a
// disabled account), and mail to enabled users goes as before.
import { eq, inArray } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { mailAttempts, mailOutbox } from "../../../db/schema";
import { transaction, db } from "../../../app/platform/db.server";
import { notify } from "../../../app/features/notifications/notify.server";
import { deliverPendingMail, RECIPIENT_DISABLED_ERROR } from "../../../app/features/notifications/mail.server";
import type { MailSender } from "../../../app/features/notifications/adapters/smtp.server";
import { PASSWORD_RESET_MAIL_KIND } from "../../../app/features/notifications/domain/account-mail";
import { requestPasswordReset } from "../../../app/features/accounts/password-reset.server";
import { setUserDisabled } from "../../../app/features/accounts/users.server";
import { makeUser } from "./fixtures";

// Mail is queued "pending" only with an SMTP server configured; the test sends through its own sender.
process.env.SMTP_URL = "smtp://127.0.0.1:9";
afterAll(() => {
  delete process.env.SMTP_URL;
});

const sentTo: string[] = [];
const sender: MailSender = {
  send: async (mail) => {
    sentTo.push(mail.to);
    return { ok: true, detail: "250 OK" };
  },
  close: () => {},
};

describe("mail to a disabled recipient", () => {
  it("is not sent once the account is disabled: failed, saying so; the others' mail goes", async () => {
    const grace = makeUser("supplier", "Grace");
    const sam = makeUser("supplier", "Sam");
    const key = "test.mail:disabled";
    transaction((tx) =>
      notify(tx, {
        userIds: [grace.userId, sam.userId],
        category: "reports",
        kind: "report.deadline.7d",
        key,
        title: "High report on Gator Kids Watch 3: deadline in 7 days",
        body: "The disclosure deadline of IOTSEAL-2026-0007 is 2026-12-10.",
        link: "/findings/finding-1",
      }),
    );
    requestPasswordReset({ email: grace.email }, { ip: "203.0.113.7" });
    setUserDisabled({ system: "test" }, grace.userId, true);

    const report = await deliverPendingMail({ sender });
    expect(report).toMatchObject({ attempted: 1, sent: 1 });
    expect(sentTo).toEqual([sam.email]);

    const rows = db().select().from(mailOutbox).where(eq(mailOutbox.userId, grace.userId)).all();
    const notice = rows.find((r) => r.key === key)!;
    expect(notice).toMatchObject({ status: "failed", nextAttemptAt: null, lastError: RECIPIENT_DISABLED_ERROR });
    expect(notice.lastError).toMatch(/recipient disabled/);
    // The reset mail keeps its own rule: one rule for it, not two.
    const reset = rows.find((r) => r.kind === PASSWORD_RESET_MAIL_KIND)!;
    expect(reset).toMatchObject({ status: "failed" });
    expect(reset.lastError).toMatch(/belongs to a disabled account/);
    // Nothing was tried: no attempt is recorded for either.
    expect(
      db()
        .select()
        .from(mailAttempts)
        .where(
          inArray(
            mailAttempts.mailId,
            rows.map((r) => r.id),
          ),
        )
        .all(),
    ).toEqual([]);
  });
});
