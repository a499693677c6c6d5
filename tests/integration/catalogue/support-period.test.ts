// UK PSTI: a product's published security support period can be extended, never shortened.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { products } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { getProduct, productInput, updateProduct } from "../../../app/features/catalogue/products.server";
import { grace } from "../../support/actors";
import { seedDemoData } from "../../../app/demo/seed.server";

let productId: string;

beforeAll(async () => {
  await seedDemoData();
  productId = db().select().from(products).where(eq(products.model, "GW-KW3")).get()!.id;
});

describe("the support period", () => {
  it("can be extended but not shortened, and the refusal names the field", () => {
    const p = getProduct(grace(), productId).product;
    const input = productInput.parse({
      name: p.name,
      model: p.model,
      gtin: p.gtin,
      sku: p.sku,
      category: p.category,
      description: p.description,
      supportPeriodEnd: "2029-06-30",
      disclosurePolicyUrl: p.disclosurePolicyUrl,
    });
    let error: unknown;
    try {
      updateProduct(grace(), productId, input);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "invalid",
      fieldErrors: { supportPeriodEnd: expect.stringContaining("never shortened") },
    });
    expect(getProduct(grace(), productId).product.supportPeriodEnd).toBe("2029-12-31");
    updateProduct(grace(), productId, { ...input, supportPeriodEnd: "2030-12-31" });
    expect(getProduct(grace(), productId).product.supportPeriodEnd).toBe("2030-12-31");
  });
});
