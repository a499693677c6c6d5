// A watch by GTIN follows the seal the GTIN's GS1 Digital Link answers with: among the product's seals
// whose signed credential names that GTIN, the newest valid one, else the newest
// (certification/product-seals.server.ts sealsOfProductForGtin). A seal issued before the product had
// its GTIN never stands in for it: not on the watchlist row, not in the current-seal events, not in
// the policy results. A GTIN the supplier changes later is followed (the row says what was watched).
import { and, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { policyStates, watchlistEntries } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import type { Actor } from "../../../app/platform/actor";
import { seedDemoData } from "../../support/demo-seed";
import { signUpConfirmed } from "../../support/signup";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { certificationOfGtin, currentSealsOfGtins } from "../../../app/features/certification/product-seals.server";
import { watchGtinInput } from "../../../app/features/retail/forms";
import { listPolicies } from "../../../app/features/retail/policies.server";
import { buyerDashboard } from "../../../app/features/retail/dashboard.server";
import { watchByGtin, watchlistFeed, watchlistView } from "../../../app/features/retail/watchlist.server";
import { actorByEmail, asha, buyer, grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { createTestProduct, setProductGtin } from "../../support/submissions";

const G = "5060123450910"; // given to the product after its firmware 1.0.0 was certified
const H = "5060123450927"; // the GTIN its supplier changes it to later
const G14 = `0${G}`;
const H14 = `0${H}`;

let productId: string;
let first: string; // firmware 1.0.0: its credential names no GTIN
let second: string; // firmware 2.0.0: its credential names G
let third: string; // firmware 3.0.0, after the GTIN changed to H: its credential names H
let shop: () => Actor;

/** Sets the product's GTIN through the catalogue, as its supplier's edit form does. */
const setGtin = (gtin: string | null) => setProductGtin(grace(), productId, gtin);

const revoke = (serial: string) =>
  changeSealStatus(asha(), {
    serial,
    action: "revoke",
    reason: "The certified firmware was withdrawn by the supplier.",
    confirmSerial: serial,
  });
const row = async (who: Actor) => (await watchlistView(who)).rows.filter((r) => r.productId === productId);
const currentSealEvents = (who: Actor) =>
  watchlistFeed(who, 0, 500).events.filter((e) => e.type === "product.current_seal" && e.product.id === productId);
const entryOf = (who: Actor) =>
  db()
    .select()
    .from(watchlistEntries)
    .where(and(eq(watchlistEntries.organizationId, who.organizationId), eq(watchlistEntries.productId, productId)))
    .get()!;

beforeAll(async () => {
  await seedDemoData();
  productId = createTestProduct(grace(), {
    name: "Gator Late Barcode",
    model: "GW-LATE",
    category: "childrens-wearable",
  });
  first = await certifyPsti(grace(), productId, "1.0.0");
  setGtin(G);
  second = await certifyPsti(grace(), productId, "2.0.0");
  await signUpConfirmed(
    {
      kind: "retailer",
      organizationName: "Barcode Shop Ltd",
      name: "Bea",
      email: "bea@barcodes.test",
      password: "a long enough password",
    },
    { ip: "192.0.2.91" },
  );
  shop = () => actorByEmail("bea@barcodes.test");
  watchByGtin(shop(), watchGtinInput.parse({ gtin: G, label: "" }));
  // The demo buyer (with its "Children's wearables" policy) watches it by GTIN too.
  watchByGtin(buyer(), watchGtinInput.parse({ gtin: G, label: "" }));
}, 120_000); // the demo seed and two certifications, on a busy machine

describe("a product whose first seal was issued before it had a GTIN", () => {
  it("both seals valid: the watch shows the seal that names the GTIN", async () => {
    expect((await row(shop())).map((r) => [r.gtin, r.seal?.serial, r.seal?.firmware, r.status, r.gtinNote])).toEqual([
      [G14, second, "2.0.0", "valid", null],
    ]);
    expect(entryOf(shop()).currentSerial).toBe(second);
  });

  it("the seal naming the GTIN suspended: the watch says suspended, as the Digital Link and the bulk check do", async () => {
    changeSealStatus(asha(), { serial: second, action: "suspend", reason: "Under review for a reported issue." });
    // The resolver's answer and a bulk check by GTIN.
    expect((await certificationOfGtin(G14))?.current).toMatchObject({ serial: second, verdict: "suspended" });
    expect((await currentSealsOfGtins([G14])).get(G14)?.current).toMatchObject({ serial: second });
    // The watchlist row: not "valid, firmware 1.0.0".
    expect((await row(shop())).map((r) => [r.seal?.serial, r.seal?.firmware, r.status])).toEqual([
      [second, "2.0.0", "suspended"],
    ]);
    // The dashboard counts it suspended.
    expect((await buyerDashboard(shop())).counts).toMatchObject({ valid: 0, suspended: 1 });
    // The watch still follows the same seal: no current-seal event moving it to the seal without the GTIN.
    expect(entryOf(shop()).currentSerial).toBe(second);
    expect(currentSealEvents(shop())).toEqual([]);
  });

  it("the policies judge and count the seal that names the GTIN, never the older one", async () => {
    const policyIds = listPolicies(buyer()).map((p) => p.id);
    const judged = db()
      .select({ serial: policyStates.serial })
      .from(policyStates)
      .where(and(inArray(policyStates.policyId, policyIds), inArray(policyStates.serial, [first, second])))
      .all()
      .map((s) => s.serial);
    expect(judged).toEqual([second]);
    const [r] = await row(buyer());
    expect(r.seal?.serial).toBe(second);
    expect(r.policies?.map((p) => p.policyName)).toEqual(["Children's wearables"]);
  });
});

describe("the supplier changes the product's GTIN after the watch began", () => {
  it("the row shows the product's GTIN now, says which GTIN was watched, and no seal names the new one yet", async () => {
    // A GTIN that a current seal signed cannot change (catalogue/products.server.ts): that seal is revoked first.
    expect(() => setGtin(H)).toThrow(/cannot change while seal/);
    revoke(second);
    setGtin(H);
    expect((await row(shop())).map((r) => [r.gtin, r.watchedGtin, r.seal, r.status, r.gtinNote])).toEqual([
      [
        H14,
        G14,
        null,
        "no_seal",
        `You watched GTIN ${G14}; the supplier has since changed this product's GTIN to ${H14}. No seal names the new GTIN yet.`,
      ],
    ]);
  });

  it("a seal that names the new GTIN becomes the watch's current seal, and the buyer is told", async () => {
    third = await certifyPsti(grace(), productId, "3.0.0");
    expect((await row(shop())).map((r) => [r.gtin, r.seal?.serial, r.status, r.gtinNote])).toEqual([
      [H14, third, "valid", `You watched GTIN ${G14}; the supplier has since changed this product's GTIN to ${H14}.`],
    ]);
    expect(entryOf(shop()).currentSerial).toBe(third);
    // First told the product had no current seal (no seal named the new GTIN), then told of this one.
    expect(currentSealEvents(shop())).toEqual([
      expect.objectContaining({ serial: null, previousSerial: second }),
      expect.objectContaining({ serial: third, status: "valid", previousSerial: null }),
    ]);
  });

  it("the GTIN removed: the row shows the seals that name the GTIN watched, saying the product carries none", async () => {
    revoke(third);
    setGtin(null);
    expect((await row(shop())).map((r) => [r.gtin, r.seal?.serial, r.status, r.gtinNote])).toEqual([
      [
        G14,
        second,
        "revoked",
        `This product carries no GTIN now: the row shows the seals that name GTIN ${G14}, the one you watched.`,
      ],
    ]);
    // The GTIN change itself moved the watch (no seal event needed), and the buyer was told.
    expect(entryOf(shop()).currentSerial).toBe(second);
    expect(currentSealEvents(shop()).map((e) => [e.serial, e.previousSerial])).toEqual([
      [null, second],
      [third, null],
      [second, third],
    ]);
  });
});
