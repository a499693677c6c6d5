import { describe, expect, it } from "vitest";
import {
  isMet,
  isMetOnMerits,
  type ReviewedRequirement,
  type VerdictFacts,
} from "../../../app/features/certification/domain/review";

const req = (over: Partial<ReviewedRequirement> = {}): ReviewedRequirement => ({
  ref: "5.1-1",
  sectionRef: "5.1",
  applicability: "mandatory",
  condition: null,
  claim: null,
  ...over,
});
const v = (over: Partial<VerdictFacts>): VerdictFacts => ({ verdict: "pass", comment: "", accepted: false, ...over });

describe("isMetOnMerits", () => {
  it("counts a pass, and a not applicable where it is allowed", () => {
    expect(isMetOnMerits(req(), v({}))).toBe(true);
    expect(
      isMetOnMerits(req({ condition: "it has a camera" }), v({ verdict: "not_applicable", comment: "no camera" })),
    ).toBe(true);
  });

  it("counts an advisory judged not applicable where that is allowed, accepted as approval needs", () => {
    const advisory = req({ applicability: "advisory", claim: "not_applicable" });
    const accepted = v({ verdict: "not_applicable", comment: "Agreed.", accepted: true });
    expect(isMet(advisory, accepted)).toBe(true);
    expect(isMetOnMerits(advisory, accepted)).toBe(true);
    const conditional = req({ applicability: "advisory", condition: "it has a camera" });
    expect(isMetOnMerits(conditional, v({ verdict: "not_applicable", comment: "No camera.", accepted: true }))).toBe(
      true,
    );
    // Not where "not applicable" is not allowed, accepted or not.
    const plain = req({ applicability: "advisory" });
    expect(isMetOnMerits(plain, v({ verdict: "not_applicable", comment: "x", accepted: true }))).toBe(false);
    // A decision tree's NOT APPLICABLE stands only with its justification.
    const tree = req({ applicability: "advisory", verdictModel: "decision-tree" });
    expect(
      isMetOnMerits(tree, v({ verdict: "not_applicable", comment: "The tree ends at DN-2.", accepted: true })),
    ).toBe(true);
    expect(isMetOnMerits(tree, v({ verdict: "not_applicable", comment: " ", accepted: true }))).toBe(false);
  });

  it("does not count an advisory fail accepted on its justification, which isMet does", () => {
    const advisory = req({ applicability: "advisory" });
    const failedAccepted = v({ verdict: "fail", comment: "Out of scope for a watch.", accepted: true });
    expect(isMet(advisory, failedAccepted)).toBe(true);
    expect(isMetOnMerits(advisory, failedAccepted)).toBe(false);
  });

  it("does not count a fail, missing information, no verdict, or a not applicable that is not allowed", () => {
    expect(isMetOnMerits(req(), v({ verdict: "fail", comment: "x" }))).toBe(false);
    expect(isMetOnMerits(req(), v({ verdict: "needs_information", comment: "x" }))).toBe(false);
    expect(isMetOnMerits(req(), undefined)).toBe(false);
    expect(isMetOnMerits(req(), v({ verdict: "not_applicable", comment: "x" }))).toBe(false);
  });
});
