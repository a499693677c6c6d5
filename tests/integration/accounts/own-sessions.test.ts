// /account, "Where you are signed in": a user sees each of their live sessions (browser, address,
// since, until; the current one marked) and signs out one of the others, or all of them; never
// another user's session, never the current one that way; each audited.
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lastAudit } from "../../support/audit";
import { sessions } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { login, resetRateLimits, userForSession } from "../../../app/features/accounts/auth.server";
import {
  endOtherOwnSessions,
  endOwnSession,
  listOwnSessions,
} from "../../../app/features/accounts/own-sessions.server";
import { setSessionCookie } from "../../../app/features/accounts/session.server";
import { createUser } from "../../../app/features/accounts/users.server";

const PASSWORD = "sessions are listed 2026";
const FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_PHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const EDGE =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
let n = 0;

type Session = Actor & { token: string };

/** A new user signed in from a laptop (Firefox), then a phone, then a Windows PC, a minute apart. */
async function signedInThrice(): Promise<{ email: string; laptop: Session; phone: Session; pc: Session }> {
  const email = `sessions${++n}-${crypto.randomUUID().slice(0, 6)}@sessions.test`;
  await createUser({ system: "test" }, { email, name: `Sessions ${n}`, role: "assessor", password: PASSWORD });
  const out: Session[] = [];
  for (const [i, userAgent] of [FIREFOX, SAFARI_PHONE, EDGE].entries()) {
    testClock.advance(60_000);
    const { user, token } = await login({ email, password: PASSWORD }, { ip: `203.0.113.${n * 3 + i}`, userAgent });
    out.push({ ...user, token });
  }
  const [laptop, phone, pc] = out;
  return { email, laptop, phone, pc };
}

afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

describe("where a user is signed in", () => {
  it("lists each live session: the current one first, then the newest; browser, address, since and until", async () => {
    const { laptop } = await signedInThrice();
    const list = listOwnSessions(laptop, laptop.token);
    expect(list.map((s) => [s.device, s.current])).toEqual([
      ["Firefox on Linux", true],
      ["Edge on Windows", false],
      ["Safari on iPhone", false],
    ]);
    expect(list[0].ip).toBe(laptop.ip);
    expect(list[0].expiresAt.getTime() - list[0].startedAt.getTime()).toBe(12 * 3600_000);
    // The ids name the sessions without being their tokens or the tokens' stored SHA-256.
    for (const s of list) {
      expect(s.id).toMatch(/^[\w-]{22}$/);
      expect(JSON.stringify(list)).not.toContain(laptop.token);
    }
  });

  it("says when and from where each session was last used, written at most once every five minutes", async () => {
    const { laptop, phone } = await signedInThrice(); // the phone signed in a minute before the clock's now
    const row = (device: string) => listOwnSessions(laptop, laptop.token).find((s) => s.device === device)!;
    const seenInDb = () =>
      db()
        .select({ at: sessions.lastSeenAt, ip: sessions.lastSeenIp })
        .from(sessions)
        .where(eq(sessions.userId, laptop.userId))
        .all();
    // Not used since the sign-in: that is its last use, from the sign-in's address, and nothing was written.
    expect(row("Safari on iPhone")).toMatchObject({ lastIp: phone.ip });
    expect(row("Safari on iPhone").lastActiveAt).toEqual(row("Safari on iPhone").startedAt);
    expect(seenInDb().every((s) => s.at === null && s.ip === null)).toBe(true);

    // Used 3 minutes after its sign-in: within the step, nothing written (a page load is no write).
    testClock.advance(2 * 60_000);
    expect(userForSession(phone.token, "198.51.100.7")).not.toBeNull();
    expect(row("Safari on iPhone").lastActiveAt).toEqual(row("Safari on iPhone").startedAt);
    expect(seenInDb().every((s) => s.at === null)).toBe(true);

    // Used 5 minutes after: written, with the address it came from this time.
    testClock.advance(2 * 60_000);
    expect(userForSession(phone.token, "198.51.100.7")).not.toBeNull();
    const used = row("Safari on iPhone");
    expect(nowMs() - used.lastActiveAt.getTime()).toBeLessThan(1_000); // now (the test clock runs on)
    expect(used.lastIp).toBe("198.51.100.7");
    expect(used.ip).toBe(phone.ip); // the sign-in's address stays
    // Used again a minute later: the last use written stays (to within the step).
    testClock.advance(60_000);
    userForSession(phone.token, "198.51.100.8");
    expect(row("Safari on iPhone")).toMatchObject({ lastActiveAt: used.lastActiveAt, lastIp: "198.51.100.7" });
    // The others are untouched; an unknown token writes nothing.
    expect(row("Edge on Windows").lastActiveAt).toEqual(row("Edge on Windows").startedAt);
    expect(userForSession("not-a-session-token", "192.0.2.1")).toBeNull();
    expect(seenInDb().filter((s) => s.at !== null)).toHaveLength(1);
  });

  it("a last use the database cannot take now fails nothing: the request has its user, the last use stays", async () => {
    const { laptop, phone } = await signedInThrice();
    testClock.advance(10 * 60_000);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    db().$client.pragma("query_only = 1"); // every write refused, as by a database that cannot take one
    let said: unknown[][];
    try {
      expect(userForSession(phone.token, "198.51.100.9")?.email).toBe(phone.email);
      expect(userForSession(laptop.token, "198.51.100.9")?.email).toBe(laptop.email);
    } finally {
      db().$client.pragma("query_only = 0");
      said = [...errors.mock.calls];
      errors.mockRestore();
    }
    expect(said).toHaveLength(1); // said once, not at every request
    expect(String(said[0][0])).toContain("could not write a session's last use");
    const phoneRow = listOwnSessions(laptop, laptop.token).find((s) => s.device === "Safari on iPhone")!;
    expect(phoneRow.lastActiveAt).toEqual(phoneRow.startedAt);
    // The next use writes it.
    userForSession(phone.token, "198.51.100.9");
    expect(listOwnSessions(laptop, laptop.token).find((s) => s.device === "Safari on iPhone")!.lastIp).toBe(
      "198.51.100.9",
    );
  });

  it("an expired session is not listed", async () => {
    const { laptop } = await signedInThrice();
    testClock.advance(12 * 3600_000 - 90_000); // the laptop's (the first) has expired, the two after not yet
    // The laptop's session itself has ended: its owner is asked from another.
    expect(userForSession(laptop.token)).toBeNull();
    expect(listOwnSessions(laptop, null).map((s) => s.device)).toEqual(["Edge on Windows", "Safari on iPhone"]);
  });

  it("signs out one other session: it stops working, the others go on, audited with what it was", async () => {
    const { email, laptop, phone, pc } = await signedInThrice();
    const phoneRow = listOwnSessions(laptop, laptop.token).find((s) => s.device === "Safari on iPhone")!;
    const ended = endOwnSession(laptop, laptop.token, phoneRow.id);
    expect(ended.device).toBe("Safari on iPhone");
    expect(userForSession(phone.token)).toBeNull();
    expect(userForSession(laptop.token)?.email).toBe(email);
    expect(userForSession(pc.token)?.email).toBe(email);
    const audit = lastAudit("user.session_ended")!;
    expect(audit).toMatchObject({ actorLabel: email, targetId: laptop.userId });
    expect(JSON.parse(audit.details)).toEqual({
      device: "Safari on iPhone",
      ip: phone.ip,
      startedAt: phoneRow.startedAt.toISOString(),
    });
    // Again: it has ended already.
    expect(() => endOwnSession(laptop, laptop.token, phoneRow.id)).toThrow(/ended already/);
  });

  it("refuses the current session (that is Log out) and another user's session, changing nothing", async () => {
    const a = await signedInThrice();
    const b = await signedInThrice();
    const own = listOwnSessions(a.laptop, a.laptop.token)[0];
    await expect(() => endOwnSession(a.laptop, a.laptop.token, own.id)).toBeRefused("invalid", /log out/);
    const theirs = listOwnSessions(b.pc, b.pc.token)[0];
    await expect(() => endOwnSession(a.laptop, a.laptop.token, theirs.id)).toBeRefused("not_found");
    expect(userForSession(a.laptop.token)).not.toBeNull();
    expect(userForSession(b.pc.token)).not.toBeNull();
    expect(listOwnSessions(b.pc, b.pc.token)).toHaveLength(3);
  });

  it("signs out everywhere else: every other session ends, this one goes on; audited with how many", async () => {
    const { email, laptop, phone, pc } = await signedInThrice();
    expect(endOtherOwnSessions(pc, pc.token)).toBe(2);
    expect(userForSession(laptop.token)).toBeNull();
    expect(userForSession(phone.token)).toBeNull();
    expect(userForSession(pc.token)?.email).toBe(email);
    expect(JSON.parse(lastAudit("user.other_sessions_ended")!.details)).toEqual({ ended: 2 });
    expect(endOtherOwnSessions(pc, pc.token)).toBe(0); // nothing left: no audit entry for nothing
    expect(JSON.parse(lastAudit("user.other_sessions_ended")!.details)).toEqual({ ended: 2 });
  });
});

describe("the account page", () => {
  const post = async (token: string, fields: Record<string, string>) => {
    const { action } = await import("../../../app/routes/account");
    const r = (await action({
      request: new Request("http://localhost/account", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Cookie: (await setSessionCookie(token)).split(";")[0]!,
        },
        body: new URLSearchParams(fields),
      }),
      params: {},
      context: {},
    } as never)) as unknown as
      { ok: boolean; notice?: string } | { data: Record<string, unknown>; init: { status: number } };
    return "data" in r ? { ...r.data, status: r.init.status } : r;
  };

  it("lists the sessions, signs one out and then the rest, and names a bad choice instead of failing", async () => {
    const { laptop, phone, pc } = await signedInThrice();
    const { loader } = await import("../../../app/routes/account");
    const page = (await loader({
      request: new Request("http://localhost/account", {
        headers: { Cookie: (await setSessionCookie(laptop.token)).split(";")[0]! },
      }),
      params: {},
      context: {},
    } as never)) as { sessions: { id: string; device: string; current: boolean }[] };
    expect(page.sessions.map((s) => s.device)).toEqual(["Firefox on Linux", "Edge on Windows", "Safari on iPhone"]);

    const phoneId = page.sessions.find((s) => s.device === "Safari on iPhone")!.id;
    const one = await post(laptop.token, { intent: "end-session", session: phoneId });
    expect(one).toMatchObject({
      ok: true,
      notice: expect.stringMatching(/^Signed out of Safari on iPhone, signed in since /),
    });
    expect(userForSession(phone.token)).toBeNull();

    expect(await post(laptop.token, { intent: "end-session", session: "../../etc" })).toMatchObject({
      ok: false,
      status: 400,
      formError: "No session was signed out.",
      fieldErrors: { session: "Choose a session from the list." },
    });
    expect(await post(laptop.token, { intent: "end-session", session: phoneId })).toMatchObject({
      ok: false,
      status: 404,
      formError: expect.stringMatching(/ended already/),
    });
    expect(await post(laptop.token, { intent: "sign-out-the-world" })).toMatchObject({ ok: false, status: 400 });

    expect(await post(laptop.token, { intent: "end-other-sessions" })).toEqual({
      ok: true,
      notice: "Signed out of 1 other session; you stay signed in here.",
    });
    expect(userForSession(pc.token)).toBeNull();
    expect(userForSession(laptop.token)).not.toBeNull();
  });
});
