import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, organizations, seals } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { login } from "../../../app/features/accounts/auth.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { organizationsOverview } from "../../../app/system/organizations.server";

const as = async (email: string) => (await login({ email, password: DEMO_PASSWORD }, { ip: "127.0.0.1" })).user;
let admin: Actor;
let assessor: Actor;
const row = (name: string) => organizationsOverview(admin).find((o) => o.name === name)!;
const orgId = (name: string) => db().select().from(organizations).where(eq(organizations.name, name)).get()!.id;

beforeAll(async () => {
  await seedDemoData();
  admin = await as("admin@demo.test");
  assessor = await as("assessor1@demo.test");
});
afterEach(() => testClock.reset());

describe("the administrators' organisations overview", () => {
  it("says what each supplier has on the portal now, from the demo data", () => {
    expect(row("Gator Wearables Ltd")).toMatchObject({
      kind: "supplier",
      members: 1,
      watching: null,
      supplier: {
        products: 3,
        seals: { valid: 1, suspended: 0, expired: 1, revoked: 0 },
        submissions: { withSupplier: 0, withAssessors: 1 },
        findings: { open: 1, overdue: 0 },
        evidence: { usedBytes: expect.any(Number), quotaBytes: 10 * 1024 ** 3 },
      },
    });
    expect(row("Gator Wearables Ltd").supplier!.evidence.usedBytes).toBeGreaterThan(0);
    expect(row("Brightnest Smart Home Ltd").supplier).toMatchObject({
      products: 5,
      seals: { valid: 1, suspended: 1, expired: 0, revoked: 1 },
      findings: { open: 1, overdue: 1 },
    });
    // A retailer has watched products and no supplier figures; the certification body has members.
    expect(row("High Street Retail")).toMatchObject({ kind: "retailer", supplier: null, watching: 5 });
    expect(row("IoT Seal Assurance")).toMatchObject({ kind: "certifier", members: 3, supplier: null, watching: null });
  });

  it("follows the seals' verdicts and the disclosure clocks (the same rules as everywhere else)", () => {
    const gator = orgId("Gator Wearables Ltd");
    const valid = db()
      .select()
      .from(seals)
      .where(and(eq(seals.organizationId, gator), eq(seals.state, "active")))
      .all()
      .find((s) => s.validUntil.getTime() > Date.now())!;
    changeSealStatus(assessor, { serial: valid.serial, action: "suspend", reason: "Checking a press report first." });
    expect(row("Gator Wearables Ltd").supplier!.seals).toEqual({ valid: 0, suspended: 1, expired: 1, revoked: 0 });
    changeSealStatus(assessor, {
      serial: valid.serial,
      action: "revoke",
      reason: "The press report was confirmed.",
      confirmSerial: valid.serial,
    });
    expect(row("Gator Wearables Ltd").supplier!.seals).toEqual({ valid: 0, suspended: 0, expired: 1, revoked: 1 });

    // Gator's open report goes past its disclosure deadline: it counts as overdue from then on.
    const report = db().select().from(findings).where(eq(findings.organizationId, gator)).get()!;
    testClock.set(report.deadline.getTime() - 60_000);
    expect(row("Gator Wearables Ltd").supplier!.findings).toEqual({ open: 1, overdue: 0 });
    testClock.set(report.deadline.getTime() + 60_000);
    expect(row("Gator Wearables Ltd").supplier!.findings).toEqual({ open: 1, overdue: 1 });
  });

  it("is the administrators' only", async () => {
    for (const email of ["assessor1@demo.test", "supplier@demo.test", "buyer@demo.test"]) {
      const actor = await as(email);
      expect(() => organizationsOverview(actor)).toThrow(/permission/);
    }
  });
});
