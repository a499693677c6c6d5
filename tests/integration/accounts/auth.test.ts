import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { organizations, sessions } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { login, logout, resetRateLimits, userForSession } from "../../../app/features/accounts/auth.server";
import { requestSignup } from "../../../app/features/accounts/signup.server";
import { checkAuditChain, listAudit } from "../../../app/platform/audit.server";
import { db } from "../../../app/platform/db.server";
import type { ServiceError } from "../../../app/platform/errors.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { setUserDisabled } from "../../../app/features/accounts/users.server";

const client = { ip: "203.0.113.7", userAgent: "vitest" };

beforeAll(async () => {
  await seedDemoData();
});
afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

describe("login and sessions", () => {
  it("logs a demo user in with a database session resolving to the user and organisation", async () => {
    const { token, user } = await login({ email: "supplier@demo.test", password: DEMO_PASSWORD }, client);
    expect(user).toMatchObject({
      email: "supplier@demo.test",
      role: "supplier",
      organizationName: "Gator Wearables Ltd",
      organizationKind: "supplier",
    });
    expect(token).toMatch(/^[\w-]{43}$/);
    // Only the token's hash is stored.
    const rows = db().select().from(sessions).all();
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(userForSession(token)?.userId).toBe(user.userId);
    expect(listAudit({ limit: 1 }).events[0]).toMatchObject({
      action: "user.login",
      actorLabel: "supplier@demo.test",
      ip: "203.0.113.7",
    });
  });

  it("gives the same message for a wrong password and an unknown email", async () => {
    const message = "That email and password do not match an account.";
    await expect(login({ email: "supplier@demo.test", password: "not the password" }, client)).toBeRefused(
      "unauthenticated",
      message,
    );
    await expect(login({ email: "nobody@demo.test", password: "not the password" }, client)).toBeRefused(
      undefined,
      message,
    );
    const failures = listAudit({ limit: 2 }).events;
    expect(failures.map((e) => e.action)).toEqual(["user.login_failed", "user.login_failed"]);
    // Where the guesses came from is in the log (nobody is signed in: no actor's address).
    expect(failures.map((e) => JSON.parse(e.details).ip)).toEqual([client.ip, client.ip]);
  });

  it("expires a session after its lifetime", async () => {
    const { token } = await login({ email: "buyer@demo.test", password: DEMO_PASSWORD }, client);
    expect(userForSession(token)).not.toBeNull();
    testClock.advance(12 * 3600_000 + 1);
    expect(userForSession(token)).toBeNull();
  });

  it("logout deletes the session row so the old token no longer works", async () => {
    const { token } = await login({ email: "assessor1@demo.test", password: DEMO_PASSWORD }, client);
    const before = db().select().from(sessions).all().length;
    logout(token, client.ip);
    expect(userForSession(token)).toBeNull();
    expect(db().select().from(sessions).all().length).toBe(before - 1);
    expect(listAudit({ limit: 1 }).events[0].action).toBe("user.logout");
  });

  it("a disabled user cannot log in and loses existing sessions", async () => {
    const { token, user } = await login({ email: "supplier2@demo.test", password: DEMO_PASSWORD }, client);
    setUserDisabled({ system: "test" }, user.userId, true);
    expect(userForSession(token)).toBeNull();
    // The right password: told the account is disabled (and whom to ask), audited as a failure.
    await expect(login({ email: "supplier2@demo.test", password: DEMO_PASSWORD }, client)).toBeRefused(
      "forbidden",
      "This account is disabled. Ask an administrator of IoT Seal.",
    );
    expect(listAudit({ limit: 1 }).events[0]).toMatchObject({ action: "user.login_failed" });
    expect(JSON.parse(listAudit({ limit: 1 }).events[0].details)).toMatchObject({ reason: "account disabled" });
    // A wrong password learns nothing about the account: the usual message.
    await expect(login({ email: "supplier2@demo.test", password: "not the password" }, client)).toBeRefused(
      "unauthenticated",
      "That email and password do not match an account.",
    );
    setUserDisabled({ system: "test" }, user.userId, false);
    await expect(login({ email: "supplier2@demo.test", password: DEMO_PASSWORD }, client)).resolves.toBeTruthy();
  });
});

describe("rate limiting (10 attempts per minute)", () => {
  it("limits attempts per address: the 11th from one address is refused, then allowed after a minute", async () => {
    for (let i = 0; i < 10; i++) {
      await expect(login({ email: "admin@demo.test", password: "guess " + i }, { ip: "198.51.100.7" })).toBeRefused(
        "unauthenticated",
      );
    }
    const blocked = login({ email: "admin@demo.test", password: DEMO_PASSWORD }, { ip: "198.51.100.7" });
    await expect(blocked).toBeRefused("rate_limited", /Too many attempts/);
    await expect(blocked).rejects.toSatisfy((e: ServiceError) => (e.retryAfterSeconds ?? 0) > 0);
    testClock.advance(61_000);
    await expect(
      login({ email: "admin@demo.test", password: DEMO_PASSWORD }, { ip: "198.51.100.7" }),
    ).resolves.toBeTruthy();
  });

  it("limits attempts per address, whatever the email", async () => {
    for (let i = 0; i < 10; i++)
      await expect(login({ email: `nobody${i}@demo.test`, password: "x" }, { ip: "192.0.2.1" })).toBeRefused();
    await expect(login({ email: "buyer@demo.test", password: DEMO_PASSWORD }, { ip: "192.0.2.1" })).toBeRefused(
      "rate_limited",
    );
    // Another address is not affected.
    await expect(
      login({ email: "buyer@demo.test", password: DEMO_PASSWORD }, { ip: "192.0.2.2" }),
    ).resolves.toBeTruthy();
  });

  it("issue 13.10: a login lock-out from one address does not lock the account for another", async () => {
    // An attacker who knows the email uses up the limit from their address (and from several more)...
    for (const ip of ["198.51.100.66", "198.51.100.67", "198.51.100.68"]) {
      for (let i = 0; i < 10; i++)
        await expect(login({ email: "admin@demo.test", password: `guess ${ip} ${i}` }, { ip })).toBeRefused();
      await expect(login({ email: "admin@demo.test", password: "one more" }, { ip })).toBeRefused("rate_limited");
    }
    // ...and the real user, at their own address, logs in at once.
    await expect(
      login({ email: "admin@demo.test", password: DEMO_PASSWORD }, { ip: "203.0.113.200" }),
    ).resolves.toMatchObject({ user: { email: "admin@demo.test" } });
  });

  it("limits sign-ups per address", async () => {
    for (let i = 0; i < 10; i++) {
      await requestSignup(
        {
          kind: "retailer",
          organizationName: `Shop ${i}`,
          name: "Shop Owner",
          email: `owner${i}@shop.test`,
          password: "a long enough password",
        },
        { ip: "192.0.2.50" },
      );
    }
    const shop10 = {
      kind: "retailer",
      organizationName: "Shop 10",
      name: "Shop Owner",
      email: "owner10@shop.test",
      password: "a long enough password",
    } as const;
    await expect(requestSignup(shop10, { ip: "192.0.2.50" })).toBeRefused("rate_limited");
    expect(db().select().from(organizations).where(eq(organizations.name, "Shop 10")).get()).toBeUndefined();
  });
});

// Sign-up itself, confirmed by email: signup-confirmation.test.ts.
describe("the audit chain", () => {
  it("leaves an intact audit chain behind everything above", () => {
    expect(checkAuditChain()).toMatchObject({ ok: true });
  });
});
