// Removals a buyer cannot take back are asked first, as revoking an API token is: deleting an
// acceptance policy and removing a webhook endpoint need the "I understand" tick box (confirm=yes,
// so a form without JavaScript works; the service refuses without it, so a crafted POST cannot skip
// it), and the page afterwards names what went ("Policy … deleted.", "Endpoint … removed…").
// Removing a watched product (which can be watched again) names the product. Against a real
// database, through the routes.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { acceptancePolicies, webhookDeliveries, webhookEndpoints } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db, transaction } from "../../../app/platform/db.server";
import { deletePolicy, policyFromForm, savePolicy } from "../../../app/features/retail/policies.server";
import { enqueueWebhook, registerWebhook, removeWebhook } from "../../../app/features/retail/webhooks.server";
import { watchlistView } from "../../../app/features/retail/watchlist.server";
import { buyer } from "../../support/actors";
import { sessionCookie } from "../../support/http";

let cookie: string;
beforeAll(async () => {
  await seedDemoData();
  cookie = await sessionCookie("buyer@demo.test", "203.0.113.72");
}, 60_000);

const post = (path: string, fields: Record<string, string>) =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
    body: new URLSearchParams(fields),
  });

type Failure = {
  data: { ok: false; formError: string; fieldErrors: Record<string, string> };
  init: { status: number };
};
type Done = { ok: true; notice: string };

function newPolicy(name: string): string {
  const form = policyFromForm({ name, category: "any", minSupport: "1", minSupportUnit: "years" });
  if (!form.ok) throw new Error(JSON.stringify(form.fieldErrors));
  return savePolicy(buyer(), form.value);
}

describe("deleting an acceptance policy", () => {
  it("is refused without the tick box, naming the confirm field, and nothing is deleted", async () => {
    const id = newPolicy("Shop floor A");
    const route = await import("../../../app/routes/retailer.policies.$policyId");
    const refused = (await route.action({
      request: post(`/retailer/policies/${id}`, { intent: "delete" }),
      params: { policyId: id },
      context: {},
    } as never)) as Failure;
    expect(refused.init.status).toBe(400);
    expect(refused.data.fieldErrors.confirm).toMatch(/^Tick the box to confirm that the policy is deleted for good/);
    expect(db().select().from(acceptancePolicies).where(eq(acceptancePolicies.id, id)).get()).toBeDefined();
    expect(() => deletePolicy(buyer(), id, { confirmed: false })).toBeRefused("invalid", /Tick the box/);
  });

  it("with the tick box: lands on the list, which says which policy was deleted", async () => {
    const id = newPolicy("Shop floor B");
    const route = await import("../../../app/routes/retailer.policies.$policyId");
    let thrown: unknown;
    try {
      await route.action({
        request: post(`/retailer/policies/${id}`, { intent: "delete", confirm: "yes" }),
        params: { policyId: id },
        context: {},
      } as never);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Response);
    const location = (thrown as Response).headers.get("Location")!;
    expect(location).toBe(`/retailer/policies?deleted=${id}`);
    expect(db().select().from(acceptancePolicies).where(eq(acceptancePolicies.id, id)).get()).toBeUndefined();
    const list = await import("../../../app/routes/retailer.policies._index");
    const load = (path: string) =>
      list.loader({
        request: new Request(`http://localhost${path}`, { headers: { Cookie: cookie } }),
        params: {},
        context: {},
      } as never) as Promise<{ notice: string | null }>;
    expect((await load(location)).notice).toBe("Policy Shop floor B deleted.");
    // The name comes from the audit log, not the address: an id of no deleted policy says nothing.
    expect((await load("/retailer/policies?deleted=Anything%20you%20like")).notice).toBeNull();
    expect((await load("/retailer/policies")).notice).toBeNull();
  });
});

describe("removing a webhook endpoint", () => {
  it("is refused without the tick box; with it, names the endpoint and the pending deliveries given up", async () => {
    const ep = registerWebhook(buyer(), { url: "http://127.0.0.1:9/asked-first" });
    transaction((tx) => {
      for (const n of [1, 2, 3]) enqueueWebhook(tx, ep.id, `test-${n}`, { id: `test-${n}`, type: "test" });
    });
    const route = await import("../../../app/routes/retailer.webhooks");
    const act = (fields: Record<string, string>) =>
      route.action({ request: post("/retailer/webhooks", fields), params: {}, context: {} } as never);
    const refused = (await act({ intent: "remove", endpointId: ep.id })) as Failure;
    expect(refused.init.status).toBe(400);
    expect(refused.data.fieldErrors.confirm).toMatch(/^Tick the box to confirm that the endpoint is removed for good/);
    expect(db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id)).get()?.active).toBe(true);

    const done = (await act({ intent: "remove", endpointId: ep.id, confirm: "yes" })) as Done;
    expect(done.notice).toBe(
      "Endpoint http://127.0.0.1:9/asked-first removed: its secret signs nothing more, and 3 pending deliveries were given up. The watchlist feed still has every event.",
    );
    expect(
      db()
        .select({ status: webhookDeliveries.status })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.endpointId, ep.id))
        .all()
        .map((d) => d.status),
    ).toEqual(["failed", "failed", "failed"]);
    // Sent twice (a second click): the endpoint is gone, said so, not removed (and audited) again.
    expect(() => removeWebhook(buyer(), ep.id, { confirmed: true })).toBeRefused("not_found");
  });
});

describe("removing a watched product", () => {
  it("names the product", async () => {
    // The demo buyer watches the demo products.
    const [row] = (await watchlistView(buyer(), { since: 0, lastVisit: null })).rows;
    const route = await import("../../../app/routes/retailer.watchlist._index");
    const done = (await route.action({
      request: post("/retailer/watchlist?index", { intent: "remove", entryId: row.id }),
      params: {},
      context: {},
    } as never)) as Done;
    expect(done.notice).toBe(`${row.name} removed from the watchlist.`);
  });
});
