// A review whose assessor can no longer review it (account disabled, or a conflict of interest with
// the supplier declared since): who may take it over, why their proposal cannot be confirmed, and
// why their verdicts, when they are now in conflict, no longer support an approval.
import { describe, expect, it } from "vitest";
import {
  checkConfirmation,
  heldBy,
  mayTakeOver,
  scoreSubmission,
  scoringClosedReason,
  withConflictedVerdicts,
  type ReviewedRequirement,
  type VerdictFacts,
} from "../../../app/features/certification/domain/review";

describe("taking over a review", () => {
  it("is allowed only from a holder who can no longer review it, or when nobody holds it", () => {
    expect(mayTakeOver({ able: true })).toBe(false);
    expect(mayTakeOver({ able: false })).toBe(true);
    expect(mayTakeOver(null)).toBe(true);
  });

  it("tells another assessor the review is held by someone no longer able to review it, without saying why", () => {
    expect(heldBy("Asha Rao")).toBe(
      "Held by Asha Rao, who is no longer able to review it (their account is disabled, or a conflict of interest was declared)",
    );
    const closed = scoringClosedReason({
      status: "in_review",
      reviewer: { isMe: false, name: "Asha Rao", able: false },
      proposalPending: false,
    });
    expect(closed).toMatch(
      /^Held by Asha Rao, who is no longer able to review it .*: take it over to record verdicts\.$/,
    );
    // An able holder: as before.
    expect(
      scoringClosedReason({
        status: "in_review",
        reviewer: { isMe: false, name: "Asha Rao", able: true },
        proposalPending: false,
      }),
    ).toMatch(/^Only the assessor reviewing this submission \(Asha Rao\) records its verdicts/);
  });
});

describe("confirming a proposal whose proposer can no longer review the submission", () => {
  const proposal = { assessorId: "alice", submissionVersion: 3 };
  it("is refused: send it back instead", () => {
    const result = checkConfirmation(proposal, "carol", 3, new Set(["alice"]), { able: false, name: "Alice" });
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^Alice, who proposed this approval, is no longer able to review it .*: the proposal cannot be confirmed\. Send it back instead/,
      ),
    });
    expect(checkConfirmation(proposal, "carol", 3, new Set(["alice"]), { able: true, name: "Alice" })).toEqual({
      ok: true,
    });
  });
});

describe("verdicts recorded by an assessor now in conflict with the supplier", () => {
  const reqs: ReviewedRequirement[] = ["1", "2", "3"].map((ref) => ({
    ref,
    sectionRef: "S",
    applicability: "mandatory",
    condition: null,
    claim: null,
  }));
  const pass: VerdictFacts = { verdict: "pass", comment: "", accepted: false };
  const latest = new Map([
    ["1", { ...pass, assessorId: "alice", carriedFromId: null }],
    ["2", { ...pass, assessorId: "bob", carriedFromId: null }],
    ["3", { ...pass, assessorId: "alice", carriedFromId: 9 }], // carried over from a certified review
  ]);
  const score = scoreSubmission(reqs, latest);

  it("block approval until the reviewing assessor records their own; carried verdicts are left alone", () => {
    expect(score.canApprove).toBe(true);
    const blocked = withConflictedVerdicts(score, latest, new Set(["alice"]), reqs);
    expect(blocked.canApprove).toBe(false);
    expect(blocked.blockers).toEqual([
      {
        ref: "1",
        reason: expect.stringMatching(
          /conflict of interest with the supplier; the reviewing assessor records their own verdict/,
        ),
      },
    ]);
  });

  it("change nothing when no author is in conflict", () => {
    expect(withConflictedVerdicts(score, latest, new Set(), reqs)).toBe(score);
    expect(withConflictedVerdicts(score, latest, new Set(["carol"]), reqs)).toEqual(score);
  });
});
