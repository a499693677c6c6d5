import { execFileSync } from "node:child_process";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, organizations, users } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { login } from "../../../app/features/accounts/auth.server";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { db } from "../../../app/platform/db.server";
import { DEMO_PASSWORD, DEMO_USERS } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { createUser, listOrganizations, listUsers } from "../../../app/features/accounts/users.server";

let admin: Actor;
let supplier: Actor;

beforeAll(async () => {
  const first = await seedDemoData();
  expect(first.created.filter((c) => c.startsWith("user ") || c.startsWith("organisation "))).toHaveLength(10);
  expect(first.created).toContain("submission Gator Kids Watch 3 3.2.0 / ETSI EN 303 645 2.1.1 (submitted)");
  admin = (await login({ email: "admin@demo.test", password: DEMO_PASSWORD }, { ip: "127.0.0.1" })).user;
  supplier = (await login({ email: "supplier@demo.test", password: DEMO_PASSWORD }, { ip: "127.0.0.1" })).user;
});

describe("demo seed", () => {
  it("creates every demo account with the documented role and organisation, once", async () => {
    const all = listUsers(admin);
    for (const u of DEMO_USERS) {
      expect(all.find((x) => x.email === u.email)).toMatchObject({ role: u.role, organizationName: u.organization });
    }
    const again = await seedDemoData();
    expect(again.created).toEqual([]);
    expect(listUsers(admin)).toHaveLength(all.length);
  });
});

describe("creating users (admin only)", () => {
  it("puts a new assessor into the certification body and returns a generated password once", async () => {
    const r = await createUser(admin, { email: "carol@assure.test", name: "Carol Check", role: "assessor" });
    expect(r.generated).toBe(true);
    const row = db().select().from(users).where(eq(users.id, r.userId)).get()!;
    const org = db().select().from(organizations).where(eq(organizations.id, row.organizationId)).get()!;
    expect(org).toMatchObject({ name: "IoT Seal Assurance", kind: "certifier" });
    await expect(
      login({ email: "carol@assure.test", password: r.password }, { ip: "127.0.0.2" }),
    ).resolves.toBeTruthy();
  });

  it("refuses a role that does not fit the organisation", async () => {
    const gator = listOrganizations(admin).find((o) => o.name === "Gator Wearables Ltd")!;
    await expect(
      createUser(admin, { email: "x@gator.test", name: "X Person", role: "assessor", organizationId: gator.id }),
    ).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { role: expect.stringMatching(/certifier/) },
    });
  });

  it("refuses non-admins, whatever they send", async () => {
    await expect(createUser(supplier, { email: "evil@x.test", name: "Evil", role: "admin" })).toBeRefused("forbidden");
    expect(() => listUsers(supplier)).toThrow(/permission/);
    expect(db().select().from(users).where(eq(users.email, "evil@x.test")).get()).toBeUndefined();
  });
});

describe("the audit log", () => {
  it("is append-only in the database itself", () => {
    const sqlite = db().$client;
    expect(() => sqlite.prepare("update audit_events set action = 'x' where seq = 1").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare("delete from audit_events where seq = 1").run()).toThrow(/append-only/);
  });

  it("every write above left a verifiable chain", () => {
    const r = checkAuditChain();
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(db().select().from(auditEvents).all().length);
  });

  it("`npm run audit:verify` passes on the intact log and names the first tampered row", () => {
    const script = path.resolve("scripts/audit-verify.ts");
    const tsx = path.resolve("node_modules/.bin/tsx");
    const ok = execFileSync(tsx, [script], { env: process.env, encoding: "utf8" });
    expect(ok).toMatch(/Audit chain intact: \d+ events verified/);

    // Someone with raw access drops the guard and edits event #3.
    const sqlite = db().$client;
    sqlite.exec("drop trigger audit_events_no_update");
    sqlite
      .prepare("update audit_events set details = ? where seq = 3")
      .run(JSON.stringify({ email: "someone-else@x.test" }));
    expect(checkAuditChain()).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    let out = "";
    let status = 0;
    try {
      execFileSync(tsx, [script], { env: process.env, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const err = e as { status: number; stderr: string };
      status = err.status;
      out = err.stderr;
    }
    expect(status).toBe(1);
    expect(out).toMatch(/BROKEN at event #3: content does not match its hash/);
  });
});
