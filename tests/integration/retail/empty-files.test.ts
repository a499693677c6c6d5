// A file chosen but empty (0 bytes) is named as such, not taken for no file at all: "The file
// stock.csv is empty." on /verify's PDF upload, the bulk check (with and without JavaScript) and
// the watchlist's CSV; a file field left empty (a nameless file of 0 bytes, as a browser posts it)
// still asks to choose one. Against a real database, through the routes.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { sessionCookie } from "../../support/http";

let cookie: string;
beforeAll(async () => {
  await seedDemoData();
  cookie = await sessionCookie("buyer@demo.test", "203.0.113.73");
}, 60_000);

function post(path: string, fields: Record<string, string>, file: { field: string; name: string }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append(
    file.field,
    new File([], file.name, { type: file.name.endsWith(".pdf") ? "application/pdf" : "text/csv" }),
  );
  return new Request(`http://localhost${path}`, { method: "POST", headers: { Cookie: cookie }, body: form });
}

type Failure = {
  data: { ok: false; formError: string; fieldErrors: Record<string, string> };
  init: { status: number };
};

describe("an empty file", () => {
  it("/verify: 'The file seal.pdf is empty.'; no file: choose one", async () => {
    const { action } = await import("../../../app/routes/verify");
    const answer = async (name: string) =>
      (await action({
        request: post("/verify", { intent: "pdf" }, { field: "pdf", name }),
        params: {},
        context: { ip: "192.0.2.74" },
      } as never)) as { data: { error: string; field: string }; init: { status: number } };
    expect((await answer("seal.pdf")).data).toEqual({ error: "The file seal.pdf is empty.", field: "pdf" });
    expect((await answer("")).data).toEqual({ error: "Choose the seal's PDF file to upload.", field: "pdf" });
  });

  it("the bulk check without JavaScript and its upload endpoint: 'The file stock.csv is empty.'", async () => {
    const page = await import("../../../app/routes/retailer.verify.bulk._index");
    const refused = (await page.action({
      request: post("/retailer/verify/bulk?index", {}, { field: "file", name: "stock.csv" }),
      params: {},
      context: {},
    } as never)) as Failure;
    expect(refused.init.status).toBe(400);
    expect(refused.data.formError).toBe("The file stock.csv is empty.");
    expect(refused.data.fieldErrors.file).toBe("The file stock.csv is empty.");
    const none = (await page.action({
      request: post("/retailer/verify/bulk?index", {}, { field: "file", name: "" }),
      params: {},
      context: {},
    } as never)) as Failure;
    expect(none.data.formError).toBe("Choose a CSV file with a gtin or serial column.");

    const upload = await import("../../../app/routes/retailer.verify.bulk.upload");
    const r = (await upload.action({
      request: post("/retailer/verify/bulk/upload", {}, { field: "file", name: "stock.csv" }),
      params: {},
      context: {},
    } as never)) as Response;
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ message: "The file stock.csv is empty." });
  });

  it("the watchlist's CSV: 'The file stock.csv is empty.'", async () => {
    const { action } = await import("../../../app/routes/retailer.watchlist._index");
    const refused = (await action({
      request: post("/retailer/watchlist?index", { intent: "csv" }, { field: "file", name: "stock.csv" }),
      params: {},
      context: {},
    } as never)) as Failure;
    expect(refused.init.status).toBe(400);
    expect(refused.data.formError).toBe("The file stock.csv is empty.");
    expect(refused.data.fieldErrors.file).toBe("The file stock.csv is empty.");
  });
});
