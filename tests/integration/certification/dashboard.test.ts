// The dashboards' certification reads and the proposer's withdrawal of an approval proposal, against a
// real database: a supplier sees only its own submissions sent back (first requirement in checklist
// order); an assessor sees the queue counts, the confirmations waiting for them and their own proposals
// with whom they wait for; only the proposer can withdraw, and a withdrawn proposal can no longer be
// confirmed.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, decisions, organizations, submissions } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { createUser, setUserDisabled } from "../../../app/features/accounts/users.server";
import { changesRequestedOf } from "../../../app/features/certification/dashboard.server";
import {
  assessorWork,
  confirmApproval,
  pendingProposal,
  proposeApproval,
  recordVerdict,
  reviewView,
  takeSubmission,
  withdrawProposal,
} from "../../../app/features/certification/review.server";
import { saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import { actorByEmail, admin, asha, bram, buyer, grace, sam } from "../../support/actors";
import {
  addTestVersion,
  createTestProduct,
  openTestDraft,
  submissionVersion as version,
} from "../../support/submissions";

let tracker: string; // a fresh Gator submission (UK PSTI, 3 requirements), taken and passed by Asha

beforeAll(async () => {
  await seedDemoData();
  const productId = createTestProduct(grace(), { name: "Gator Dashboard Tracker", model: "GW-DT1" });
  tracker = openTestDraft(grace(), addTestVersion(grace(), productId));
  for (const ref of ["1", "2", "3"])
    saveAnswer(grace(), tracker, ref, {
      claim: "implemented",
      justification: "Yes.",
      noEvidenceReason: "Public page.",
    });
  submitSubmission(grace(), tracker);
});

describe("the supplier's submissions sent back for changes", () => {
  it("lists the organisation's own, with the requirements in checklist order and the assessor's message", () => {
    const rows = changesRequestedOf(sam()); // the demo doorbell (Brightnest), changes requested with comments
    expect(rows).toHaveLength(1);
    const bell = rows[0];
    expect(bell.product).toBe("Brightnest Video Doorbell");
    expect(bell.requirements.length).toBeGreaterThan(0);
    expect(bell.message).not.toBe("");
    // Checklist order: UK PSTI's refs are "1", "2", "3".
    const refs = bell.requirements.map((r) => r.ref);
    expect(refs).toEqual([...refs].sort());
    const stored = db().select().from(submissions).where(eq(submissions.id, bell.id)).get()!;
    expect(stored.status).toBe("changes_requested");
  });

  it("shows another organisation's nothing, and refuses assessors and buyers", async () => {
    expect(changesRequestedOf(grace())).toEqual([]);
    for (const who of [asha(), buyer()])
      await expect(() => changesRequestedOf(who)).toBeRefused("forbidden", /permission/);
  });
});

describe("the assessor's work and the four-eyes proposal", () => {
  it("counts the queue per assessor and lists a colleague's proposal as waiting for confirmation", () => {
    const before = assessorWork(asha()).counts;
    takeSubmission(asha(), tracker, version(tracker));
    expect(assessorWork(asha()).counts).toMatchObject({ waiting: before.waiting - 1, mine: before.mine + 1 });
    expect(assessorWork(bram()).counts.others).toBe(assessorWork(asha()).counts.mine);
    for (const ref of ["1", "2", "3"])
      recordVerdict(asha(), tracker, ref, { verdict: "pass", comment: "", accepted: false, version: version(tracker) });
    proposeApproval(asha(), tracker, version(tracker), "All three met.");

    const mine = assessorWork(asha());
    expect(mine.confirmations.map((c) => c.submissionId)).not.toContain(tracker); // never one's own
    // Bram is the only other assessor who can confirm: the proposal waits for him, by name.
    expect(mine.myProposals.find((p) => p.submissionId === tracker)).toMatchObject({
      product: "Gator Dashboard Tracker",
      waitingFor: { text: bram().name, blocked: false },
    });
    expect(assessorWork(bram()).confirmations.find((c) => c.submissionId === tracker)).toMatchObject({
      proposer: asha().name,
      comment: "All three met.",
      canConfirm: true,
    });
    expect(assessorWork(bram()).myProposals).toEqual([]);

    const view = reviewView(asha(), tracker);
    expect(view.proposal).toMatchObject({ byMe: true, proposerName: asha().name, waitingFor: { text: bram().name } });
    expect(view.can).toMatchObject({ withdraw: true, confirm: false });
    expect(reviewView(bram(), tracker).can).toMatchObject({ withdraw: false, confirm: true });
  });

  it("refuses the dashboard to suppliers and buyers", async () => {
    for (const who of [grace(), buyer()]) await expect(() => assessorWork(who)).toBeRefused("forbidden", /permission/);
  });

  it("only the proposer can withdraw, on the current version; suppliers and buyers are refused", async () => {
    const v = version(tracker);
    await expect(() => withdrawProposal(bram(), tracker, v, "")).toBeRefused(
      "forbidden",
      /Only the assessor who proposed the approval can withdraw it/,
    );
    for (const who of [grace(), buyer()])
      await expect(() => withdrawProposal(who, tracker, v, "")).toBeRefused("forbidden", /permission/);
    await expect(() => withdrawProposal(asha(), tracker, v - 1, "")).toBeRefused(
      "conflict",
      /This submission changed while you were working on it \(in another tab, or by someone else\)/,
    );
    expect(pendingProposal(db(), tracker)).not.toBeNull();
    expect(version(tracker)).toBe(v);
  });

  it("the proposer withdraws: audited, nothing left to confirm, still in review with them; a new proposal works", async () => {
    const v = version(tracker);
    withdrawProposal(asha(), tracker, v, "  Spotted a typo in 2's comment.  ");
    expect(pendingProposal(db(), tracker)).toBeNull();
    expect(version(tracker)).toBe(v + 1);
    const s = db().select().from(submissions).where(eq(submissions.id, tracker)).get()!;
    expect(s).toMatchObject({ status: "in_review", assigneeId: asha().userId });
    const decision = db()
      .select()
      .from(decisions)
      .where(and(eq(decisions.submissionId, tracker), eq(decisions.kind, "proposal_withdrawn")))
      .get()!;
    expect(decision).toMatchObject({ assessorId: asha().userId, comment: "Spotted a typo in 2's comment." });
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "submission.proposal_withdrawn"), eq(auditEvents.targetId, tracker)))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0].actorUserId).toBe(asha().userId);

    expect(assessorWork(bram()).confirmations.map((c) => c.submissionId)).not.toContain(tracker);
    expect(assessorWork(asha()).myProposals.map((p) => p.submissionId)).not.toContain(tracker);
    expect(reviewView(asha(), tracker).can).toMatchObject({ withdraw: false, propose: true });
    await expect(() => confirmApproval(bram(), tracker, version(tracker), "")).toBeRefused(
      "conflict",
      /no approval proposal/,
    );
    await expect(() => withdrawProposal(asha(), tracker, version(tracker), "")).toBeRefused(
      "conflict",
      /no approval proposal waiting/,
    );

    proposeApproval(asha(), tracker, version(tracker), "Typo fixed.");
    expect(assessorWork(bram()).confirmations.find((c) => c.submissionId === tracker)).toMatchObject({
      comment: "Typo fixed.",
    });
  });

  it("names the one assessor who can confirm, says 'any other assessor' when several can, and says when none can", async () => {
    const waitingFor = () => reviewView(asha(), tracker).proposal!.waitingFor;
    const { userId: carolId } = await createUser(admin(), {
      email: "carol@iotseal.test",
      name: "Carol Checker",
      role: "assessor",
    });
    expect(waitingFor()).toEqual({ text: "any other assessor", blocked: false });
    // A conflict of interest takes Bram out: only Carol can confirm.
    const gator = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!;
    declareConflict(admin(), { assessorId: bram().userId, organizationId: gator.id, reason: "Advised Gator in 2025." });
    expect(waitingFor()).toEqual({ text: "Carol Checker", blocked: false });
    expect(assessorWork(bram()).confirmations.map((c) => c.submissionId)).not.toContain(tracker);
    expect(assessorWork(actorByEmail("carol@iotseal.test")).confirmations.map((c) => c.submissionId)).toContain(
      tracker,
    );
    // Carol disabled: nobody can confirm, and the proposer is told so.
    setUserDisabled(admin(), carolId, true);
    expect(waitingFor()).toMatchObject({ blocked: true, text: expect.stringMatching(/no other assessor/) });
  });
});
