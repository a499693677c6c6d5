// A mandatory requirement the supplier claims "not implemented" keeps the submission submittable (the
// supplier's honest claim), but as answered the assessment cannot approve it at that level: the rule
// and the warning the supplier reads before submitting.
import { describe, expect, it } from "vitest";
import {
  isMet,
  mandatoryClaimedNotImplemented,
  notImplementedWarning,
  scoreSubmission,
  verdictProblem,
  type ReviewedRequirement,
} from "../../../app/features/certification/domain/review";

const req = (
  ref: string,
  applicability: "mandatory" | "advisory",
  claim: ReviewedRequirement["claim"],
  condition: string | null = null,
): ReviewedRequirement => ({ ref, sectionRef: "S", applicability, condition, claim });

describe("mandatoryClaimedNotImplemented", () => {
  it("names the mandatory requirements claimed not implemented, in order, and no advisory one", () => {
    expect(
      mandatoryClaimedNotImplemented([
        req("1", "mandatory", "implemented"),
        req("2", "mandatory", "not_implemented"),
        req("3", "advisory", "not_implemented"),
        req("4", "mandatory", null),
        req("5", "mandatory", "not_implemented", "if it has a cloud service"),
      ]),
    ).toEqual(["2", "5"]);
  });

  it("is right that such a requirement blocks approval as answered: a fail is never settled, not applicable is refused", () => {
    const r = req("2", "mandatory", "not_implemented");
    const fail = { verdict: "fail" as const, comment: "Not implemented, as the supplier says.", accepted: false };
    expect(isMet(r, fail)).toBe(false);
    expect(verdictProblem(r, { ...fail, accepted: true })).toBe(
      "Only an advisory requirement can be accepted on its justification.",
    );
    expect(verdictProblem(r, { verdict: "not_applicable", comment: "n/a", accepted: false })).toMatch(
      /Not applicable is allowed only/,
    );
    expect(scoreSubmission([r], new Map([["2", fail]])).canApprove).toBe(false);
  });
});

describe("notImplementedWarning", () => {
  it("says nothing when there is nothing to warn about", () => {
    expect(notImplementedWarning([], "Baseline")).toBeNull();
  });

  it("names the requirements and the level, and says it may still be submitted", () => {
    expect(notImplementedWarning(["2"], "Baseline")).toBe(
      "Mandatory requirement 2 is claimed not implemented. Approval at this level (Baseline) needs every mandatory " +
        "requirement met, so as answered the assessment cannot approve this submission (unless the assessor finds it " +
        "met after all). You can still submit it as it is.",
    );
    expect(notImplementedWarning(["5.1-1", "5.3-2"], "Basic")).toMatch(
      /^Mandatory requirements 5\.1-1, 5\.3-2 are claimed not implemented\. .*finds them met after all\)/,
    );
  });
});
