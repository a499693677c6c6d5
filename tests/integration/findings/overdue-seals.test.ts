// An overdue critical or high report is worded from the seals it actually holds: the report's page,
// the supplier's dashboard row and the supplier's notice say the seals are suspended only when the
// affected firmware has a seal that is; a firmware with no seal, or only an expired one, is "no
// current seal", never "the seals are suspended". One rule (overdueSealsText) for the three places.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findings, notifications, products, productVersions, seals } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { formatDate } from "../../../app/platform/format";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { overdueSealsText } from "../../../app/features/findings/domain/overdue-seals";
import { findingView, recordFinding } from "../../../app/features/findings/findings.server";
import { supplierOpenReports } from "../../../app/features/findings/dashboard.server";
import { asha, grace, sam } from "../../support/actors";

const NO_SEAL = "The affected firmware has no current seal; a seal issued for it would be suspended at once.";

function versionOf(product: string, firmware: string): { productId: string; versionId: string } {
  const r = db()
    .select({ productId: products.id, versionId: productVersions.id })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.name, product), eq(productVersions.firmwareVersion, firmware)))
    .get();
  if (!r) throw new Error(`no demo version ${product} ${firmware}`);
  return r;
}

/** A high report dated `daysAgo` days back (its deadline long passed), recorded by an assessor. */
function overdueReport(at: { productId: string; versionId: string }, title: string): string {
  return recordFinding(asha(), {
    productId: at.productId,
    versionIds: [at.versionId],
    title,
    description: "A description long enough for the form, about a flaw in the firmware.",
    severity: "high",
    reporter: "A researcher",
    reportedOn: new Date(Date.now() - 200 * DAY_MS).toISOString().slice(0, 10),
    confirmPublic: "yes",
  });
}

const noticeOf = (id: string) =>
  db()
    .select()
    .from(notifications)
    .where(eq(notifications.key, `report:${id}:recorded`))
    .get()!;

beforeAll(async () => {
  await seedDemoData();
}, 60_000);

describe("the words, from the seals held", () => {
  it.each([
    [{ suspended: 1, active: 0 }, "The seal of the affected firmware is suspended until the fix is verified."],
    [{ suspended: 2, active: 1 }, "The 2 seals of the affected firmware are suspended until the fix is verified."],
    [
      { suspended: 0, active: 1 },
      "The seal of the affected firmware will be suspended within 15 minutes (at the next lifecycle sweep), until the fix is verified.",
    ],
    [{ suspended: 0, active: 0 }, NO_SEAL],
  ])("%o: %s", (held, text) => expect(overdueSealsText(held)).toBe(text));
});

describe("an overdue high report against firmware without a seal (Gator Pocket Pet 1.0.0)", () => {
  let id: string;
  beforeAll(() => {
    const pet = versionOf("Gator Pocket Pet", "1.0.0");
    expect(db().select().from(seals).where(eq(seals.productVersionId, pet.versionId)).all()).toEqual([]);
    id = overdueReport(pet, "Pocket Pet pairs with any phone in range");
  });

  it("the report's page: blocking, with no seal held", () => {
    const v = findingView(asha(), id);
    expect(v.blocking).toBe(true);
    expect(v.affectedSeals).toEqual([]);
    expect(v.heldSeals).toEqual({ suspended: 0, active: 0 });
    expect(overdueSealsText(v.heldSeals)).toBe(NO_SEAL);
  });

  it("the supplier's dashboard row: the same", () => {
    const row = supplierOpenReports(grace()).find((r) => r.id === id)!;
    expect(row.blocking).toBe(true);
    expect(row.heldSeals).toEqual({ suspended: 0, active: 0 });
  });

  it("the supplier's notice says there is no current seal, not that seals are suspended", () => {
    const f = db().select().from(findings).where(eq(findings.id, id)).get()!;
    const n = noticeOf(id);
    expect(n.body).toContain(
      `Its disclosure deadline passed on ${formatDate(f.deadline)}: its advisory is public. ${NO_SEAL}`,
    );
    expect(n.body).not.toMatch(/seals? of the affected firmware (is|are) suspended/);
  });
});

describe("an overdue high report against firmware whose only seal has expired (Gator Kids Watch 2 2.9.4)", () => {
  it("holds nothing: no current seal, on the page, the dashboard and in the notice", () => {
    const expired = db()
      .select()
      .from(seals)
      .where(eq(seals.serial, demoSealSerials()["Gator Kids Watch 2 2.9.4"]))
      .get()!;
    expect(expired.validUntil.getTime()).toBeLessThan(Date.now());
    const version = db().select().from(productVersions).where(eq(productVersions.id, expired.productVersionId)).get()!;
    const id = overdueReport({ productId: version.productId, versionId: version.id }, "Watch 2 leaks its location");
    expect(findingView(asha(), id).heldSeals).toEqual({ suspended: 0, active: 0 });
    expect(supplierOpenReports(grace()).find((r) => r.id === id)!.heldSeals).toEqual({ suspended: 0, active: 0 });
    expect(noticeOf(id).body).toContain(NO_SEAL);
  });
});

describe("an overdue report holding a seal (the demo's Brightnest Indoor Cam 1)", () => {
  it("counts the seal it holds suspended, and the notice of a new one says so", () => {
    const cam = supplierOpenReports(sam()).find((r) => r.product === "Brightnest Indoor Cam 1" && r.blocking)!;
    expect(cam.heldSeals).toEqual({ suspended: 1, active: 0 });
    expect(findingView(asha(), cam.id).heldSeals).toEqual({ suspended: 1, active: 0 });

    const camSeal = db()
      .select()
      .from(seals)
      .where(eq(seals.serial, demoSealSerials()["Brightnest Indoor Cam 1 1.9.2"]))
      .get()!;
    const version = db().select().from(productVersions).where(eq(productVersions.id, camSeal.productVersionId)).get()!;
    const id = overdueReport({ productId: version.productId, versionId: version.id }, "Cam 1 streams without TLS");
    expect(noticeOf(id).body).toContain(
      ": its advisory is public. The seal of the affected firmware is suspended until the fix is verified.",
    );
  });
});
