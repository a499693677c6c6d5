// An organisation's active API tokens have names of their own: they are told apart by name on
// /retailer/api ("Revoke Stock system"), in the audit log and in mails. A second active token of
// the same name (in any case) is refused on the name field; once the first is revoked, the name
// is free again; another organisation's tokens do not count. Against a real database, through the route.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { createApiToken, listApiTokens, revokeApiToken } from "../../../app/features/accounts/api-tokens.server";
import { actorByEmail, buyer } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { signUpConfirmed } from "../../support/signup";

let cookie: string;
beforeAll(async () => {
  await seedDemoData();
  cookie = await sessionCookie("buyer@demo.test", "203.0.113.75");
}, 60_000);

type Failure = {
  data: { ok: false; formError: string; fieldErrors: Record<string, string>; values: Record<string, string> };
  init: { status: number };
};

async function create(name: string) {
  const { action } = await import("../../../app/routes/retailer.api");
  return action({
    request: new Request("http://localhost/retailer/api", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
      body: new URLSearchParams({ name }),
    }),
    params: {},
    context: {},
  } as never) as Promise<unknown>;
}

describe("two active tokens of one organisation with the same name", () => {
  it("the second is refused on the name field (in any case), and nothing is created", async () => {
    expect(await create("Stock system")).toMatchObject({ ok: true });
    const before = listApiTokens(buyer()).length;
    const refused = (await create("  stock SYSTEM ")) as Failure;
    expect(refused.init.status).toBe(409);
    expect(refused.data.fieldErrors.name).toBe(
      'Your organisation already has an active token named "Stock system": choose another name, or revoke that one first.',
    );
    expect(refused.data.values.name).toBe("stock SYSTEM");
    expect(listApiTokens(buyer())).toHaveLength(before);
  });

  it("a revoked token's name can be used again; another organisation's names do not count", async () => {
    const first = createApiToken(buyer(), { name: "Shelf scanner" });
    expect(() => createApiToken(buyer(), { name: "Shelf scanner" })).toBeRefused(
      "conflict",
      /already has an active token/,
    );
    revokeApiToken(buyer(), first.id, { confirmed: true });
    expect(() => createApiToken(buyer(), { name: "Shelf scanner" })).not.toThrow();
    await signUpConfirmed(
      {
        kind: "retailer",
        organizationName: "Other Shelves Ltd",
        name: "Olly Other",
        email: "olly@othershelves.test",
        password: "another long password 2026",
      },
      { ip: "192.0.2.76" },
    );
    expect(() => createApiToken(actorByEmail("olly@othershelves.test"), { name: "Shelf scanner" })).not.toThrow();
  });
});
