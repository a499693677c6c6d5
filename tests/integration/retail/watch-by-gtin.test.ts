// Issue 18: a buyer watches a product by its GTIN (one field, or a CSV with a label column) and the
// watch follows the product, not one seal: the watchlist shows the product's current seal (the
// newest valid one across its firmware versions, else the newest), a new firmware version certified
// or the current seal suspended moves the watch and tells the buyer, and the buyer's policies judge
// the current seal. Watches by serial keep showing every current seal. On the demo data: Gator Kids
// Watch 3 (GTIN 5060123450002) has one seal, firmware 3.1.0, and a submitted 3.2.0 submission that a
// test below approves.
import { and, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { notifications, policyStates, users } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { signUpConfirmed } from "../../support/signup";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { watchGtinInput } from "../../../app/features/retail/forms";
import { listPolicies } from "../../../app/features/retail/policies.server";
import {
  watchByGtin,
  watchBySerial,
  watchFromCsv,
  watchlistFeed,
  watchlistView,
} from "../../../app/features/retail/watchlist.server";
import { actorByEmail, asha, buyer } from "../../support/actors";
import { approveDemoWatchSubmission } from "../../support/submissions";

const GATOR3 = "5060123450002";
const SPEAKER = "5060987650037";
const CAM2 = "5060987650044"; // registered, no seal
let older: string; // Gator Kids Watch 3 firmware 3.1.0
let newer: string; // firmware 3.2.0, certified by a test below

async function shop(name: string) {
  const email = `${name.toLowerCase()}@shops.test`;
  await signUpConfirmed(
    { kind: "retailer", organizationName: `${name} Ltd`, name, email, password: "a long enough password" },
    { ip: "192.0.2.90" },
  );
  return () => actorByEmail(email);
}
let stockroom: () => ReturnType<typeof buyer>; // watches by GTIN
let corner: () => ReturnType<typeof buyer>; // watches by serial, as before

const gtin = (value: string, label = "") => watchGtinInput.parse({ gtin: value, label });
const gatorRows = async (who: ReturnType<typeof buyer>) =>
  (await watchlistView(who)).rows.filter((r) => r.name === "Gator Kids Watch 3");
const currentSealEvents = (who: ReturnType<typeof buyer>) =>
  watchlistFeed(who, 0, 500).events.filter((e) => e.type === "product.current_seal");

beforeAll(async () => {
  await seedDemoData();
  older = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  stockroom = await shop("Stockroom");
  corner = await shop("Corner");
});

describe("watching a product by its GTIN", () => {
  it("a buyer watches by GTIN and sees the product's current seal, its verdict and the update-required flag", async () => {
    expect(watchByGtin(stockroom(), gtin(GATOR3, "GKW3-BLUE"))).toEqual({
      productName: "Gator Kids Watch 3",
      outcome: "added",
    });
    watchByGtin(stockroom(), gtin(SPEAKER));
    const rows = (await watchlistView(stockroom())).rows;
    expect(rows.map((r) => [r.name, r.label, r.gtin, r.seal?.serial, r.seal?.firmware, r.status])).toEqual([
      ["Brightnest Smart Speaker", "", "05060987650037", expect.any(String), "1.0.3", "valid"],
      ["Gator Kids Watch 3", "GKW3-BLUE", "05060123450002", older, "3.1.0", "valid"],
    ]);
    expect(rows[0].updateRequired).toMatchObject({ fixedIn: "1.0.4" });
    expect(rows[1].updateRequired).toBeNull();
    // Watching it again changes nothing.
    expect(watchByGtin(stockroom(), gtin(`0${GATOR3}`)).outcome).toBe("already");
    expect(currentSealEvents(stockroom())).toEqual([]); // the first current seal is recorded without an event
  });

  it("a GTIN with a wrong check digit is refused on the GTIN field, saying what is wrong", () => {
    const r = watchGtinInput.safeParse({ gtin: "5060123450003" });
    expect(r.error?.issues[0]).toMatchObject({
      path: ["gtin"],
      message: "The GTIN is not valid. The check digit should be 2, not 3: check the number for a typo.",
    });
  });

  it.each([
    ["an unknown GTIN", "4006381333931"],
    ["the GTIN of a product without a seal", CAM2],
  ])("%s is refused, saying no product with an IoT Seal has it", async (_what, value) => {
    await expect(() => watchByGtin(stockroom(), gtin(value))).toBeRefused(
      "not_found",
      /No product with an IoT Seal has the GTIN/,
    );
  });

  it("a product watched by serial, watched by its GTIN: followed by its GTIN from then on", async () => {
    // The demo buyer watches Gator Kids Watch 3 by serial (the demo seed).
    expect(watchByGtin(buyer(), gtin(GATOR3)).outcome).toBe("by_gtin");
    const [row] = await gatorRows(buyer());
    expect(row).toMatchObject({ gtin: "05060123450002", seal: { serial: older } });
    // The corner shop watches by serial, as before.
    watchBySerial(corner(), { serial: older, label: "" });
    expect((await gatorRows(corner())).map((r) => [r.gtin, r.seal?.serial])).toEqual([[null, older]]);
  });
});

describe("watching from a CSV", () => {
  it("watches by GTIN (ean column), labels from the SKU column, reports invalid and unknown GTINs by line", async () => {
    const csvShop = await shop("Barcodes");
    const csv = [
      "EAN,Description,SKU",
      `${GATOR3},Kids watch,GKW3-PINK`,
      "5060123450003,Typo,BAD-1",
      "4006381333931,Not ours,NOPE",
      "",
      `${SPEAKER},Speaker,SPK-1`,
    ].join("\n");
    expect(watchFromCsv(csvShop(), csv)).toEqual({
      added: 2,
      already: 0,
      byGtin: 0,
      unknown: [{ line: 4, by: "gtin", value: "4006381333931" }],
      invalid: [
        {
          line: 3,
          message:
            '"5060123450003" is not a valid GTIN. The check digit should be 2, not 3: check the number for a typo.',
        },
      ],
      empty: [],
      problems: [],
    });
    const rows = (await watchlistView(csvShop())).rows;
    expect(rows.map((r) => [r.name, r.label, r.gtin])).toEqual([
      ["Brightnest Smart Speaker", "SPK-1", "05060987650037"],
      ["Gator Kids Watch 3", "GKW3-PINK", "05060123450002"],
    ]);
  });

  it("a serial CSV with a SKU column: the SKU is the label (not the first other column)", async () => {
    const serialShop = await shop("Serials");
    const speaker = demoSealSerials()["Brightnest Smart Speaker 1.0.3"];
    const result = watchFromCsv(serialShop(), `product,serial,sku\nSpeaker,${speaker},SPK-42\n`);
    expect(result).toMatchObject({ added: 1, unknown: [], invalid: [] });
    const [row] = (await watchlistView(serialShop())).rows;
    expect(row).toMatchObject({ label: "SPK-42", gtin: null, seal: { serial: speaker } });
  });

  it("reports every row not found (not only the first five) with its line and its value as written", () => {
    const unknownGtins = [
      "4006381333931",
      "40063813339 31",
      "96385074",
      "036000291452",
      "5012345678900",
      "4000417020000",
    ];
    const csv = ["gtin,serial,sku", ...unknownGtins.map((g, i) => `${g},,SKU-${i}`), ",IOTS-NOPE-0000,SKU-S", ""].join(
      "\n",
    );
    const result = watchFromCsv(stockroom(), csv);
    expect(result.unknown).toEqual([
      ...unknownGtins.map((value, i) => ({ line: i + 2, by: "gtin", value })),
      { line: 8, by: "serial", value: "IOTS-NOPE-0000" },
    ]);
    expect(result.added).toBe(0);
  });

  it("a file without a gtin or serial column is refused, naming what it found", () => {
    expect(() => watchFromCsv(stockroom(), "sku,price\nA,1\n")).toThrow(/"gtin".*"serial".*found: "sku", "price"/);
  });
});

describe("the watch follows the product", () => {
  beforeAll(async () => {
    // The demo's submitted 3.2.0 submission, reviewed and approved (four eyes): a second seal.
    newer = await approveDemoWatchSubmission();
  });

  it("a second firmware version certified: the watch shows the new seal and the buyer is told", async () => {
    expect((await gatorRows(stockroom())).map((r) => [r.seal?.serial, r.seal?.firmware, r.status])).toEqual([
      [newer, "3.2.0", "valid"],
    ]);
    expect(currentSealEvents(stockroom())).toEqual([
      expect.objectContaining({
        serial: newer,
        status: "valid",
        reason: `Now certified: firmware 3.2.0, seal ${newer}.`,
        product: expect.objectContaining({ name: "Gator Kids Watch 3" }),
        previousSerial: older,
      }),
    ]);
    // The seal event itself reaches every watcher, as before.
    expect(watchlistFeed(stockroom(), 0, 500).events.map((e) => [e.type, e.serial])).toContainEqual([
      "seal.issued",
      newer,
    ]);
    // The buyer's people are told in the app.
    const told = db()
      .select({ title: notifications.title })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .where(and(eq(users.email, "stockroom@shops.test"), eq(notifications.kind, "watch.product.current_seal")))
      .all();
    expect(told).toEqual([{ title: `Gator Kids Watch 3: current seal changed (seal ${newer})` }]);
  });

  it("a watch by serial is unchanged: both current seals listed, no current-seal event", async () => {
    expect((await gatorRows(corner())).map((r) => r.seal?.serial)).toEqual([newer, older]);
    expect(currentSealEvents(corner())).toEqual([]);
  });

  it("the buyer's policies judge the current seal", async () => {
    const [row] = await gatorRows(buyer());
    expect(row.seal?.serial).toBe(newer);
    expect(row.policies?.map((p) => p.policyName)).toEqual(["Children's wearables"]);
    const policyIds = listPolicies(buyer()).map((p) => p.id);
    const judged = db()
      .select({ serial: policyStates.serial })
      .from(policyStates)
      .where(and(inArray(policyStates.policyId, policyIds), inArray(policyStates.serial, [older, newer])))
      .all()
      .map((s) => s.serial);
    expect(judged).toContain(newer);
  });

  it("the current seal suspended: the watch shows the older valid seal, saying why", async () => {
    changeSealStatus(asha(), {
      serial: newer,
      action: "suspend",
      reason: "Under review for a reported security issue.",
    });
    expect((await gatorRows(stockroom())).map((r) => [r.seal?.serial, r.status])).toEqual([[older, "valid"]]);
    expect(currentSealEvents(stockroom()).at(-1)).toMatchObject({
      serial: older,
      status: "valid",
      reason: `Now certified by firmware 3.1.0, seal ${older}: the newer seal ${newer} (firmware 3.2.0) is no longer valid.`,
    });
  });

  it("no valid seal left: the watch shows the newest, suspended", async () => {
    changeSealStatus(asha(), {
      serial: older,
      action: "suspend",
      reason: "Under review for a reported security issue.",
    });
    expect((await gatorRows(stockroom())).map((r) => [r.seal?.serial, r.status])).toEqual([[newer, "suspended"]]);
    expect(currentSealEvents(stockroom()).at(-1)).toMatchObject({
      serial: newer,
      status: "suspended",
      reason: `No valid seal now; the newest is firmware 3.2.0, seal ${newer} (suspended).`,
    });
  });

  it("reinstated: the same current seal, valid again; the seal event tells it, not a second current-seal event", async () => {
    const before = currentSealEvents(stockroom()).length;
    changeSealStatus(asha(), { serial: newer, action: "reinstate", reason: "Not reproducible." });
    changeSealStatus(asha(), { serial: older, action: "reinstate", reason: "Not reproducible." });
    expect((await gatorRows(stockroom())).map((r) => [r.seal?.serial, r.status])).toEqual([[newer, "valid"]]);
    expect(currentSealEvents(stockroom())).toHaveLength(before);
    expect(watchlistFeed(stockroom(), 0, 500).events.at(-1)).toMatchObject({ type: "seal.reinstated", serial: older });
  });
});
