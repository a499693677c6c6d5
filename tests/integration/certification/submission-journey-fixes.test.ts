// The supplier's submission journey after review: what a request for changes sends back (an
// advisory "fail" accepted on its justification is settled, as the assessor's score says), the
// assessor's feedback box only while it is the supplier's to answer, withdrawing a submission sent
// back (and the re-certification refusal worded by the open one's status), and deleting a draft
// only in the version the page showed; a resubmission refused until each requirement sent back is
// answered (its answer saved again, a file attached or removed since the request).
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, submissions } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { changesRequestedOf } from "../../../app/features/certification/dashboard.server";
import {
  recordVerdict,
  requestChanges,
  reviewQueue,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { scoreOf } from "../../../app/features/certification/verdicts.server";
import { Readable } from "node:stream";
import { attachUploads, store, unlinkEvidence } from "../../../app/features/certification/evidence.server";
import {
  deleteDraft,
  progressOf,
  requirementView,
  saveAnswer,
  sentBack,
  submissionView,
  submitSubmission,
  SUBMISSION_CHANGED,
  withdrawSubmission,
  WITHDRAW_CONFIRMATION,
} from "../../../app/features/certification/submissions.server";
import { startRecertification } from "../../../app/features/certification/recertification.server";
import {
  answerFacts,
  loadSubmission,
  requirementsInScope,
} from "../../../app/features/certification/submission-records.server";
import { asha, grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import {
  addTestVersion,
  createTestProduct,
  openTestDraft,
  submissionVersion as version,
} from "../../support/submissions";

const status = (id: string) => db().select().from(submissions).where(eq(submissions.id, id)).get()!.status;

const IMPLEMENTED = {
  claim: "implemented" as const,
  justification: "Implemented as the requirement asks.",
  noEvidenceReason: "Shown to the assessor on the device.",
};

/** A UK PSTI submission (three requirements) of a new product, submitted, taken by Asha, "1" failed and sent back. */
function sentBackPsti(supplier: Actor, name: string, model: string): string {
  const id = openTestDraft(supplier, addTestVersion(supplier, createTestProduct(supplier, { name, model })));
  for (const ref of ["1", "2", "3"]) saveAnswer(supplier, id, ref, IMPLEMENTED);
  submitSubmission(supplier, id, version(id));
  takeSubmission(asha(), id, version(id));
  recordVerdict(asha(), id, "1", {
    verdict: "fail",
    comment: "No default password list.",
    accepted: false,
    version: version(id),
  });
  for (const ref of ["2", "3"])
    recordVerdict(asha(), id, ref, { verdict: "pass", comment: "", accepted: false, version: version(id) });
  requestChanges(asha(), id, version(id), "Please fix 1.");
  return id;
}

beforeAll(async () => {
  await seedDemoData();
});

describe("a request for changes sends back what the assessor's score sends back", () => {
  let id: string; // the demo's Gator Kids Watch 3 (ETSI EN 303 645, submitted with every answer)
  let advisory: string;
  let mandatory: string;

  beforeAll(() => {
    id = reviewQueue(asha(), { page: 1 }).rows.find((r) => r.product === "Gator Kids Watch 3")!.id;
    takeSubmission(asha(), id, version(id));
    const s = loadSubmission(db(), id);
    const reqs = requirementsInScope(db(), s.checklistVersionId, s.targetLevel);
    const facts = answerFacts(db(), id);
    const claimed = (r: (typeof reqs)[number]) => facts.get(r.ref)?.claim === "implemented";
    advisory = reqs.find((r) => r.applicability === "advisory" && claimed(r))!.ref;
    mandatory = reqs.find((r) => r.applicability === "mandatory" && claimed(r))!.ref;
    // An advisory requirement not implemented, its justification accepted (settled); a mandatory one failed.
    recordVerdict(asha(), id, advisory, {
      verdict: "fail",
      comment: "Not implemented; the justification is accepted.",
      accepted: true,
      version: version(id),
    });
    recordVerdict(asha(), id, mandatory, {
      verdict: "fail",
      comment: "The update check is not signed.",
      accepted: false,
      version: version(id),
    });
    expect(scoreOf(db(), loadSubmission(db(), id)).toSendBack).toEqual([mandatory]);
    requestChanges(asha(), id, version(id), "One mandatory requirement fails.");
  });

  it("lists only the unsettled requirement as sent back, on the page, the dashboard and for editing", async () => {
    expect([...sentBack(db(), id).keys()]).toEqual([mandatory]);
    const view = submissionView(grace(), id);
    expect(view.feedback.sentBack.map((f) => f.ref)).toEqual([mandatory]);
    const reqs = view.sections.flatMap((sec) => sec.requirements);
    expect(reqs.find((r) => r.ref === advisory)).toMatchObject({ editable: false, assessorComment: null });
    expect(reqs.find((r) => r.ref === mandatory)).toMatchObject({ editable: true });
    expect(
      changesRequestedOf(grace())
        .find((c) => c.id === id)!
        .requirements.map((r) => r.ref),
    ).toEqual([mandatory]);
    await expect(() => saveAnswer(grace(), id, advisory, IMPLEMENTED)).toBeRefused(
      "conflict",
      new RegExp(`Requirement ${advisory} was not sent back for changes`),
    );
  });

  it("shows the assessor's request only until it is answered: resubmitted, it is gone", () => {
    expect(submissionView(grace(), id).feedback.decision).toMatchObject({
      kind: "changes_requested",
      comment: "One mandatory requirement fails.",
    });
    saveAnswer(grace(), id, mandatory, { ...IMPLEMENTED, justification: "The update check is signed now." });
    submitSubmission(grace(), id, version(id));
    expect(status(id)).toBe("submitted");
    const view = submissionView(grace(), id);
    expect(view.feedback).toEqual({ decision: null, sentBack: [] });
    expect(view.sections.flatMap((sec) => sec.requirements).every((r) => r.assessorComment === null)).toBe(true);
  });
});

describe("a resubmission answers the request for changes first", () => {
  const blocking = (id: string) =>
    progressOf(db(), loadSubmission(db(), id)).blockers.map((b) => [b.ref, b.problems.map((p) => p.code)]);

  it("each requirement sent back blocks until its answer is saved again or a file is attached or removed; the next request counts from itself", async () => {
    const supplier = grace();
    const id = openTestDraft(
      supplier,
      addTestVersion(supplier, createTestProduct(supplier, { name: "Answer Back", model: "AB-1" })),
    );
    for (const ref of ["1", "2", "3"]) saveAnswer(supplier, id, ref, IMPLEMENTED);
    submitSubmission(supplier, id, version(id));
    takeSubmission(asha(), id, version(id));
    const verdict = (ref: string, v: "pass" | "fail" | "needs_information") =>
      recordVerdict(asha(), id, ref, {
        verdict: v,
        comment: v === "pass" ? "" : `Fix ${ref}.`,
        accepted: false,
        version: version(id),
      });
    verdict("1", "fail");
    verdict("2", "needs_information");
    verdict("3", "pass");
    requestChanges(asha(), id, version(id), "See 1 and 2.");

    expect(blocking(id)).toEqual([
      ["1", ["change_requested"]],
      ["2", ["change_requested"]],
    ]);
    // The requirement's page says what is still needed, not "complete".
    expect(requirementView(supplier, id, "2").answerProblems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^The assessor sent this requirement back: change the answer or its evidence/),
    ]);
    await expect(() => submitSubmission(supplier, id, version(id))).toBeRefused(
      "conflict",
      /2 requirements still block submission: 1, 2\./,
    );
    expect(status(id)).toBe("changes_requested");

    saveAnswer(supplier, id, "1", { ...IMPLEMENTED, justification: "Each device now has its own password." });
    expect(blocking(id)).toEqual([["2", ["change_requested"]]]);
    const file = {
      originalName: "policy.txt",
      received: await store().receive(Readable.from([Buffer.from("Our published policy.\n")]), 1 << 20),
    };
    const { linkIds } = await attachUploads(supplier, id, "2", [file]);
    expect(blocking(id)).toEqual([]);
    submitSubmission(supplier, id, version(id));
    expect(status(id)).toBe("submitted");

    // A second round: what was saved before it does not answer it; removing a file does.
    takeSubmission(asha(), id, version(id));
    verdict("1", "pass");
    verdict("2", "fail");
    requestChanges(asha(), id, version(id), "The policy says nothing about acknowledgement.");
    expect(blocking(id)).toEqual([["2", ["change_requested"]]]);
    unlinkEvidence(supplier, id, linkIds[0]);
    expect(blocking(id)).toEqual([]);
  });
});

describe("withdrawing a submission sent back for changes", () => {
  it("is the supplier's to do: withdrawn, audited, and the firmware is free for a new submission", async () => {
    const id = sentBackPsti(grace(), "Gator Withdraw Band", "GW-WD1");
    expect(submissionView(grace(), id).transitions).toEqual(["resubmit", "withdraw"]);
    await expect(() => withdrawSubmission(grace(), id, { confirmed: false })).toBeRefused(
      "invalid",
      new RegExp(WITHDRAW_CONFIRMATION),
    );
    withdrawSubmission(grace(), id, { confirmed: true, expectedVersion: version(id) });
    expect(status(id)).toBe("withdrawn");
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, "submission.withdraw")))
      .all();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].details)).toMatchObject({ from: "changes_requested", to: "withdrawn" });
    // Its request for changes is no longer shown: nothing is left to answer.
    expect(submissionView(grace(), id).feedback.decision).toBeNull();
    // A new submission of the same firmware against the same checklist version can be opened.
    const s = loadSubmission(db(), id);
    expect(status(openTestDraft(grace(), s.productVersionId))).toBe("draft");
  });

  it("a second re-certification is refused with what can be done about the open one in its status", async () => {
    const supplier = grace();
    const productId = createTestProduct(supplier, { name: "Gator Recert Band", model: "GW-RC1" });
    const serial = await certifyPsti(supplier, productId, "1.0.0");
    const next = addTestVersion(supplier, productId, "1.1.0");
    const input = { serial, productVersionId: next, changeSummary: "1.1.0 changes the pairing flow." };
    const id = startRecertification(supplier, input);
    await expect(() => startRecertification(supplier, input)).toBeRefused(
      "conflict",
      /already open \(draft\).*Continue that draft, or delete it to start another\./,
    );
    submitSubmission(supplier, id, version(id));
    await expect(() => startRecertification(supplier, input)).toBeRefused(
      "conflict",
      /already open \(submitted\).*Wait for the assessor's decision, or withdraw it to start another\./,
    );
    takeSubmission(asha(), id, version(id));
    await expect(() => startRecertification(supplier, input)).toBeRefused(
      "conflict",
      /already open \(in review\).*An assessor is reviewing it, so it cannot be withdrawn now: wait for their decision\./,
    );
    await expect(() => withdrawSubmission(supplier, id, { confirmed: true })).toBeRefused(
      "conflict",
      "A submission that is in review cannot be withdrawn.",
    );
    recordVerdict(asha(), id, "1", {
      verdict: "needs_information",
      comment: "Which flow?",
      accepted: false,
      version: version(id),
    });
    requestChanges(asha(), id, version(id), "Say which pairing flow changed.");
    await expect(() => startRecertification(supplier, input)).toBeRefused(
      "conflict",
      /already open \(changes requested\).*resubmit it, or withdraw it to start another\./,
    );
    withdrawSubmission(supplier, id, { confirmed: true, expectedVersion: version(id) });
    expect(status(startRecertification(supplier, input))).toBe("draft");
  });
});

describe("deleting a draft", () => {
  it("is refused when the draft changed after the page showed it; nothing is deleted", async () => {
    const id = openTestDraft(
      grace(),
      addTestVersion(grace(), createTestProduct(grace(), { name: "Gator Delete Band", model: "GW-DL1" })),
    );
    const seen = version(id);
    saveAnswer(grace(), id, "1", IMPLEMENTED); // in another tab
    await expect(() => deleteDraft(grace(), id, { confirmed: true, expectedVersion: seen })).toBeRefused(
      "conflict",
      SUBMISSION_CHANGED,
    );
    expect(status(id)).toBe("draft");
    deleteDraft(grace(), id, { confirmed: true, expectedVersion: version(id) });
    expect(db().select().from(submissions).where(eq(submissions.id, id)).get()).toBeUndefined();
  });
});
