// A retail resource route (the watchlist feed, a bulk check's download, the bulk upload endpoint)
// opened by someone whose role may not use it answers 403 with the message a page would show, as
// JSON, not Remix's "Unexpected Server Error" (fuzz review). Against a real database.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { sessionCookie } from "../../support/http";

let supplier: string;
beforeAll(async () => {
  await seedDemoData();
  supplier = await sessionCookie("supplier@demo.test", "203.0.113.70");
});

const asSupplier = (path: string, method = "GET") =>
  new Request(`http://localhost${path}`, {
    method,
    headers: { Cookie: supplier, ...(method === "POST" ? { "Content-Type": "multipart/form-data; boundary=x" } : {}) },
    ...(method === "POST" ? { body: "--x--\r\n" } : {}),
  });

describe("a retail resource route opened by a supplier", () => {
  it.each([
    ["retailer.watchlist.feed", "loader", "/retailer/watchlist/feed", {}, "GET"],
    ["retailer.verify.bulk.$runId.download", "loader", "/retailer/verify/bulk/x/download", { runId: "x" }, "GET"],
    ["retailer.verify.bulk.upload", "action", "/retailer/verify/bulk/upload", {}, "POST"],
  ] as const)("%s: 403 with the page's message", async (route, fn, path, params, method) => {
    const mod = await import(`../../../app/routes/${route}.tsx`);
    const r = (await mod[fn]({ request: asSupplier(path, method), params, context: {} })) as Response;
    expect(r.status).toBe(403);
    expect(r.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await r.json()) as { message: string };
    expect(body.message).toMatch(/^This page is for /);
    expect(body.message).not.toMatch(/Unexpected Server Error/);
  });
});
