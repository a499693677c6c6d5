// The static publication (decision record 028) after a product's GTIN changes or is removed: the
// linkset published at the old GTIN (/01/<GTIN-14> and /01/<GTIN as written>) is rewritten when
// another product now answers for that GTIN, and taken down when none does. A CDN serving the folder
// must never keep saying "valid" at a barcode the portal no longer answers for (after a revocation,
// say). Published to the default folder target ($DATA_DIR/public-artefacts).
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { products } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { publishArtefacts } from "../../../app/features/public/publication.server";
import type { Actor } from "../../../app/platform/actor";
import { asha, grace, sam } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { createTestProduct, setProductGtin } from "../../support/submissions";

const SPEAKER = "5060987650037"; // Brightnest Smart Speaker (BN-SS1): a valid seal
const WATCH3 = "5060123450002"; // Gator Kids Watch 3 (GW-KW3): a valid seal
const SHARED = "5060987650914"; // registered by two suppliers before either was certified
const FREE = "5060987650907";
const FREE2 = "5060123450903";

let folder: string;
const linkset = (gtin: string) => path.join(folder, "01", gtin);
const published = (gtin: string) => (fs.existsSync(linkset(gtin)) ? fs.readFileSync(linkset(gtin), "utf8") : null);
const bothForms = (gtin: string) => [gtin, gtin.padStart(14, "0")];

beforeAll(async () => {
  folder = path.join(process.env.DATA_DIR!, "public-artefacts"); // PUBLISH_TO's default
  delete process.env.PUBLISH_TO;
  await seedDemoData();
});

/** Sets a product's GTIN through the catalogue, as its supplier's edit form does. */
function setGtin(actor: Actor, model: string, gtin: string | null) {
  setProductGtin(actor, db().select().from(products).where(eq(products.model, model)).get()!.id, gtin);
}

const revoke = (serial: string) =>
  changeSealStatus(asha(), {
    serial,
    action: "revoke",
    reason: "The certified firmware was withdrawn by the supplier.",
    confirmSerial: serial,
  });

describe("a product's GTIN changed or removed: its old GTIN's published linkset", () => {
  let speakerSeal: string;
  let watchSeal: string;

  it("is published at first, in both written forms", async () => {
    speakerSeal = demoSealSerials()["Brightnest Smart Speaker 1.0.3"];
    watchSeal = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    expect((await publishArtefacts())!.full).toBe(true);
    for (const g of bothForms(SPEAKER)) expect(published(g), g).toContain(speakerSeal);
    for (const g of bothForms(WATCH3)) expect(published(g), g).toContain(watchSeal);
  });

  it("changed: taken down when no product answers for the old GTIN any more (its seals signed the old one)", async () => {
    // Refused while a seal that signed the GTIN is current (products.server.ts): revoked first.
    expect(() => setGtin(sam(), "BN-SS1", FREE)).toThrow(/cannot change while seal/);
    revoke(speakerSeal);
    setGtin(sam(), "BN-SS1", FREE);
    await publishArtefacts();
    for (const g of bothForms(SPEAKER)) expect(published(g), g).toBeNull();
    // The new GTIN answers with nothing either: no seal signed it.
    for (const g of bothForms(FREE)) expect(published(g), g).toBeNull();
  });

  it("removed (once its seal is revoked): taken down too, nothing saying valid at the barcode", async () => {
    revoke(watchSeal);
    setGtin(grace(), "GW-KW3", null);
    await publishArtefacts();
    for (const g of bothForms(WATCH3)) expect(published(g), g).toBeNull();
  });
});

describe("a GTIN another product still answers for", () => {
  it("is rewritten with that product's answer when the product that answered gives the GTIN up", async () => {
    const gator = createTestProduct(grace(), { name: "Gator Shared", model: "GW-SHARED", gtin: SHARED });
    const brightnest = createTestProduct(sam(), { name: "Brightnest Shared", model: "BN-SHARED", gtin: SHARED });
    const older = await certifyPsti(grace(), gator);
    const newer = await certifyPsti(sam(), brightnest);
    await publishArtefacts();
    for (const g of bothForms(SHARED)) {
      expect(published(g), g).toContain(newer); // the newest valid seal answers
      expect(published(g), g).not.toContain(older);
    }
    revoke(newer); // a GTIN its current seal signed cannot change (products.server.ts)
    setGtin(sam(), "BN-SHARED", FREE2);
    await publishArtefacts();
    for (const g of bothForms(SHARED)) {
      expect(published(g), g).toContain(older);
      expect(published(g), g).not.toContain(newer);
    }
  });
});
