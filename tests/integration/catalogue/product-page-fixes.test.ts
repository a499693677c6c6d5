// The supplier's product page: a product's category cannot change while a seal of it is current
// (its signed credential names the category, and buyers' policies judge by it), refused on the
// Category field with the input kept; and a refused re-certification keeps what was typed and chosen.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { products, productVersions, seals } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { db } from "../../../app/platform/db.server";
import { testClock } from "../../../app/platform/clock.server";
import { updateProduct, type ProductInput } from "../../../app/features/catalogue/products.server";
import { startRecertification } from "../../../app/features/certification/recertification.server";
import { action } from "../../../app/routes/supplier.products.$productId";
import { grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct } from "../../support/submissions";

let cookie: string;
let watchProduct: string; // Gator Kids Watch 3: an active seal (firmware 3.1.0)
let watchSerial: string;

beforeAll(async () => {
  await seedDemoData();
  cookie = await sessionCookie("supplier@demo.test", "192.0.2.42");
  watchSerial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  watchProduct = db()
    .select({ id: productVersions.productId })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(seals.serial, watchSerial))
    .get()!.id;
});
afterEach(() => testClock.reset());

const row = (id: string) => db().select().from(products).where(eq(products.id, id)).get()!;

function inputOf(id: string, over: Partial<ProductInput> = {}): ProductInput {
  const p = row(id);
  return {
    name: p.name,
    model: p.model,
    gtin: p.gtin,
    sku: p.sku,
    category: p.category as ProductInput["category"],
    description: p.description,
    supportPeriodEnd: p.supportPeriodEnd,
    placedOnMarketOn: p.placedOnMarketOn,
    expectedUseMonths: p.expectedUseMonths,
    expectedUseReason: p.expectedUseReason,
    disclosurePolicyUrl: p.disclosurePolicyUrl,
    ...over,
  };
}

interface Result {
  status: number;
  body: { ok: boolean; formError?: string; fieldErrors?: Record<string, string>; values?: Record<string, string> };
}

/** Posts a form of the product page as Grace; the action's status and body. */
async function post(id: string, fields: Record<string, string>): Promise<Result> {
  const request = new Request(`http://localhost/supplier/products/${id}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
  });
  const out = (await action({ request, params: { productId: id }, context: {} } as never)) as unknown;
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: Result["body"]; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as Result["body"] };
}

describe("a sealed product's category", () => {
  it("cannot change while a seal is current: refused on the Category field, nothing written", async () => {
    const before = row(watchProduct);
    expect(before.category).not.toBe("toy");
    await expect(() => updateProduct(grace(), watchProduct, inputOf(watchProduct, { category: "toy" }))).toBeRefused(
      "conflict",
      new RegExp(`^The category cannot change while the product has a current seal: seal ${watchSerial} `),
    );
    expect(row(watchProduct)).toEqual(before);
    // The product's other details still save.
    updateProduct(grace(), watchProduct, inputOf(watchProduct, { description: "Now with a longer battery life." }));
    expect(row(watchProduct)).toMatchObject({
      category: before.category,
      description: "Now with a longer battery life.",
    });
  });

  it("through the page: 409, the message on the field, the input kept", async () => {
    const p = row(watchProduct);
    const r = await post(watchProduct, {
      intent: "edit",
      updatedAt: String(p.updatedAt.getTime()),
      name: p.name,
      model: p.model,
      gtin: p.gtin ?? "",
      sku: p.sku ?? "",
      category: "toy",
      description: p.description,
      supportPeriodEnd: p.supportPeriodEnd,
      placedOnMarketOn: p.placedOnMarketOn ?? "",
      expectedUseTime: "",
      expectedUseUnit: "years",
      expectedUseReason: "",
      disclosurePolicyUrl: p.disclosurePolicyUrl,
    });
    expect(r.status).toBe(409);
    expect(r.body.fieldErrors?.category).toMatch(/cannot change while the product has a current seal/);
    expect(r.body.values?.category).toBe("toy");
    expect(row(watchProduct).category).toBe(p.category);
  });

  it("can change on a product without a seal, and once its seals have expired", () => {
    const id = createTestProduct(grace(), { name: "Gator Category Band", model: "GW-CT1" });
    updateProduct(grace(), id, inputOf(id, { category: "toy" }));
    expect(row(id).category).toBe("toy");
    const ends = db()
      .select({ validUntil: seals.validUntil })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(eq(productVersions.productId, watchProduct))
      .all()
      .map((s) => s.validUntil.getTime());
    testClock.set(Math.max(...ends) + 86_400_000); // every seal of the watch has expired
    updateProduct(grace(), watchProduct, inputOf(watchProduct, { category: "toy" }));
    expect(row(watchProduct).category).toBe("toy");
  });
});

describe("a refused re-certification", () => {
  it("keeps the change summary typed and the seal chosen", async () => {
    const supplier = grace();
    const productId = createTestProduct(supplier, { name: "Gator Recert Form Band", model: "GW-RF1" });
    const serial = await certifyPsti(supplier, productId, "1.0.0");
    startRecertification(supplier, {
      serial,
      productVersionId: addTestVersion(supplier, productId, "1.1.0"),
      changeSummary: "1.1.0 changes the pairing flow.",
    });
    const other = addTestVersion(supplier, productId, "1.2.0");
    const typed = "1.2.0 replaces the Bluetooth stack and the update client.";
    const r = await post(productId, { intent: "recertify", productVersionId: other, serial, changeSummary: typed });
    expect(r.status).toBe(409);
    expect(r.body.formError).toMatch(/already open/);
    expect(r.body.values).toMatchObject({ intent: "recertify", productVersionId: other, serial, changeSummary: typed });
  });
});
