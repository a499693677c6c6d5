// A review stranded by its assessor: disabled by an administrator, or declared in conflict of
// interest with the supplier while holding the submission. Another assessor takes it over in one
// transaction (audited, any waiting proposal sent back without telling the old proposer); an
// approval proposed by an assessor who can no longer review it cannot be confirmed; a verdict by an
// assessor now in conflict does not support an approval; the administrators see who holds what.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  conflictDeclarations,
  decisions,
  notifications,
  organizations,
  submissions,
} from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { createUser, setUserDisabled } from "../../../app/features/accounts/users.server";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import {
  assessorWork,
  confirmApproval,
  heldInReview,
  heldInReviewBy,
  proposeApproval,
  recordVerdict,
  rejectSubmission,
  reviewQueue,
  returnProposal,
  reviewView,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { actorByEmail, admin as adminActor, bram as bramActor, grace as graceActor } from "../../support/actors";
import {
  addTestVersion,
  createTestProduct,
  openTestDraft,
  submissionVersion as version,
} from "../../support/submissions";

let admin: Actor;
let bram: Actor;
let grace: Actor;
let cara: Actor; // a third assessor: confirms what Bram proposes
let gatorId: string;

const row = (id: string) => db().select().from(submissions).where(eq(submissions.id, id)).get()!;
const decisionKinds = (id: string) =>
  db()
    .select()
    .from(decisions)
    .where(eq(decisions.submissionId, id))
    .all()
    .map((d) => d.kind);

async function newAssessor(email: string, name: string): Promise<Actor> {
  await createUser(admin, { email, name, role: "assessor" });
  return actorByEmail(email);
}

/** A fresh Gator submission (UK PSTI, 3 requirements), taken by `reviewer` and passed on every requirement. */
function scoredBy(reviewer: Actor, name: string, model: string): string {
  const id = openTestDraft(grace, addTestVersion(grace, createTestProduct(grace, { name, model })));
  for (const ref of ["1", "2", "3"])
    saveAnswer(grace, id, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
  submitSubmission(grace, id);
  takeSubmission(reviewer, id, version(id));
  for (const ref of ["1", "2", "3"])
    recordVerdict(reviewer, id, ref, { verdict: "pass", comment: "", accepted: false, version: version(id) });
  return id;
}

beforeAll(async () => {
  await seedDemoData();
  admin = adminActor();
  bram = bramActor();
  grace = graceActor();
  cara = await newAssessor("cara@takeover.test", "Cara Third");
  gatorId = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!.id;
});

describe("an assessor disabled while holding a submission with their approval proposal waiting", () => {
  let dora: Actor;
  let id: string;

  beforeAll(async () => {
    dora = await newAssessor("dora@takeover.test", "Dora Leaving");
    id = scoredBy(dora, "Gator Leaver Band", "GW-LB1");
    proposeApproval(dora, id, version(id), "All three met.");
  });

  it("while they can still review it, nobody else can take it", async () => {
    expect(heldInReviewBy(admin, dora.userId)).toBe(1);
    expect(heldInReview(admin).byAssessor[dora.userId]).toBe(1);
    await expect(() => takeSubmission(bram, id, version(id))).toBeRefused(
      "conflict",
      /^Another assessor has already taken this submission\.$/,
    );
    expect(reviewView(bram, id).can.take).toBe(false);
    expect(reviewQueue(bram, { page: 1 }).rows.find((r) => r.id === id)).toMatchObject({ takeOver: false });
  });

  it("once disabled, their proposal cannot be confirmed: send it back instead (page, dashboard and service agree)", async () => {
    setUserDisabled(admin, dora.userId, true);
    const page = reviewView(bram, id);
    expect(page.can).toMatchObject({ confirm: false, sendBack: true, take: true });
    expect(page.proposal?.proposerNoLongerAble).toMatch(/^Dora Leaving, who proposed this approval, is no longer able/);
    expect(page.heldBy).toMatch(/^Held by Dora Leaving, who is no longer able to review it/);
    const offered = assessorWork(bram).confirmations.find((c) => c.submissionId === id);
    expect(offered).toMatchObject({ canConfirm: false, cannotConfirm: expect.stringMatching(/Send it back instead/) });
    const before = version(id);
    // Deciding it is still the holder's: another assessor is told to take the review over first.
    await expect(() => rejectSubmission(bram, id, before, "Not met.")).toBeRefused(
      "forbidden",
      /^Only the assessor reviewing this submission can reject it; take the review over first\.$/,
    );
    await expect(() => confirmApproval(bram, id, before, "Confirmed.")).toBeRefused(
      "conflict",
      /Dora Leaving, who proposed this approval, is no longer able to review it .*Send it back instead/,
    );
    expect(row(id)).toMatchObject({ status: "in_review", version: before });
  });

  it("the queue offers it to another assessor, who takes it over: audited, the proposal sent back", async () => {
    expect(reviewQueue(bram, { page: 1 }).rows.find((r) => r.id === id)).toMatchObject({
      takeOver: true,
      assigneeName: "Dora Leaving",
    });
    // A take based on an old page changes nothing.
    await expect(() => takeSubmission(bram, id, version(id) - 1)).toBeRefused("conflict", /changed while you were/);
    expect(row(id).assigneeId).toBe(dora.userId);

    takeSubmission(bram, id, version(id));
    expect(row(id)).toMatchObject({ status: "in_review", assigneeId: bram.userId });
    expect(decisionKinds(id)).toEqual(["approval_proposed", "proposal_returned"]);
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, "submission.reassigned")))
      .all();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].details)).toMatchObject({
      from: dora.userId,
      fromName: "Dora Leaving",
      reason: "disabled",
    });
    expect(heldInReviewBy(admin, dora.userId)).toBe(0);
    // Dora's verdicts stand (a disabled account is no judgement on them): Bram proposes, Cara confirms.
    const page = reviewView(bram, id);
    expect(page.can).toMatchObject({ score: true, propose: true, take: false });
    expect(page.heldBy).toBeNull();
    proposeApproval(bram, id, version(id), "Dora's verdicts checked.");
    await confirmApproval(cara, id, version(id), "Confirmed.");
    expect(row(id).status).toBe("approved");
  });
});

describe("an assessor declared in conflict with the supplier while holding a submission", () => {
  let eve: Actor;
  let id: string;
  let declarationId: string;

  beforeAll(async () => {
    eve = await newAssessor("eve@takeover.test", "Eve Conflicted");
    id = scoredBy(eve, "Gator Conflict Band", "GW-CB1");
    proposeApproval(eve, id, version(id), "Looks fine.");
    declareConflict(admin, { assessorId: eve.userId, organizationId: gatorId, reason: "Joined Gator's board." });
    declarationId = db()
      .select()
      .from(conflictDeclarations)
      .where(eq(conflictDeclarations.assessorId, eve.userId))
      .get()!.id;
  });

  it("the administrators see the submission they still hold, by declaration", () => {
    expect(heldInReview(admin).byConflict[declarationId]).toBe(1);
    expect(heldInReviewBy(admin, eve.userId, gatorId)).toBe(1);
  });

  it("their proposal cannot be confirmed", async () => {
    expect(reviewView(cara, id).can.confirm).toBe(false);
    await expect(() => confirmApproval(cara, id, version(id), "ok")).toBeRefused(
      "conflict",
      /Eve Conflicted, who proposed this approval, is no longer able to review it/,
    );
    expect(row(id).status).toBe("in_review");
  });

  it("a second assessor sends their proposal back without telling them", () => {
    const told = () => db().select().from(notifications).where(eq(notifications.userId, eve.userId)).all().length;
    const toldBefore = told();
    returnProposal(cara, id, version(id), "Eve is now in conflict with Gator: someone else must review it.");
    expect(decisionKinds(id)).toEqual(["approval_proposed", "proposal_returned"]);
    expect(told()).toBe(toldBefore); // the rule skips a proposer now in conflict with the supplier
  });

  it("another assessor takes it over without telling them, and records their own verdicts before approval", async () => {
    const told = () => db().select().from(notifications).where(eq(notifications.userId, eve.userId)).all().length;
    const toldBefore = told();
    takeSubmission(bram, id, version(id));
    expect(row(id).assigneeId).toBe(bram.userId);
    expect(told()).toBe(toldBefore); // a conflicted assessor hears nothing more of this supplier's submission
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, "submission.reassigned")))
      .get()!;
    expect(JSON.parse(audit.details)).toMatchObject({ from: eve.userId, reason: "conflict_of_interest" });
    expect(heldInReview(admin).byConflict[declarationId]).toBeUndefined();

    // Eve's verdicts no longer support an approval: each blocks until Bram records his own.
    const page = reviewView(bram, id);
    expect(page.score.canApprove).toBe(false);
    expect(page.score.blockers.map((b) => b.ref).sort()).toEqual(["1", "2", "3"]);
    expect(page.can.propose).toBe(false);
    await expect(() => proposeApproval(bram, id, version(id), "")).toBeRefused(
      "conflict",
      /3 requirements still block approval: .*conflict of interest with the supplier/,
    );
    for (const ref of ["1", "2", "3"])
      recordVerdict(bram, id, ref, { verdict: "pass", comment: "", accepted: false, version: version(id) });
    proposeApproval(bram, id, version(id), "Re-scored.");
    await confirmApproval(cara, id, version(id), "Confirmed.");
    expect(row(id).status).toBe("approved");
  });
});
