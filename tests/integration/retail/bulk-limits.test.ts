// Bulk checks have a budget of their own, counted in rows (BULK_ROWS_PER_HOUR, 200,000 by default):
// per retail organisation for the bulk check page and the API with one of its tokens, per client
// address for the anonymous API. Over it: 429 with Retry-After and a message saying how many rows
// are left and when enough are back; a refused check costs nothing. The counts live in the shared
// counters (every process of the server counts against the same budget) and survive the clean-up
// that forgets the per-request buckets after a minute. Stored runs: the newest BULK_RUNS_KEPT per
// organisation, older ones deleted when a new one is stored. Against a real database and the real
// fast routes on 127.0.0.1.
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, verificationRuns } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { createApiToken } from "../../../app/features/accounts/api-tokens.server";
import {
  BULK_RUNS_KEPT,
  bulkCheck,
  listBulkChecks,
  runBulkCheck,
} from "../../../app/features/retail/bulk-checks.server";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { hitBulkRowBudget, pruneRateLimitCounters } from "../../../app/platform/http/rate-limits.server";
import { resetRateLimitCounts } from "../../../app/platform/rate-limit-store.server";
import { actorByEmail } from "../../support/actors";
import { sessionCookie, startFastRoutes, type TestServer } from "../../support/http";

const WATCH3 = "5060123450002";
const buyer = () => actorByEmail("buyer@demo.test");
/** A stock file of `n` rows by GTIN. */
const stock = (n: number) => `sku,gtin\n${Array.from({ length: n }, (_, i) => `S-${i},${WATCH3}`).join("\n")}\n`;

let server: TestServer;
let perHour: number;

beforeAll(async () => {
  await seedDemoData();
  server = await startFastRoutes();
  perHour = getEnv().bulkRowsPerHour;
});
afterAll(async () => {
  await server.close();
});
// The budget refills as time passes (55.6 rows a second): each test holds the clock still.
beforeEach(() => testClock.set(Date.now()));
afterEach(() => {
  testClock.reset();
  resetRateLimitCounts("bulk-rows:");
});

/** Uses up the holder's budget but `left` rows. */
const spend = (holder: Parameters<typeof hitBulkRowBudget>[0], left: number) =>
  expect(hitBulkRowBudget(holder, perHour - left)).toMatchObject({ allowed: true, remaining: left });

describe("the bulk check page: a budget of rows per organisation", () => {
  it("a check within the budget is counted in rows; over it, 429 with the rows left and when, and nothing is counted", async () => {
    expect(perHour).toBe(200_000);
    testClock.set(Date.parse("2026-12-05T14:00:00Z"));
    spend({ organizationId: buyer().organizationId }, 12);
    await runBulkCheck(buyer(), { fileName: "ten.csv", text: stock(10) }); // 2 rows left
    const refused = await runBulkCheck(buyer(), { fileName: "five.csv", text: stock(5) }).then(
      () => null,
      (e: unknown) => e as { code: string; message: string; retryAfterSeconds: number; fieldErrors: object },
    );
    expect(refused).toMatchObject({
      code: "rate_limited",
      message:
        "Bulk checks are limited to 200,000 rows an hour for your organisation: 2 rows left now, and this file has 5 rows. Enough rows for it are available again in 1 s (at 14:00 UTC); or check a smaller file.",
      retryAfterSeconds: 1, // 3 rows at 200,000 an hour (55.6 a second): 54 ms, at least a second
      fieldErrors: { file: expect.stringMatching(/^Bulk checks are limited/) },
    });
    // The refusal cost nothing: two rows still fit, and after the wait the five do.
    await runBulkCheck(buyer(), { fileName: "two.csv", text: stock(2) });
    await expect(runBulkCheck(buyer(), { fileName: "one.csv", text: stock(1) })).toBeRefused("rate_limited");
    testClock.advance(1_000);
    expect((await runBulkCheck(buyer(), { fileName: "five.csv", text: stock(5) })).rows).toBe(5);
  });

  it("the page's upload endpoint answers 429 with Retry-After and the message; another organisation is not affected", async () => {
    const { action } = await import("../../../app/routes/retailer.verify.bulk.upload");
    spend({ organizationId: buyer().organizationId }, 0);
    const body = new FormData();
    body.append("file", new File([stock(3)], "stock.csv", { type: "text/csv" }));
    const cookie = await sessionCookie("buyer@demo.test", "203.0.113.20");
    const res = (await action({
      request: new Request("http://localhost/retailer/verify/bulk/upload", {
        method: "POST",
        headers: { Cookie: cookie },
        body,
      }),
      params: {},
      context: {},
    } as never)) as Response;
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /^Bulk checks are limited to 200,000 rows an hour for your organisation: 0 rows left now, and this file has 3 rows\./,
    );
    expect(hitBulkRowBudget({ organizationId: "another-organisation" }, 3).allowed).toBe(true);
  });

  it("the budget outlives the clean-up of the per-request counters (it refills over an hour, not a minute)", async () => {
    const t = Date.parse("2026-12-05T15:00:00Z");
    testClock.set(t);
    spend({ organizationId: buyer().organizationId }, 0);
    testClock.set(t + 5 * 60_000); // 5 minutes: 16,666 rows back
    pruneRateLimitCounters();
    expect(hitBulkRowBudget({ organizationId: buyer().organizationId }, 20_000)).toMatchObject({
      allowed: false,
      remaining: 16_666,
      status: 429,
    });
  });
});

describe("the API: per address without a token, per organisation with one", () => {
  const post = (headers: Record<string, string> = {}) =>
    fetch(`${server.base}/api/v1/verify/bulk`, { method: "POST", headers, body: stock(4) });

  it("anonymous: the address's budget; over it, 429 with Retry-After, the message and the rows left", async () => {
    spend({ ip: "127.0.0.1" }, 3);
    const res = await post();
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await res.json()).toEqual({
      error: expect.stringMatching(
        /^Bulk checks are limited to 200,000 rows an hour for your address: 3 rows left now, and this file has 4 rows\. Enough rows for it are available again in \d+ s \(at \d\d:\d\d UTC\); or check a smaller file\.$/,
      ),
      rowsLeft: 3,
    });
  });

  it("with a token: the organisation's budget, shared with its bulk check page, not the address's", async () => {
    spend({ ip: "127.0.0.1" }, 0);
    const { token } = createApiToken(buyer(), { name: "stock system" });
    const auth = { Authorization: `Bearer ${token}` };
    expect((await post(auth)).status).toBe(200); // the address is spent, the organisation is not
    // The page (or another token) spends the rest but 3 rows.
    expect(hitBulkRowBudget({ organizationId: buyer().organizationId }, perHour - 4 - 3).remaining).toBe(3);
    const res = await post(auth);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: string }).error).toMatch(/for your organisation: 3 rows left now/);
  });
});

describe("stored runs: the newest ones per organisation", () => {
  it(`keeps the newest ${BULK_RUNS_KEPT}: storing one more deletes the oldest, and the audit log says so`, async () => {
    db().delete(verificationRuns).where(eq(verificationRuns.organizationId, buyer().organizationId)).run();
    const ids: string[] = [];
    for (let i = 0; i < BULK_RUNS_KEPT; i++)
      ids.push((await runBulkCheck(buyer(), { fileName: `run-${i}.csv`, text: stock(1) })).id);
    expect(listBulkChecks(buyer()).map((r) => r.id)).toEqual([...ids].reverse());
    const newest = (await runBulkCheck(buyer(), { fileName: "one-more.csv", text: stock(1) })).id;
    const kept = listBulkChecks(buyer()).map((r) => r.id);
    expect(kept).toHaveLength(BULK_RUNS_KEPT);
    expect(kept[0]).toBe(newest);
    expect(kept).not.toContain(ids[0]);
    await expect(async () => bulkCheck(buyer(), ids[0])).toBeRefused("not_found");
    const stored = db()
      .select({ id: verificationRuns.id })
      .from(verificationRuns)
      .where(eq(verificationRuns.organizationId, buyer().organizationId))
      .all();
    expect(stored).toHaveLength(BULK_RUNS_KEPT);
    const audit = db()
      .select({ details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "seals.bulk_checked"), eq(auditEvents.targetId, newest)))
      .get();
    expect(JSON.parse(audit!.details)).toMatchObject({ rows: 1, deletedRuns: 1 });
  });
});
