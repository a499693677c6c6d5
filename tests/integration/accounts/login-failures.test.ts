// Guessing an account's password from many addresses: the per-address limit never stops it (a limit
// per account would let anyone lock its owner out), so the owner is told, by mail, when the failures
// with a wrong password reach 5 within an hour; at most once a day, and nothing is locked.
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mailOutbox } from "../../../db/schema";
import { login, resetRateLimits } from "../../../app/features/accounts/auth.server";
import { setUserDisabled } from "../../../app/features/accounts/users.server";
import { LOGIN_FAILURE_WARNING } from "../../../app/features/accounts/domain/login-failures";
import { LOGIN_FAILURES_MAIL_KIND } from "../../../app/features/notifications/domain/account-mail";
import { listAudit } from "../../../app/platform/audit.server";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { admin, actorByEmail } from "../../support/actors";

beforeAll(async () => {
  await seedDemoData();
});
afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

let n = 0;
/** A wrong password for `email`, from an address of its own (a botnet's way: no address reaches its limit). */
const guess = (email: string) =>
  login({ email, password: `guess number ${++n}` }, { ip: `203.0.113.${n % 250}` }).then(
    () => {
      throw new Error("a wrong password logged in");
    },
    (e: { code?: string }) => expect(e.code).toBe("unauthenticated"),
  );
const warnings = (email: string) =>
  db()
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.toAddress, email), eq(mailOutbox.kind, LOGIN_FAILURES_MAIL_KIND)))
    .all();

describe("repeated failed logins on one account", () => {
  it("tell its owner at the fifth within an hour, from however many addresses, once; the owner still logs in", async () => {
    testClock.set(Date.parse("2034-03-01T09:00:00Z"));
    const email = "supplier@demo.test";
    for (let i = 1; i < LOGIN_FAILURE_WARNING.threshold; i++) await guess(email);
    expect(warnings(email)).toEqual([]);
    testClock.advance(60_000);
    await guess(email);
    const [mail] = warnings(email);
    expect(warnings(email)).toHaveLength(1);
    expect(mail.subject).toBe("Failed attempts to log in to your IoT Seal account");
    expect(mail.text).toContain("Hello Grace Gator,");
    expect(mail.text).toContain(
      "5 attempts to log in to your account with a wrong password in the last hour, from 5 addresses; the latest at 09:01 UTC on 1 March 2034. None of them logged in, and your account has not changed.",
    );
    expect(mail.text).toMatch(/set a new one: http\S+\/forgot-password$/m);
    expect(mail.text).toMatch(/change it on your account page: http\S+\/account$/m);
    // No address is named in the mail (the audit log keeps them for the administrators).
    expect(mail.text).not.toMatch(/203\.0\.113\./);
    expect(listAudit({ action: "user.login_failed", limit: 1 }).events[0].details).toContain("203.0.113.");
    // Five more: no second mail the same day.
    for (let i = 0; i < 5; i++) await guess(email);
    expect(warnings(email)).toHaveLength(1);
    // Nothing is locked: the owner logs in.
    const ok = await login({ email, password: DEMO_PASSWORD }, { ip: "198.51.100.7" });
    expect(ok.user.email).toBe(email);
  });

  it("counts only the last hour, and tells again another day", async () => {
    const email = "supplier2@demo.test";
    testClock.set(Date.parse("2034-04-01T08:00:00Z"));
    for (let i = 0; i < 4; i++) await guess(email);
    // An hour and a bit later the four have left the window: four more make four, not eight.
    testClock.advance(LOGIN_FAILURE_WARNING.windowMs + 60_000);
    for (let i = 0; i < 4; i++) await guess(email);
    expect(warnings(email)).toEqual([]);
    await guess(email);
    expect(warnings(email)).toHaveLength(1);
    testClock.set(Date.parse("2034-04-02T08:00:00Z"));
    for (let i = 0; i < 5; i++) await guess(email);
    expect(warnings(email)).toHaveLength(2);
  });

  it("no mail for an address without an account, nor for a disabled account", async () => {
    testClock.set(Date.parse("2034-05-01T08:00:00Z"));
    for (let i = 0; i < 6; i++) await guess("nobody-here@example.test");
    expect(warnings("nobody-here@example.test")).toEqual([]);
    const bram = actorByEmail("assessor2@demo.test");
    setUserDisabled(admin(), bram.userId, true);
    for (let i = 0; i < 6; i++) await guess(bram.email);
    expect(warnings(bram.email)).toEqual([]);
  });
});
