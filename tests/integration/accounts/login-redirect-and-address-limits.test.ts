// Logging in through the route: a destination outside Latin-1 (/login?redirectTo=/✓) is sent
// percent-encoded instead of failing with a 500; the per-address limit counts an IPv6 client by its
// /64 and an IPv4-mapped address as the IPv4 one. Against a real database.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { transaction } from "../../../app/platform/db.server";
import { login, resetRateLimits, userForSession } from "../../../app/features/accounts/auth.server";
import { sessionTokenFromHeader } from "../../../app/features/accounts/session.server";
import { getEnv } from "../../../app/platform/env.server";
import { createOrganization, createUser } from "../../../app/features/accounts/users.server";

const SYSTEM = { system: "test" };
const EMAIL = "maker@limits.test";
const PASSWORD = "the maker's password 2026";

beforeAll(async () => {
  const org = transaction((tx) => createOrganization(tx, SYSTEM, { name: "Limits Maker Ltd", kind: "supplier" }));
  await createUser(SYSTEM, {
    email: EMAIL,
    name: "Max Maker",
    role: "supplier",
    organizationId: org.id,
    password: PASSWORD,
  });
}, 60_000);
afterEach(() => resetRateLimits());

const post = (fields: Record<string, string>) =>
  new Request("http://localhost/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });

describe("the destination after logging in", () => {
  it.each([
    ["/✓", "/%E2%9C%93"],
    ["/search?q=über", "/search?q=%C3%BCber"],
    ["/.//evil.example", "/supplier"],
  ])("redirectTo=%j goes to %j", async (redirectTo, location) => {
    const { action } = await import("../../../app/routes/login");
    const res = (await action({
      request: post({ email: EMAIL, password: PASSWORD, redirectTo }),
      params: {},
      context: { ip: "203.0.113.40" },
    } as never)) as Response;
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(location);
    expect(res.headers.get("Set-Cookie")).toMatch(/^iotseal_session=/);
  });
});

describe("the session cookie over https", () => {
  it("is __Host- prefixed, Secure, for Path=/ and without a Domain (a sibling subdomain cannot plant one)", async () => {
    const env = getEnv();
    const was = env.cookieSecure;
    Object.assign(env, { cookieSecure: true });
    try {
      const { action } = await import("../../../app/routes/login");
      const res = (await action({
        request: post({ email: EMAIL, password: PASSWORD, redirectTo: "/supplier" }),
        params: {},
        context: { ip: "203.0.113.41" },
      } as never)) as Response;
      const setCookie = res.headers.get("Set-Cookie")!;
      expect(setCookie).toMatch(/^__Host-iotseal_session=/);
      expect(setCookie).toMatch(/; Secure/);
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).not.toMatch(/Domain=/i);
      const token = await sessionTokenFromHeader(setCookie.split(";")[0]);
      expect(userForSession(token!)?.email).toBe(EMAIL);
      // The unprefixed name is not read over https.
      expect(await sessionTokenFromHeader(setCookie.split(";")[0].replace("__Host-", ""))).toBeNull();
    } finally {
      Object.assign(env, { cookieSecure: was });
    }
  });
});

describe("the per-address limit on logins", () => {
  const guess = (ip: string) => login({ email: EMAIL, password: "a wrong guess" }, { ip });

  it("counts every address of one IPv6 /64 together", async () => {
    for (let i = 1; i <= 10; i++) await expect(guess(`2001:db8:7:7::${i.toString(16)}`)).toBeRefused("unauthenticated");
    await expect(guess("2001:db8:7:7:abcd::1")).toBeRefused("rate_limited", /Too many attempts/);
    // Another /64 is another client.
    await expect(guess("2001:db8:7:8::1")).toBeRefused("unauthenticated");
  }, 60_000); // a dozen password checks on a loaded machine

  it("counts an IPv4-mapped IPv6 address as the IPv4 address", async () => {
    for (let i = 0; i < 10; i++)
      await expect(guess(i % 2 ? "192.0.2.99" : "::ffff:192.0.2.99")).toBeRefused("unauthenticated");
    await expect(guess("::ffff:c000:263")).toBeRefused("rate_limited");
  }, 60_000);
});
