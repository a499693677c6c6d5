// The assessor's side against a real database: four eyes, conflicts of interest, optimistic
// concurrency, the request-for-changes round trip, and refusal of every assessor action to
// suppliers and buyers (as a crafted POST would reach the same services).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { decisions, submissions, verdicts } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { handleEvidenceUpload } from "../../../app/features/certification/evidence-upload.server";
import {
  assessorCounts,
  confirmApproval,
  proposeApproval,
  recordVerdict,
  rejectSubmission,
  releaseSubmission,
  requestChanges,
  returnProposal,
  reviewQueue,
  reviewView,
  takeSubmission,
  withdrawProposal,
} from "../../../app/features/certification/review.server";
import { scoreOf } from "../../../app/features/certification/verdicts.server";
import { actorByEmail } from "../../support/actors";
import { seedDemoData } from "../../support/demo-seed";
import { createUser } from "../../../app/features/accounts/users.server";
import {
  openSubmission,
  saveAnswer,
  submissionView,
  submitSubmission,
} from "../../../app/features/certification/submissions.server";
import { answerFacts, requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { organizations } from "../../../db/schema";
import {
  addTestVersion,
  createTestProduct,
  openTestDraft,
  submissionVersion as version,
} from "../../support/submissions";

let asha: Actor;
let bram: Actor;
let grace: Actor;
let buyer: Actor;
let watchId: string; // Gator Kids Watch 3, submitted, ETSI 2.1.1 (67 requirements)
let bellId: string; // Brightnest doorbell, changes requested, UK PSTI (3)

const status = (id: string) => db().select().from(submissions).where(eq(submissions.id, id)).get()!.status;

beforeAll(async () => {
  await seedDemoData();
  asha = actorByEmail("assessor1@demo.test");
  bram = actorByEmail("assessor2@demo.test");
  grace = actorByEmail("supplier@demo.test");
  buyer = actorByEmail("buyer@demo.test");
  const q = reviewQueue(asha, { page: 1 });
  watchId = q.rows.find((r) => r.product === "Gator Kids Watch 3")!.id;
  bellId = db().select().from(submissions).where(eq(submissions.status, "changes_requested")).get()!.id;
});

describe("the queue", () => {
  it("lists submitted and in-review submissions oldest first, with filters", () => {
    const q = reviewQueue(asha, { page: 1 });
    expect(q.rows.map((r) => r.status).every((s) => s === "submitted" || s === "in_review")).toBe(true);
    expect(q.rows.find((r) => r.id === watchId)).toMatchObject({
      supplier: "Gator Wearables Ltd",
      checklistVersionId: "etsi-en-303-645@2.1.1",
      targetLevel: "baseline",
      assigneeName: null,
    });
    expect(
      reviewQueue(asha, { page: 1, checklist: "uk-psti@2023" }).rows.find((r) => r.id === watchId),
    ).toBeUndefined();
    const gator = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!;
    expect(reviewQueue(asha, { page: 1, supplier: gator.id }).rows.map((r) => r.supplier)).toEqual([
      "Gator Wearables Ltd",
    ]);
  });

  it("names each level by its title, in the rows and in the level filter, as the review page does", () => {
    const productId = createTestProduct(grace, { name: "Gator Class Zero Tag", model: "GW-CZ1" });
    const id = openSubmission(grace, {
      productVersionId: addTestVersion(grace, productId),
      target: { checklistVersionId: "iotsf-assurance-framework@3.0", targetLevel: "class-0" },
    });
    const s = db().select().from(submissions).where(eq(submissions.id, id)).get()!;
    for (const r of requirementsInScope(db(), s.checklistVersionId, s.targetLevel))
      saveAnswer(grace, id, r.ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Shown on site." });
    submitSubmission(grace, id);
    const q = reviewQueue(asha, { page: 1 });
    const classZero = "Class 0 — compromise would have little discernible impact";
    expect(q.rows.find((r) => r.id === id)).toMatchObject({ targetLevel: "class-0", levelTitle: classZero });
    expect(q.rows.find((r) => r.id === watchId)).toMatchObject({ levelTitle: "Baseline" });
    expect(reviewView(asha, id).checklist.levelTitle).toBe(classZero);
    expect(q.options.levels).toEqual(
      expect.arrayContaining([
        { id: "baseline", label: "Baseline" },
        { id: "class-0", label: classZero },
      ]),
    );
    expect(reviewQueue(asha, { page: 1, level: "class-0" }).rows.map((r) => r.id)).toEqual([id]);
  });
});

describe("authorisation: suppliers and buyers cannot call any assessor action", () => {
  it.each([
    ["take", (a: Actor) => takeSubmission(a, watchId)],
    [
      "verdict",
      (a: Actor) =>
        recordVerdict(a, watchId, "5.1-1", {
          verdict: "pass",
          comment: "",
          accepted: false,
          version: version(watchId),
        }),
    ],
    ["request changes", (a: Actor) => requestChanges(a, watchId, version(watchId), "x")],
    ["propose", (a: Actor) => proposeApproval(a, watchId, version(watchId), "")],
    ["confirm", (a: Actor) => confirmApproval(a, watchId, version(watchId), "")],
    ["return", (a: Actor) => returnProposal(a, watchId, version(watchId), "no")],
    ["reject", (a: Actor) => rejectSubmission(a, watchId, version(watchId), "no")],
    ["release", (a: Actor) => releaseSubmission(a, watchId)],
    ["queue", (a: Actor) => reviewQueue(a, { page: 1 })],
    ["view", (a: Actor) => reviewView(a, watchId)],
  ])("%s is refused to a supplier and a buyer", async (_name, fn) => {
    const before = version(watchId);
    for (const who of [grace, buyer]) await expect(() => fn(who)).toBeRefused("forbidden", /permission/);
    expect(version(watchId)).toBe(before);
    expect(db().select().from(verdicts).where(eq(verdicts.submissionId, watchId)).all()).toEqual([]);
  });
});

describe("a full review of the demo watch", () => {
  it("an assessor takes it; nobody else can take it or score it before", async () => {
    await expect(() =>
      recordVerdict(asha, watchId, "5.1-1", {
        verdict: "pass",
        comment: "",
        accepted: false,
        version: version(watchId),
      }),
    ).toBeRefused("conflict", /take it for review first/);
    takeSubmission(asha, watchId, version(watchId));
    expect(status(watchId)).toBe("in_review");
    await expect(() => takeSubmission(bram, watchId)).toBeRefused("conflict", /already taken/);
  });

  it("verdicts are append-only history; the latest counts", () => {
    recordVerdict(asha, watchId, "5.1-1", {
      verdict: "needs_information",
      comment: "Which unit serials were compared?",
      accepted: false,
      version: version(watchId),
    });
    recordVerdict(asha, watchId, "5.1-1", { verdict: "pass", comment: "", accepted: false, version: version(watchId) });
    const rows = db().select().from(verdicts).where(eq(verdicts.submissionId, watchId)).all();
    expect(rows.map((r) => r.verdict)).toEqual(["needs_information", "pass"]);
    expect(() => db().$client.prepare("update verdicts set verdict = 'fail'").run()).toThrow(/append-only/);
    const view = reviewView(asha, watchId);
    const r = view.requirements.find((x) => x.ref === "5.1-1")!;
    expect(r.verdict?.verdict).toBe("pass");
    expect(r.history.map((h) => h.verdict)).toEqual(["pass", "needs_information"]);
  });

  it("refuses a verdict without the required comment, or N/A where it is not allowed", async () => {
    await expect(() =>
      recordVerdict(asha, watchId, "5.1-2", {
        verdict: "fail",
        comment: "  ",
        accepted: false,
        version: version(watchId),
      }),
    ).toBeRefused("invalid", /comment is required/);
    // 5.2-1 is mandatory without a condition and the supplier claimed it implemented.
    await expect(() =>
      recordVerdict(asha, watchId, "5.2-1", {
        verdict: "not_applicable",
        comment: "n/a",
        accepted: false,
        version: version(watchId),
      }),
    ).toBeRefused("invalid", /Not applicable is allowed only/);
  });

  it("optimistic concurrency: a verdict based on an old version is refused and changes nothing", async () => {
    const stale = version(watchId);
    // The reviewing assessor in another tab.
    recordVerdict(asha, watchId, "5.1-2", { verdict: "pass", comment: "", accepted: false, version: stale });
    const count = db().select().from(verdicts).where(eq(verdicts.submissionId, watchId)).all().length;
    await expect(() =>
      recordVerdict(asha, watchId, "5.1-3", { verdict: "pass", comment: "", accepted: false, version: stale }),
    ).toBeRefused(
      "conflict",
      /This submission changed while you were working on it \(in another tab, or by someone else\)/,
    );
    expect(db().select().from(verdicts).where(eq(verdicts.submissionId, watchId)).all().length).toBe(count);
  });

  it("cannot be proposed while requirements are unscored", async () => {
    await expect(() => proposeApproval(asha, watchId, version(watchId), "")).toBeRefused(
      "conflict",
      /still block approval/,
    );
  });

  it("four eyes: the proposer cannot confirm; a second assessor can; a changed review needs a new proposal", async () => {
    const s = db().select().from(submissions).where(eq(submissions.id, watchId)).get()!;
    const facts = answerFacts(db(), watchId);
    for (const req of requirementsInScope(db(), s.checklistVersionId, s.targetLevel)) {
      const claim = facts.get(req.ref)?.claim;
      const v =
        claim === "not_applicable"
          ? {
              verdict: "not_applicable" as const,
              comment: "Agreed: every component is updateable.",
              accepted: req.applicability === "advisory",
            }
          : { verdict: "pass" as const, comment: "", accepted: false };
      recordVerdict(asha, watchId, req.ref, { ...v, version: version(watchId) });
    }
    expect(scoreOf(db(), db().select().from(submissions).where(eq(submissions.id, watchId)).get()!).canApprove).toBe(
      true,
    );
    // Bram is told who holds it, not to take it (Asha is able to review it: it cannot be taken over).
    await expect(() => proposeApproval(bram, watchId, version(watchId), "")).toBeRefused(
      "forbidden",
      /^Asha Assessor is reviewing this submission: only they can propose its approval\.$/,
    );
    await expect(() => requestChanges(bram, watchId, version(watchId), "")).toBeRefused(
      "forbidden",
      /^Asha Assessor is reviewing this submission: only they can send it back for changes\.$/,
    );
    await expect(() => rejectSubmission(bram, watchId, version(watchId), "Not good enough.")).toBeRefused(
      "forbidden",
      /^Asha Assessor is reviewing this submission: only they can reject it\.$/,
    );
    proposeApproval(asha, watchId, version(watchId), "All 67 met.");
    await expect(() => confirmApproval(asha, watchId, version(watchId), "")).toBeRefused("forbidden", /Four eyes/);
    // The review as proposed is what the second assessor confirms: they cannot score it themselves,
    // and the proposer cannot change it under the proposal.
    const pass = { verdict: "pass" as const, comment: "", accepted: false };
    await expect(() => recordVerdict(bram, watchId, "5.5-1", { ...pass, version: version(watchId) })).toBeRefused(
      "forbidden",
      /Only the assessor reviewing this submission records its verdicts/,
    );
    await expect(() => recordVerdict(asha, watchId, "5.5-1", { ...pass, version: version(watchId) })).toBeRefused(
      "conflict",
      /withdraw it to change a verdict/,
    );
    const seenByBram = reviewView(bram, watchId);
    expect(seenByBram.can).toMatchObject({ score: false, confirm: true, sendBack: true });
    expect(seenByBram.scoringClosed).toMatch(/Only the assessor reviewing this submission \(.+\) records/);
    expect(seenByBram.proposal?.stale).toBeNull();
    expect(reviewView(asha, watchId).can).toMatchObject({
      score: false,
      confirm: false,
      sendBack: false,
      withdraw: true,
    });
    expect(status(watchId)).toBe("in_review");

    // Bram sends it back; Asha changes a verdict and proposes again; the old proposal cannot be confirmed.
    await expect(() => returnProposal(asha, watchId, version(watchId), "mine")).toBeRefused("forbidden", /Four eyes/);
    returnProposal(bram, watchId, version(watchId), "Please double-check 5.5-1 against the TLS configuration.");
    recordVerdict(asha, watchId, "5.5-1", {
      verdict: "pass",
      comment: "Checked the TLS 1.3 configuration in the policy.",
      accepted: false,
      version: version(watchId),
    });
    proposeApproval(asha, watchId, version(watchId), "Re-checked 5.5-1.");
    await confirmApproval(bram, watchId, version(watchId), "Confirmed.");
    expect(status(watchId)).toBe("approved");
    const kinds = db()
      .select()
      .from(decisions)
      .where(eq(decisions.submissionId, watchId))
      .all()
      .map((d) => d.kind);
    expect(kinds).toEqual(["approval_proposed", "proposal_returned", "approval_proposed", "approval_confirmed"]);
    await expect(() =>
      recordVerdict(asha, watchId, "5.1-1", {
        verdict: "fail",
        comment: "late",
        accepted: false,
        version: version(watchId),
      }),
    ).toBeRefused("conflict");
  });
});

/** A fresh Gator submission (UK PSTI, 3 requirements), taken by `reviewer` and passed on every requirement. */
function scoredPstiSubmission(name: string, model: string, reviewer: Actor): string {
  const productId = createTestProduct(grace, { name, model });
  const id = openTestDraft(grace, addTestVersion(grace, productId));
  for (const ref of ["1", "2", "3"])
    saveAnswer(grace, id, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
  submitSubmission(grace, id);
  takeSubmission(reviewer, id, version(id));
  for (const ref of ["1", "2", "3"])
    recordVerdict(reviewer, id, ref, { verdict: "pass", comment: "", accepted: false, version: version(id) });
  return id;
}

const decisionKinds = (id: string) =>
  db()
    .select()
    .from(decisions)
    .where(eq(decisions.submissionId, id))
    .all()
    .map((d) => d.kind);

describe("four eyes on the proposal the second assessor saw", () => {
  let id: string;
  let seenByBram: number;

  beforeAll(() => {
    id = scoredPstiSubmission("Gator Stale Tab Band", "GW-ST1", asha);
  });

  it("a pending proposal cannot be dropped by a rejection or a request for changes (a stale tab)", async () => {
    proposeApproval(asha, id, version(id), "All three met.");
    const before = { version: version(id), kinds: decisionKinds(id) };
    await expect(() =>
      rejectSubmission(asha, id, version(id), "The product page still shows no end date."),
    ).toBeRefused("conflict", /An approval proposal is waiting for confirmation/);
    await expect(() => requestChanges(asha, id, version(id), "Please fix 3.")).toBeRefused(
      "conflict",
      /An approval proposal is waiting for confirmation/,
    );
    expect({ version: version(id), kinds: decisionKinds(id) }).toEqual(before);
    expect(status(id)).toBe("in_review");
  });

  it("a proposal withdrawn and proposed again cannot be confirmed or sent back from the page that showed the first", async () => {
    // Bram opens the page showing Asha's first proposal.
    const page = reviewView(bram, id);
    expect(page.can.confirm).toBe(true);
    seenByBram = page.submission.version;
    // Asha withdraws it, changes a verdict and proposes again.
    withdrawProposal(asha, id, version(id), "One more look at 3.");
    recordVerdict(asha, id, "3", {
      verdict: "pass",
      comment: "Support period checked on the box.",
      accepted: false,
      version: version(id),
    });
    proposeApproval(asha, id, version(id), "Re-checked 3.");
    // Bram's stale page confirms or sends back nothing.
    await expect(() => confirmApproval(bram, id, seenByBram, "Confirmed.")).toBeRefused(
      "conflict",
      /This submission changed while you were working on it/,
    );
    await expect(() => returnProposal(bram, id, seenByBram, "Please look at 2 again.")).toBeRefused(
      "conflict",
      /This submission changed while you were working on it/,
    );
    expect(status(id)).toBe("in_review");
    expect(decisionKinds(id)).toEqual(["approval_proposed", "proposal_withdrawn", "approval_proposed"]);
    // Seen afresh, the second proposal is his to confirm.
    await confirmApproval(bram, id, version(id), "Confirmed.");
    expect(status(id)).toBe("approved");
  });
});

describe("four eyes: the confirming assessor did not score the review", () => {
  let id: string;

  beforeAll(() => {
    // Asha records every verdict, then releases it; Bram takes it and proposes the approval.
    id = scoredPstiSubmission("Gator Two Hands Band", "GW-TH1", asha);
    releaseSubmission(asha, id, version(id));
    takeSubmission(bram, id, version(id));
    proposeApproval(bram, id, version(id), "Asha's verdicts look right.");
  });

  it("the assessor who recorded the verdicts cannot confirm, nor is asked to", async () => {
    await expect(() => confirmApproval(asha, id, version(id), "Confirmed.")).toBeRefused(
      "forbidden",
      /Four eyes: you recorded verdicts of this review/,
    );
    expect(status(id)).toBe("in_review");
    expect(reviewView(asha, id).can).toMatchObject({ confirm: false, sendBack: true });
    expect(assessorCounts(asha).awaitingConfirmation).not.toContain(id);
    // Nobody else can confirm it: the proposer is told so, and why: Asha scored it (not a conflict of
    // interest nor a disabled account), on which requirements, and what Bram can do about it.
    const waiting = reviewView(bram, id).proposal!.waitingFor;
    expect(waiting.blocked).toBe(true);
    expect(waiting.text).toContain("Asha Assessor recorded the verdicts that count on requirements 1, 2 and 3");
    expect(waiting.text).toContain("record your own verdicts on them and propose again");
    expect(waiting.text).not.toContain("conflict of interest");
  });

  it("once the proposer records their own verdicts there, the assessor who scored it before can confirm", async () => {
    const other = scoredPstiSubmission("Gator Handover Band", "GW-HB1", asha);
    releaseSubmission(asha, other, version(other));
    takeSubmission(bram, other, version(other));
    for (const ref of ["1", "2"])
      recordVerdict(bram, other, ref, { verdict: "pass", comment: "", accepted: false, version: version(other) });
    // Before he proposes, Bram is told that nobody could confirm it yet, and what to do first.
    expect(reviewView(bram, other).can.propose).toBe(true);
    expect(reviewView(bram, other).proposeWarning).toBe(
      "If you propose approval now, no other assessor can confirm it: Asha Assessor recorded the verdicts that count on requirement 3, and four eyes keeps an assessor who scored a review from confirming it. Record your own verdict on it first: Asha Assessor can then confirm it. Proposed as it stands, it waits until an administrator adds an assessor (they are told).",
    );
    expect(reviewView(asha, other).proposeWarning).toBeNull(); // not hers to propose
    proposeApproval(bram, other, version(other), "");
    expect(reviewView(bram, other).proposal!.waitingFor.text).toContain("on requirement 3,");
    expect(reviewView(bram, other).proposeWarning).toBeNull(); // proposed: the proposal's own state says it
    withdrawProposal(bram, other, version(other), "");
    recordVerdict(bram, other, "3", { verdict: "pass", comment: "", accepted: false, version: version(other) });
    expect(reviewView(bram, other).proposeWarning).toBeNull(); // Asha can confirm it now
    proposeApproval(bram, other, version(other), "");
    expect(reviewView(bram, other).proposal!.waitingFor).toEqual({ text: "Asha Assessor", blocked: false });
    await confirmApproval(asha, other, version(other), "Confirmed.");
    expect(status(other)).toBe("approved");
  });

  it("an assessor who scored none of it confirms it", async () => {
    await createUser(actorByEmail("admin@demo.test"), {
      email: "assessor4@eyes.test",
      name: "Dana Eyes",
      role: "assessor",
    });
    const dana = actorByEmail("assessor4@eyes.test");
    expect(reviewView(bram, id).proposal?.waitingFor).toEqual({ text: "Dana Eyes", blocked: false });
    expect(reviewView(dana, id).can.confirm).toBe(true);
    expect(assessorCounts(dana).awaitingConfirmation).toContain(id);
    await confirmApproval(dana, id, version(id), "Confirmed.");
    expect(status(id)).toBe("approved");
  });
});

describe("the request-for-changes round trip (demo doorbell)", () => {
  it("the supplier sees the sent-back requirements with comments and can change only those", async () => {
    const sam = actorByEmail("supplier2@demo.test");
    const view = submissionView(sam, bellId);
    expect(view.feedback.decision).toMatchObject({
      kind: "changes_requested",
      comment: expect.stringMatching(/see the comments on 2 and 3/),
    });
    expect(view.feedback.sentBack.map((f) => [f.ref, f.verdict])).toEqual([
      ["2", "needs_information"],
      ["3", "fail"],
    ]);
    const editable = view.sections.flatMap((s) => s.requirements).map((r) => [r.ref, r.editable]);
    expect(editable).toEqual([
      ["1", false],
      ["2", true],
      ["3", true],
    ]);
    await expect(() =>
      saveAnswer(sam, bellId, "1", { claim: "implemented", justification: "edited", noEvidenceReason: "" }),
    ).toBeRefused("conflict", /was not sent back/);
    const r = await handleEvidenceUpload(
      sam,
      new Request("http://x/u", { method: "POST", body: new FormData(), headers: {} }),
      bellId,
      "1",
    );
    expect(r).toMatchObject({ ok: false, status: 409 });

    saveAnswer(sam, bellId, "2", {
      claim: "implemented",
      justification: "Policy page: https://brightnest.example/security (acknowledge in 3 days).",
      noEvidenceReason: "It is a public web page.",
    });
    saveAnswer(sam, bellId, "3", {
      claim: "implemented",
      justification: "Support until 31 March 2029, now on the product page and box.",
      noEvidenceReason: "Public web page.",
    });
    submitSubmission(sam, bellId);
    expect(status(bellId)).toBe("submitted");
  });

  it("the same assessor sees what changed since their last look", () => {
    takeSubmission(asha, bellId, version(bellId));
    const view = reviewView(asha, bellId);
    expect(view.changes?.changedAnswers.sort()).toEqual(["2", "3"]);
    expect(view.requirements.filter((r) => r.changed).map((r) => r.ref)).toEqual(["2", "3"]);
  });

  it("rejection needs the reviewer and is final", async () => {
    await expect(() => rejectSubmission(bram, bellId, version(bellId), "no")).toBeRefused("forbidden");
    rejectSubmission(asha, bellId, version(bellId), "The product page still shows no end date.");
    expect(status(bellId)).toBe("rejected");
    expect(submissionView(actorByEmail("supplier2@demo.test"), bellId).feedback.decision).toMatchObject({
      kind: "rejected",
      comment: "The product page still shows no end date.",
    });
  });
});

describe("conflicts of interest (enforced in the service)", () => {
  let trackerSub: string;
  let gatorId: string;

  beforeAll(async () => {
    // A fresh Gator submission (UK PSTI, 3 requirements) taken and fully scored by Asha.
    const productId = createTestProduct(grace, { name: "Gator Pet Tracker", model: "GW-PT1" });
    trackerSub = openTestDraft(grace, addTestVersion(grace, productId));
    for (const ref of ["1", "2", "3"])
      saveAnswer(grace, trackerSub, ref, {
        claim: "implemented",
        justification: "Yes.",
        noEvidenceReason: "Public page.",
      });
    submitSubmission(grace, trackerSub);
    gatorId = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!.id;
    declareConflict(actorByEmail("admin@demo.test"), {
      assessorId: bram.userId,
      organizationId: gatorId,
      reason: "Worked for Gator until 2025.",
    });
  });

  it("a declared-conflicted assessor can neither take, score nor confirm, and the queue marks it", async () => {
    expect(reviewQueue(bram, { page: 1 }).rows.find((r) => r.id === trackerSub)).toMatchObject({ conflicted: true });
    await expect(() => reviewView(bram, trackerSub)).toBeRefused(
      "forbidden",
      /^You have a declared conflict of interest with Gator Wearables Ltd: Worked for Gator until 2025\. Another assessor must review this submission\.$/,
    );
    await expect(() => takeSubmission(bram, trackerSub)).toBeRefused(
      "forbidden",
      /You have a declared conflict of interest with Gator Wearables Ltd/,
    );
    takeSubmission(asha, trackerSub, version(trackerSub));
    await expect(() =>
      recordVerdict(bram, trackerSub, "1", {
        verdict: "pass",
        comment: "",
        accepted: false,
        version: version(trackerSub),
      }),
    ).toBeRefused("forbidden", /declared conflict of interest/);
    for (const ref of ["1", "2", "3"])
      recordVerdict(asha, trackerSub, ref, {
        verdict: "pass",
        comment: "",
        accepted: false,
        version: version(trackerSub),
      });
    proposeApproval(asha, trackerSub, version(trackerSub), "");
    expect(assessorCounts(bram).awaitingConfirmation).not.toContain(trackerSub); // not offered to the conflicted assessor (issue 13.3)
    await expect(() => confirmApproval(bram, trackerSub, version(trackerSub), "ok")).toBeRefused(
      "forbidden",
      /declared conflict of interest/,
    );
    await expect(() => returnProposal(bram, trackerSub, version(trackerSub), "no")).toBeRefused(
      "forbidden",
      /declared conflict of interest/,
    );
    expect(status(trackerSub)).toBe("in_review");
  });

  it("an assessor who belongs to the supplier's organisation is refused by the same rule", async () => {
    // The account model keeps assessors in the certification body; the service rule stands on its own.
    const insider: Actor = { ...bram, userId: "insider", organizationId: gatorId };
    await expect(() => confirmApproval(insider, trackerSub, version(trackerSub), "ok")).toBeRefused(
      "forbidden",
      /conflict of interest with Gator Wearables Ltd: you belong to the supplier's organisation/,
    );
    const admin = actorByEmail("admin@demo.test");
    await expect(
      createUser(admin, { email: "x@gator.test", name: "Inside Job", role: "assessor", organizationId: gatorId }),
    ).rejects.toThrow(/An assessor cannot belong to a supplier organisation/);
  });
});

describe("a reason is required to send a proposal back or to reject (enforced in the service)", () => {
  let trackerSub: string;
  let cara: Actor;

  beforeAll(async () => {
    // The Gator tracker from above: in review by Asha, with her approval proposal pending.
    trackerSub = db()
      .select()
      .from(submissions)
      .where(eq(submissions.status, "in_review"))
      .all()
      .find((s) => reviewView(asha, s.id).header.product === "Gator Pet Tracker")!.id;
    await createUser(actorByEmail("admin@demo.test"), {
      email: "assessor3@reason.test",
      name: "Cara Reason",
      role: "assessor",
    });
    cara = actorByEmail("assessor3@reason.test");
  });

  const decisionCount = () => db().select().from(decisions).where(eq(decisions.submissionId, trackerSub)).all().length;

  async function refusedWithoutReason(fn: () => unknown) {
    const before = { version: version(trackerSub), status: status(trackerSub), decisions: decisionCount() };
    let error: unknown;
    try {
      await fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: "invalid",
      message: "Give a reason: the supplier or your colleague will read it.",
      fieldErrors: { comment: "A reason is required." },
    });
    expect({ version: version(trackerSub), status: status(trackerSub), decisions: decisionCount() }).toEqual(before);
  }

  it.each([[""], ["   "], [" ok "]])(
    "returning a proposal with the reason %j is refused and changes nothing",
    async (reason) => {
      await refusedWithoutReason(() => returnProposal(cara, trackerSub, version(trackerSub), reason));
    },
  );

  it.each([[""], ["   "], [" ok "]])("rejecting with the reason %j is refused and changes nothing", async (reason) => {
    await refusedWithoutReason(() => rejectSubmission(asha, trackerSub, version(trackerSub), reason));
  });

  it("a trimmed reason is kept", () => {
    returnProposal(cara, trackerSub, version(trackerSub), "  Check the support period again.  ");
    const last = db().select().from(decisions).where(eq(decisions.submissionId, trackerSub)).all().at(-1)!;
    expect(last).toMatchObject({ kind: "proposal_returned", comment: "Check the support period again." });
  });
});
