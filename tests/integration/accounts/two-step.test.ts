// Two-step login against a real database: setting it up (a key, confirmed with the app's code), the
// password step that opens a login challenge instead of a session, the code step (the app's code once,
// a recovery code once, five tries, five minutes), the warning mail when wrong codes follow the right
// password, and turning it off (by its owner with the password; by an administrator).
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loginChallenges, mailOutbox, twoStepLogins } from "../../../db/schema";
import { login, resetRateLimits, startLogin, userForSession } from "../../../app/features/accounts/auth.server";
import { listUsers, setUserDisabled } from "../../../app/features/accounts/users.server";
import { changePassword } from "../../../app/features/accounts/password-change.server";
import {
  adminTurnOffTwoStep,
  beginTwoStep,
  cancelTwoStepSetup,
  challengeIsOpen,
  confirmTwoStep,
  finishLogin,
  pendingTwoStepKey,
  renewRecoveryCodes,
  turnOffTwoStep,
  twoStepStatus,
} from "../../../app/features/accounts/two-step.server";
import {
  LOGIN_FAILURES_MAIL_KIND,
  TWO_STEP_CHANGED_MAIL_KIND,
} from "../../../app/features/notifications/domain/account-mail";
import { listAudit } from "../../../app/platform/audit.server";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { appCode, client, passwordStep, turnOn } from "../../support/two-step";
import { actorByEmail, admin, DEMO_EMAILS } from "../../support/actors";

beforeAll(async () => {
  await seedDemoData({ seals: false });
});
const T0 = Date.parse("2031-05-05T10:00:00Z");
beforeEach(() => testClock.set(T0));
afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

describe("setting two-step login up", () => {
  it("shows a key to scan or type, asks nothing at login until a code from the app confirms it, then gives ten recovery codes once", async () => {
    const email = DEMO_EMAILS.bram;
    const bram = actorByEmail(email);
    expect(twoStepStatus(bram)).toEqual({ state: "off", since: null, recoveryCodesLeft: 0 });
    beginTwoStep(bram);
    const key = pendingTwoStepKey(bram)!;
    expect(key.secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    expect(key.uri).toBe(
      `otpauth://totp/IoT%20Seal:assessor2%40demo.test?issuer=IoT%20Seal&secret=${key.secret}&algorithm=SHA1&digits=6&period=30`,
    );
    beginTwoStep(bram); // a reload keeps the key the app may already hold
    expect(pendingTwoStepKey(bram)!.secret).toBe(key.secret);
    expect(twoStepStatus(bram).state).toBe("pending");
    // Pending asks nothing at login.
    await expect(login({ email, password: DEMO_PASSWORD }, client())).resolves.toHaveProperty("token");

    const confirm = (code: string, password = DEMO_PASSWORD) => confirmTwoStep(bram, null, { code, password });
    await expect(confirm("000000")).toBeRefused("invalid");
    await expect(confirm(appCode(key.secret, T0 - 120_000))).toBeRefused("invalid"); // too old
    // The password too: a stolen session alone cannot put the thief's app on the account.
    await expect(confirm(appCode(key.secret, T0), "not the password")).toBeRefused("invalid");
    expect(twoStepStatus(bram).state).toBe("pending");
    // The app's code of a step either side is taken (a phone's clock a little off).
    const elsewhere = await login({ email, password: DEMO_PASSWORD }, client());
    const here = await login({ email, password: DEMO_PASSWORD }, client());
    const { recoveryCodes, otherSessionsEnded } = await confirmTwoStep(bram, here.token, {
      code: appCode(key.secret, T0 + 30_000),
      password: DEMO_PASSWORD,
    });
    // The sessions opened before go (they would go on without a code); the one it was done in stays.
    expect(otherSessionsEnded).toBeGreaterThanOrEqual(1);
    expect(userForSession(elsewhere.token)).toBeNull();
    expect(userForSession(here.token)?.twoStepOn).toBe(true);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[A-Z2-7]{10}$/);
    expect(twoStepStatus(bram)).toEqual({ state: "on", since: new Date(T0), recoveryCodesLeft: 10 });
    expect(pendingTwoStepKey(bram)).toBeNull();
    await expect(() => beginTwoStep(bram)).toBeRefused("conflict");
    expect(listAudit({ action: "user.two_step_enabled", limit: 1 }).events[0].actorLabel).toBe(email);
    // The administrators' list says who has it on, and never carries a key.
    const row = listUsers(admin()).find((u) => u.email === email)!;
    expect(row.twoStepSince).toEqual(new Date(T0));
    expect(JSON.stringify(listUsers(admin()))).not.toContain(key.secret);
    // Cleared for the other tests.
    adminTurnOffTwoStep(admin(), bram.userId, { confirmed: true });
  });

  it("can be cancelled before it is confirmed; the next setup has a new key", async () => {
    const grace = actorByEmail(DEMO_EMAILS.grace);
    beginTwoStep(grace);
    const first = pendingTwoStepKey(grace)!.secret;
    cancelTwoStepSetup(grace);
    expect(twoStepStatus(grace).state).toBe("off");
    beginTwoStep(grace);
    expect(pendingTwoStepKey(grace)!.secret).not.toBe(first);
    cancelTwoStepSetup(grace);
  });
});

describe("logging in with two-step login on", () => {
  it("the password opens a challenge, not a session; the app's code opens the session, once", async () => {
    const email = DEMO_EMAILS.asha;
    const { secret } = await turnOn(email);
    await expect(login({ email, password: DEMO_PASSWORD }, client())).toBeRefused("forbidden");
    const token = await passwordStep(email);
    expect(userForSession(token)).toBeNull(); // the challenge is no session
    expect(challengeIsOpen(token)).toBe(true);
    // The code the setup used (this step's) is refused: a code works once.
    await expect(() => finishLogin(token, { code: appCode(secret, T0) }, client())).toBeRefused("invalid");
    testClock.advance(30_000);
    const started = finishLogin(token, { code: appCode(secret, T0 + 30_000) }, client());
    expect(started.user.email).toBe(email);
    expect(userForSession(started.token)?.email).toBe(email);
    expect(challengeIsOpen(token)).toBe(false);
    expect(JSON.parse(listAudit({ action: "user.login", limit: 1 }).events[0].details)).toEqual({
      secondStep: "authenticator",
    });
    // The same code on a new login is refused; the next step's is taken.
    const again = await passwordStep(email);
    await expect(() => finishLogin(again, { code: appCode(secret, T0 + 30_000) }, client())).toBeRefused("invalid");
    testClock.advance(30_000);
    expect(finishLogin(again, { code: appCode(secret, T0 + 60_000) }, client()).user.email).toBe(email);
    adminTurnOffTwoStep(admin(), actorByEmail(email).userId, { confirmed: true });
  });

  it("a recovery code logs in once, whatever its case and spacing", async () => {
    const email = DEMO_EMAILS.sam;
    const { codes } = await turnOn(email);
    const first = `${codes[0].slice(0, 5).toLowerCase()} - ${codes[0].slice(5)}`;
    expect(finishLogin(await passwordStep(email), { code: first }, client()).user.email).toBe(email);
    expect(twoStepStatus(actorByEmail(email)).recoveryCodesLeft).toBe(9);
    expect(JSON.parse(listAudit({ action: "user.login", limit: 1 }).events[0].details)).toEqual({
      secondStep: "recovery code",
      recoveryCodesLeft: 9,
    });
    await expect(() => finishLogin(null, { code: codes[1] }, client())).toBeRefused("unauthenticated");
    const token = await passwordStep(email);
    await expect(() => finishLogin(token, { code: codes[0] }, client())).toBeRefused("invalid");
    // New codes (after the password) end the old ones.
    // New codes ask for the password and a code (a stolen session and a known password are not enough).
    await expect(renewRecoveryCodes(actorByEmail(email), { password: "wrong", code: codes[2] })).toBeRefused("invalid");
    await expect(renewRecoveryCodes(actorByEmail(email), { password: DEMO_PASSWORD, code: "999999" })).toBeRefused(
      "invalid",
      "No new recovery codes were made.",
    );
    expect(listAudit({ action: "user.two_step_code_failed", limit: 1 }).events[0].actorLabel).toBe(email);
    const renewed = await renewRecoveryCodes(actorByEmail(email), { password: DEMO_PASSWORD, code: codes[2] });
    await expect(() => finishLogin(token, { code: codes[1] }, client())).toBeRefused("invalid");
    expect(finishLogin(token, { code: renewed.recoveryCodes[0] }, client()).user.email).toBe(email);
    adminTurnOffTwoStep(admin(), actorByEmail(email).userId, { confirmed: true });
  });

  it("five wrong codes end the challenge; the third within the hour warns the owner that the password is known", async () => {
    const email = DEMO_EMAILS.buyer;
    const { secret } = await turnOn(email);
    const token = await passwordStep(email);
    const tries = ["111111", "222222", "333333", "444444"].map((code) => {
      try {
        finishLogin(token, { code }, client());
      } catch (e) {
        return (e as { fieldErrors: Record<string, string> }).fieldErrors.code;
      }
    });
    expect(tries[0]).toBe("That code is not right (an app's code works once). 4 tries left.");
    expect(tries[3]).toBe("That code is not right (an app's code works once). 1 try left.");
    await expect(() => finishLogin(token, { code: "555555" }, client())).toBeRefused("unauthenticated");
    expect(challengeIsOpen(token)).toBe(false);
    // Even the right code is too late now: the password is asked for again.
    await expect(() => finishLogin(token, { code: appCode(secret, T0 + 30_000) }, client())).toBeRefused(
      "unauthenticated",
    );
    const wrongCodes = listAudit({ action: "user.login_code_failed", limit: 50 }).events.filter(
      (e) => JSON.parse(e.details).email === email,
    );
    expect(wrongCodes).toHaveLength(5);
    expect(JSON.parse(wrongCodes[0].details)).toMatchObject({ email, reason: "wrong code" });
    const mails = db()
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.toAddress, email), eq(mailOutbox.kind, LOGIN_FAILURES_MAIL_KIND)))
      .all();
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain(
      "3 attempts to log in to your account with your password but a wrong two-step code in the last hour, from 3 addresses;",
    );
    expect(mails[0].key).toBe(`login-failures:code:${actorByEmail(email).userId}:2031-05-05`);
    adminTurnOffTwoStep(admin(), actorByEmail(email).userId, { confirmed: true });
  });

  it("a challenge lasts five minutes, and ends with the account being disabled", async () => {
    const email = DEMO_EMAILS.grace;
    const { secret } = await turnOn(email);
    const late = await passwordStep(email);
    testClock.advance(5 * 60_000 + 1);
    expect(challengeIsOpen(late)).toBe(false);
    await expect(() => finishLogin(late, { code: appCode(secret, T0 + 5 * 60_000) }, client())).toBeRefused(
      "unauthenticated",
    );
    const token = await passwordStep(email);
    setUserDisabled(admin(), actorByEmail(email).userId, true, { confirmed: true });
    await expect(() => finishLogin(token, { code: appCode(secret, T0 + 5 * 60_000 + 30_000) }, client())).toBeRefused(
      "unauthenticated",
    );
    setUserDisabled(admin(), actorByEmail(email).userId, false, { confirmed: true });
    adminTurnOffTwoStep(admin(), actorByEmail(email).userId, { confirmed: true });
  });
});

describe("guessing codes", () => {
  it("one login challenge per user: a new login ends the one before", async () => {
    const email = DEMO_EMAILS.grace;
    const { secret } = await turnOn(email);
    const first = await passwordStep(email);
    const second = await passwordStep(email);
    expect(challengeIsOpen(first)).toBe(false);
    expect(challengeIsOpen(second)).toBe(true);
    await expect(() => finishLogin(first, { code: appCode(secret, T0 + 30_000) }, client())).toBeRefused(
      "unauthenticated",
    );
    adminTurnOffTwoStep(admin(), actorByEmail(email).userId, { confirmed: true });
  });

  it("ten wrong codes in an hour, over any number of logins and addresses, and the account takes no more until the hour has passed", async () => {
    const email = DEMO_EMAILS.sam;
    const base = T0 + 3 * 60 * 60_000; // hours after the wrong codes of the tests before
    testClock.set(base);
    const { secret } = await turnOn(email);
    let wrong = 0;
    while (wrong < 10) {
      const token = await passwordStep(email);
      for (let i = 0; i < 3 && wrong < 10; i++, wrong++)
        await expect(() => finishLogin(token, { code: String(100000 + wrong) }, client())).toBeRefused("invalid");
      testClock.advance(60_000);
    }
    // The password still leads nowhere: no new challenge opens.
    await expect(startLogin({ email, password: DEMO_PASSWORD }, client())).toBeRefused(
      "rate_limited",
      /^Too many wrong codes for this account in the last hour/,
    );
    // An hour after the first wrong code, codes are taken again.
    testClock.set(base + 60 * 60_000 + 1);
    const token = await passwordStep(email);
    expect(finishLogin(token, { code: appCode(secret, base + 60 * 60_000 + 1) }, client()).user.email).toBe(email);
    adminTurnOffTwoStep(admin(), actorByEmail(email).userId, { confirmed: true });
  });

  it("a setup's key is forgotten after 15 minutes unconfirmed: the next setup shows a new one", async () => {
    const buyer = actorByEmail(DEMO_EMAILS.buyer);
    beginTwoStep(buyer);
    const old = pendingTwoStepKey(buyer)!.secret;
    testClock.advance(15 * 60_000);
    expect(pendingTwoStepKey(buyer)).toBeNull();
    expect(twoStepStatus(buyer).state).toBe("off");
    await expect(
      confirmTwoStep(buyer, null, { code: appCode(old, T0 + 15 * 60_000), password: DEMO_PASSWORD }),
    ).toBeRefused("conflict");
    beginTwoStep(buyer);
    expect(pendingTwoStepKey(buyer)!.secret).not.toBe(old);
    cancelTwoStepSetup(buyer);
  });

  it("a new password ends a login half done with the old one", async () => {
    const email = DEMO_EMAILS.asha;
    const { secret } = await turnOn(email);
    const token = await passwordStep(email);
    await changePassword(actorByEmail(email), null, {
      currentPassword: DEMO_PASSWORD,
      newPassword: "a brand new passphrase 2031",
      confirmPassword: "a brand new passphrase 2031",
    });
    expect(challengeIsOpen(token)).toBe(false);
    await expect(() => finishLogin(token, { code: appCode(secret, T0 + 30_000) }, client())).toBeRefused(
      "unauthenticated",
    );
    await changePassword(actorByEmail(email), null, {
      currentPassword: "a brand new passphrase 2031",
      newPassword: DEMO_PASSWORD,
      confirmPassword: DEMO_PASSWORD,
    });
    adminTurnOffTwoStep(admin(), actorByEmail(email).userId, { confirmed: true });
  });
});

describe("turning two-step login off", () => {
  it("by its owner needs the password; by an administrator, for a user who lost phone and codes", async () => {
    const email = DEMO_EMAILS.bram;
    const { codes: bramCodes } = await turnOn(email);
    const bram = actorByEmail(email);
    const { codes } = { codes: bramCodes };
    await expect(turnOffTwoStep(bram, { password: "not it", code: codes[0] })).toBeRefused("invalid");
    await expect(turnOffTwoStep(bram, { password: DEMO_PASSWORD, code: "12345" })).toBeRefused("invalid");
    await turnOffTwoStep(bram, { password: DEMO_PASSWORD, code: codes[0] });
    expect(twoStepStatus(bram).state).toBe("off");
    await expect(login({ email, password: DEMO_PASSWORD }, client())).resolves.toHaveProperty("token");

    await turnOn(email);
    const waiting = await passwordStep(email);
    await expect(() =>
      adminTurnOffTwoStep(actorByEmail(DEMO_EMAILS.asha), bram.userId, { confirmed: true }),
    ).toBeRefused("forbidden");
    // Without the tick (checked who asks), and never for the administrator's own.
    await expect(() => adminTurnOffTwoStep(admin(), bram.userId, { confirmed: false })).toBeRefused("invalid");
    await expect(() => adminTurnOffTwoStep(admin(), admin().userId, { confirmed: true })).toBeRefused("forbidden");
    expect(adminTurnOffTwoStep(admin(), bram.userId, { confirmed: true })).toEqual({ email });
    expect(db().select().from(twoStepLogins).where(eq(twoStepLogins.userId, bram.userId)).all()).toEqual([]);
    expect(db().select().from(loginChallenges).where(eq(loginChallenges.userId, bram.userId)).all()).toEqual([]);
    expect(challengeIsOpen(waiting)).toBe(false);
    expect(JSON.parse(listAudit({ action: "user.two_step_disabled", limit: 1 }).events[0].details)).toEqual({
      by: "admin",
    });
    await expect(() => adminTurnOffTwoStep(admin(), bram.userId, { confirmed: true })).toBeRefused("conflict");
    // Each change is mailed to the account's owner: on, off by themselves, on, off by an administrator.
    const notices = db()
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.toAddress, email), eq(mailOutbox.kind, TWO_STEP_CHANGED_MAIL_KIND)))
      .all();
    expect(notices.slice(-4).map((m) => m.subject)).toEqual([
      "Two-step login is on for your IoT Seal account",
      "Two-step login is off for your IoT Seal account",
      "Two-step login is on for your IoT Seal account",
      "Two-step login is off for your IoT Seal account",
    ]);
    const byAdmin = notices.at(-1)!;
    expect(byAdmin.text).toContain("An administrator of IoT Seal turned two-step login off for your account");
    expect(byAdmin.text).toContain("This was at 10:00 UTC on 5 May 2031.");
    expect(byAdmin.text).toMatch(/If you did not ask an administrator for this.*: http\S+\/forgot-password$/m);
  });
});
