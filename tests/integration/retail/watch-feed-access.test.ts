// The watchlist feed (/retailer/watchlist/feed) is read by machines too: a webhook receiver catching
// up after a delivery given up sends the organisation's API token (Authorization: Bearer), and gets
// the JSON, not the login page. A wrong or revoked token, or an API call without credentials, is
// 401 JSON with WWW-Authenticate; a browser without a session still goes to log in. A `since`
// beyond the organisation's newest event is refused naming it (it would skip every future event).
// Against a real database, through the route's loader.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { createApiToken, revokeApiToken } from "../../../app/features/accounts/api-tokens.server";
import { watchlistFeed } from "../../../app/features/retail/watchlist.server";
import { buyer } from "../../support/actors";
import { sessionCookie } from "../../support/http";

let token: string;
let cookie: string;

beforeAll(async () => {
  await seedDemoData();
  token = createApiToken(buyer(), { name: "Webhook receiver" }).token;
  cookie = await sessionCookie("buyer@demo.test", "203.0.113.71");
}, 60_000);

async function feed(query: string, headers: Record<string, string> = {}) {
  const { loader } = await import("../../../app/routes/retailer.watchlist.feed");
  return (await loader({
    request: new Request(`http://localhost/retailer/watchlist/feed${query}`, { headers }),
    params: {},
    context: {},
  } as never)) as Response;
}

type Page = { events: { seq: number }[]; next: number; hasMore: boolean };

describe("the watchlist feed read with the organisation's API token", () => {
  it("answers the same events as the buyer's session", async () => {
    const r = await feed("?since=0&limit=500", { Authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await r.json()) as Page;
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events.map((e) => e.seq)).toEqual(watchlistFeed(buyer(), 0, 500).events.map((e) => e.seq));
    const bySession = (await (await feed("?since=0&limit=500", { Cookie: cookie })).json()) as Page;
    expect(bySession.events.map((e) => e.seq)).toEqual(body.events.map((e) => e.seq));
  });

  it("refuses a wrong, malformed or revoked token with 401 JSON and WWW-Authenticate, never a redirect", async () => {
    const revoked = createApiToken(buyer(), { name: "Old receiver" });
    revokeApiToken(buyer(), revoked.id, { confirmed: true });
    for (const [authorization, message] of [
      ["Bearer iots_not-a-token", /not valid \(unknown or revoked\)/],
      [`Bearer ${revoked.token}`, /not valid \(unknown or revoked\)/],
      [`Basic ${Buffer.from("a:b").toString("base64")}`, /Authorization: Bearer <token>/],
      ["", /Authorization: Bearer <token>/],
    ] as const) {
      // With a browser session too: a token sent is the credential, and a wrong one is refused.
      const r = await feed("", { Authorization: authorization, Cookie: cookie });
      expect(r.status, authorization).toBe(401);
      expect(r.headers.get("WWW-Authenticate")).toBe('Bearer realm="iot-seal"');
      expect(r.headers.get("Location")).toBeNull();
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
  });

  it("without credentials: 401 JSON for an API call (Accept: application/json), the login page for a browser", async () => {
    const api = await feed("?since=3", { Accept: "application/json" });
    expect(api.status).toBe(401);
    expect(api.headers.get("WWW-Authenticate")).toBe('Bearer realm="iot-seal"');
    expect(((await api.json()) as { error: string }).error).toMatch(/Bearer <token>/);
    let thrown: unknown;
    try {
      await feed("?since=3", { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(302);
    expect((thrown as Response).headers.get("Location")).toBe(
      `/login?redirectTo=${encodeURIComponent("/retailer/watchlist/feed?since=3")}`,
    );
  });
});

describe("a since beyond the organisation's newest event", () => {
  it("is refused with 400 {error, field: since} naming the newest seq; the newest itself answers no events", async () => {
    const newest = watchlistFeed(buyer(), 0, 500).events.at(-1)!.seq;
    for (const headers of [{ Authorization: `Bearer ${token}` }, { Cookie: cookie }] as Record<string, string>[]) {
      const r = await feed(`?since=${newest + 1}`, headers);
      expect(r.status).toBe(400);
      const body = (await r.json()) as { error: string; field: string };
      expect(body.field).toBe("since");
      expect(body.error).toContain(`newest event (seq ${newest})`);
      const atNewest = await feed(`?since=${newest}`, headers);
      expect(atNewest.status).toBe(200);
      expect(await atNewest.json()).toMatchObject({ events: [], next: newest, hasMore: false });
    }
    expect(() => watchlistFeed(buyer(), newest + 1000)).toThrow(/beyond your organisation's newest event/);
  });
});
