// A product's GTIN cannot change while a current seal of it signed that GTIN: a seal answers barcode
// look-ups only for the GTIN its credential names, so the change would leave both the old GTIN (on
// the stock in shops) and the new one answering "No IoT Seal". Refused on the GTIN field, naming
// the seal; the same number written as a GTIN-14 is no change; once the seal is no longer current,
// or when no seal signed the GTIN, the change goes through.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { products } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { certificationOfGtin } from "../../../app/features/certification/product-seals.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { asha, grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { createTestProduct, setProductGtin } from "../../support/submissions";

const G = "5060123450910";
const H = "5060123450927";

const row = (id: string) => db().select().from(products).where(eq(products.id, id)).get()!;
const setGtin = (productId: string, gtin: string | null) => setProductGtin(grace(), productId, gtin);

let productId: string;
let serial: string;

beforeAll(async () => {
  await seedDemoData();
  productId = createTestProduct(grace(), { name: "Gator Barcode Band", model: "GW-BB1", gtin: G });
  serial = await certifyPsti(grace(), productId, "1.0.0");
});

describe("changing the GTIN of a product with a current seal that signed it", () => {
  it("is refused on the GTIN field, naming the seal, and the barcode still finds the seal", async () => {
    for (const gtin of [H, null]) {
      await expect(() => setGtin(productId, gtin)).toBeRefused(
        "conflict",
        new RegExp(
          `^The GTIN cannot change while seal ${serial} \\(firmware 1\\.0\\.0\\) is current: it was issued for GTIN ${G}`,
        ),
      );
      try {
        setGtin(productId, gtin);
      } catch (e) {
        expect((e as { fieldErrors?: Record<string, string> }).fieldErrors?.gtin).toMatch(/needs a seal of its own/);
      }
    }
    expect(row(productId).gtin).toBe(G);
    expect((await certificationOfGtin(`0${G}`))?.current).toMatchObject({ serial });
  });

  it("is refused while the seal is suspended too; the same number as a GTIN-14 is no change", async () => {
    changeSealStatus(asha(), { serial, action: "suspend", reason: "Under review for a reported issue." });
    await expect(() => setGtin(productId, H)).toBeRefused("conflict", /while seal .* is current/);
    setGtin(productId, `0${G}`);
    expect(row(productId).gtin).toBe(`0${G}`);
  });

  it("goes through once the seal is no longer current", () => {
    changeSealStatus(asha(), {
      serial,
      action: "revoke",
      reason: "The certified firmware was withdrawn by the supplier.",
      confirmSerial: serial,
    });
    setGtin(productId, H);
    expect(row(productId).gtin).toBe(H);
  });
});

describe("a product whose current seal signed no GTIN", () => {
  it("can be given one (no look-up found its seal by a GTIN before)", async () => {
    const other = createTestProduct(grace(), { name: "Gator Plain Band", model: "GW-PB1" });
    await certifyPsti(grace(), other, "1.0.0");
    setGtin(other, G);
    expect(row(other).gtin).toBe(G);
  });
});
