// Issue 15: the public seal page's plain-language summary for shoppers comes from the service
// that builds the public view (publicSealView), from the certified assessment and the product.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { productVersions, products, seals } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { publicSealView } from "../../../app/features/certification/seals.server";
import { db } from "../../../app/platform/db.server";

const serialOf = (name: string, firmware: string) =>
  db()
    .select({ serial: seals.serial })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.name, name), eq(productVersions.firmwareVersion, firmware)))
    .get()!.serial;

beforeAll(async () => {
  await seedDemoData();
}, 120_000);

describe("issue 15: the shopper summary of a seal", () => {
  it("names the checklist in words, what its level means, the promises the assessment shows, updates and where to report", async () => {
    const view = (await publicSealView(serialOf("Gator Kids Watch 3", "3.1.0")))!;
    expect(view.verdict).toBe("valid");
    expect(view.summary).toMatchObject({
      checklistLabel:
        "Cyber Security for Consumer Internet of Things: Baseline Requirements 3.1.3 with continuous monitoring",
      designation: "ETSI EN 303 645", // the standard by its number, before the title that does not say it
      checklistHref: "/checklists/etsi-en-303-645/3.1.3-r1",
      level: { title: "Baseline", meaning: "The security baseline every connected consumer product should meet." },
      supplierName: "Gator Wearables Ltd",
    });
    expect(view.summary!.promises.map((p) => p.words)).toContain("No default passwords");
    expect(view.summary!.supportPeriodEnd).toBe(view.credential!.credentialSubject.supportPeriodEnd);
    // EU CRA: until which month, and for how long from going on sale (1 Jan 2025 to 31 Dec 2029).
    expect(view.summary!.support).toEqual({
      until: "December 2029",
      span: "5 years",
      expectedUse: null,
      shortfall: null,
    });
    expect(view.summary!.disclosurePolicyUrl).toMatch(/^https:\/\//);
  });

  it("a UK PSTI seal: the title once (no repeated 2023), the promises its requirements map to", async () => {
    const view = (await publicSealView(serialOf("Brightnest Indoor Cam 1", "1.9.2")))!;
    expect(view.verdict).toBe("suspended");
    expect(view.summary!.checklistLabel).toMatch(/Connectable Products\) Regulations 2023$/);
    expect(view.summary!.checklistLabel).not.toMatch(/2023 2023/);
    // PSTI 1 maps to ETSI 5.1-1 and PSTI 2 to 5.2-1; nothing maps to 5.3-9.
    expect(view.summary!.promises.map((p) => p.id)).toEqual(["no-default-passwords", "report-problems"]);
  });

  it("no summary for a serial that has no seal", async () => {
    expect(await publicSealView("IOTS-0000-0000")).toBeNull();
  });
});
