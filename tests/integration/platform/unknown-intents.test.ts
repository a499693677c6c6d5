// A form's `intent` an action does not know (an old page, a crafted post) is refused with a 400 and
// changes nothing: it is never taken for the page's default form (creating an API token, registering
// a webhook, watching a seal, declaring a conflict, editing a product, saving a policy), which is
// what these actions did with it before. Against a real database, as Remix calls the actions.
import { beforeAll, describe, expect, it } from "vitest";
import {
  apiTokens,
  products,
  acceptancePolicies,
  watchlistEntries,
  webhookEndpoints,
  conflictDeclarations,
} from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { db } from "../../../app/platform/db.server";
import { sessionCookie } from "../../support/http";
import { SENT_TWICE } from "../../../app/platform/forms";
import { actorByEmail } from "../../support/actors";

type Failure = { data: { ok: false; formError: string }; init: { status: number } };
const cookies: Record<string, string> = {};
let serial: string;

beforeAll(async () => {
  await seedDemoData();
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  cookies.buyer = await sessionCookie("buyer@demo.test", "203.0.113.60");
  cookies.admin = await sessionCookie("admin@demo.test", "203.0.113.61");
  cookies.supplier = await sessionCookie("supplier@demo.test", "203.0.113.62");
});

const post = (who: string, path: string, fields: Record<string, string>) =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies[who] },
    body: new URLSearchParams(fields),
  });

const rows = () => ({
  tokens: db().select().from(apiTokens).all().length,
  webhooks: db().select().from(webhookEndpoints).all().length,
  watched: db().select().from(watchlistEntries).all().length,
  conflicts: db().select().from(conflictDeclarations).all().length,
  products: JSON.stringify(db().select().from(products).all()),
  policies: JSON.stringify(db().select().from(acceptancePolicies).all()),
});

describe("an unknown intent", () => {
  it("is refused on every page whose default form it would have sent, and changes nothing", async () => {
    const product = db().select().from(products).all()[0]!;
    const policy = db().select().from(acceptancePolicies).all()[0];
    const assessor = actorByEmail("assessor1@demo.test");
    const cases: [string, string, string, Record<string, string>, Record<string, string>][] = [
      ["buyer", "retailer.api", "/retailer/api", {}, { name: "crafted token" }],
      ["buyer", "retailer.webhooks", "/retailer/webhooks", {}, { url: "https://example.org/hook" }],
      ["buyer", "retailer.watchlist._index", "/retailer/watchlist?index", {}, { serial }],
      [
        "admin",
        "admin.conflicts",
        "/admin/conflicts",
        {},
        { assessorId: assessor.userId, organizationId: product.organizationId, reason: "a crafted reason" },
      ],
      [
        "supplier",
        "supplier.products.$productId",
        `/supplier/products/${product.id}`,
        { productId: product.id },
        { name: "Crafted name", updatedAt: String(product.updatedAt?.getTime?.() ?? "") },
      ],
    ];
    if (policy)
      cases.push([
        "buyer",
        "retailer.policies.$policyId",
        `/retailer/policies/${policy.id}`,
        { policyId: policy.id },
        { name: "Crafted policy" },
      ]);
    const before = rows();
    for (const [who, route, path, params, fields] of cases) {
      const { action } = await import(`../../../app/routes/${route}.tsx`);
      for (const intent of ["bogus", ""]) {
        const r = (await action({
          request: post(who, path, { intent, ...fields }),
          params,
          context: {},
        } as never)) as Failure;
        expect({ route, intent, status: r.init?.status, message: r.data?.formError }).toEqual({
          route,
          intent,
          status: 400,
          message: "That action is not one this page knows: reload the page and try again.",
        });
      }
    }
    expect(rows()).toEqual(before);
  });
});

describe("a field sent twice with different values", () => {
  it("is refused on that field by the actions that read the form themselves, and changes nothing", async () => {
    const policy = db().select().from(acceptancePolicies).all()[0];
    const before = rows();
    expect(policy).toBeDefined(); // the demo's acceptance policy
    if (policy) {
      const policies = await import("../../../app/routes/retailer.policies.$policyId");
      const body = new URLSearchParams([
        ["intent", "delete"],
        ["intent", "zz"],
      ]);
      const twice = (await policies.action({
        request: new Request(`http://localhost/retailer/policies/${policy.id}`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies.buyer },
          body,
        }),
        params: { policyId: policy.id },
        context: {},
      } as never)) as Failure & { data: { fieldErrors: Record<string, string> } };
      expect(twice.init.status).toBe(400);
      expect(twice.data.fieldErrors).toEqual({ intent: SENT_TWICE });
    }
    expect(rows()).toEqual(before);
  });
});
