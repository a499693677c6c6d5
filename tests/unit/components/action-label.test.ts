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
    expect(actionLabel("organization.created")).toBe("Organisation created");
    expect(actionLabel("submission.constructor")).toBe("Submission constructor"); // not a transition
    expect(actionLabel("constructor")).toBe("Constructor"); // not one worded either
  });

  it("says vulnerability report, as the pages do, and what a person did in words", () => {
    expect(actionLabel("finding.reported")).toBe("Vulnerability report received");
    expect(actionLabel("finding.cra_flagged")).toBe("Vulnerability report flagged for CRA reporting");
    expect(actionLabel("finding.verified_fixed")).toBe("Vulnerability fix verified");
    expect(actionLabel("finding.fixed")).toBe("Vulnerability report fixed"); // any other finding action
    expect(actionLabel("finding.cra_reminder_sent")).toBe("Vulnerability report CRA reminder sent");
    expect(actionLabel("user.login")).toBe("Logged in");
    expect(actionLabel("user.login_failed")).toBe("Login failed");
    expect(actionLabel("watchlist.added")).toBe("Product added to the watchlist");
  });
});
