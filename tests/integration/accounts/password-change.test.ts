// /account: a signed-in user changes their own password. The current password is checked (rate limited
// like logins), the new one meets the policy; every other session ends, the current one goes on under a
// new token (the old cookie stops working; the page sets the new one); audited.
import crypto from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { lastAudit } from "../../support/audit";
import type { Actor } from "../../../app/platform/actor";
import { testClock } from "../../../app/platform/clock.server";
import { login, resetRateLimits, userForSession } from "../../../app/features/accounts/auth.server";
import { changePassword } from "../../../app/features/accounts/password-change.server";
import { sessionTokenFromHeader, setSessionCookie } from "../../../app/features/accounts/session.server";
import { createUser } from "../../../app/features/accounts/users.server";

const OLD = "the first password 2026";
const NEW = "a brand new passphrase 2027";
let n = 0;
const client = () => ({ ip: `198.51.100.${++n % 250}` });

async function signedIn(): Promise<{ email: string; sessions: (Actor & { token: string })[] }> {
  const email = `changer${++n}-${crypto.randomUUID().slice(0, 6)}@change.test`;
  await createUser({ system: "test" }, { email, name: `Changer ${n}`, role: "assessor", password: OLD });
  const sessions = [];
  for (let i = 0; i < 3; i++) {
    const { user, token } = await login({ email, password: OLD }, client());
    sessions.push({ ...user, token });
  }
  return { email, sessions };
}

afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

describe("changing one's own password", () => {
  it("ends every other session, renews the current one's token, and writes an audit entry", async () => {
    const { email, sessions } = await signedIn();
    const [current, ...others] = sessions;
    const r = await changePassword(current, current.token, {
      currentPassword: OLD,
      newPassword: NEW,
      confirmPassword: NEW,
    });
    expect(r).toEqual({ otherSessionsEnded: 2, sessionToken: expect.any(String) });
    // A copy of the current cookie taken before the change no longer works; the new token does.
    expect(userForSession(current.token)).toBeNull();
    expect(r.sessionToken).not.toBe(current.token);
    expect(userForSession(r.sessionToken!)?.email).toBe(email);
    for (const s of others) expect(userForSession(s.token)).toBeNull();
    await expect(login({ email, password: OLD }, client())).toBeRefused("unauthenticated");
    await expect(login({ email, password: NEW }, client())).resolves.toBeTruthy();
    const audit = lastAudit("user.password_changed")!;
    expect(audit).toMatchObject({ actorLabel: email, targetId: current.userId });
    expect(JSON.parse(audit.details)).toEqual({ otherSessionsEnded: 2 });
  });

  it("a wrong current password is a field error, audited, and changes nothing", async () => {
    const { email, sessions } = await signedIn();
    const me = sessions[0];
    await expect(
      changePassword(me, me.token, { currentPassword: "not my password", newPassword: NEW, confirmPassword: NEW }),
    ).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { currentPassword: "This is not your current password." },
    });
    expect(lastAudit("user.password_change_failed")).toMatchObject({ actorLabel: email });
    for (const s of sessions) expect(userForSession(s.token)).not.toBeNull();
    await expect(login({ email, password: OLD }, client())).resolves.toBeTruthy();
  });

  it("is rate limited like logins: the 11th attempt in a minute is refused, even with the right password", async () => {
    const { sessions } = await signedIn();
    const me = sessions[0];
    for (let i = 0; i < 10; i++)
      await expect(
        changePassword(me, me.token, { currentPassword: `guess ${i}`, newPassword: NEW, confirmPassword: NEW }),
      ).toBeRefused("invalid");
    await expect(
      changePassword(me, me.token, { currentPassword: OLD, newPassword: NEW, confirmPassword: NEW }),
    ).toBeRefused("rate_limited", /Too many attempts/);
    testClock.advance(61_000);
    await expect(
      changePassword(me, me.token, { currentPassword: OLD, newPassword: NEW, confirmPassword: NEW }),
    ).resolves.toEqual({ otherSessionsEnded: 2, sessionToken: expect.any(String) });
  });

  it("holds the new password to the password policy (with the account's email) and refuses the current one", async () => {
    const { email, sessions } = await signedIn();
    const me = sessions[0];
    const withEmail = `${email.split("@")[0]} forever`;
    await expect(
      changePassword(me, me.token, { currentPassword: OLD, newPassword: withEmail, confirmPassword: withEmail }),
    ).rejects.toMatchObject({ fieldErrors: { newPassword: "Do not use your email address in the password." } });
    await expect(
      changePassword(me, me.token, { currentPassword: OLD, newPassword: OLD, confirmPassword: OLD }),
    ).rejects.toMatchObject({ fieldErrors: { newPassword: "Choose a password other than your current one." } });
    await expect(login({ email, password: OLD }, client())).resolves.toBeTruthy();
  });

  it("a session that ended meanwhile changes nothing: log in again", async () => {
    const { email, sessions } = await signedIn();
    const me = sessions[0];
    // Signed out elsewhere (say, the session was deleted) between the page and the change.
    const gone = `${me.token}-not-a-session`;
    await expect(
      changePassword(me, gone, { currentPassword: OLD, newPassword: NEW, confirmPassword: NEW }),
    ).toBeRefused("unauthenticated", /Log in again/);
    for (const s of sessions) expect(userForSession(s.token)).not.toBeNull();
    await expect(login({ email, password: OLD }, client())).resolves.toBeTruthy();
  });

  it("the account page sets the renewed session's cookie, and says the user stays signed in", async () => {
    const { email, sessions } = await signedIn();
    const me = sessions[0];
    const { action } = await import("../../../app/routes/account");
    const r = (await action({
      request: new Request("http://localhost/account", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Cookie: (await setSessionCookie(me.token)).split(";")[0]!,
        },
        body: new URLSearchParams({ currentPassword: OLD, newPassword: NEW, confirmPassword: NEW }),
      }),
      params: {},
      context: {},
    } as never)) as unknown as { data: { ok: boolean; notice: string }; init: { headers: Record<string, string> } };
    expect(r.data).toEqual({
      ok: true,
      notice: "Your password is changed. You were signed out of 2 other sessions; you stay signed in here.",
    });
    const renewed = await sessionTokenFromHeader(r.init.headers["Set-Cookie"]);
    expect(renewed).toBeTruthy();
    expect(renewed).not.toBe(me.token);
    expect(userForSession(renewed!)?.email).toBe(email);
    expect(userForSession(me.token)).toBeNull();
  });
});
