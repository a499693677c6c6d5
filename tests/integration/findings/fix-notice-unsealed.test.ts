// "Fixed in" a firmware version the product does not have: the answer asks the supplier to register
// it, and words the next step by whether the product has a current seal (active or suspended, not
// expired). Only then does the product page offer "Re-certify from seal …"; without one the version
// is submitted for certification and an assessor verifies the fix.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findings, productVersions } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { asha, grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { addTestVersion, createTestProduct } from "../../support/submissions";

const today = () => new Date(Date.now()).toISOString().slice(0, 10);
const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;

beforeAll(async () => {
  await seedDemoData();
});

/** Records a report against `versionId` and marks it fixed in the unregistered `fixedIn`: the answer's notice. */
function markFixedInUnregistered(productId: string, versionId: string, fixedIn: string): string | null {
  const id = recordFinding(asha(), {
    productId,
    versionIds: [versionId],
    title: "Setup hotspot stays open after pairing",
    description: "The set-up Wi-Fi hotspot stays open for an hour after pairing, without a password.",
    severity: "medium",
    reporter: "Gator QA",
    reportedOn: today(),
  });
  return actOnFinding(grace(), id, {
    action: "mark_fixed",
    fixedInVersion: fixedIn,
    note: "Hotspot closes on pairing.",
    version: version(id),
  }).notice;
}

describe("'fixed in' an unregistered version", () => {
  it("a product without any seal: add the version, an assessor verifies the fix; no re-certification offered", () => {
    const productId = createTestProduct(grace(), { name: "Gator Unsealed Band", model: "GW-UB1" });
    const v = addTestVersion(grace(), productId, "1.0.0");
    const notice = markFixedInUnregistered(productId, v, "1.0.1")!;
    expect(notice).toBe(
      'Firmware 1.0.1 is not registered on Gator Unsealed Band, so this fix cannot be verified yet: the report says "fix announced, not yet verified". Add 1.0.1 as a version of the product (Products → Gator Unsealed Band → Add a version); an assessor then verifies the fix. Gator Unsealed Band has no current seal to re-certify from: to certify firmware 1.0.1 itself, submit that version for certification.',
    );
    expect(notice).not.toMatch(/Re-certify/);
  });

  it("a product whose only seal has expired: worded the same (an expired seal cannot be re-certified from)", () => {
    const expired = sealBySerial(demoSealSerials()["Gator Kids Watch 2 2.9.4"])!;
    expect(expired.validUntil.getTime()).toBeLessThan(Date.now());
    const productId = db()
      .select({ p: productVersions.productId })
      .from(productVersions)
      .where(eq(productVersions.id, expired.productVersionId))
      .get()!.p;
    const notice = markFixedInUnregistered(productId, expired.productVersionId, "2.9.9")!;
    expect(notice).toMatch(/has no current seal to re-certify from: to certify firmware 2\.9\.9 itself, submit/);
  });

  it("a product with a current seal: start the re-certification of the version from that seal", async () => {
    const productId = createTestProduct(grace(), { name: "Gator Sealed Band", model: "GW-SB1" });
    await certifyPsti(grace(), productId, "1.0.0");
    const v = db()
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(eq(productVersions.productId, productId))
      .get()!.id;
    const notice = markFixedInUnregistered(productId, v, "1.0.1")!;
    expect(notice).toMatch(
      /Add a version\), then start its re-certification \("Re-certify from seal …" on that version\)/,
    );
  });
});
