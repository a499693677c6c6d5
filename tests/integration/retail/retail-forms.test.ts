// The retail pages' forms as Remix calls their actions: each problem on its own field (the label of
// "Watch a product by one of its seals"), the API token form told which token was just created (it
// is keyed by it, so it starts empty again), and the bulk upload endpoint answering a request whose
// session has ended with a 401 and a message (not the login page's redirect, which the page's script
// followed and reported as "The check failed (HTTP 200)"). Against a real database.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { SESSION_ENDED } from "../../../app/features/retail/forms";
import { sessionCookie } from "../../support/http";

let cookie: string;
let serial: string;

beforeAll(async () => {
  await seedDemoData();
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  cookie = await sessionCookie("buyer@demo.test", "203.0.113.30");
});

type Failure = {
  data: { ok: false; formError: string; fieldErrors: Record<string, string> };
  init: { status: number };
};

const post = (path: string, fields: Record<string, string>, withCookie = true) =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(withCookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams(fields),
  });

describe("watching a product by one of its seals", () => {
  it("a label over 100 characters is said on the label field, not on the serial's", async () => {
    const { action } = await import("../../../app/routes/retailer.watchlist._index");
    const r = (await action({
      request: post("/retailer/watchlist?index", { serial, label: "x".repeat(101) }),
      params: {},
      context: {},
    } as never)) as unknown as Failure;
    expect(r.init.status).toBe(400);
    expect(r.data.formError).toBe("Check your label.");
    expect(r.data.fieldErrors).toEqual({ label: "Keep your label under 100 characters." });
  });

  it("an empty serial is still said on the serial field (with a long label, both)", async () => {
    const { action } = await import("../../../app/routes/retailer.watchlist._index");
    const r = (await action({
      request: post("/retailer/watchlist?index", { serial: " ", label: "x".repeat(101) }),
      params: {},
      context: {},
    } as never)) as unknown as Failure;
    expect(r.data.formError).toBe("Check the serial.");
    expect(r.data.fieldErrors).toEqual({
      serial: "Enter a seal serial.",
      label: "Keep your label under 100 characters.",
    });
  });
});

describe("creating an API token", () => {
  it("the answer names the token created, a new one each time (the form is keyed by it and starts empty)", async () => {
    const { action } = await import("../../../app/routes/retailer.api");
    const create = async (name: string) =>
      (await action({ request: post("/retailer/api", { name }), params: {}, context: {} } as never)) as {
        ok: true;
        tokenId: string;
        token: string;
      };
    const first = await create("Stock system");
    const second = await create("Stock system 2");
    expect(first).toMatchObject({ ok: true, tokenId: expect.any(String) });
    expect(second.tokenId).not.toBe(first.tokenId);
  });
});

describe("the bulk check's upload endpoint", () => {
  it("a request whose session has ended gets a 401 with a message, not a redirect to the login page", async () => {
    const { action } = await import("../../../app/routes/retailer.verify.bulk.upload");
    const body = new FormData();
    body.append("file", new File(["gtin\n5060123450002\n"], "stock.csv", { type: "text/csv" }));
    const res = (await action({
      request: new Request("http://localhost/retailer/verify/bulk/upload", { method: "POST", body }),
      params: {},
      context: {},
    } as never)) as Response;
    expect(res.status).toBe(401);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      message: SESSION_ENDED,
      login: "/login?redirectTo=%2Fretailer%2Fverify%2Fbulk",
    });
    expect(SESSION_ENDED).toBe("Your session has ended: log in again.");
  });

  it("an empty file is refused naming the file", async () => {
    const { action } = await import("../../../app/routes/retailer.verify.bulk.upload");
    const body = new FormData();
    body.append("file", new File([""], "empty.csv", { type: "text/csv" }));
    const res = (await action({
      request: new Request("http://localhost/retailer/verify/bulk/upload", {
        method: "POST",
        headers: { Cookie: cookie },
        body,
      }),
      params: {},
      context: {},
    } as never)) as Response;
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "The file empty.csv is empty." });
  });
});
