// /admin/users: each user's active API tokens are counted in the list, and disabling a user who
// created some (which revokes them for good) needs the row's tick box, as revoking one token on
// /retailer/api does; the service refuses without it, so a form posted without JavaScript or by a
// script cannot skip it. Against a real database, through the route.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { createApiToken, organizationForBearer } from "../../../app/features/accounts/api-tokens.server";
import { createOrganization, createUser } from "../../../app/features/accounts/users.server";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";

const SYSTEM = { system: "test" };
const PASSWORD = "an admin's password 2026";
let cookie: string;
let retailOrgId: string;
const admin = () => actorByEmail("boss@tokens.test");

beforeAll(async () => {
  await createUser(SYSTEM, { email: "boss@tokens.test", name: "Boss Admin", role: "admin", password: PASSWORD });
  retailOrgId = transaction((tx) => createOrganization(tx, SYSTEM, { name: "Token Retail Ltd", kind: "retailer" })).id;
  cookie = await sessionCookie("boss@tokens.test", "203.0.113.41", PASSWORD);
}, 60_000);

const post = (fields: Record<string, string>) =>
  new Request("http://localhost/admin/users", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
    body: new URLSearchParams(fields),
  });

type Failure = {
  data: { ok: false; formError: string; fieldErrors: Record<string, string> };
  init: { status: number };
};

async function act(fields: Record<string, string>) {
  const { action } = await import("../../../app/routes/admin.users");
  return (await action({ request: post(fields), params: {}, context: {} } as never)) as unknown;
}

async function listed(userId: string) {
  const { loader } = await import("../../../app/routes/admin.users");
  const data = (await loader({
    request: new Request("http://localhost/admin/users", { headers: { Cookie: cookie } }),
    params: {},
    context: {},
  } as never)) as { users: { id: string; activeApiTokens: number }[] };
  return data.users.find((u) => u.id === userId)!;
}

describe("disabling a user who created API tokens", () => {
  it("shows the count, refuses without the tick box (nothing changed), and revokes with it", async () => {
    const { userId } = await createUser(admin(), {
      email: "till.owner@retail.test",
      name: "Till Owner",
      role: "retailer",
      organizationId: retailOrgId,
    });
    const owner = actorByEmail("till.owner@retail.test");
    const t1 = createApiToken(owner, { name: "Till one" });
    createApiToken(owner, { name: "Till two" });
    expect((await listed(userId)).activeApiTokens).toBe(2);

    const refused = (await act({ intent: "disable", userId })) as Failure;
    expect(refused.init.status).toBe(400);
    const message =
      "Tick the box to confirm that the 2 API tokens till.owner@retail.test created are revoked for good (enabling the account again does not restore them).";
    expect(refused.data.formError).toBe(message);
    expect(refused.data.fieldErrors).toEqual({ confirm: message });
    expect(db().select().from(users).where(eq(users.id, userId)).get()!.disabledAt).toBeNull();
    expect(organizationForBearer(`Bearer ${t1.token}`)).toMatchObject({ ok: true });

    const done = (await act({ intent: "disable", userId, confirm: "yes" })) as { ok: true; toggled: string };
    expect(done.ok).toBe(true);
    expect(done.toggled).toContain("the 2 API tokens they created were revoked");
    expect(organizationForBearer(`Bearer ${t1.token}`)).toMatchObject({ ok: false });
    expect((await listed(userId)).activeApiTokens).toBe(0);
  });

  it("needs no tick box for a user without active tokens", async () => {
    const { userId } = await createUser(admin(), {
      email: "no.tokens@assure.test",
      name: "No Tokens",
      role: "assessor",
    });
    expect((await listed(userId)).activeApiTokens).toBe(0);
    const done = (await act({ intent: "disable", userId })) as { ok: true; toggled: string };
    expect(done.toggled).toMatch(/^no\.tokens@assure\.test is disabled/);
  });
});

describe("tokens of an account disabled before disabling revoked them", () => {
  it("are revoked at startup (revokeTokensOfDisabledCreators), audited, once", async () => {
    const { revokeTokensOfDisabledCreators } = await import("../../../app/features/accounts/api-tokens.server");
    const { auditEvents } = await import("../../../db/schema");
    const { userId } = await createUser(admin(), {
      email: "old.leaver@retail.test",
      name: "Old Leaver",
      role: "retailer",
      organizationId: retailOrgId,
    });
    const leaver = actorByEmail("old.leaver@retail.test");
    const stale = createApiToken(leaver, { name: "Left behind" });
    await createUser(admin(), {
      email: "still.here@retail.test",
      name: "Still Here",
      role: "retailer",
      organizationId: retailOrgId,
    });
    const kept = createApiToken(actorByEmail("still.here@retail.test"), { name: "Still used" });
    // As an older portal left it: the account disabled, its token untouched.
    db().update(users).set({ disabledAt: new Date() }).where(eq(users.id, userId)).run();
    expect(organizationForBearer(`Bearer ${stale.token}`)).toMatchObject({ ok: true });

    expect(revokeTokensOfDisabledCreators({ system: "startup" })).toBe(1);
    expect(organizationForBearer(`Bearer ${stale.token}`)).toMatchObject({ ok: false });
    expect(organizationForBearer(`Bearer ${kept.token}`)).toMatchObject({ ok: true });
    const audit = db().select().from(auditEvents).where(eq(auditEvents.targetId, stale.id)).all();
    expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([
      ["api_token.created", "old.leaver@retail.test"],
      ["api_token.revoked", "system:startup"],
    ]);
    expect(JSON.parse(audit[1].details as unknown as string)).toMatchObject({
      reason: "its creator's account (old.leaver@retail.test) is disabled",
    });
    expect(revokeTokensOfDisabledCreators({ system: "startup" })).toBe(0);
  });
});
