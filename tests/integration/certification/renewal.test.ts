// Renewal: a supplier sees seals expiring within 60 days and starts a renewal, a new submission for
// the same product version pre-filled with the previous answers and evidence.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { answers, evidenceLinks, submissions } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, grace } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../../app/demo/seed.server";
import { expiringSeals, startRenewal } from "../../../app/features/certification/submissions.server";

let serial: string;

beforeAll(async () => {
  await seedDemoData();
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
});
afterEach(() => testClock.reset());

describe("renewal", () => {
  it("lists a seal once it is within 60 days of expiry, not before", () => {
    const seal = sealBySerial(serial)!;
    testClock.set(seal.validUntil.getTime() - 61 * 86_400_000);
    expect(expiringSeals(grace()).map((e) => e.serial)).not.toContain(serial);
    testClock.set(seal.validUntil.getTime() - 30 * 86_400_000);
    expect(expiringSeals(grace()).find((e) => e.serial === serial)).toMatchObject({ daysLeft: 30, renewal: null });
    expect(expiringSeals(actorByEmail("supplier2@demo.test")).map((e) => e.serial)).not.toContain(serial);
  });

  it("starts a draft for the same version and checklist with the previous answers and evidence; only once", () => {
    const seal = sealBySerial(serial)!;
    testClock.set(seal.validUntil.getTime() - 30 * 86_400_000);
    expect(() => startRenewal(actorByEmail("supplier2@demo.test"), serial)).toThrow(/None of your seals/);
    const id = startRenewal(grace(), serial);
    const s = db().select().from(submissions).where(eq(submissions.id, id)).get()!;
    const previous = db().select().from(submissions).where(eq(submissions.id, seal.submissionId)).get()!;
    expect(s).toMatchObject({
      status: "draft",
      productVersionId: seal.productVersionId,
      checklistVersionId: previous.checklistVersionId,
      targetLevel: previous.targetLevel,
    });
    const copy = (sid: string) =>
      db()
        .select()
        .from(answers)
        .where(eq(answers.submissionId, sid))
        .all()
        .map((a) => [a.requirementRef, a.claim, a.justification])
        .sort();
    expect(copy(id)).toEqual(copy(previous.id));
    const files = (sid: string) =>
      db()
        .select()
        .from(evidenceLinks)
        .where(eq(evidenceLinks.submissionId, sid))
        .all()
        .map((l) => [l.requirementRef, l.sha256])
        .sort();
    expect(files(id)).toEqual(files(previous.id));
    expect(files(id).length).toBeGreaterThan(0);
    expect(expiringSeals(grace()).find((e) => e.serial === serial)?.renewal).toMatchObject({ id, status: "draft" });
    expect(() => startRenewal(grace(), serial)).toThrow(/already has an open submission/);
  });
});
