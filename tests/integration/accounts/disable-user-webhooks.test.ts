// /admin/users: disabling a user also removes the webhook endpoints they registered (an address they
// chose, signed with a secret they hold, receiving the organisation's events, policy results included),
// in the same transaction, audited, for good; the row counts them and its tick box names them, and the
// service refuses without it. Accounts disabled before this are swept at startup. Against a real
// database, through the route.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, users, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { createApiToken } from "../../../app/features/accounts/api-tokens.server";
import { createOrganization, createUser, setUserDisabled } from "../../../app/features/accounts/users.server";
import {
  enqueueWebhook,
  registerWebhook,
  removeWebhooksOfDisabledCreators,
} from "../../../app/features/retail/webhooks.server";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";

const SYSTEM = { system: "test" };
const PASSWORD = "an admin's password 2026";
let cookie: string;
let retailOrgId: string;
const admin = () => actorByEmail("boss@hooks.test");

beforeAll(async () => {
  await createUser(SYSTEM, { email: "boss@hooks.test", name: "Boss Admin", role: "admin", password: PASSWORD });
  retailOrgId = transaction((tx) => createOrganization(tx, SYSTEM, { name: "Hook Retail Ltd", kind: "retailer" })).id;
  cookie = await sessionCookie("boss@hooks.test", "203.0.113.42", PASSWORD);
}, 60_000);

type Failure = {
  data: { ok: false; formError: string; fieldErrors: Record<string, string> };
  init: { status: number };
};

async function act(fields: Record<string, string>) {
  const { action } = await import("../../../app/routes/admin.users");
  const request = new Request("http://localhost/admin/users", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
    body: new URLSearchParams(fields),
  });
  return (await action({ request, params: {}, context: {} } as never)) as unknown;
}

async function listed(userId: string) {
  const { loader } = await import("../../../app/routes/admin.users");
  const data = (await loader({
    request: new Request("http://localhost/admin/users", { headers: { Cookie: cookie } }),
    params: {},
    context: {},
  } as never)) as { users: { id: string; activeApiTokens: number; activeWebhooks: number }[] };
  return data.users.find((u) => u.id === userId)!;
}

async function retailer(email: string): Promise<string> {
  const { userId } = await createUser(admin(), { email, name: email, role: "retailer", organizationId: retailOrgId });
  return userId;
}

const endpoint = (id: string) => db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get()!;
const deliveriesOf = (id: string) =>
  db().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id)).all();
const auditOf = (id: string) =>
  db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetType, "webhook"), eq(auditEvents.targetId, id)))
    .all()
    .map((a) => ({ action: a.action, by: a.actorLabel, details: JSON.parse(a.details as unknown as string) }));

describe("disabling a user who registered webhook endpoints", () => {
  it("counts them, refuses without the tick box (nothing changed), and removes them with it", async () => {
    const userId = await retailer("hook.owner@retail.test");
    const owner = actorByEmail("hook.owner@retail.test");
    const mine = registerWebhook(owner, { url: "http://127.0.0.1:9/leaver" });
    await retailer("hook.colleague@retail.test");
    const colleague = registerWebhook(actorByEmail("hook.colleague@retail.test"), {
      url: "http://127.0.0.1:9/colleague",
    });
    transaction((tx) => enqueueWebhook(tx, mine.id, "ev-policy", { id: "ev-policy", type: "policy.unmet" }));
    expect(await listed(userId)).toMatchObject({ activeApiTokens: 0, activeWebhooks: 1 });

    const refused = (await act({ intent: "disable", userId })) as Failure;
    expect(refused.init.status).toBe(400);
    const message =
      "Tick the box to confirm that the webhook endpoint hook.owner@retail.test registered is removed for good (enabling the account again does not restore it).";
    expect(refused.data.formError).toBe(message);
    expect(refused.data.fieldErrors).toEqual({ confirm: message });
    expect(db().select().from(users).where(eq(users.id, userId)).get()!.disabledAt).toBeNull();
    expect(endpoint(mine.id).active).toBe(true);

    const done = (await act({ intent: "disable", userId, confirm: "yes" })) as { ok: true; toggled: string };
    expect(done.toggled).toBe(
      "hook.owner@retail.test is disabled: they cannot log in, and their sessions have ended, and the webhook endpoint they registered was removed (enabling the account does not restore it). Enable the account to let them back.",
    );
    expect(endpoint(mine.id).active).toBe(false);
    // Nothing more goes to it: what was waiting is given up.
    expect(deliveriesOf(mine.id).map((d) => [d.status, d.nextAttemptAt])).toEqual([["failed", null]]);
    expect(auditOf(mine.id)).toEqual([
      { action: "webhook.registered", by: "hook.owner@retail.test", details: { url: "http://127.0.0.1:9/leaver" } },
      {
        action: "webhook.removed",
        by: "boss@hooks.test",
        details: {
          url: "http://127.0.0.1:9/leaver",
          reason: "its creator's account (hook.owner@retail.test) was disabled",
        },
      },
    ]);
    expect(endpoint(colleague.id).active).toBe(true); // a colleague's endpoint stays
    expect(await listed(userId)).toMatchObject({ activeWebhooks: 0 });

    // Enabling the account again does not bring it back.
    await act({ intent: "enable", userId });
    expect(endpoint(mine.id).active).toBe(false);
  });

  it("one tick box for both API tokens and webhook endpoints", async () => {
    const userId = await retailer("both.owner@retail.test");
    const owner = actorByEmail("both.owner@retail.test");
    createApiToken(owner, { name: "Till" });
    createApiToken(owner, { name: "Shelf" });
    registerWebhook(owner, { url: "http://127.0.0.1:9/both-a" });
    registerWebhook(owner, { url: "http://127.0.0.1:9/both-b" });
    const refused = (await act({ intent: "disable", userId })) as Failure;
    expect(refused.data.formError).toBe(
      "Tick the box to confirm that the 2 API tokens both.owner@retail.test created are revoked and the 2 webhook endpoints both.owner@retail.test registered are removed for good (enabling the account again does not restore them).",
    );
    const done = (await act({ intent: "disable", userId, confirm: "yes" })) as { ok: true; toggled: string };
    expect(done.toggled).toContain(
      ", and the 2 API tokens they created were revoked and the 2 webhook endpoints they registered were removed (enabling the account does not restore them).",
    );
    expect(await listed(userId)).toMatchObject({ activeApiTokens: 0, activeWebhooks: 0 });
  });

  it("a script disabling the account (the service itself) is refused without confirming too", async () => {
    const userId = await retailer("script.owner@retail.test");
    const ep = registerWebhook(actorByEmail("script.owner@retail.test"), { url: "http://127.0.0.1:9/script" });
    await expect(() => setUserDisabled(SYSTEM, userId, true)).toBeRefused("invalid", /webhook endpoint/);
    expect(endpoint(ep.id).active).toBe(true);
    expect(setUserDisabled(SYSTEM, userId, true, { confirmed: true })).toEqual({
      changed: true,
      revokedApiTokens: 0,
      removedWebhooks: 1,
    });
    expect(endpoint(ep.id).active).toBe(false);
  });
});

describe("webhook endpoints of an account disabled before disabling removed them", () => {
  it("are removed at startup (removeWebhooksOfDisabledCreators), audited, once", async () => {
    const userId = await retailer("old.hook@retail.test");
    const stale = registerWebhook(actorByEmail("old.hook@retail.test"), { url: "http://127.0.0.1:9/old" });
    await retailer("kept.hook@retail.test");
    const kept = registerWebhook(actorByEmail("kept.hook@retail.test"), { url: "http://127.0.0.1:9/kept" });
    transaction((tx) => enqueueWebhook(tx, stale.id, "ev-old", { id: "ev-old", type: "seal.suspended" }));
    // As an older portal left it: the account disabled, its endpoint untouched.
    db().update(users).set({ disabledAt: new Date() }).where(eq(users.id, userId)).run();

    expect(removeWebhooksOfDisabledCreators({ system: "startup" })).toBe(1);
    expect(endpoint(stale.id).active).toBe(false);
    expect(deliveriesOf(stale.id).map((d) => d.status)).toEqual(["failed"]);
    expect(endpoint(kept.id).active).toBe(true);
    expect(auditOf(stale.id).at(-1)).toEqual({
      action: "webhook.removed",
      by: "system:startup",
      details: { url: "http://127.0.0.1:9/old", reason: "its creator's account (old.hook@retail.test) is disabled" },
    });
    expect(removeWebhooksOfDisabledCreators({ system: "startup" })).toBe(0);
  });
});
