// A re-certification whose seal is revoked (or expires) after it was opened: its verdicts no longer
// carry over. Submitted as a draft, it goes to the assessor as a full assessment (answers and
// evidence as the supplier left them); an approval already proposed on carried verdicts cannot be
// confirmed until every carried requirement is reviewed again; the revoked seal stays revoked. And
// the certified firmware's SBOM is never carried as certified: the supplier is told to replace it.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { evidenceLinks, productVersions, sbomDocuments, submissions, verdicts } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import { startRecertification } from "../../../app/features/certification/recertification.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  returnProposal,
  reviewView,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { issuedSealOf, sealBySerial, sealForSubmission } from "../../../app/features/certification/seals.server";
import { sbomPanel } from "../../../app/features/certification/sbom.server";
import { attachUploads, store, unlinkEvidence } from "../../../app/features/certification/evidence.server";
import { submissionView, submitSubmission } from "../../../app/features/certification/submissions.server";
import { answerFacts, requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import type { Actor } from "../../../app/platform/actor";
import { asha, bram, grace, sam } from "../../support/actors";
import { submissionVersion as version } from "../../support/submissions";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";

let serials: Record<string, string>;

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
});
afterEach(() => testClock.reset());

const versionOf = (serial: string) =>
  db()
    .select()
    .from(productVersions)
    .where(eq(productVersions.id, sealBySerial(serial)!.productVersionId))
    .get()!;

function revoke(serial: string) {
  changeSealStatus(asha(), {
    serial,
    action: "revoke",
    confirmSerial: serial,
    reason: "Units in retail stock were found with a debug shell open on port 2323.",
  });
}

/** Asha records a verdict of her own on each of `refs` (not applicable where the supplier claimed it). */
function review(id: string, refs: string[]) {
  const s = db().select().from(submissions).where(eq(submissions.id, id)).get()!;
  const facts = answerFacts(db(), id);
  for (const req of requirementsInScope(db(), s.checklistVersionId, s.targetLevel).filter((r) => refs.includes(r.ref)))
    recordVerdict(
      asha(),
      id,
      req.ref,
      facts.get(req.ref)?.claim === "not_applicable"
        ? {
            verdict: "not_applicable",
            comment: "Agreed.",
            accepted: req.applicability === "advisory",
            version: version(id),
          }
        : { verdict: "pass", comment: "Reviewed again.", accepted: false, version: version(id) },
    );
}

const carriedVerdicts = (id: string) =>
  db()
    .select()
    .from(verdicts)
    .where(eq(verdicts.submissionId, id))
    .all()
    .filter((v) => v.carriedFromId !== null);

describe("a seal revoked while its re-certification is a draft", () => {
  let id: string;
  let watch: string;
  let refs: string[];

  it("the supplier's page shows the seal revoked, and that nothing will carry over", () => {
    watch = serials["Gator Kids Watch 3 3.1.0"];
    const v = versionOf(watch);
    const next = addProductVersion(grace(), v.productId, {
      hardwareRevision: "C",
      firmwareVersion: "3.1.1",
      appVersion: null,
      notes: "",
    });
    id = startRecertification(grace(), {
      serial: watch,
      productVersionId: next,
      changeSummary: "3.1.1 hardens the pairing flow and rotates the update signing key.",
    });
    const before = submissionView(grace(), id).recertification!;
    expect(before).toMatchObject({ sealVerdict: "valid", sourceEnded: null, toReview: expect.any(Number) });
    expect(before.carried).toBeGreaterThan(0);
    refs = submissionView(grace(), id).sections.flatMap((s) => s.requirements.map((r) => r.ref));

    // The submission that issued it shows the seal's verdict now, not only that it was issued.
    const issuing = sealBySerial(watch)!.submissionId;
    expect(submissionView(grace(), issuing).seal).toMatchObject({ serial: watch, verdict: "valid" });
    revoke(watch);
    expect(submissionView(grace(), issuing).seal).toMatchObject({
      serial: watch,
      state: "revoked",
      verdict: "revoked",
    });
    expect(issuedSealOf(issuing)).toEqual({ serial: watch, verdict: "revoked" }); // the assessor's page
    const after = submissionView(grace(), id).recertification!;
    expect(after).toMatchObject({
      sealVerdict: "revoked",
      sealVerdictLabel: "Revoked",
      sealReason: "Units in retail stock were found with a debug shell open on port 2323.",
      sourceEnded: { ended: "revoked", at: expect.any(Date) },
      toReview: refs.length,
      carried: 0,
    });
    const first = submissionView(grace(), id).sections[0].requirements[0];
    expect(first.delta).toContain(
      "The seal this re-certification started from was revoked: its certified verdicts no longer carry over",
    );
  });

  it("submitted, it is a full assessment: no verdict carries over, the assessor reviews every requirement", () => {
    const r = submitSubmission(grace(), id, version(id));
    expect(r.recertification).toEqual({ serial: watch, carried: 0, toReview: refs.length, sourceEnded: "revoked" });
    expect(db().select().from(verdicts).where(eq(verdicts.submissionId, id)).all()).toEqual([]);
    const view = reviewView(asha(), id);
    expect(view.recertification).toMatchObject({ sealVerdict: "revoked", sourceEnded: { ended: "revoked" } });
    expect(view.requirements.every((r) => r.mustReview && !r.carried)).toBe(true);
    expect(view.score.scored).toBe(0);
  });

  it("approved after a full review: a new seal, and the revoked seal stays revoked (nothing to supersede)", async () => {
    takeSubmission(asha(), id, version(id));
    review(id, refs);
    proposeApproval(asha(), id, version(id), "Reviewed in full: the seal it started from was revoked.");
    const serial = await confirmApproval(bram(), id, version(id), "Confirmed.");
    expect(sealBySerial(serial)).toMatchObject({ state: "active" });
    expect(sealBySerial(watch)).toMatchObject({ state: "revoked", supersededBy: null });
  });
});

describe("a re-certification carrying the certified firmware's SBOM", () => {
  let id: string;
  let speaker: string;

  it("puts the SBOM's requirement under review and tells the supplier to replace it", () => {
    speaker = serials["Brightnest Smart Speaker 1.0.3"];
    const v104 = db()
      .select()
      .from(productVersions)
      .where(
        and(eq(productVersions.productId, versionOf(speaker).productId), eq(productVersions.firmwareVersion, "1.0.4")),
      )
      .get()!.id;
    id = startRecertification(sam(), {
      serial: speaker,
      productVersionId: v104,
      changeSummary: "1.0.4 requires the pairing token on every local API call.",
    });
    const view = submissionView(sam(), id);
    expect(view.recertification).toMatchObject({ sbomRefs: ["3"], toReview: 1, carried: 2, sealVerdict: "valid" });
    expect(view.sections.flatMap((s) => s.requirements).find((r) => r.ref === "3")!.delta).toEqual([
      "Its SBOM is the certified firmware's: replace it with the SBOM of this firmware",
    ]);
    // The SBOM panel ("SBOM of firmware 1.0.4") says the listed SBOM is 1.0.3's.
    expect(sbomPanel(sam(), id, {}, "supplier").sboms).toEqual([
      expect.objectContaining({ requirementRefs: ["3"], certifiedFirmware: "1.0.3" }),
    ]);
  });

  it("replaced by the new firmware's SBOM, it is reviewed as changed evidence", async () => {
    const old = db()
      .select({ id: evidenceLinks.id })
      .from(evidenceLinks)
      .innerJoin(sbomDocuments, eq(sbomDocuments.sha256, evidenceLinks.sha256))
      .where(eq(evidenceLinks.submissionId, id))
      .get()!;
    unlinkEvidence(sam(), id, old.id);
    const bytes = fs.readFileSync(path.join(__dirname, "../../fixtures/sbom", "cyclonedx-1.6.json"));
    const received = await store().receive(Readable.from([bytes]), 32 * 1024 * 1024);
    await attachUploads(sam(), id, "3", [{ originalName: "speaker-1.0.4.cdx.json", received }]);
    const view = submissionView(sam(), id);
    expect(view.recertification).toMatchObject({ sbomRefs: [], toReview: 1, carried: 2 });
    expect(view.sections.flatMap((s) => s.requirements).find((r) => r.ref === "3")!.delta).toEqual([
      "Evidence changed (1 added, 1 removed)",
    ]);
    expect(sbomPanel(sam(), id, {}, "supplier").sboms).toEqual([
      expect.objectContaining({ originalName: "speaker-1.0.4.cdx.json", certifiedFirmware: null }),
    ]);
  });

  it("submitted while its seal stands: the other verdicts carry over", () => {
    expect(submitSubmission(sam(), id, version(id)).recertification).toEqual({
      serial: speaker,
      carried: 2,
      toReview: 1,
      sourceEnded: null,
    });
    expect(
      carriedVerdicts(id)
        .map((v) => v.requirementRef)
        .sort(),
    ).toEqual(["1", "2"]);
  });
});

describe("a seal revoked while an approval of its re-certification waits for confirmation", () => {
  let id: string;
  let speaker: string;

  it("the confirmation is refused: the carried verdicts no longer count, nothing is issued", async () => {
    speaker = serials["Brightnest Smart Speaker 1.0.3"];
    id = db().select({ id: submissions.id }).from(submissions).where(eq(submissions.recertifiesSerial, speaker)).get()!
      .id;
    takeSubmission(asha(), id, version(id));
    review(id, ["3"]);
    proposeApproval(asha(), id, version(id), "The SBOM and the pairing token were checked on 1.0.4.");
    expect(reviewView(bram(), id).can.confirm).toBe(true);

    revoke(speaker);
    await expect(confirmApproval(bram(), id, version(id), "Confirmed.")).rejects.toThrow(
      new RegExp(
        `^Seal ${speaker}, which this re-certification started from, was revoked since, so the verdicts carried over ` +
          "from its assessment no longer count: 2 requirements \\(1, 2\\) must be reviewed again before approval\\.",
      ),
    );
    expect(sealForSubmission(id)).toBeNull();
    expect(db().select().from(submissions).where(eq(submissions.id, id)).get()!.status).toBe("in_review");
    const view = reviewView(bram(), id);
    expect(view.can).toMatchObject({ confirm: false, sendBack: true });
    expect(view.recertification).toMatchObject({ sealVerdict: "revoked", sourceEnded: { ended: "revoked" } });
    expect(view.score.canApprove).toBe(false);
    expect(view.score.blockers.map((b) => b.ref)).toEqual(["1", "2"]);
    expect(view.requirements.every((r) => r.mustReview)).toBe(true);
  });

  it("sent back and reviewed in full, it is approved; the revoked seal stays revoked", async () => {
    returnProposal(bram(), id, version(id), "Its seal was revoked: review requirements 1 and 2 again.");
    review(id, ["1", "2"]);
    proposeApproval(asha(), id, version(id), "Every requirement reviewed on 1.0.4.");
    const serial = await confirmApproval(bram(), id, version(id), "Confirmed.");
    expect(sealBySerial(serial)).toMatchObject({ state: "active" });
    expect(sealBySerial(speaker)).toMatchObject({ state: "revoked", supersededBy: null });
  });
});

describe("a seal that expires while its re-certification is a draft", () => {
  it("carries nothing over from then on, and the pages say it expired", () => {
    const cam = serials["Brightnest Indoor Cam 1 1.9.2"];
    const v = versionOf(cam);
    const s: Actor = sam();
    const next = addProductVersion(s, v.productId, {
      hardwareRevision: "A",
      firmwareVersion: "1.9.3",
      appVersion: null,
      notes: "",
    });
    const id = startRecertification(s, {
      serial: cam,
      productVersionId: next,
      changeSummary: "Clip links are now 128-bit random tokens.",
    });
    expect(submissionView(s, id).recertification).toMatchObject({ sourceEnded: null });
    const validUntil = sealBySerial(cam)!.validUntil;
    testClock.set(validUntil.getTime() + 86_400_000);
    const rc = submissionView(s, id).recertification!;
    expect(rc).toMatchObject({ sourceEnded: { ended: "expired", at: validUntil }, carried: 0 });
    expect(rc.toReview).toBe(3);
  });
});
