// Password reset links (decision record 034): only the token's hash is stored, a link works once, for an
// hour, only while it is the newest; using it ends every session; the request answers the same whatever
// the address; requests are limited per address and per email; everything is audited; the mail goes
// through the mail outbox (kept without SMTP_URL, for /admin/outbox).
import crypto from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { and, desc, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { lastAudit } from "../../support/audit";
import { auditEvents, domainEvents, mailOutbox, notifications, passwordResets, users } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { login, resetRateLimits, userForSession } from "../../../app/features/accounts/auth.server";
import { changePassword } from "../../../app/features/accounts/password-change.server";
import {
  createPasswordResetLink,
  requestPasswordReset,
  RESET_LINK_TTL_MS,
  RESET_MAIL_WINDOW_MS,
  RESET_MAILS_PER_EMAIL,
  resetLinkState,
  resetPassword,
  sendPasswordReset,
  setGeneratedPassword,
} from "../../../app/features/accounts/password-reset.server";
import { createUser, setUserDisabled } from "../../../app/features/accounts/users.server";
import { outboxMail } from "../../../app/features/notifications/outbox.server";

const SYSTEM = { system: "test" };
const OLD = "the first password 2026";
const NEW = "a brand new passphrase 2027";
let n = 0;
const client = () => ({ ip: `198.51.100.${++n % 250}` });

async function newUser(role: "supplier" | "admin" | "assessor" = "assessor") {
  const email = `person${++n}-${crypto.randomUUID().slice(0, 6)}@reset.test`;
  const { userId } = await createUser(SYSTEM, { email, name: `Person ${n}`, role, password: OLD });
  return { email, userId };
}

async function asActor(email: string, password = OLD): Promise<Actor & { token: string }> {
  const { user, token } = await login({ email, password }, client());
  return { ...user, token };
}

/** The reset mails of a user, newest first. */
const mailsTo = (userId: string) =>
  db()
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.userId, userId), eq(mailOutbox.kind, "account.password_reset")))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .all();

/** The token of the newest reset mail of a user (as the user reads it in the mail). */
function tokenFromMail(userId: string): string {
  const m = /\/reset-password\/([A-Za-z0-9_-]+)/.exec(mailsTo(userId)[0]?.text ?? "");
  if (!m) throw new Error("no reset mail");
  return m[1];
}

beforeAll(() => resetRateLimits());
afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

describe("asking for a reset link", () => {
  it("mails a single-use link whose token (256 bits) is stored only as its SHA-256, nowhere else in clear but the mail", async () => {
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, { ip: "203.0.113.10" });
    const mails = mailsTo(userId);
    expect(mails).toHaveLength(1);
    const mail = mails[0];
    expect(mail).toMatchObject({ toAddress: email, status: "kept", subject: "Reset your IoT Seal password" });
    expect(mail.text).toMatch(/^Hello Person \d+,/);
    expect(mail.text).toContain("The link works once, until");
    expect(mail.html).toContain("Set a new password</a>");
    const token = tokenFromMail(userId);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const rows = db().select().from(passwordResets).where(eq(passwordResets.userId, userId)).all();
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(rows[0].requestedBy).toBe("self");
    expect(rows[0].expiresAt.getTime() - rows[0].createdAt.getTime()).toBe(RESET_LINK_TTL_MS);
    // The mail is not a notification (the user cannot log in to read one), and the event outbox keeps no token.
    expect(db().select().from(notifications).where(eq(notifications.userId, userId)).all()).toEqual([]);
    const event = db()
      .select()
      .from(domainEvents)
      .where(eq(domainEvents.type, "password.reset_requested"))
      .orderBy(desc(domainEvents.id))
      .get()!;
    expect(JSON.parse(event.payload)).toEqual({
      userId,
      resetId: rows[0].id,
      expiresAt: rows[0].expiresAt.getTime(),
      requestedBy: "self",
    });
    expect(event.payload).not.toContain(token);
    expect(mail.link).not.toContain(token);
    expect(lastAudit("user.password_reset_requested")).toMatchObject({
      targetId: userId,
      actorLabel: "anonymous",
    });
    expect(JSON.parse(lastAudit("user.password_reset_requested")!.details)).toMatchObject({
      email,
      ip: "203.0.113.10",
      outcome: "sent",
    });
    expect(resetLinkState(token)).toMatchObject({ ok: true, email, userId });
  });

  it("answers the same for an unknown address and a disabled account, and sends nothing (no enumeration)", async () => {
    const disabled = await newUser();
    setUserDisabled(SYSTEM, disabled.userId, true);
    const before = db().select().from(mailOutbox).all().length;
    const resetsBefore = db().select().from(passwordResets).all().length;
    // The same answer (none: no error, no value) in every case; only the audit log tells them apart.
    expect(requestPasswordReset({ email: "nobody-here@reset.test" }, client())).toBeUndefined();
    expect(requestPasswordReset({ email: disabled.email }, client())).toBeUndefined();
    expect(db().select().from(mailOutbox).all()).toHaveLength(before);
    expect(db().select().from(passwordResets).all()).toHaveLength(resetsBefore);
    const outcomes = db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "user.password_reset_requested"))
      .orderBy(desc(auditEvents.seq))
      .limit(2)
      .all()
      .map((e) => JSON.parse(e.details).outcome);
    expect(outcomes).toEqual(["account disabled", "no account"]);
  });

  it("a new link supersedes the older ones", async () => {
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, client());
    const first = tokenFromMail(userId);
    requestPasswordReset({ email }, client());
    const second = tokenFromMail(userId);
    expect(second).not.toBe(first);
    expect(resetLinkState(first)).toEqual({ ok: false, problem: "superseded" });
    await expect(resetPassword(first, { newPassword: NEW, confirmPassword: NEW }, client())).toBeRefused(
      "invalid",
      /newer password reset link/,
    );
    await resetPassword(second, { newPassword: NEW, confirmPassword: NEW }, client());
    await expect(login({ email, password: NEW }, client())).resolves.toBeTruthy();
  });

  it(`sends at most ${RESET_MAILS_PER_EMAIL} mails to one address in ${RESET_MAIL_WINDOW_MS / 60_000} minutes, silently; the last link sent still works`, async () => {
    const { email, userId } = await newUser();
    for (let i = 0; i < RESET_MAILS_PER_EMAIL; i++) requestPasswordReset({ email }, client());
    const last = tokenFromMail(userId);
    // More requests, from other addresses, answer the same but send nothing and end no link.
    for (let i = 0; i < 3; i++) expect(requestPasswordReset({ email }, client())).toBeUndefined();
    expect(mailsTo(userId)).toHaveLength(RESET_MAILS_PER_EMAIL);
    expect(resetLinkState(last)).toMatchObject({ ok: true });
    expect(JSON.parse(lastAudit("user.password_reset_requested")!.details).outcome).toBe(
      "not sent: too many for this address",
    );
    // The same for an address without an account: the limit says nothing about the account.
    for (let i = 0; i < RESET_MAILS_PER_EMAIL + 1; i++)
      expect(requestPasswordReset({ email: "nobody-twice@reset.test" }, client())).toBeUndefined();
    testClock.advance(RESET_MAIL_WINDOW_MS + 1);
    requestPasswordReset({ email }, client());
    expect(mailsTo(userId)).toHaveLength(RESET_MAILS_PER_EMAIL + 1);
  });

  it("limits requests per client address (RATE_LIMIT_PER_MINUTE), whatever the email", async () => {
    for (let i = 0; i < 10; i++) requestPasswordReset({ email: `someone${i}@reset.test` }, { ip: "192.0.2.77" });
    await expect(() => requestPasswordReset({ email: "another@reset.test" }, { ip: "192.0.2.77" })).toBeRefused(
      "rate_limited",
      /Too many attempts/,
    );
    // Another address is not affected; a minute later this one works again.
    expect(requestPasswordReset({ email: "another@reset.test" }, { ip: "192.0.2.78" })).toBeUndefined();
    testClock.advance(61_000);
    expect(requestPasswordReset({ email: "another@reset.test" }, { ip: "192.0.2.77" })).toBeUndefined();
  });
});

describe("using a reset link", () => {
  it("sets the password, spends the link, ends every session of the user and writes an audit entry", async () => {
    const { email, userId } = await newUser();
    const a = await asActor(email);
    const b = await asActor(email);
    requestPasswordReset({ email }, client());
    const token = tokenFromMail(userId);
    expect(await resetPassword(token, { newPassword: NEW, confirmPassword: NEW }, { ip: "203.0.113.44" })).toEqual({
      email,
    });
    expect(userForSession(a.token)).toBeNull();
    expect(userForSession(b.token)).toBeNull();
    await expect(login({ email, password: OLD }, client())).toBeRefused("unauthenticated");
    await expect(login({ email, password: NEW }, client())).resolves.toBeTruthy();
    const audit = lastAudit("user.password_reset")!;
    expect(audit).toMatchObject({ actorLabel: email, targetId: userId, ip: "203.0.113.44" });
    expect(JSON.parse(audit.details)).toEqual({ requestedBy: "self", sessionsEnded: 2 });
    // Once only.
    expect(resetLinkState(token)).toEqual({ ok: false, problem: "used" });
    await expect(resetPassword(token, { newPassword: OLD, confirmPassword: OLD }, client())).toBeRefused(
      "invalid",
      /already used/,
    );
    await expect(login({ email, password: NEW }, client())).resolves.toBeTruthy();
    expect(checkAuditChain().ok).toBe(true);
  });

  it("of two submissions of one link at the same time, only one sets a password", async () => {
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, client());
    const token = tokenFromMail(userId);
    const other = "yet another passphrase 99";
    const results = await Promise.allSettled([
      resetPassword(token, { newPassword: NEW, confirmPassword: NEW }, client()),
      resetPassword(token, { newPassword: other, confirmPassword: other }, client()),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const winner = results[0].status === "fulfilled" ? NEW : other;
    const loser = winner === NEW ? other : NEW;
    await expect(login({ email, password: winner }, client())).resolves.toBeTruthy();
    await expect(login({ email, password: loser }, client())).toBeRefused("unauthenticated");
  });

  it("expires after an hour", async () => {
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, client());
    const token = tokenFromMail(userId);
    testClock.advance(RESET_LINK_TTL_MS - 1000);
    expect(resetLinkState(token)).toMatchObject({ ok: true });
    testClock.advance(1000);
    expect(resetLinkState(token)).toEqual({ ok: false, problem: "expired" });
    await expect(resetPassword(token, { newPassword: NEW, confirmPassword: NEW }, client())).toBeRefused(
      "invalid",
      /expired/,
    );
    await expect(login({ email, password: OLD }, client())).resolves.toBeTruthy();
  });

  it("refuses an unknown token, and the link of an account disabled since", async () => {
    expect(resetLinkState(crypto.randomBytes(32).toString("base64url"))).toEqual({ ok: false, problem: "unknown" });
    expect(resetLinkState("")).toEqual({ ok: false, problem: "unknown" });
    await expect(
      resetPassword(crypto.randomBytes(32).toString("base64url"), { newPassword: NEW, confirmPassword: NEW }, client()),
    ).toBeRefused("invalid", /not valid/);
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, client());
    const token = tokenFromMail(userId);
    setUserDisabled(SYSTEM, userId, true);
    expect(resetLinkState(token)).toEqual({ ok: false, problem: "disabled" });
    await expect(resetPassword(token, { newPassword: NEW, confirmPassword: NEW }, client())).toBeRefused("invalid");
  });

  it("holds the new password to the password policy, with the account's email, and spends nothing when refused", async () => {
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, client());
    const token = tokenFromMail(userId);
    const withEmail = `${email.split("@")[0]} is my password`;
    await expect(
      resetPassword(token, { newPassword: withEmail, confirmPassword: withEmail }, client()),
    ).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { newPassword: "Do not use your email address in the password." },
    });
    expect(resetLinkState(token)).toMatchObject({ ok: true });
  });

  it("a password change ends the links not yet used", async () => {
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, client());
    const token = tokenFromMail(userId);
    const me = await asActor(email);
    await changePassword(me, me.token, { currentPassword: OLD, newPassword: NEW, confirmPassword: NEW });
    expect(resetLinkState(token)).toEqual({ ok: false, problem: "superseded" });
  });
});

describe("an admin sends a reset", () => {
  it("mails the same kind of link, says an administrator sent it, and audits who did", async () => {
    const admin = await asActor((await newUser("admin")).email);
    const { email, userId } = await newUser();
    const r = sendPasswordReset(admin, userId);
    expect(r.email).toBe(email);
    expect(mailsTo(userId)[0].text).toContain("An administrator of IoT Seal sent you this link");
    const audit = lastAudit("user.password_reset_sent")!;
    expect(audit).toMatchObject({ actorLabel: admin.email, targetId: userId });
    await resetPassword(tokenFromMail(userId), { newPassword: NEW, confirmPassword: NEW }, client());
    await expect(login({ email, password: NEW }, client())).resolves.toBeTruthy();
    expect(lastAudit("user.password_reset")!.details).toContain('"requestedBy":"admin"');
  });

  it("is refused to non-admins, and for a disabled account", async () => {
    const assessor = await asActor((await newUser("assessor")).email);
    const target = await newUser();
    await expect(() => sendPasswordReset(assessor, target.userId)).toBeRefused("forbidden");
    setUserDisabled(SYSTEM, target.userId, true);
    await expect(() => sendPasswordReset(SYSTEM, target.userId)).toBeRefused("invalid", /is disabled/);
    await expect(() => sendPasswordReset(SYSTEM, "no-such-user")).toBeRefused("not_found");
    expect(mailsTo(target.userId)).toEqual([]);
  });
});

describe("npm run user:reset-password (an operator without mail)", () => {
  it("prints a working link and queues no mail", async () => {
    {
      const { email, userId } = await newUser();
      const tsx = path.resolve("node_modules/.bin/tsx");
      const out = execFileSync(tsx, [path.resolve("scripts/user-reset-password.ts"), "--email", email], {
        env: process.env,
        encoding: "utf8",
      });
      const url = /^http:\/\/\S+\/reset-password\/([A-Za-z0-9_-]{43})$/m.exec(out);
      expect(url, out).not.toBeNull();
      expect(mailsTo(userId)).toEqual([]);
      expect(resetLinkState(url![1])).toMatchObject({ ok: true, requestedBy: "cli" });
      expect(lastAudit("user.password_reset_link_issued")).toMatchObject({
        actorLabel: "system:cli:user:reset-password",
        targetId: userId,
      });
      // Without PUBLIC_URL the link names localhost:PORT: said, as the portal may run elsewhere.
      const withoutUrl = { ...process.env };
      delete withoutUrl.PUBLIC_URL;
      const bare = spawnSync(tsx, [path.resolve("scripts/user-reset-password.ts"), "--email", email], {
        env: withoutUrl,
        encoding: "utf8",
      });
      expect(bare.stderr).toMatch(/PUBLIC_URL is not set here, so the link names http:\/\/localhost:\d+/);
      const named = spawnSync(tsx, [path.resolve("scripts/user-reset-password.ts"), "--email", email], {
        env: { ...process.env, PUBLIC_URL: "http://localhost:3999" },
        encoding: "utf8",
      });
      expect(named.stdout).toMatch(/^http:\/\/localhost:3999\/reset-password\//m);
      expect(named.stderr).not.toMatch(/PUBLIC_URL/);
      // Unknown addresses are named.
      let status = 0;
      let stderr = "";
      try {
        execFileSync(tsx, [path.resolve("scripts/user-reset-password.ts"), "--email", "ghost@reset.test"], {
          env: process.env,
          encoding: "utf8",
          stdio: "pipe",
        });
      } catch (e) {
        status = (e as { status: number }).status;
        stderr = (e as { stderr: string }).stderr;
      }
      expect(status).toBe(2);
      expect(stderr).toMatch(/No user has this email/);
    }
  }, 60_000);

  it("the link of createPasswordResetLink works; --generate-password rotates at once and ends every session", async () => {
    const { email, userId } = await newUser();
    const r = createPasswordResetLink(SYSTEM, email);
    expect(r.url).toMatch(/\/reset-password\/[A-Za-z0-9_-]{43}$/);
    const session = await asActor(email);
    const { password, sessionsEnded } = await setGeneratedPassword(SYSTEM, email);
    expect(sessionsEnded).toBe(1);
    expect(userForSession(session.token)).toBeNull();
    // The operator's earlier link ended with the rotation.
    expect(resetLinkState(r.url.split("/").pop()!)).toEqual({ ok: false, problem: "superseded" });
    await expect(login({ email, password }, client())).resolves.toBeTruthy();
    expect(db().select().from(users).where(eq(users.id, userId)).get()!.passwordHash).toMatch(/^scrypt\$/);
  });

  it("--generate-password on a disabled account rotates its password and says the account is disabled", async () => {
    const { email, userId } = await newUser();
    expect((await setGeneratedPassword(SYSTEM, email)).disabled).toBe(false);
    setUserDisabled(SYSTEM, userId, true);
    const r = await setGeneratedPassword(SYSTEM, email);
    expect(r.disabled).toBe(true);
    await expect(login({ email, password: r.password }, client())).rejects.toThrow();
    setUserDisabled(SYSTEM, userId, false);
    await expect(login({ email, password: r.password }, client())).resolves.toBeTruthy();
  });
});

describe("without SMTP_URL (the demo): the portal sends no mail", () => {
  it("keeps the mail, and the admin reads its link at /admin/outbox to hand it over", async () => {
    const { email, userId } = await newUser();
    requestPasswordReset({ email }, client());
    const token = tokenFromMail(userId);
    const shown = outboxMail(SYSTEM, mailsTo(userId)[0].id);
    expect(shown.mail.status).toBe("kept");
    expect(shown.resetLink).toBe("shown");
    expect(shown.mail.text).toContain(`/reset-password/${token}`);
  });

  it("the forgot-password page does not promise a mail", async () => {
    const { loader, action } = await import("../../../app/routes/forgot-password");
    const page = (await loader({
      request: new Request("http://localhost/forgot-password?email=someone%40reset.test"),
      params: {},
      context: {},
    } as never)) as { email: string; mailSent: boolean };
    expect(page).toEqual({ email: "someone@reset.test", mailSent: false });
    // A bad address is said on its field and asks for nothing.
    const bad = (await action({
      request: new Request("http://localhost/forgot-password", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: "not an address" }),
      }),
      params: {},
      context: { ip: "198.51.100.201" },
    } as never)) as unknown as { data: { ok: false; fieldErrors: Record<string, string> }; init: { status: number } };
    expect(bad.init.status).toBe(400);
    expect(Object.keys(bad.data.fieldErrors)).toEqual(["email"]);
  });
});
