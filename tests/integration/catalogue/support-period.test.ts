// UK PSTI: a product's published security support period can be extended, never shortened.
// EU CRA Article 13(8): at least five years from going on sale, or a stated shorter expected use
// time with its reason; checked when a product is created or its support facts edited, and said
// plainly on the pages of a product registered before the rule.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { products, productVersions, seals } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import {
  createProduct,
  getProduct,
  listProducts,
  productInput,
  updateProduct,
} from "../../../app/features/catalogue/products.server";
import { publicSealView } from "../../../app/features/certification/seals.server";
import { testClock } from "../../../app/platform/clock.server";
import { grace } from "../../support/actors";
import { seedDemoData } from "../../support/demo-seed";

let productId: string;

beforeAll(async () => {
  await seedDemoData();
  productId = db().select().from(products).where(eq(products.model, "GW-KW3")).get()!.id;
}, 120_000);

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
      placedOnMarketOn: p.placedOnMarketOn ?? "",
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
      fieldErrors: {
        supportPeriodEnd:
          "The security support period is published (it ends on 31 Dec 2029); it can be extended, never shortened.",
      },
    });
    expect(getProduct(grace(), productId).product.supportPeriodEnd).toBe("2029-12-31");
    updateProduct(grace(), productId, { ...input, supportPeriodEnd: "2030-12-31" });
    expect(getProduct(grace(), productId).product.supportPeriodEnd).toBe("2030-12-31");
  });
});

describe("a support period already ended", () => {
  it("is said in the same answer as the other fields' problems, not after they are put right", () => {
    const parsed = productInput.safeParse({
      name: "Gator Past Toy",
      model: "GW-PT-1",
      category: "toy",
      gtin: "5060123450018", // a wrong check digit
      supportPeriodEnd: "2020-01-31",
      disclosurePolicyUrl: "not a web address",
    });
    expect(parsed.success).toBe(false);
    const fields = new Map(parsed.error!.issues.map((i) => [String(i.path[0]), i.message]));
    expect([...fields.keys()].sort()).toEqual(["disclosurePolicyUrl", "gtin", "supportPeriodEnd"]);
    expect(fields.get("supportPeriodEnd")).toBe(
      "The support period has already ended; a product must still receive security updates to be certified.",
    );
  });
});

/** The product form as posted, for a new toy going on sale today (1 Mar 2027 on the test clock). */
const toyForm = (over: Record<string, string>) =>
  productInput.parse({
    name: "Gator Story Bear",
    model: `GW-SB-${over.model ?? "1"}`,
    category: "toy",
    supportPeriodEnd: "2030-02-28",
    disclosurePolicyUrl: "https://gatorwearables.example/security",
    ...over,
  });

function refusal(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a refusal");
}

const storyBears = () =>
  db()
    .select()
    .from(products)
    .where(and(eq(products.name, "Gator Story Bear")))
    .all();

describe("the EU CRA support period", () => {
  it("refuses a new product with three years of support and no expected use time, naming the field, and stores nothing", () => {
    testClock.set(Date.parse("2027-03-01T09:00:00Z"));
    try {
      expect(refusal(() => createProduct(grace(), toyForm({ model: "1" })))).toMatchObject({
        code: "invalid",
        fieldErrors: {
          supportPeriodEnd:
            "Security support ends 28 Feb 2030, less than five years after the product goes on sale (1 Mar 2027). The EU Cyber Resilience Act asks for at least five years, unless the product is expected to be in use for less: then state that expected use time and the reason.",
        },
      });
      // An expected use time without its reason is refused on the reason.
      expect(
        refusal(() => createProduct(grace(), toyForm({ model: "1", expectedUseTime: "3", expectedUseUnit: "years" }))),
      ).toMatchObject({ code: "invalid", fieldErrors: { expectedUseReason: expect.stringMatching(/^Say why/) } });
      // Support shorter than the stated expected use time (40 months) is refused on the end date.
      expect(
        refusal(() =>
          createProduct(
            grace(),
            toyForm({ model: "1", expectedUseTime: "40", expectedUseUnit: "months", expectedUseReason: "Outgrown." }),
          ),
        ),
      ).toMatchObject({
        fieldErrors: { supportPeriodEnd: expect.stringMatching(/support must last at least until 30 Jun 2030\.$/) },
      });
      expect(storyBears()).toEqual([]);
    } finally {
      testClock.reset();
    }
  });

  it("accepts it with an expected use time and its reason, and keeps them", () => {
    testClock.set(Date.parse("2027-03-01T09:00:00Z"));
    try {
      const id = createProduct(
        grace(),
        toyForm({
          model: "2",
          expectedUseTime: "3",
          expectedUseUnit: "years",
          expectedUseReason: "Made for children aged 3 to 6.",
        }),
      );
      expect(getProduct(grace(), id)).toMatchObject({
        product: {
          placedOnMarketOn: null,
          supportPeriodEnd: "2030-02-28",
          expectedUseMonths: 36,
          expectedUseReason: "Made for children aged 3 to 6.",
        },
        supportShortfall: null,
      });
      // Editing the support facts is checked again: dropping the expected use time is refused, nothing changes.
      const p = getProduct(grace(), id).product;
      const same = { ...p, category: "toy" as const, expectedUseMonths: null };
      expect(refusal(() => updateProduct(grace(), id, same))).toMatchObject({
        fieldErrors: { supportPeriodEnd: expect.stringMatching(/less than five years/) },
      });
      expect(getProduct(grace(), id).product.expectedUseMonths).toBe(36);
    } finally {
      testClock.reset();
    }
  });

  it("a product registered before the rule keeps working, and its pages say plainly that it falls short", async () => {
    // Gator Kids Watch 2 as registered before the rule: no placing-on-the-market date, created 1 Jan 2025.
    const kw2 = db().select().from(products).where(eq(products.model, "GW-KW2")).get()!;
    db()
      .update(products)
      .set({ placedOnMarketOn: null, createdAt: new Date("2025-01-01T08:00:00Z") })
      .where(eq(products.id, kw2.id))
      .run();
    const plain =
      "Support ends 30 Jun 2029: shorter than the five years the EU Cyber Resilience Act asks, and no expected use time is stated.";
    expect(getProduct(grace(), kw2.id).supportShortfall).toBe(plain);
    expect(listProducts(grace()).find((p) => p.id === kw2.id)?.supportShortfall).toBe(plain);
    // Its other details can still be edited.
    const p = getProduct(grace(), kw2.id).product;
    const input = { ...p, category: "childrens-wearable" as const };
    updateProduct(grace(), kw2.id, { ...input, description: "The previous generation (3G), still sold." });
    expect(getProduct(grace(), kw2.id).product.description).toBe("The previous generation (3G), still sold.");
    // Changing its support facts must meet the rule: a later end that is still short is refused.
    expect(refusal(() => updateProduct(grace(), kw2.id, { ...input, supportPeriodEnd: "2029-09-30" }))).toMatchObject({
      fieldErrors: {
        supportPeriodEnd: expect.stringMatching(/^Security support ends 30 Sept? 2029, less than five years/),
      },
    });
    expect(getProduct(grace(), kw2.id).product.supportPeriodEnd).toBe("2029-06-30");
    // The public seal page says it too, under the support line.
    const serial = db()
      .select({ serial: seals.serial })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(eq(productVersions.productId, kw2.id))
      .get()!.serial;
    expect((await publicSealView(serial))!.summary!.support).toEqual({
      until: "June 2029",
      span: "4 years and 6 months",
      expectedUse: null,
      shortfall: plain,
    });
    // Stating when it went on sale (1 Jul 2024) makes it meet the rule.
    updateProduct(grace(), kw2.id, { ...input, placedOnMarketOn: "2024-07-01" });
    expect(getProduct(grace(), kw2.id).supportShortfall).toBeNull();
    expect((await publicSealView(serial))!.summary!.support).toMatchObject({ span: "5 years", shortfall: null });
  });
});
