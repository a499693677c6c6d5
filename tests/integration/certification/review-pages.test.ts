// The assessor's review pages say what the services do: nobody "has" a submission sent back and
// resubmitted; a stale verdict form loads the page again; a proposal that cannot be confirmed says
// why (four eyes, a score that no longer approves, a support period that has ended) to the second
// assessor and to the proposer; a re-certification's "carried over" is what carried over at
// submission; an assessor now in conflict can still step back from what they hold; a draft withdrawn
// unsubmitted is not found; a queue page past the end shows the last page; a requirement's page of a
// submission nobody has taken offers to take it.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, organizations, productVersions, submissions } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { testClock } from "../../../app/platform/clock.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { createUser } from "../../../app/features/accounts/users.server";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { startRecertification } from "../../../app/features/certification/recertification.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import {
  saveAnswer,
  submitSubmission,
  withdrawSubmission,
} from "../../../app/features/certification/submissions.server";
import {
  assessorWork,
  confirmApproval,
  proposeApproval,
  recordVerdict,
  releaseSubmission,
  requestChanges,
  reviewQueue,
  reviewView,
  stepBackView,
  takeSubmission,
  withdrawProposal,
} from "../../../app/features/certification/review.server";
import {
  action as verdictAction,
  loader as verdictLoader,
  shouldRevalidate as verdictShouldRevalidate,
} from "../../../app/routes/assessor.submissions.$submissionId.requirements.$ref";
import { actorByEmail, admin, asha as ashaActor, bram as bramActor, grace as graceActor } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import {
  addTestVersion,
  createTestProduct,
  openTestDraft,
  submissionVersion as version,
} from "../../support/submissions";

let asha: Actor;
let bram: Actor;
let grace: Actor;
let gatorId: string;

const pass = { verdict: "pass" as const, comment: "", accepted: false };

async function newAssessor(email: string, name: string): Promise<Actor> {
  await createUser(admin(), { email, name, role: "assessor" });
  return actorByEmail(email);
}

/** A fresh Gator submission (UK PSTI, 3 requirements), submitted. */
function submittedPsti(name: string, model: string): string {
  const id = openTestDraft(grace, addTestVersion(grace, createTestProduct(grace, { name, model })));
  for (const ref of ["1", "2", "3"])
    saveAnswer(grace, id, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
  submitSubmission(grace, id);
  return id;
}

/** The same, taken by `reviewer` and passed on every requirement. */
function scoredBy(reviewer: Actor, name: string, model: string): string {
  const id = submittedPsti(name, model);
  takeSubmission(reviewer, id, version(id));
  for (const ref of ["1", "2", "3"]) recordVerdict(reviewer, id, ref, { ...pass, version: version(id) });
  return id;
}

beforeAll(async () => {
  await seedDemoData();
  asha = ashaActor();
  bram = bramActor();
  grace = graceActor();
  gatorId = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!.id;
});
afterEach(() => testClock.reset());

describe("a submission sent back for changes and resubmitted", () => {
  it("is nobody's in the queue and on the review page until an assessor takes it again", () => {
    const id = submittedPsti("Gator Resubmit Band", "GW-RB1");
    takeSubmission(asha, id, version(id));
    recordVerdict(asha, id, "1", { ...pass, version: version(id) });
    recordVerdict(asha, id, "2", { ...pass, version: version(id) });
    recordVerdict(asha, id, "3", { verdict: "fail", comment: "No end date.", accepted: false, version: version(id) });
    requestChanges(asha, id, version(id), "See 3.");
    saveAnswer(grace, id, "3", { claim: "implemented", justification: "Ends 2030.", noEvidenceReason: "Box." });
    submitSubmission(grace, id);

    const row = reviewQueue(asha, { page: 1, supplier: gatorId }).rows.find((r) => r.id === id)!;
    expect(row).toMatchObject({ status: "submitted", assigneeName: null, assigneeId: null, mine: false });
    const page = reviewView(asha, id);
    expect(page.assignee).toBeNull();
    expect(page.can.take).toBe(true);
    expect(assessorWork(asha).counts.mine).toBe(0);

    takeSubmission(bram, id, version(id));
    expect(reviewView(asha, id).assignee).toBe(bram.name);
  });
});

describe("the verdict page after a save refused as out of date", () => {
  it("answers 409 and loads the page again, so the retry carries the current version", async () => {
    const id = submittedPsti("Gator Stale Verdict Band", "GW-SV1");
    takeSubmission(asha, id, version(id));
    const stale = version(id);
    recordVerdict(asha, id, "1", { ...pass, version: stale }); // another tab
    const cookie = await sessionCookie("assessor1@demo.test", "203.0.113.41");
    const request = new Request(`http://localhost/assessor/submissions/${id}/requirements/2`, {
      method: "POST",
      body: new URLSearchParams({ verdict: "pass", comment: "", version: String(stale) }),
      headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    const out = (await verdictAction({ request, params: { submissionId: id, ref: "2" }, context: {} } as never)) as {
      init: { status?: number } | null;
    };
    expect(out.init?.status).toBe(409);
    const revalidates = (actionStatus: number) =>
      verdictShouldRevalidate({ actionStatus, defaultShouldRevalidate: false } as Parameters<
        typeof verdictShouldRevalidate
      >[0]);
    expect(revalidates(409)).toBe(true);
    expect(revalidates(400)).toBe(false);
  });
});

describe("a requirement's page of a submission nobody has taken", () => {
  it("offers to take it there, and taking it opens the verdict form on the same page", async () => {
    const id = submittedPsti("Gator Take Here Band", "GW-TH1");
    const cookie = await sessionCookie("assessor1@demo.test", "203.0.113.42");
    const args = (init?: RequestInit) =>
      ({
        request: new Request(`http://localhost/assessor/submissions/${id}/requirements/2`, {
          ...init,
          headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
        }),
        params: { submissionId: id, ref: "2" },
        context: {},
      }) as never;
    const before = (await verdictLoader(args())) as { canScore: boolean; canTake: boolean; scoringClosed: string };
    expect(before).toMatchObject({ canScore: false, canTake: true });
    expect(before.scoringClosed).toMatch(/take it for review first/);
    const taken = await verdictAction(
      args({ method: "POST", body: new URLSearchParams({ intent: "take", version: String(version(id)) }) }),
    );
    expect(taken).toEqual({ ok: true, notice: "You have taken this submission for review: record your verdicts." });
    expect(reviewView(asha, id).assignee).toBe(asha.name);
    expect(await verdictLoader(args())).toMatchObject({ canScore: true, canTake: false });
    // Another assessor is not offered it there: a take-over (what it sends back) is the summary page's.
    const bramCookie = await sessionCookie("assessor2@demo.test", "203.0.113.43");
    const asBram = {
      request: new Request(`http://localhost/assessor/submissions/${id}/requirements/2`, {
        headers: { Cookie: bramCookie },
      }),
      params: { submissionId: id, ref: "2" },
      context: {},
    } as never;
    expect(await verdictLoader(asBram)).toMatchObject({ canScore: false, canTake: false });
  });
});

describe("a proposal that cannot be confirmed says why, to the second assessor and to the proposer", () => {
  it("four eyes: the assessor who recorded the verdicts is told why they cannot confirm", () => {
    const id = scoredBy(asha, "Gator Eyes Band", "GW-EB1");
    releaseSubmission(asha, id, version(id));
    takeSubmission(bram, id, version(id));
    proposeApproval(bram, id, version(id), "");
    const page = reviewView(asha, id);
    expect(page.can).toMatchObject({ confirm: false, sendBack: true });
    expect(page.proposal?.cannotConfirm).toMatch(
      /^Four eyes: you recorded verdicts of this review.* You can send it back\.$/,
    );
  });

  it("verdicts that no longer count after the proposal: the proposer is told to withdraw it, not to wait", async () => {
    const fay = await newAssessor("fay@pages.test", "Fay Former");
    const id = scoredBy(fay, "Gator Late Conflict Band", "GW-LC1");
    releaseSubmission(fay, id, version(id));
    takeSubmission(bram, id, version(id));
    proposeApproval(bram, id, version(id), "Fay's verdicts checked.");
    expect(reviewView(bram, id).proposal?.cannotConfirm).toBeNull();
    declareConflict(admin(), { assessorId: fay.userId, organizationId: gatorId, reason: "Joined Gator." });

    const own = reviewView(bram, id);
    expect(own.proposal?.cannotConfirm).toMatch(
      /^The approval can no longer be confirmed: 3 requirements still block approval: .* Nobody can confirm the proposal as it stands: withdraw it/,
    );
    expect(own.score.mandatory).toMatchObject({ met: 0, percent: 0 }); // the summary counts what the approval does
    expect(assessorWork(bram).myProposals.find((p) => p.submissionId === id)).toMatchObject({
      cannotConfirm: own.proposal?.cannotConfirm,
      conflicted: false,
    });
    const second = reviewView(asha, id);
    expect(second.can.confirm).toBe(false);
    expect(second.proposal?.cannotConfirm).toMatch(/can no longer be confirmed: .* Send it back\.$/);
    expect(assessorWork(asha).confirmations.find((c) => c.submissionId === id)).toMatchObject({
      canConfirm: false,
      cannotConfirm: second.proposal?.cannotConfirm,
    });
  });

  it("a support period that has ended: no Confirm, no proposal, and the supplier must extend it", async () => {
    const id = scoredBy(asha, "Gator Old Band", "GW-OB1"); // supported until 2030-01-31
    const other = scoredBy(asha, "Gator Old Band 2", "GW-OB2");
    proposeApproval(asha, id, version(id), "All met.");
    expect(reviewView(bram, id).can.confirm).toBe(true);

    testClock.set(Date.parse("2030-02-02T12:00:00Z"));
    const page = reviewView(bram, id);
    expect(page.can.confirm).toBe(false);
    expect(page.supportEnded).toMatch(/support period of Gator Old Band ended on .*the supplier must extend/);
    expect(page.proposal?.cannotConfirm).toMatch(
      /^The security support period of Gator Old Band ended on .* the supplier must extend the support period .* Confirm it once the supplier has extended it, or send it back\.$/,
    );
    expect(assessorWork(bram).confirmations.find((c) => c.submissionId === id)).toMatchObject({ canConfirm: false });
    expect(reviewView(asha, id).proposal?.cannotConfirm).toMatch(/Nobody can confirm the proposal until then\.$/);
    const before = version(id);
    await expect(() => confirmApproval(bram, id, before, "Confirmed.")).toBeRefused(
      "conflict",
      /support period of Gator Old Band ended .*the supplier must extend the support period/,
    );
    expect(version(id)).toBe(before);

    expect(reviewView(asha, other).can.propose).toBe(false);
    await expect(() => proposeApproval(asha, other, version(other), "")).toBeRefused(
      "conflict",
      /support period of Gator Old Band 2 ended .*the supplier must extend the support period/,
    );
  });
});

describe("an assessor declared in conflict while holding a submission with their proposal waiting", () => {
  let gil: Actor;
  let id: string;

  beforeAll(async () => {
    gil = await newAssessor("gil@pages.test", "Gil Conflicted");
    id = scoredBy(gil, "Gator Step Back Band", "GW-SB9");
    proposeApproval(gil, id, version(id), "All met.");
    declareConflict(admin(), { assessorId: gil.userId, organizationId: gatorId, reason: "Joined Gator's board." });
  });

  it("their dashboard says so, instead of waiting for a confirmation that cannot come", () => {
    expect(assessorWork(gil).myProposals.find((p) => p.submissionId === id)).toMatchObject({
      conflicted: true,
      cannotConfirm: expect.stringMatching(/^You can no longer review this submission .* Withdraw it and release/),
    });
    expect(reviewQueue(gil, { page: 1, supplier: gatorId }).rows.find((r) => r.id === id)).toMatchObject({
      conflicted: true,
      mine: true,
    });
  });

  it("the review page stays refused; the step-back view offers withdrawing, then releasing, and nothing else", async () => {
    await expect(() => reviewView(gil, id)).toBeRefused("forbidden", /declared conflict of interest/);
    expect(stepBackView(asha, id)).toBeNull(); // not in conflict: the review page applies
    const first = stepBackView(gil, id)!;
    expect(first).toMatchObject({
      conflict: expect.stringMatching(/^You have a declared conflict of interest with Gator Wearables Ltd/),
      header: { product: "Gator Step Back Band", supplier: "Gator Wearables Ltd" },
      can: { withdraw: true, release: false },
    });
    expect(Object.keys(first).sort()).toEqual(["can", "conflict", "header", "holding", "proposedAt", "submission"]);

    withdrawProposal(gil, id, version(id), "");
    expect(stepBackView(gil, id)).toMatchObject({ can: { withdraw: false, release: true } });
    releaseSubmission(gil, id, version(id));
    expect(stepBackView(gil, id)).toBeNull();
    expect(db().select().from(submissions).where(eq(submissions.id, id)).get()).toMatchObject({
      status: "submitted",
      assigneeId: null,
    });
  });
});

describe("a draft withdrawn without ever being submitted", () => {
  it("is not found by assessors; one withdrawn after submission still is", async () => {
    const draft = openTestDraft(
      grace,
      addTestVersion(grace, createTestProduct(grace, { name: "Gator Never", model: "GW-NV1" })),
    );
    withdrawSubmission(grace, draft, { confirmed: true });
    await expect(() => reviewView(asha, draft)).toBeRefused("not_found", /no such submission/);
    await expect(() => takeSubmission(asha, draft)).toBeRefused("not_found", /no such submission/);

    const sent = submittedPsti("Gator Sent Then Withdrawn", "GW-ST2");
    withdrawSubmission(grace, sent, { confirmed: true });
    expect(reviewView(asha, sent).submission.status).toBe("withdrawn");
  });
});

describe("a queue page past the end", () => {
  it("shows the last page, with its rows", () => {
    const last = reviewQueue(asha, { page: 1 });
    const past = reviewQueue(asha, { page: last.pages + 2 });
    expect(past.page).toBe(last.pages);
    expect(past.rows.length).toBeGreaterThan(0);
    expect(past.rows.map((r) => r.id)).toEqual(reviewQueue(asha, { page: last.pages }).rows.map((r) => r.id));
  });
});

describe("a re-certification whose requirement was left out of the carry-over", () => {
  it("keeps it to review once the report that named it is withdrawn: it has no verdict to carry", () => {
    const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    const certified = db()
      .select()
      .from(productVersions)
      .where(eq(productVersions.id, sealBySerial(serial)!.productVersionId))
      .get()!;
    const report = recordFinding(asha, {
      productId: certified.productId,
      versionIds: [certified.id],
      title: "Disclosure inbox bounced reports",
      description: "Reports sent to the published security address bounced for three weeks.",
      severity: "medium",
      reporter: "A. Researcher",
      reportedOn: new Date(Date.now()).toISOString().slice(0, 10),
      requirementRefs: ["etsi-en-303-645:5.2-1"],
    });
    const next = addProductVersion(grace, certified.productId, {
      hardwareRevision: "C",
      firmwareVersion: "3.1.9",
      appVersion: null,
      notes: "",
    });
    const id = startRecertification(grace, { serial, productVersionId: next, changeSummary: "Minor fixes." });
    submitSubmission(grace, id);
    const before = reviewView(asha, id);
    expect(before.requirements.filter((r) => r.mustReview).map((r) => r.ref)).toEqual(["5.2-1"]);
    const total = before.requirements.length;

    actOnFinding(asha, report, {
      action: "withdraw",
      note: "Filed against the wrong product.",
      version: db().select().from(findings).where(eq(findings.id, report)).get()!.version,
    });
    const after = reviewView(asha, id);
    const r = after.requirements.find((x) => x.ref === "5.2-1")!;
    expect(r).toMatchObject({ mustReview: true, carried: false, verdict: null });
    expect(r.deltaReasons).toEqual([
      expect.stringMatching(/did not carry over when the re-certification was submitted/),
    ]);
    expect(after.recertification).toMatchObject({ toReview: 1, carried: total - 1 });
    expect(after.score.blockers).toEqual([{ ref: "5.2-1", reason: "not scored yet" }]);
  });
});
