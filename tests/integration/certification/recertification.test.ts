// Delta re-certification against a real database: a new firmware version is opened from the
// product's current seal with answers and evidence carried over; the supplier marks what changed;
// at submission the verdicts of unchanged requirements carry over, so the assessor re-reviews only
// the changed ones and those named by open findings; the approval issues a new seal, supersedes
// the old one (both pages link each other), certifies the fix and notifies the watchers.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  answers,
  evidenceLinks,
  findings,
  logLeaves,
  productVersions,
  sealEvents,
  seals,
  submissions,
  verdicts,
  watchEvents,
  webhookDeliveries,
} from "../../../db/schema";
import { savePolicy } from "../../../app/features/retail/policies.server";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { db } from "../../../app/platform/db.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { sweepAutomaticSuspensions } from "../../../app/features/monitoring/automatic-suspension.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import {
  markRequirementChanged,
  recertificationChoices,
  recertificationContext,
  startRecertification,
} from "../../../app/features/certification/recertification.server";
import {
  assessorWork,
  confirmApproval,
  proposeApproval,
  recordVerdict,
  reviewView,
  takeSubmission,
  withdrawProposal,
} from "../../../app/features/certification/review.server";
import { scoreOf } from "../../../app/features/certification/verdicts.server";
import { publicSealView, sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, asha, bram, grace, sam } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import { loadSubmission, requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { submissionVersion as subVersion } from "../../support/submissions";

const today = () => new Date(Date.now()).toISOString().slice(0, 10);
/** The refs of the watch seal's checklist (ETSI EN 303 645) at its level, in order. */
const inScope = () => {
  const s = loadSubmission(db(), sealBySerial(watch.serial)!.submissionId);
  return requirementsInScope(db(), s.checklistVersionId, s.targetLevel).map((r) => r.ref);
};
const summary = "3.1.1 fixes the location-history leak after unpairing and updates the pairing flow.";

let serials: Record<string, string>;
let watch: { serial: string; productId: string; versionId: string };

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
  const serial = serials["Gator Kids Watch 3 3.1.0"];
  const v = db()
    .select()
    .from(productVersions)
    .where(eq(productVersions.id, sealBySerial(serial)!.productVersionId))
    .get()!;
  watch = { serial, productId: v.productId, versionId: v.id };
});

describe("opening a re-certification", () => {
  it("is offered for a new version of a product with a current seal", () => {
    const id = addProductVersion(grace(), watch.productId, {
      hardwareRevision: "C",
      firmwareVersion: "3.1.1",
      appVersion: null,
      notes: "",
    });
    expect(recertificationChoices(grace(), watch.productId)[id]).toEqual([
      { serial: watch.serial, firmware: "3.1.0", state: "active" },
    ]);
    expect(() => recertificationChoices(sam(), watch.productId)).toThrow(/another organisation/);
  });

  it("refuses a revoked, an expired or another supplier's seal, the certified version itself and another product's version", () => {
    const newVersion = db()
      .select()
      .from(productVersions)
      .where(and(eq(productVersions.productId, watch.productId), eq(productVersions.firmwareVersion, "3.1.1")))
      .get()!.id;
    const count = () => db().select().from(submissions).all().length;
    const before = count();
    expect(() =>
      startRecertification(sam(), {
        serial: serials["Brightnest Smart Plug 1.2.0"],
        productVersionId: newVersion,
        changeSummary: summary,
      }),
    ).toThrow(/revoked/);
    expect(() =>
      startRecertification(grace(), {
        serial: serials["Gator Kids Watch 2 2.9.4"],
        productVersionId: newVersion,
        changeSummary: summary,
      }),
    ).toThrow(/expired/);
    expect(() =>
      startRecertification(sam(), { serial: watch.serial, productVersionId: newVersion, changeSummary: summary }),
    ).toThrow(/None of your seals/);
    expect(() =>
      startRecertification(grace(), {
        serial: watch.serial,
        productVersionId: watch.versionId,
        changeSummary: summary,
      }),
    ).toThrow(/certified version itself/);
    const watch2Version = db().select().from(seals).where(eq(seals.serial, serials["Gator Kids Watch 2 2.9.4"])).get()!
      .productVersionId;
    expect(() =>
      startRecertification(grace(), { serial: watch.serial, productVersionId: watch2Version, changeSummary: summary }),
    ).toThrow(/same product/);
    expect(count()).toBe(before);
  });
});

describe("a re-certification from draft to a new seal", () => {
  let id: string;
  let newVersion: string;
  let findingId: string;
  let newSerial: string;

  it("carries the certified answers and evidence over", () => {
    newVersion = db()
      .select()
      .from(productVersions)
      .where(and(eq(productVersions.productId, watch.productId), eq(productVersions.firmwareVersion, "3.1.1")))
      .get()!.id;
    // A report that names ETSI 5.2-1 (the disclosure policy) and is fixed in 3.1.1.
    findingId = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "Disclosure inbox bounced reports",
      description: "Reports sent to the published security address bounced for three weeks in October.",
      severity: "medium",
      reporter: "A. Researcher",
      reportedOn: today(),
      requirementRefs: ["etsi-en-303-645:5.2-1"],
    });
    id = startRecertification(grace(), { serial: watch.serial, productVersionId: newVersion, changeSummary: summary });
    const s = loadSubmission(db(), id);
    const certified = loadSubmission(db(), sealBySerial(watch.serial)!.submissionId);
    expect(s).toMatchObject({
      status: "draft",
      productVersionId: newVersion,
      checklistVersionId: certified.checklistVersionId,
      targetLevel: certified.targetLevel,
      recertifiesSerial: watch.serial,
      changeSummary: summary,
    });
    const rows = (sid: string) =>
      db()
        .select()
        .from(answers)
        .where(eq(answers.submissionId, sid))
        .all()
        .map((a) => [a.requirementRef, a.claim, a.justification])
        .sort();
    expect(rows(id)).toEqual(rows(certified.id));
    const files = (sid: string) =>
      db()
        .select()
        .from(evidenceLinks)
        .where(eq(evidenceLinks.submissionId, sid))
        .all()
        .map((l) => [l.requirementRef, l.sha256])
        .sort();
    expect(files(id)).toEqual(files(certified.id));
  });

  it("re-reviews only what the supplier marked, what a finding names and what was edited", () => {
    const ctx = () => recertificationContext(db(), loadSubmission(db(), id))!;
    expect(ctx().delta.toReview.map((d) => [d.ref, d.reasons.map((r) => r.kind)])).toEqual([["5.2-1", ["finding"]]]);
    markRequirementChanged(grace(), id, "5.1-1", {
      changed: true,
      note: "Pairing now sets the password on first use.",
    });
    expect(() => markRequirementChanged(grace(), id, "5.3-1", { changed: true, note: "" })).toThrow(/Say what changed/);
    expect(() => markRequirementChanged(sam(), id, "5.3-1", { changed: true, note: "Not my product." })).toThrow(
      /another organisation/,
    );
    expect(ctx().delta.toReview.map((d) => d.ref)).toEqual(["5.1-1", "5.2-1"]);
    // Editing an answer puts it under review too; unmarking and restoring takes it out again.
    const original = db()
      .select()
      .from(answers)
      .where(and(eq(answers.submissionId, id), eq(answers.requirementRef, "5.3-1")))
      .get()!;
    saveAnswer(grace(), id, "5.3-1", {
      claim: "implemented",
      justification: "Support ends 2030-06-30 now.",
      noEvidenceReason: "",
    });
    expect(
      ctx()
        .reasonsByRef.get("5.3-1")
        ?.map((r) => r.kind),
    ).toEqual(["answer_changed"]);
    saveAnswer(grace(), id, "5.3-1", {
      claim: original.claim!,
      justification: original.justification,
      noEvidenceReason: original.noEvidenceReason,
    });
    expect(ctx().delta.toReview.map((d) => d.ref)).toEqual(["5.1-1", "5.2-1"]);
    expect(ctx().delta.carried.map((c) => c.ref)).toEqual(inScope().filter((r) => r !== "5.1-1" && r !== "5.2-1"));
  });

  it("at submission carries the unchanged verdicts over; the assessor scores only the rest", () => {
    actOnFinding(grace(), findingId, {
      action: "mark_fixed",
      fixedInVersion: "3.1.1",
      note: "Mail routing fixed; monitored daily.",
      version: db().select().from(findings).where(eq(findings.id, findingId)).get()!.version,
    });
    submitSubmission(grace(), id);
    expect(() =>
      markRequirementChanged(grace(), id, "5.3-1", { changed: true, note: "Too late to change this." }),
    ).toThrow(/fixed once the re-certification is submitted/);
    const carried = db().select().from(verdicts).where(eq(verdicts.submissionId, id)).all();
    expect(carried.map((v) => [v.requirementRef, v.carriedFromId !== null]).sort()).toEqual(
      inScope()
        .filter((r) => r !== "5.1-1" && r !== "5.2-1")
        .map((r) => [r, true])
        .sort(),
    );
    const original = db().select().from(verdicts).where(eq(verdicts.id, carried[0].carriedFromId!)).get()!;
    expect(original.submissionId).toBe(sealBySerial(watch.serial)!.submissionId);
    expect(carried[0].assessorId).toBe(original.assessorId);

    takeSubmission(asha(), id, subVersion(id));
    const view = reviewView(asha(), id);
    expect(view.recertification).toMatchObject({
      serial: watch.serial,
      fromFirmware: "3.1.0",
      changeSummary: summary,
      toReview: 2,
      carried: inScope().length - 2,
    });
    expect(view.requirements.filter((r) => r.mustReview).map((r) => r.ref)).toEqual(["5.1-1", "5.2-1"]);
    expect(view.requirements.find((r) => r.ref === "5.1-1")!.certifiedVerdict).toMatchObject({ verdict: "pass" });
    expect(view.requirements.find((r) => r.ref === "5.3-1")!.carried).toBe(true);
    expect(view.fixesCertified.map((f) => f.id)).toEqual([findingId]);
    expect(scoreOf(db(), loadSubmission(db(), id)).canApprove).toBe(false);
    for (const ref of ["5.1-1", "5.2-1"])
      recordVerdict(asha(), id, ref, {
        verdict: "pass",
        comment: "Re-checked against 3.1.1.",
        accepted: false,
        version: subVersion(id),
      });
    expect(scoreOf(db(), loadSubmission(db(), id)).canApprove).toBe(true);
  });

  it("a report recorded after submission that names a carried-over requirement blocks approval until it is re-reviewed", () => {
    const late = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "Update server accepts downgrades",
      description:
        "The update server offers older signed images, so a device can be rolled back to a vulnerable version.",
      severity: "medium",
      reporter: "A. Researcher",
      reportedOn: today(),
      requirementRefs: ["etsi-en-303-645:5.3-1"],
    });
    const score = scoreOf(db(), loadSubmission(db(), id));
    expect(score.canApprove).toBe(false);
    expect(score.blockers).toEqual([
      {
        ref: "5.3-1",
        reason: "its verdict was carried over, but it must be reviewed again (Named by an open vulnerability report)",
      },
    ]);
    expect(reviewView(asha(), id).requirements.find((r) => r.ref === "5.3-1")).toMatchObject({
      mustReview: true,
      carried: true,
    });
    expect(() => proposeApproval(asha(), id, subVersion(id), "Too early.")).toThrow(/5\.3-1/);
    recordVerdict(asha(), id, "5.3-1", {
      verdict: "pass",
      comment: "3.1.1 refuses downgrades; checked on a unit.",
      accepted: false,
      version: subVersion(id),
    });
    expect(scoreOf(db(), loadSubmission(db(), id)).canApprove).toBe(true);
    actOnFinding(asha(), late, {
      action: "withdraw",
      note: "Covered by this re-certification's review.",
      version: db().select().from(findings).where(eq(findings.id, late)).get()!.version,
    });
  });

  it("a report recorded after the proposal that blocks the score refuses the confirmation, naming the blocker", async () => {
    expect(reviewView(asha(), id).requirements.find((r) => r.ref === "5.4-1")).toMatchObject({ carried: true });
    proposeApproval(asha(), id, subVersion(id), "The changed requirements pass.");
    const late = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "Debug port left open",
      description: "A serial console on the board accepts a root login without credentials.",
      severity: "medium",
      reporter: "A. Researcher",
      reportedOn: today(),
      requirementRefs: ["etsi-en-303-645:5.4-1"],
    });
    expect(reviewView(bram(), id).can.confirm).toBe(false);
    expect(assessorWork(bram()).confirmations.find((c) => c.submissionId === id)).toMatchObject({ canConfirm: false });
    await expect(confirmApproval(bram(), id, subVersion(id), "Confirmed.")).rejects.toThrow(
      /can no longer be confirmed: 1 requirement still block approval: 5\.4-1 \(its verdict was carried over, but it must be reviewed again/,
    );
    expect(loadSubmission(db(), id).status).toBe("in_review");
    expect(sealBySerial(watch.serial)!.state).toBe("active");
    // Back to where it was: the report withdrawn, the proposal taken back (proposed again below).
    actOnFinding(asha(), late, {
      action: "withdraw",
      note: "Filed against the wrong product.",
      version: db().select().from(findings).where(eq(findings.id, late)).get()!.version,
    });
    withdrawProposal(asha(), id, subVersion(id), "Proposed again once the report is settled.");
  });

  it("the approval issues a new seal and supersedes the old one, certifies the fix and tells the watchers", async () => {
    const leavesBefore = db().select().from(logLeaves).all().length;
    proposeApproval(asha(), id, subVersion(id), "The changed requirements pass.");
    newSerial = await confirmApproval(bram(), id, subVersion(id), "Confirmed.");
    const old = sealBySerial(watch.serial)!;
    expect(old).toMatchObject({ state: "superseded", supersededBy: newSerial });
    expect(sealBySerial(newSerial)).toMatchObject({ state: "active", productVersionId: newVersion });
    expect(await verifySerial(watch.serial)).toMatchObject({ status: "superseded", supersededBy: newSerial });
    expect((await verifySerial(newSerial)).status).toBe("valid");
    const oldPage = (await publicSealView(watch.serial))!;
    const newPage = (await publicSealView(newSerial))!;
    expect(oldPage.supersededBy).toBe(newSerial);
    expect(newPage.supersedes).toBe(watch.serial);
    expect(oldPage.events.at(-1)).toMatchObject({ kind: "superseded", reason: expect.stringContaining(newSerial) });
    // issued (new) + superseded (old): two leaves, each with a seal event in the watchers' outbox
    expect(db().select().from(logLeaves).all().length).toBe(leavesBefore + 2);
    const events = db()
      .select()
      .from(sealEvents)
      .where(eq(sealEvents.kind, "superseded"))
      .all()
      .filter((e) => e.serial === watch.serial);
    expect(events).toHaveLength(1);
    const deliveries = db()
      .select()
      .from(webhookDeliveries)
      .all()
      .map((d) => JSON.parse(d.body) as { type: string; serial: string });
    expect(deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "seal.superseded", serial: watch.serial }),
        expect.objectContaining({ type: "seal.issued", serial: newSerial }),
      ]),
    );
    expect(db().select().from(findings).where(eq(findings.id, findingId)).get()!.status).toBe("verified_fixed");
    expect(checkAuditChain().ok).toBe(true);
    // The sweeper leaves a superseded seal alone.
    expect(sweepAutomaticSuspensions()).toMatchObject({ suspended: [], reinstated: [] });
  });
});

describe("a fix for a suspended seal", () => {
  it("re-certifies the fixed firmware from the suspended seal, which the approval supersedes", async () => {
    const cam = serials["Brightnest Indoor Cam 1 1.9.2"];
    expect(sealBySerial(cam)!.state).toBe("suspended");
    const product = db()
      .select({ productId: productVersions.productId })
      .from(productVersions)
      .where(eq(productVersions.id, sealBySerial(cam)!.productVersionId))
      .get()!.productId;
    const v = addProductVersion(sam(), product, {
      hardwareRevision: "A",
      firmwareVersion: "1.9.3",
      appVersion: null,
      notes: "Fixes guessable clip links.",
    });
    // The buyer's camera policy: the suspended seal misses it (its result is remembered, silently).
    savePolicy(actorByEmail("buyer@demo.test"), {
      name: "Cameras",
      category: "camera",
      accepted: [],
      requiredProvisions: ["uk-psti:2"],
      minSupportMonths: null,
      blockingFindingSeverity: null,
      maxSealAgeMonths: null,
    });
    const id = startRecertification(sam(), {
      serial: cam,
      productVersionId: v,
      changeSummary: "Clip links are now 128-bit random and need a signed token.",
    });
    // One re-certification at a time from a seal, so that exactly one seal replaces it.
    const v2 = addProductVersion(sam(), product, {
      hardwareRevision: "A",
      firmwareVersion: "1.9.4",
      appVersion: null,
      notes: "",
    });
    expect(() =>
      startRecertification(sam(), {
        serial: cam,
        productVersionId: v2,
        changeSummary: "Another fix on top of the same seal.",
      }),
    ).toThrow(/already open/);
    expect(recertificationChoices(sam(), product)[v2]).toBeUndefined();
    markRequirementChanged(sam(), id, "3", { changed: true, note: "Support period extended with this release." });
    submitSubmission(sam(), id);
    takeSubmission(asha(), id, subVersion(id));
    expect(
      reviewView(asha(), id)
        .requirements.filter((r) => r.mustReview)
        .map((r) => r.ref),
    ).toEqual(["3"]);
    recordVerdict(asha(), id, "3", { verdict: "pass", comment: "Checked.", accepted: false, version: subVersion(id) });
    proposeApproval(asha(), id, subVersion(id), "Delta reviewed.");
    const fresh = await confirmApproval(bram(), id, subVersion(id), "Confirmed.");
    expect(sealBySerial(cam)).toMatchObject({ state: "superseded", supersededBy: fresh });
    expect((await verifySerial(fresh)).status).toBe("valid");
    // The overdue finding names the old version only: the new seal is not suspended by it.
    expect(sweepAutomaticSuspensions().suspended).not.toContain(fresh);
    // The new seal continues the old one's line: the buyer hears that the camera meets its policy again (PSTI 2).
    const events = db()
      .select()
      .from(watchEvents)
      .where(eq(watchEvents.serial, fresh))
      .all()
      .map((e) => [e.type, (JSON.parse(e.body || "{}") as { reason?: string }).reason]);
    expect(events).toContainEqual(["policy.met", "meets Cameras"]);
  });
});
