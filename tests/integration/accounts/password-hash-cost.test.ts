// PASSWORD_HASH_COST raised: accounts whose password was hashed at the older, cheaper cost keep
// logging in with it, and each login stores the password again at today's cost. A wrong password
// changes nothing; a hash at the cost already (or dearer) is left as it is.
process.env.PASSWORD_HASH_COST = "11"; // read lazily, at the first getEnv(); the seed hashed at the tests' 10 elsewhere

import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../db/schema";
import { login, resetRateLimits } from "../../../app/features/accounts/auth.server";
import { hashPassword, verifyPassword } from "../../../app/features/accounts/passwords.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { actorByEmail, DEMO_EMAILS } from "../../support/actors";
import { lastAudit } from "../../support/audit";

const storedHash = (email: string) =>
  db().select({ hash: users.passwordHash }).from(users).where(eq(users.email, email)).get()!.hash;
const setHash = (email: string, hash: string) =>
  db().update(users).set({ passwordHash: hash }).where(eq(users.email, email)).run();
const costOf = (hash: string) => Number(hash.split("$")[1]);
const auditCount = (action: string) =>
  (db().$client.prepare("select count(*) as n from audit_events where action = ?").get(action) as { n: number }).n;

beforeAll(async () => {
  await seedDemoData({ seals: false });
});
afterEach(() => resetRateLimits());

describe("raising PASSWORD_HASH_COST", () => {
  it("is the cost of new hashes", async () => {
    expect(getEnv().passwordHashCost).toBe(11);
    expect(costOf(await hashPassword("a brand new password"))).toBe(11);
  });

  it("a login with a cheaper hash succeeds and stores the password again at the new cost", async () => {
    setHash(DEMO_EMAILS.grace, await hashPassword(DEMO_PASSWORD, 10));
    await login({ email: DEMO_EMAILS.grace, password: DEMO_PASSWORD }, { ip: "10.9.0.1" });
    const after = storedHash(DEMO_EMAILS.grace);
    expect(costOf(after)).toBe(11);
    expect(await verifyPassword(DEMO_PASSWORD, after)).toBe(true);
    // The audit log says a password was stored again, whose, and at what costs (never the hash).
    const entry = lastAudit("user.password_rehashed");
    expect(entry).toMatchObject({
      actorLabel: "system:password-upgrade",
      targetId: actorByEmail(DEMO_EMAILS.grace).userId,
    });
    expect(JSON.parse(entry!.details)).toEqual({ fromCost: 10, toCost: 11 });
    // and the next login with it works, and leaves it
    await login({ email: DEMO_EMAILS.grace, password: DEMO_PASSWORD }, { ip: "10.9.0.2" });
    expect(storedHash(DEMO_EMAILS.grace)).toBe(after);
    expect(auditCount("user.password_rehashed")).toBe(1); // once
  });

  it("a wrong password leaves the cheaper hash as it was", async () => {
    const cheap = await hashPassword(DEMO_PASSWORD, 10);
    setHash(DEMO_EMAILS.sam, cheap);
    await expect(() =>
      login({ email: DEMO_EMAILS.sam, password: "not-the-password-2026" }, { ip: "10.9.0.3" }),
    ).toBeRefused("unauthenticated");
    expect(storedHash(DEMO_EMAILS.sam)).toBe(cheap);
  });

  it("a dearer hash is not made cheaper", async () => {
    const dearer = await hashPassword(DEMO_PASSWORD, 12);
    setHash(DEMO_EMAILS.asha, dearer);
    await login({ email: DEMO_EMAILS.asha, password: DEMO_PASSWORD }, { ip: "10.9.0.4" });
    expect(storedHash(DEMO_EMAILS.asha)).toBe(dearer);
    expect(auditCount("user.password_rehashed")).toBe(1); // Grace's, above: not again
  });
});
