// The per-email limit on reset mails (3 in 15 minutes) survives the pruner of the shared rate-limit
// counters, which runs every minute: each counted attempt is kept until it leaves its own window,
// not only for a minute. Against a real database and a real DATA_DIR/rate-limits.db.
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { mailOutbox } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { pruneRateLimitCounters } from "../../../app/platform/http/rate-limits.server";
import { resetRateLimits } from "../../../app/features/accounts/auth.server";
import {
  requestPasswordReset,
  RESET_MAIL_WINDOW_MS,
  RESET_MAILS_PER_EMAIL,
} from "../../../app/features/accounts/password-reset.server";
import { createUser } from "../../../app/features/accounts/users.server";

afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

const mailsTo = (userId: string) =>
  db()
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.userId, userId), eq(mailOutbox.kind, "account.password_reset")))
    .all().length;

describe("the per-email limit on reset mails and the pruner", () => {
  it(`still refuses a ${RESET_MAILS_PER_EMAIL + 1}th mail within ${RESET_MAIL_WINDOW_MS / 60_000} minutes when the pruner ran in between`, async () => {
    const email = "pruned@limit.test";
    const { userId } = await createUser(
      { system: "test" },
      { email, name: "Pruned Person", role: "assessor", password: "the first password 2026" },
    );
    testClock.set(Date.UTC(2026, 0, 5, 9, 0));
    let ip = 0;
    const nextIp = () => ({ ip: `198.51.100.${++ip}` });
    // One request every 2 minutes, each from another address; the pruner runs every minute.
    for (let i = 0; i < RESET_MAILS_PER_EMAIL; i++) {
      requestPasswordReset({ email }, nextIp());
      for (let m = 0; m < 2; m++) {
        testClock.advance(60_000);
        pruneRateLimitCounters();
      }
    }
    expect(mailsTo(userId)).toBe(RESET_MAILS_PER_EMAIL);
    // 6 minutes after the first: still inside the window, so nothing is sent.
    requestPasswordReset({ email }, nextIp());
    expect(mailsTo(userId)).toBe(RESET_MAILS_PER_EMAIL);
    // 14 minutes after the first, the pruner having run each minute: still refused.
    for (let m = 0; m < 8; m++) {
      testClock.advance(60_000);
      pruneRateLimitCounters();
    }
    requestPasswordReset({ email }, nextIp());
    expect(mailsTo(userId)).toBe(RESET_MAILS_PER_EMAIL);
    // Once the first request has left its window, a mail goes out again.
    testClock.advance(60_000 + 1);
    pruneRateLimitCounters();
    requestPasswordReset({ email }, nextIp());
    expect(mailsTo(userId)).toBe(RESET_MAILS_PER_EMAIL + 1);
  });
});
