// A verdict that no longer counts (recorded by an assessor now in conflict with the supplier, or
// carried over from a certified review but to be reviewed again) blocks approval and is not counted
// as met: the summary's "Mandatory met" and "Advisory met" say what the approval checks. And which
// submissions assessors see at all.
import { describe, expect, it } from "vitest";
import {
  reachedAssessors,
  scoreSubmission,
  withConflictedVerdicts,
  withMoreBlockers,
  type ReviewedRequirement,
  type VerdictFacts,
} from "../../../app/features/certification/domain/review";

const req = (ref: string, applicability: "mandatory" | "advisory"): ReviewedRequirement => ({
  ref,
  sectionRef: "S",
  applicability,
  condition: null,
  claim: null,
});
const reqs = [req("1", "mandatory"), req("2", "mandatory"), req("3", "advisory"), req("4", "advisory")];
const pass: VerdictFacts = { verdict: "pass", comment: "", accepted: false };

describe("verdicts by an assessor now in conflict", () => {
  const latest = new Map([
    ["1", { ...pass, assessorId: "alice", carriedFromId: null }],
    ["2", { ...pass, assessorId: "bob", carriedFromId: null }],
    ["3", { ...pass, assessorId: "alice", carriedFromId: null }],
    ["4", { ...pass, assessorId: "bob", carriedFromId: null }],
  ]);
  const score = scoreSubmission(reqs, latest);

  it("are not counted as met, in their own bucket", () => {
    expect(score).toMatchObject({
      mandatory: { total: 2, met: 2, percent: 100 },
      advisory: { total: 2, met: 2, percent: 100 },
      canApprove: true,
    });
    const blocked = withConflictedVerdicts(score, latest, new Set(["alice"]), reqs);
    expect(blocked).toMatchObject({
      mandatory: { total: 2, met: 1, percent: 50 },
      advisory: { total: 2, met: 1, percent: 50 },
      canApprove: false,
    });
    expect(blocked.blockers.map((b) => b.ref)).toEqual(["1", "3"]);
  });
});

describe("adding blockers to a score", () => {
  it("subtracts only what counted as met, once per requirement, and keeps an earlier reason", () => {
    const latest = new Map<string, VerdictFacts>([
      ["1", pass],
      ["2", { verdict: "fail", comment: "No.", accepted: false }],
      ["3", pass],
    ]);
    const score = scoreSubmission(reqs, latest); // 2 fails, 4 is not scored
    expect(score.mandatory).toEqual({ total: 2, met: 1, percent: 50 });
    expect(score.advisory).toEqual({ total: 2, met: 1, percent: 50 });
    const more = withMoreBlockers(
      score,
      [
        { ref: "1", reason: "carried over, to be reviewed again" },
        { ref: "1", reason: "carried over, to be reviewed again" },
        { ref: "2", reason: "carried over, to be reviewed again" },
      ],
      reqs,
    );
    expect(more.mandatory).toEqual({ total: 2, met: 0, percent: 0 });
    expect(more.advisory).toEqual(score.advisory);
    expect(more.blockers).toEqual([
      { ref: "2", reason: "mandatory requirement failed" },
      { ref: "4", reason: "not scored yet" },
      { ref: "1", reason: "carried over, to be reviewed again" },
    ]);
    expect(withMoreBlockers(score, [{ ref: "2", reason: "again" }], reqs)).toBe(score);
  });
});

describe("which submissions assessors see", () => {
  const at = new Date("2026-01-01T00:00:00Z");
  it("none that was never submitted: a draft, or a draft withdrawn", () => {
    expect(reachedAssessors({ status: "draft", firstSubmittedAt: null, submittedAt: null })).toBe(false);
    expect(reachedAssessors({ status: "withdrawn", firstSubmittedAt: null, submittedAt: null })).toBe(false);
    expect(reachedAssessors({ status: "withdrawn", firstSubmittedAt: at, submittedAt: at })).toBe(true);
    expect(reachedAssessors({ status: "submitted", firstSubmittedAt: at, submittedAt: at })).toBe(true);
  });
});
