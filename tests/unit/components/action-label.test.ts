import { describe, expect, it } from "vitest";
import { actionLabel } from "../../../app/components/action-label";

describe("actionLabel", () => {
  it("names a submission's transitions in the past tense", () => {
    expect(actionLabel("submission.approve")).toBe("Submission approved");
    expect(actionLabel("submission.request_changes")).toBe("Submission sent back for changes");
    expect(actionLabel("submission.start_review")).toBe("Submission taken for review");
    expect(actionLabel("submission.submit")).toBe("Submission submitted");
  });

  it("leaves other actions to the plain humaniser", () => {
    expect(actionLabel("submission.opened")).toBe("Submission opened");
    expect(actionLabel("submission.approval_proposed")).toBe("Submission approval proposed");
    expect(actionLabel("finding.verified_fixed")).toBe("Finding verified fixed");
    expect(actionLabel("organization.created")).toBe("Organisation created");
    expect(actionLabel("submission.constructor")).toBe("Submission constructor"); // not a transition
  });
});
