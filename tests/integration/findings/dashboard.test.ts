// The dashboards' reads of vulnerability reports, on the demo data: a supplier sees its own open reports
// with their disclosure clocks (the demo watch's high report 10 days from its deadline; the demo camera's
// overdue one holding its seal), never another organisation's; an assessor sees the fixes claimed, to
// verify, but not those of a supplier they have a conflict of interest with.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findings, organizations } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { fixesToVerify, supplierOpenReports } from "../../../app/features/findings/dashboard.server";
import { actOnFinding } from "../../../app/features/findings/findings.server";
import { admin, asha, bram, buyer, grace, sam } from "../../support/actors";

const findingVersion = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!.version;

beforeAll(async () => {
  await seedDemoData();
});

describe("a supplier's open reports", () => {
  it("lists the organisation's open reports with their clocks, soonest deadline first", () => {
    const rows = supplierOpenReports(grace());
    const watch = rows.find((r) => r.product === "Gator Kids Watch 3")!;
    expect(watch).toMatchObject({ severity: "high", blocking: false, supplier: "Gator Wearables Ltd" });
    expect(watch.clock).toMatchObject({ overdue: false, daysLeft: 9 }); // 10 days away, counted in whole days left
    expect(watch.advisoryId).toMatch(/^IOTSEAL-\d{4}-\d{4}$/);
    expect(rows.every((r) => r.status !== "verified_fixed" && r.status !== "withdrawn")).toBe(true);
    const deadlines = rows.map((r) => new Date(r.deadline).getTime());
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    // Never a description or a reporter: the dashboard links to the report.
    expect(Object.keys(watch)).not.toContain("description");
    expect(Object.keys(watch)).not.toContain("reporter");
  });

  it("shows the overdue report that holds a seal as blocking, and only to its own supplier", () => {
    const cam = supplierOpenReports(sam()).find((r) => r.product === "Brightnest Indoor Cam 1")!;
    expect(cam.clock.overdue).toBe(true);
    expect(cam.blocking).toBe(true);
    expect(supplierOpenReports(grace()).map((r) => r.id)).not.toContain(cam.id);
    expect(supplierOpenReports(sam()).every((r) => r.supplier === "Brightnest Smart Home Ltd")).toBe(true);
  });

  it("is refused to assessors and buyers", async () => {
    for (const who of [asha(), buyer()])
      await expect(() => supplierOpenReports(who)).toBeRefused("forbidden", /permission/);
  });
});

describe("an assessor's fixes to verify", () => {
  it("lists a report once its supplier claims a fix, and not before", () => {
    const watch = supplierOpenReports(grace()).find((r) => r.product === "Gator Kids Watch 3")!;
    expect(fixesToVerify(asha()).map((f) => f.id)).not.toContain(watch.id);
    actOnFinding(grace(), watch.id, {
      action: "mark_fixed",
      note: "Pairing now requires the parent's app.",
      fixedInVersion: "3.2.0",
      version: findingVersion(watch.id),
    });
    expect(fixesToVerify(asha()).find((f) => f.id === watch.id)).toMatchObject({
      status: "fixed",
      fixedInVersion: "3.2.0",
      supplier: "Gator Wearables Ltd",
    });
  });

  it("leaves out a supplier the assessor has a conflict of interest with, and is refused to suppliers and buyers", async () => {
    const gator = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!;
    declareConflict(admin(), { assessorId: bram().userId, organizationId: gator.id, reason: "Advised Gator in 2025." });
    expect(fixesToVerify(bram()).some((f) => f.supplier === "Gator Wearables Ltd")).toBe(false);
    expect(fixesToVerify(asha()).some((f) => f.supplier === "Gator Wearables Ltd")).toBe(true);
    for (const who of [grace(), buyer()]) await expect(() => fixesToVerify(who)).toBeRefused("forbidden", /permission/);
  });
});
