// The verdict rules under both verdict models: `standard` (Not applicable only with a condition or
// a supplier's claim) and `decision-tree` (EN 18031: any requirement may be NOT APPLICABLE, but
// only with a written justification).
import { describe, expect, it } from "vitest";
import {
  DECISION_TREE_NOTE,
  isMet,
  mayJudgeNotApplicable,
  scoreSubmission,
  verdictLabels,
  verdictProblem,
  type ReviewedRequirement,
  type VerdictFacts,
} from "../../../app/features/certification/domain/review";
import { verdictModelOf, verdictModelOfContent } from "../../../app/features/catalogue/domain/checklist/verdict-model";

const req = (over: Partial<ReviewedRequirement> = {}): ReviewedRequirement => ({
  ref: "ACM-1",
  sectionRef: "ACM",
  applicability: "mandatory",
  condition: null,
  claim: "implemented",
  ...over,
});
const na = (comment: string, accepted = false): VerdictFacts => ({ verdict: "not_applicable", comment, accepted });

describe("standard model (no verdicts field)", () => {
  const plain = req();
  it("refuses Not applicable on a requirement without a condition that the supplier claims to implement", () => {
    expect(mayJudgeNotApplicable(plain)).toBe(false);
    expect(verdictProblem(plain, na("the tree ends here"))).toMatch(
      /allowed only where the requirement has a condition/,
    );
    expect(isMet(plain, na("the tree ends here"))).toBe(false);
  });

  it("allows it where the requirement has a condition or the supplier claimed it", () => {
    expect(mayJudgeNotApplicable(req({ condition: "passwords are used" }))).toBe(true);
    expect(mayJudgeNotApplicable(req({ claim: "not_applicable" }))).toBe(true);
    expect(isMet(req({ condition: "passwords are used" }), na("no passwords at all"))).toBe(true);
  });

  it("names the verdicts Pass, Fail, Not applicable", () => {
    expect(verdictLabels(undefined)).toMatchObject({ pass: "Pass", fail: "Fail", not_applicable: "Not applicable" });
    expect(verdictLabels("standard").not_applicable).toBe("Not applicable");
  });
});

describe("decision-tree model (EN 18031)", () => {
  const tree = req({ verdictModel: "decision-tree" });

  it("lets any requirement be NOT APPLICABLE, even without a condition or a supplier claim", () => {
    expect(mayJudgeNotApplicable(tree)).toBe(true);
    const v = na("ACM-1 DN-1: the asset is intended for public access (a published SSID).");
    expect(verdictProblem(tree, v)).toBeNull();
    expect(isMet(tree, v)).toBe(true);
  });

  it("refuses NOT APPLICABLE without a justification, naming the comment", () => {
    expect(verdictProblem(tree, na(""))).toBe(
      "A comment is required for NOT APPLICABLE: justify why the decision tree ends there.",
    );
    expect(verdictProblem(tree, na("   \n "))).toMatch(/^A comment is required for NOT APPLICABLE/);
    // Even if a stored verdict lacked its justification, it would not count as met.
    expect(isMet(tree, na(""))).toBe(false);
    const score = scoreSubmission([tree], new Map([["ACM-1", na("")]]));
    expect(score.canApprove).toBe(false);
    expect(score.blockers).toEqual([{ ref: "ACM-1", reason: "not applicable without a justification" }]);
  });

  it("keeps the other rules: FAIL needs a comment and blocks a mandatory requirement, needs information stays open", () => {
    expect(verdictProblem(tree, { verdict: "fail", comment: "", accepted: false })).toBe(
      'A comment is required for "FAIL".',
    );
    expect(isMet(tree, { verdict: "fail", comment: "no lockout", accepted: false })).toBe(false);
    expect(
      verdictProblem(tree, { verdict: "needs_information", comment: "send the scan", accepted: false }),
    ).toBeNull();
    expect(isMet(tree, { verdict: "needs_information", comment: "send the scan", accepted: false })).toBe(false);
    expect(isMet(tree, { verdict: "pass", comment: "", accepted: false })).toBe(true);
  });

  it("approves a submission whose requirements all PASS or are justified NOT APPLICABLE", () => {
    const reqs = [tree, req({ ref: "RLM-1", sectionRef: "RLM", verdictModel: "decision-tree" })];
    const score = scoreSubmission(
      reqs,
      new Map([
        ["ACM-1", { verdict: "pass", comment: "", accepted: false }],
        ["RLM-1", na("Not network equipment; no interface reachable from the internet.")],
      ]),
    );
    expect(score).toMatchObject({ canApprove: true, blockers: [], mandatory: { total: 2, met: 2, percent: 100 } });
  });

  it("names the verdicts PASS / FAIL / NOT APPLICABLE and carries the note", () => {
    expect(verdictLabels("decision-tree")).toEqual({
      pass: "PASS",
      fail: "FAIL",
      not_applicable: "NOT APPLICABLE",
      needs_information: "Needs information",
    });
    expect(DECISION_TREE_NOTE).toBe("Decision tree (EN 18031): Not applicable needs a justification");
  });
});

describe("reading the verdict model of a checklist version", () => {
  it("defaults to standard and reads decision-tree from the stored content", () => {
    expect(verdictModelOf({})).toBe("standard");
    expect(verdictModelOf({ verdicts: "decision-tree" })).toBe("decision-tree");
    expect(verdictModelOf({ verdicts: "something-else" })).toBe("standard");
    expect(verdictModelOfContent('{"id":"en-18031","verdicts":"decision-tree"}')).toBe("decision-tree");
    expect(verdictModelOfContent('{"id":"uk-psti"}')).toBe("standard");
    expect(verdictModelOfContent("not json")).toBe("standard");
  });
});
