// Renewal: a supplier sees seals expiring within 60 days and starts a renewal, a new submission for
// the same product version pre-filled with the previous answers and evidence. Only an open
// submission against the same checklist is its renewal; once the renewal is approved, the old seal
// (still active: a renewal does not supersede it) is no longer offered for renewal.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { answers, evidenceLinks, seals, submissions } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, asha, bram, grace, sam } from "../../support/actors";
import { submissionVersion as version } from "../../support/submissions";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { answerFacts, requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import {
  expiringSeals,
  openSubmission,
  renewingSealOf,
  startRenewal,
  submitSubmission,
} from "../../../app/features/certification/submissions.server";

let serial: string;
let renewal: string;

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

  it("an open submission for the same version against another checklist is not its renewal", () => {
    const seal = sealBySerial(serial)!;
    testClock.set(seal.validUntil.getTime() - 30 * 86_400_000);
    const psti = openSubmission(grace(), {
      productVersionId: seal.productVersionId,
      target: { checklistVersionId: "uk-psti@2023", targetLevel: "baseline" },
    });
    expect(db().select().from(submissions).where(eq(submissions.id, psti)).get()!.status).toBe("draft");
    // Still "Start renewal": the ETSI seal is renewed by an ETSI submission only.
    expect(expiringSeals(grace()).find((e) => e.serial === serial)).toMatchObject({ renewal: null });
  });

  it("a revoked seal cannot be renewed: the supplier is told to start a new submission, and nothing is opened", async () => {
    const revoked = demoSealSerials()["Brightnest Smart Plug 1.2.0"];
    const before = db().select().from(submissions).all().length;
    await expect(() => startRenewal(sam(), revoked)).toBeRefused(
      "conflict",
      new RegExp(`Seal ${revoked} was revoked: it cannot be renewed. Start a new submission`),
    );
    expect(db().select().from(submissions).all().length).toBe(before);
  });

  it("starts a draft for the same version and checklist with the previous answers and evidence; only once", () => {
    const seal = sealBySerial(serial)!;
    testClock.set(seal.validUntil.getTime() - 30 * 86_400_000);
    expect(() => startRenewal(actorByEmail("supplier2@demo.test"), serial)).toThrow(/None of your seals/);
    const id = startRenewal(grace(), serial);
    renewal = id;
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

  it("once the renewal is approved, the old seal (still active until its date) is no longer offered for renewal", async () => {
    const seal = sealBySerial(serial)!;
    testClock.set(seal.validUntil.getTime() - 30 * 86_400_000);
    submitSubmission(grace(), renewal, version(renewal));
    takeSubmission(asha(), renewal, version(renewal));
    const s = db().select().from(submissions).where(eq(submissions.id, renewal)).get()!;
    const facts = answerFacts(db(), renewal);
    for (const req of requirementsInScope(db(), s.checklistVersionId, s.targetLevel))
      recordVerdict(
        asha(),
        renewal,
        req.ref,
        facts.get(req.ref)?.claim === "not_applicable"
          ? {
              verdict: "not_applicable",
              comment: "Agreed.",
              accepted: req.applicability === "advisory",
              version: version(renewal),
            }
          : { verdict: "pass", comment: "", accepted: false, version: version(renewal) },
      );
    proposeApproval(asha(), renewal, version(renewal), "Renewal reviewed.");
    const fresh = await confirmApproval(bram(), renewal, version(renewal), "Confirmed.");
    // Not superseded (only a re-certification of a newer firmware supersedes): it stays active to its date.
    expect(db().select().from(seals).where(eq(seals.serial, serial)).get()).toMatchObject({ state: "active" });
    // Two years on, the watch's open 3.1.0 report is past its disclosure deadline: the renewal is
    // suspended for it the moment it is issued (as the next sweep would do), not shown valid meanwhile.
    expect(sealBySerial(fresh)).toMatchObject({
      state: "suspended",
      productVersionId: seal.productVersionId,
    });
    const listed = expiringSeals(grace()).map((e) => e.serial);
    expect(listed).not.toContain(serial);
    expect(listed).not.toContain(fresh);
    // The same rule keeps the expiry reminders quiet (notifications/reminders.server.ts).
    expect(renewingSealOf(db(), serial)).toBe(fresh);
    expect(renewingSealOf(db(), fresh)).toBeNull();
    // A dashboard tab opened before the approval still offers "Start renewal": no second renewal is opened.
    const before = db().select().from(submissions).all().length;
    await expect(() => startRenewal(grace(), serial)).toBeRefused(
      "conflict",
      `Seal ${serial} was already renewed by seal ${fresh}, so no second renewal is opened.`,
    );
    expect(db().select().from(submissions).all().length).toBe(before);
  });
});

describe("a replaced seal", () => {
  it("cannot be renewed: the supplier is pointed to the seal that replaced it", async () => {
    const plug = demoSealSerials()["Brightnest Smart Plug 1.2.0"];
    const speaker = demoSealSerials()["Brightnest Smart Speaker 1.0.3"];
    // Stand-in for a re-certification of a newer firmware (that journey is tested in recertification.test.ts).
    db().update(seals).set({ state: "superseded", supersededBy: plug }).where(eq(seals.serial, speaker)).run();
    await expect(() => startRenewal(sam(), speaker)).toBeRefused(
      "conflict",
      `Seal ${speaker} was replaced by seal ${plug}: renew the seal that replaced it.`,
    );
  });
});
