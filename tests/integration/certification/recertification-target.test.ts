// Which firmware a seal may be re-certified to: newer firmware of the same hardware revision
// (numeric-aware, or registered later where the versions cannot be compared), without a seal or an
// open submission of its own, and not listed as affected by a report that is not fixed in it. The
// product page offers exactly the versions the service accepts (one rule).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findings } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import {
  recertificationChoices,
  startRecertification,
} from "../../../app/features/certification/recertification.server";
import { asha, grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const today = () => new Date(Date.now()).toISOString().slice(0, 10);
const findingVersion = (id: string) =>
  db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;
const summary = "This firmware hardens the pairing flow.";

let productId: string;
let serial: string;
let beta: string;

beforeAll(async () => {
  await seedDemoData();
  productId = createTestProduct(grace(), { name: "Gator Order Band", model: "GW-OB1" });
  beta = addTestVersion(grace(), productId, "beta"); // registered before the sealed firmware, no number
  serial = await certifyPsti(grace(), productId, "3.9.0");
});

/** The refusal of a re-certification to `productVersionId`, and whether the page offers it. */
function refusal(productVersionId: string): { message: string; field?: string } | null {
  try {
    startRecertification(grace(), { serial, productVersionId, changeSummary: summary });
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    return { message: e.message, field: e.fieldErrors?.productVersionId };
  }
  throw new Error("the re-certification was opened");
}
const offered = (productVersionId: string) =>
  recertificationChoices(grace(), productId)[productVersionId] !== undefined;

describe("the target of a re-certification", () => {
  it("is never an older firmware, even one registered after the sealed one", () => {
    const older = addTestVersion(grace(), productId, "3.0.4");
    expect(offered(older)).toBe(false);
    const r = refusal(older)!;
    expect(r.message).toBe(
      "Firmware 3.0.4 is not newer than the sealed firmware 3.9.0: a re-certification carries a seal over only to newer firmware, never back to an older one. Submit 3.0.4 for a full assessment instead.",
    );
    expect(r.field).toBe(r.message);
  });

  it("is newer by the numeric order (3.10.0 after 3.9.0), of the same hardware revision", () => {
    const newer = addTestVersion(grace(), productId, "3.10.0");
    expect(recertificationChoices(grace(), productId)[newer]).toEqual([{ serial, firmware: "3.9.0", state: "active" }]);
    const otherHardware = addProductVersion(grace(), productId, {
      hardwareRevision: "B",
      firmwareVersion: "3.10.0",
      appVersion: null,
      notes: "",
    });
    expect(offered(otherHardware)).toBe(false);
    expect(refusal(otherHardware)!.message).toMatch(
      /^Firmware 3\.10\.0 is for hardware revision B, the sealed firmware 3\.9\.0 for revision A: .*same hardware revision/,
    );
  });

  it("where the versions cannot be compared, is one registered after the sealed version", () => {
    expect(offered(beta)).toBe(false);
    expect(refusal(beta)!.message).toMatch(/^Firmware beta was not registered after the sealed firmware 3\.9\.0/);
    const nightly = addTestVersion(grace(), productId, "nightly");
    expect(offered(nightly)).toBe(true);
  });

  it("has no open submission of its own: refused by the service as the page leaves it out", () => {
    const busy = addTestVersion(grace(), productId, "3.11.0");
    openTestDraft(grace(), busy, "uk-psti@2023");
    expect(offered(busy)).toBe(false);
    expect(refusal(busy)!.message).toMatch(/^Firmware 3\.11\.0 already has an open submission/);
  });

  it("is refused while a report lists it as affected and not fixed in it; offered once it is not", () => {
    const affected = addTestVersion(grace(), productId, "3.12.0");
    const fix = addTestVersion(grace(), productId, "3.12.1");
    const report = recordFinding(asha(), {
      productId,
      versionIds: [affected],
      title: "Pairing PIN is not rate-limited",
      description: "The BLE pairing endpoint accepts unlimited PIN attempts.",
      severity: "high",
      reporter: "A. Researcher",
      reportedOn: today(),
    });
    expect(offered(affected)).toBe(false);
    expect(refusal(affected)!.message).toBe(
      'Firmware 3.12.0 is listed as affected by a vulnerability report not fixed in it ("Pairing PIN is not rate-limited"), so no certified verdict may carry over to it. Submit 3.12.0 for a full assessment, where every requirement is reviewed, or re-certify the firmware that fixes it.',
    );
    // Fixed in 3.12.1: that firmware may be re-certified; 3.12.0 stays affected.
    actOnFinding(grace(), report, {
      action: "mark_fixed",
      fixedInVersion: "3.12.1",
      note: "",
      version: findingVersion(report),
    });
    expect(offered(affected)).toBe(false);
    expect(offered(fix)).toBe(true);
    expect(startRecertification(grace(), { serial, productVersionId: fix, changeSummary: summary })).toEqual(
      expect.any(String),
    );
  });
});
