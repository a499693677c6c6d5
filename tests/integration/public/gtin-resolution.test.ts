// Which seal a GTIN answers with (certification/product-seals.server.ts): only seals whose signed
// credential names that GTIN (credentialSubject.product.gtin, as GTIN-14), of products that still
// carry it; among them a valid seal first, then the newest. The GS1 Digital Link (/01/<GTIN>), the
// GTIN API and a bulk check by GTIN all answer so; a product that took another organisation's GTIN
// (before the catalogue refused it) never answers for it with seals it signed for another GTIN.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { products } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import {
  certificationOfGtin,
  currentSealsOfGtins,
  productGtinOfSeal,
} from "../../../app/features/certification/product-seals.server";
import { asha, grace, sam } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { createTestProduct } from "../../support/submissions";
import { startFastRoutes, type TestServer } from "../../support/http";

const WATCH3 = "05060123450002"; // Gator Kids Watch 3: a valid seal (3.1.0)
const SPEAKER = "05060987650037"; // Brightnest Smart Speaker: a valid seal (1.0.3)
const SHARED = "5060987650914"; // registered by two suppliers before either was certified

let server: TestServer;
let base: string;
let watchSeal: string;
let speakerSeal: string;

beforeAll(async () => {
  await seedDemoData();
  const serials = demoSealSerials();
  watchSeal = serials["Gator Kids Watch 3 3.1.0"];
  speakerSeal = serials["Brightnest Smart Speaker 1.0.3"];
  base = getEnv().baseUrl;
  server = await startFastRoutes();
});
afterAll(() => server.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.base}${path}`, { headers, redirect: "manual" });
const target = async (gtin: string) => (await get(`/01/${gtin}`)).headers.get("location");
const linksetSerials = async (gtin: string) => {
  const body = (await (await get(`/01/${gtin}?linkType=linkset`)).json()) as { linkset: Record<string, unknown>[] };
  return (body.linkset[0].related as { serial?: string[] }[]).flatMap((l) => l.serial ?? []);
};

describe("a product that carries another organisation's GTIN without a seal that signed it", () => {
  // Before the catalogue refused it, Brightnest could move its Smart Speaker (registered earlier than
  // the watch here) onto the watch's GTIN: the earliest registered product with any seal answered.
  let speaker: typeof products.$inferSelect;
  beforeAll(() => {
    speaker = db().select().from(products).where(eq(products.model, "BN-SS1")).get()!;
    const watch = db().select().from(products).where(eq(products.model, "GW-KW3")).get()!;
    db()
      .update(products)
      .set({ gtin: WATCH3, createdAt: new Date(watch.createdAt.getTime() - 86_400_000) })
      .where(eq(products.id, speaker.id))
      .run();
  });
  afterAll(() => {
    db()
      .update(products)
      .set({ gtin: speaker.gtin, createdAt: speaker.createdAt })
      .where(eq(products.id, speaker.id))
      .run();
  });

  it("the Digital Link and its linkset still answer with the watch's seal, and list none of the speaker's", async () => {
    expect(await target(WATCH3)).toBe(`${base}/s/${watchSeal}`);
    const serials = await linksetSerials(WATCH3);
    expect(serials).toContain(watchSeal);
    expect(serials).not.toContain(speakerSeal);
  });

  it("so do the GTIN API and a bulk check by GTIN", async () => {
    const api = (await (await get(`/api/v1/products/${WATCH3}`)).json()) as Record<string, unknown>;
    expect(api).toMatchObject({
      "gs1:productName": "Gator Kids Watch 3",
      "gs1:manufacturer": { "gs1:organizationName": "Gator Wearables Ltd" },
      currentSeal: watchSeal,
    });
    const bulk = await currentSealsOfGtins([WATCH3]);
    expect(bulk.get(WATCH3)).toMatchObject({ product: { model: "GW-KW3" }, current: { serial: watchSeal } });
  });

  it("and the speaker's own former GTIN answers with nothing: its seals signed a GTIN it no longer carries", async () => {
    expect((await get(`/01/${SPEAKER}`)).status).toBe(404);
    expect(await certificationOfGtin(SPEAKER)).toBeNull();
    // Its seal page shows no Digital Link QR code that would open another product's seal.
    expect(productGtinOfSeal(speakerSeal)).toBeNull();
    expect(productGtinOfSeal(watchSeal)).toBe(WATCH3);
  });
});

describe("two suppliers' products that both have seals signed for one GTIN", () => {
  let older: string; // Gator's, registered and certified first
  let newer: string; // Brightnest's, registered before Gator's was certified, certified after
  let gatorProduct: string;

  beforeAll(async () => {
    gatorProduct = createTestProduct(grace(), { name: "Gator Shared", model: "GW-SHARED", gtin: SHARED });
    const brightnest = createTestProduct(sam(), { name: "Brightnest Shared", model: "BN-SHARED", gtin: SHARED });
    older = await certifyPsti(grace(), gatorProduct);
    newer = await certifyPsti(sam(), brightnest);
  });

  it("both valid: the newest seal answers (not the product registered first)", async () => {
    expect(await target(SHARED)).toBe(`${base}/s/${newer}`);
    expect((await certificationOfGtin(SHARED.padStart(14, "0")))!.product.model).toBe("BN-SHARED");
    // The linkset is that product's: its seals that signed the GTIN.
    expect(await linksetSerials(SHARED)).toEqual([newer]);
  });

  it("the newest suspended: the valid one answers, whichever product it belongs to", async () => {
    changeSealStatus(asha(), { serial: newer, action: "suspend", reason: "Under review for a reported issue." });
    expect(await target(SHARED)).toBe(`${base}/s/${older}`);
    const bulk = await currentSealsOfGtins([SHARED.padStart(14, "0")]);
    expect(bulk.get(SHARED.padStart(14, "0"))).toMatchObject({
      product: { id: gatorProduct },
      current: { serial: older, verdict: "valid" },
    });
  });

  it("none valid: the newest seal answers, and its page says why", async () => {
    changeSealStatus(asha(), { serial: older, action: "suspend", reason: "Under review for a reported issue." });
    expect(await target(SHARED)).toBe(`${base}/s/${newer}`);
  });
});
