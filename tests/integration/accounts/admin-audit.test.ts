// The audit log as an administrator reads it (filters, targets, organisation names, the comparison
// with a backup's recorded head), what disabling an account does to the API tokens its user made,
// and the rules that keep at least one enabled administrator. Against a real database.
import { and, eq, isNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiTokens, auditEvents, organizations, users } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { checkAuditChain, compareAuditHead, listAudit } from "../../../app/platform/audit.server";
import { auditHash, GENESIS_HASH } from "../../../app/platform/audit-chain";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import {
  createApiToken,
  organizationForBearer,
  revokeApiToken,
} from "../../../app/features/accounts/api-tokens.server";
import { declareConflict, listConflicts, removeConflict } from "../../../app/features/accounts/conflicts.server";
import { adminOverview, auditLogView } from "../../../app/features/accounts/dashboard.server";
import { createUser, listUsers, setUserDisabled } from "../../../app/features/accounts/users.server";
import { actorByEmail, admin, buyer } from "../../support/actors";
import { sessionCookie } from "../../support/http";

const SYSTEM = { system: "test" } as const;
let retailOrgId: string;

const lastEvent = (action: string) => listAudit({ action, limit: 1 }).events[0];

beforeAll(async () => {
  await seedDemoData();
  retailOrgId = db().select().from(organizations).where(eq(organizations.name, "High Street Retail")).get()!.id;
});

describe("the audit log's events say what they acted on", () => {
  it("a revoked API token names the token, its prefix and its organisation", () => {
    const { id, token } = createApiToken(buyer(), { name: "Shelf scanner" });
    revokeApiToken(buyer(), id, { confirmed: true });
    const e = lastEvent("api_token.revoked")!;
    expect(e).toMatchObject({ targetType: "api_token", targetId: id, organizationName: "High Street Retail" });
    expect(JSON.parse(e.details)).toEqual({
      name: "Shelf scanner",
      prefix: token.slice(0, "iots_".length + 6),
      organization: "High Street Retail",
    });
    expect(organizationForBearer(`Bearer ${token}`)).toMatchObject({ ok: false });
  });

  it("a removed conflict of interest names the assessor and the organisation", () => {
    const asha = actorByEmail("assessor1@demo.test");
    const gator = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!;
    declareConflict(admin(), { assessorId: asha.userId, organizationId: gator.id, reason: "Former employee" });
    const declared = listConflicts(admin()).declarations.find((d) => d.assessorEmail === asha.email)!;
    removeConflict(admin(), declared.id);
    expect(JSON.parse(lastEvent("conflict.removed")!.details)).toEqual({
      assessor: "assessor1@demo.test",
      organization: "Gator Wearables Ltd",
      reason: "Former employee",
    });
  });
});

describe("filtering the audit log", () => {
  it("by organisation, action, actor (any case) and target, with the organisation's name on each event", () => {
    const byOrg = listAudit({ organizationId: retailOrgId, limit: 200 }).events;
    expect(byOrg.length).toBeGreaterThan(0);
    expect(byOrg.every((e) => e.organizationId === retailOrgId && e.organizationName === "High Street Retail")).toBe(
      true,
    );

    const created = listAudit({ action: "user.created", limit: 200 }).events;
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((e) => e.action === "user.created")).toBe(true);

    const byBuyer = listAudit({ actor: "BUYER@demo.test", limit: 200 }).events;
    expect(byBuyer.map((e) => e.action)).toContain("api_token.revoked");
    expect(byBuyer.every((e) => e.actorLabel === "buyer@demo.test")).toBe(true);

    const token = lastEvent("api_token.revoked")!;
    const onToken = listAudit({ targetType: "api_token", targetId: token.targetId!, limit: 200 }).events;
    expect(onToken.map((e) => e.action)).toEqual(["api_token.revoked", "api_token.created"]);

    const both = listAudit({ organizationId: retailOrgId, action: "api_token.created", limit: 200 }).events;
    expect(both.length).toBeGreaterThan(0);
    expect(both.every((e) => e.organizationId === retailOrgId && e.action === "api_token.created")).toBe(true);
  });

  it("pages within the filter", () => {
    const all = listAudit({ action: "user.created", limit: 200 }).events;
    expect(all.length).toBeGreaterThan(2);
    const first = listAudit({ action: "user.created", limit: 2 });
    const second = listAudit({ action: "user.created", limit: 2, before: first.nextBefore! });
    expect([...first.events, ...second.events].map((e) => e.seq)).toEqual(all.slice(0, 4).map((e) => e.seq));
    expect(second.events.every((e) => e.action === "user.created")).toBe(true);
  });

  it("the page's service offers the organisations, actions and actors, and names an unknown organisation", () => {
    const view = auditLogView(admin(), { organizationId: "no-such-org", action: "user.created" });
    expect(view.problems.organization).toMatch(/^Organisation: there is no such organisation/);
    expect(view.filter).toMatchObject({ organizationId: undefined, action: "user.created" });
    expect(view.page.events.length).toBeGreaterThan(0);
    expect(view.organizations.map((o) => o.name)).toContain("High Street Retail");
    expect(view.actions).toContain("user.created");
    expect(view.actors).toContain("buyer@demo.test");
    expect(view.chain).toBeNull(); // only on request
    expect(() => auditLogView(buyer(), {})).toThrow(/permission/);
  });

  it("the route reads the filters from the query, names a bad one instead of failing, and never recomputes unasked", async () => {
    const { loader } = await import("../../../app/routes/admin.audit");
    const cookie = await sessionCookie("admin@demo.test", "203.0.113.9");
    const get = (qs: string) =>
      loader({
        request: new Request(`http://localhost/admin/audit?${qs}`, { headers: { Cookie: cookie } }),
        params: {},
        context: {},
      } as never);
    const ok = await get(`organization=${retailOrgId}&action=api_token.created`);
    expect(ok.problems).toEqual([]);
    expect(ok.chain).toBeNull();
    expect(ok.page.events.every((e) => e.organizationId === retailOrgId && e.action === "api_token.created")).toBe(
      true,
    );
    const bad = await get("action=DROP%20TABLE&before=-3&backupEvents=x&backupHead=abc");
    expect(bad.problems).toEqual([
      "Action: choose one from the list.",
      "Page: not a page of the log.",
      "Events in the backup: a whole number (auditChain.events in the backup's manifest.json).",
      "Head in the backup: 64 hexadecimal digits (auditChain.head in the backup's manifest.json).",
    ]);
    expect(bad.page.events.length).toBeGreaterThan(0); // the rest of the page still shows
    const verified = await get("verify=1");
    expect(verified.chain).toMatchObject({ ok: true });
  });
});

describe("the admin dashboard", () => {
  it("does not re-verify the audit chain on every load", () => {
    const overview = adminOverview(admin());
    expect(overview).not.toHaveProperty("chain");
    expect(overview.auditEvents).toBeGreaterThan(0);
  });
});

describe("disabling a user", () => {
  it("revokes the API tokens they created, in the same transaction, audited; enabling does not bring them back", async () => {
    const r = await createUser(admin(), {
      email: "second.buyer@retail.test",
      name: "Second Buyer",
      role: "retailer",
      organizationId: retailOrgId,
    });
    const second = actorByEmail("second.buyer@retail.test");
    const a = createApiToken(second, { name: "Till integration" });
    const b = createApiToken(second, { name: "Stock check" });
    const others = createApiToken(buyer(), { name: "Buyer's own" }); // another user's: untouched
    expect(organizationForBearer(`Bearer ${a.token}`)).toMatchObject({ ok: true });

    // Asked first: without the tick box nothing changes (the tokens work, the account stays enabled).
    await expect(() => setUserDisabled(admin(), r.userId, true)).toBeRefused(
      "invalid",
      "Tick the box to confirm that the 2 API tokens second.buyer@retail.test created are revoked for good (enabling the account again does not restore them).",
    );
    expect(organizationForBearer(`Bearer ${a.token}`)).toMatchObject({ ok: true });
    expect(db().select().from(users).where(eq(users.id, r.userId)).get()!.disabledAt).toBeNull();
    expect(listUsers(admin()).find((u) => u.id === r.userId)!.activeApiTokens).toBe(2);

    expect(setUserDisabled(admin(), r.userId, true, { confirmed: true })).toEqual({
      changed: true,
      revokedApiTokens: 2,
      removedWebhooks: 0,
    });
    expect(listUsers(admin()).find((u) => u.id === r.userId)!.activeApiTokens).toBe(0);
    expect(organizationForBearer(`Bearer ${a.token}`)).toMatchObject({ ok: false });
    expect(organizationForBearer(`Bearer ${b.token}`)).toMatchObject({ ok: false });
    expect(organizationForBearer(`Bearer ${others.token}`)).toMatchObject({ ok: true, organizationId: retailOrgId });

    const revoked = listAudit({ action: "api_token.revoked", limit: 2 }).events;
    expect(revoked.map((e) => e.targetId).sort()).toEqual([a.id, b.id].sort());
    expect(revoked.every((e) => e.actorLabel === "admin@demo.test")).toBe(true);
    expect(JSON.parse(revoked.find((e) => e.targetId === a.id)!.details)).toMatchObject({
      name: "Till integration",
      organization: "High Street Retail",
      reason: "its creator's account (second.buyer@retail.test) was disabled",
    });
    expect(JSON.parse(lastEvent("user.disabled")!.details)).toEqual({
      email: "second.buyer@retail.test",
      revokedApiTokens: 2,
      removedWebhooks: 0,
    });

    expect(setUserDisabled(admin(), r.userId, false)).toEqual({
      changed: true,
      revokedApiTokens: 0,
      removedWebhooks: 0,
    });
    expect(organizationForBearer(`Bearer ${a.token}`)).toMatchObject({ ok: false });
    expect(checkAuditChain().ok).toBe(true);
  });

  it("is refused to an admin who was disabled meanwhile, and for the last enabled administrator", async () => {
    const adminA = admin();
    const b = await createUser(SYSTEM, { email: "second.admin@assure.test", name: "Second Admin", role: "admin" });
    const adminB: Actor = actorByEmail("second.admin@assure.test");
    // B disables A; A's page was loaded before and A now disables B: refused, B stays enabled.
    setUserDisabled(adminB, adminA.userId, true);
    await expect(() => setUserDisabled(adminA, b.userId, true)).toBeRefused(
      "forbidden",
      "Your account has been disabled: you can no longer manage users.",
    );
    const enabled = () =>
      db()
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.role, "admin"), isNull(users.disabledAt)))
        .all();
    expect(enabled().map((u) => u.id)).toEqual([b.userId]);
    // Nobody (not even a script) disables the last enabled administrator.
    await expect(() => setUserDisabled(SYSTEM, b.userId, true)).toBeRefused(
      "conflict",
      "second.admin@assure.test is the last enabled administrator: enable or add another administrator first.",
    );
    expect(enabled()).toHaveLength(1);
    setUserDisabled(SYSTEM, adminA.userId, false);
    expect(setUserDisabled(adminA, b.userId, true)).toMatchObject({ changed: true }); // two were enabled
  });
});

// Last: it tampers with the log (drops its append-only guards).
describe("comparing the log with a backup's recorded head", () => {
  const headNow = () => {
    const last = db().select().from(auditEvents).orderBy(auditEvents.seq).all().at(-1)!;
    return { events: last.seq, head: last.hash };
  };

  it("agrees with an untouched log, and counts the events since", () => {
    const recorded = headNow();
    createApiToken(buyer(), { name: "After the backup" });
    expect(compareAuditHead(recorded)).toEqual({ ok: true, events: recorded.events, newer: 1 });
    expect(compareAuditHead({ events: 0, head: GENESIS_HASH })).toMatchObject({ ok: true });
  });

  it("finds the newest events removed, which the chain check alone does not", () => {
    const recorded = headNow();
    const sqlite = db().$client;
    sqlite.exec("drop trigger audit_events_no_delete");
    sqlite.prepare("delete from audit_events where seq >= ?").run(recorded.events - 1);
    expect(checkAuditChain().ok).toBe(true); // a shorter chain still verifies
    expect(compareAuditHead(recorded)).toEqual({
      ok: false,
      reason: "missing",
      events: recorded.events,
      current: recorded.events - 2,
    });
  });

  it("finds an event rewritten with every hash after it recomputed, which the chain check alone does not", () => {
    const recorded = headNow();
    const sqlite = db().$client;
    sqlite.exec("drop trigger audit_events_no_update");
    // Rewrite event #5's details and recompute its hash and every one after it, as an attacker could.
    const rows = db().select().from(auditEvents).orderBy(auditEvents.seq).all();
    let prev = rows[3]!.hash;
    for (const r of rows.slice(4)) {
      const details = r.seq === 5 ? { rewritten: true } : JSON.parse(r.details);
      const hash = auditHash(prev, {
        seq: r.seq,
        at: r.at.toISOString(),
        actorUserId: r.actorUserId,
        actorLabel: r.actorLabel,
        organizationId: r.organizationId,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        ip: r.ip,
        details,
      });
      sqlite
        .prepare("update audit_events set details = ?, prev_hash = ?, hash = ? where seq = ?")
        .run(JSON.stringify(details), prev, hash, r.seq);
      prev = hash;
    }
    expect(checkAuditChain().ok).toBe(true);
    expect(compareAuditHead(recorded)).toMatchObject({ ok: false, reason: "different", events: recorded.events });
    expect(db().select().from(apiTokens).all().length).toBeGreaterThan(0); // nothing else touched
  });
});

describe("adding a user", () => {
  it("names every problem at once: an email in use and no organisation chosen", async () => {
    const before = db().select().from(users).all().length;
    await expect(() =>
      createUser(admin(), { email: "supplier@demo.test", name: "Second Grace", role: "supplier" }),
    ).toBeRefused("invalid");
    const error = await createUser(admin(), {
      email: "supplier@demo.test",
      name: "Second Grace",
      role: "supplier",
    }).catch((e: { fieldErrors: Record<string, string> }) => e.fieldErrors);
    expect(error).toEqual({
      organizationId: "Choose an organisation.",
      email: "A user with this email already exists.",
    });
    expect(db().select().from(users).all()).toHaveLength(before);
  });
});
