// "Recent activity" on a member's dashboard is in the order things happened, newest first, not the
// audit log's order of recording: the demo seed records each story with the clock set back to its
// dates (a July story after a November one), and the supplier's dashboard listed 8 Nov, 1 Nov, 15 Oct,
// 11 Oct, 9 Jul, 3 Dec, 8 Nov.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { login } from "../../../app/features/accounts/auth.server";
import { workspaceOverview, adminOverview } from "../../../app/features/accounts/dashboard.server";
import { listAudit, recordAudit } from "../../../app/platform/audit.server";
import { testClock } from "../../../app/platform/clock.server";
import { transaction } from "../../../app/platform/db.server";
import { actorByEmail } from "../../support/actors";

const times = (items: { at: Date }[]) => items.map((e) => e.at.getTime());
const newestFirst = (ms: number[]) => [...ms].sort((a, b) => b - a);

beforeAll(async () => {
  await seedDemoData();
});
afterEach(() => testClock.reset());

describe("recent activity", () => {
  it("lists the demo supplier's seeded history newest first", () => {
    const activity = workspaceOverview(actorByEmail("supplier@demo.test"), "supplier.workspace").activity;
    expect(activity).toHaveLength(10);
    expect(times(activity)).toEqual(newestFirst(times(activity)));
  });

  it("puts an event recorded late but dated earlier in its place by date", () => {
    const grace = actorByEmail("supplier@demo.test");
    const record = (at: string, action: string) => {
      testClock.set(Date.parse(at));
      transaction((tx) => recordAudit(tx, grace, { action }));
    };
    record("2031-03-02T10:00:00Z", "test.newest");
    record("2031-01-15T10:00:00Z", "test.recorded-last-dated-earlier");
    record("2031-03-01T10:00:00Z", "test.middle");
    const actions = workspaceOverview(grace, "supplier.workspace").activity.map((e) => e.action);
    expect(actions.slice(0, 3)).toEqual(["test.newest", "test.middle", "test.recorded-last-dated-earlier"]);
    // The admin's dashboard too.
    const all = adminOverview(actorByEmail("admin@demo.test")).activity;
    expect(times(all)).toEqual(newestFirst(times(all)));
    expect(all[0].action).toBe("test.newest");
  });
});

describe("what is activity", () => {
  it("leaves logins out of a dashboard (they were soon all it showed); the audit log keeps them; a failed login stays", async () => {
    testClock.set(Date.parse("2033-01-01T10:00:00Z"));
    const asha = actorByEmail("assessor1@demo.test");
    for (let i = 0; i < 12; i++) await login({ email: asha.email, password: DEMO_PASSWORD }, { ip: `10.0.0.${i + 1}` });
    await login({ email: asha.email, password: "not-the-password" }, { ip: "10.0.1.1" }).catch(() => undefined);
    const actions = workspaceOverview(asha, "assessor.workspace").activity.map((e) => e.action);
    expect(actions).not.toContain("user.login");
    expect(actions[0]).toBe("user.login_failed");
    expect(actions.length).toBe(10);
    expect(listAudit({ action: "user.login", actor: asha.email }).events.length).toBeGreaterThanOrEqual(12);
  });
});

describe("who did it, in words", () => {
  it("names people by name and the portal's own work as what it is; the audit log keeps what it recorded", () => {
    const grace = actorByEmail("supplier@demo.test");
    const asha = actorByEmail("assessor1@demo.test");
    const record = (at: string, actor: Parameters<typeof recordAudit>[1], action: string) => {
      // (organizationId given: a system actor's or an anonymous event belongs to no organisation by itself)
      testClock.set(Date.parse(at));
      transaction((tx) => recordAudit(tx, actor, { action, organizationId: grace.organizationId }));
    };
    record("2032-01-01T10:00:00Z", { system: "lifecycle" }, "test.lifecycle");
    record("2032-01-01T10:01:00Z", { system: "cli:keys:rotate" }, "test.operator");
    record("2032-01-01T10:02:00Z", { system: "a-worker-nobody-named" }, "test.unnamed-system");
    record("2032-01-01T10:03:00Z", asha, "finding.reported");
    record("2032-01-01T10:04:00Z", { ...grace, email: grace.email.toUpperCase() }, "test.upper-case-email");
    record("2032-01-01T10:05:00Z", null, "test.anonymous");
    const who = Object.fromEntries(
      workspaceOverview(grace, "supplier.workspace").activity.map((e) => [e.action, e.actorLabel]),
    );
    expect(who).toMatchObject({
      "test.lifecycle": "the lifecycle sweep",
      "test.operator": "an operator, on the command line (keys:rotate)",
      "test.unnamed-system": "the portal",
      "finding.reported": asha.name,
      "test.upper-case-email": grace.name,
      "test.anonymous": "someone not logged in",
    });
    expect(asha.name).not.toContain("@");
  });
});

describe("whose activity", () => {
  it("the certification body's dashboard shows its assessors' work on suppliers' submissions; a supplier sees only its own", () => {
    const asha = actorByEmail("assessor1@demo.test");
    const grace = actorByEmail("supplier@demo.test");
    const brightnest = actorByEmail("supplier2@demo.test");
    testClock.set(Date.parse("2033-05-05T10:00:00Z"));
    // Recorded against the supplier's organisation, as a verdict on its submission is.
    transaction((tx) => recordAudit(tx, asha, { action: "verdict.recorded", organizationId: grace.organizationId }));
    const latest = (who: typeof asha, permission: Parameters<typeof workspaceOverview>[1]) =>
      workspaceOverview(who, permission).activity[0];
    // The certification body reads which supplier it was about; the supplier needs no name of its own.
    expect(latest(asha, "assessor.workspace")).toMatchObject({
      action: "verdict.recorded",
      actorLabel: asha.name,
      about: "Gator Wearables Ltd",
    });
    expect(latest(grace, "supplier.workspace")).toMatchObject({
      action: "verdict.recorded",
      actorLabel: asha.name,
      about: null,
    });
    expect(latest(brightnest, "supplier.workspace").action).not.toBe("verdict.recorded");
    expect(workspaceOverview(brightnest, "supplier.workspace").activity.map((e) => e.at.getTime())).not.toContain(
      Date.parse("2033-05-05T10:00:00Z"),
    );
  });
});
