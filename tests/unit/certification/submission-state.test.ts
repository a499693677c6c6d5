import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "../../../app/platform/roles";
import {
  availableTransitions,
  canDelete,
  checkTransition,
  editableScope,
  isOpen,
  readOnlyReason,
  submitUnavailableReason,
  SUBMISSION_STATUSES,
  TRANSITIONS,
  type SubmissionStatus,
  type Transition,
} from "../../../app/features/certification/domain/submission-state";

// The whole state machine, written out by hand: a change to any rule must change this table.
// transition -> [allowed from-statuses, target, the only role allowed]
const EXPECTED: Record<Transition, { from: SubmissionStatus[]; to: SubmissionStatus; by: Role }> = {
  submit: { from: ["draft"], to: "submitted", by: "supplier" },
  resubmit: { from: ["changes_requested"], to: "submitted", by: "supplier" },
  withdraw: { from: ["draft", "submitted", "changes_requested"], to: "withdrawn", by: "supplier" },
  start_review: { from: ["submitted"], to: "in_review", by: "assessor" },
  release: { from: ["in_review"], to: "submitted", by: "assessor" },
  request_changes: { from: ["in_review"], to: "changes_requested", by: "assessor" },
  approve: { from: ["in_review"], to: "approved", by: "assessor" },
  reject: { from: ["in_review"], to: "rejected", by: "assessor" },
};

const ALL_TRANSITIONS = Object.keys(EXPECTED) as Transition[];

const cases = ALL_TRANSITIONS.flatMap((t) => SUBMISSION_STATUSES.flatMap((s) => ROLES.map((r) => [t, s, r] as const)));

describe("submission transitions", () => {
  it("the module defines exactly the expected transitions", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ALL_TRANSITIONS].sort());
    expect(cases).toHaveLength(8 * 7 * 4);
  });

  it.each(cases)("%s from %s by %s", (transition, from, role) => {
    const e = EXPECTED[transition];
    const result = checkTransition(transition, from, role);
    if (e.by === role && e.from.includes(from)) {
      expect(result).toEqual({ ok: true, to: e.to });
    } else {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason.trim().length).toBeGreaterThan(10);
      // A wrong role is told who may do it; the right role in the wrong status is told why.
      if (e.by !== role) expect(result.reason).toMatch(new RegExp(`^Only ${e.by}s can `));
      else expect(result.reason).toMatch(/^A submission that is .+ cannot be .+\.$/);
    }
  });

  it("exactly 10 (transition, status, role) combinations are allowed", () => {
    const allowed = cases.filter(([t, s, r]) => checkTransition(t, s, r).ok).map((c) => c.join(" "));
    expect(allowed.sort()).toEqual(
      [
        "submit draft supplier",
        "resubmit changes_requested supplier",
        "withdraw draft supplier",
        "withdraw submitted supplier",
        "withdraw changes_requested supplier",
        "start_review submitted assessor",
        "release in_review assessor",
        "request_changes in_review assessor",
        "approve in_review assessor",
        "reject in_review assessor",
      ].sort(),
    );
  });

  it.each([
    ["approve", "in_review", "supplier", "Only assessors can approve a submission."],
    ["submit", "draft", "assessor", "Only suppliers can submit a submission."],
    ["withdraw", "submitted", "admin", "Only suppliers can withdraw a submission."],
    ["reject", "in_review", "retailer", "Only assessors can reject a submission."],
    ["approve", "submitted", "assessor", "A submission that is submitted cannot be approved."],
    ["submit", "approved", "supplier", "A submission that is approved cannot be submitted."],
    ["withdraw", "in_review", "supplier", "A submission that is in review cannot be withdrawn."],
    ["resubmit", "draft", "supplier", "A submission that is draft cannot be resubmitted."],
    ["start_review", "in_review", "assessor", "A submission that is in review cannot be taken for review."],
    [
      "request_changes",
      "changes_requested",
      "assessor",
      "A submission that is changes requested cannot be sent back for changes.",
    ],
  ] as const)("%s from %s by %s is refused: %s", (t, s, r, reason) => {
    expect(checkTransition(t, s, r)).toEqual({ ok: false, reason });
  });

  it("wrong-role reasons never show the transition's internal name", () => {
    for (const t of ALL_TRANSITIONS) {
      const r = checkTransition(t, EXPECTED[t].from[0], "retailer");
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).not.toContain("_");
    }
  });

  it.each([
    ["start_review", "Only assessors can take a submission for review."],
    ["request_changes", "Only assessors can send a submission back for changes."],
  ] as const)("the wrong-role reason for %s is a sentence", (t, reason) => {
    expect(checkTransition(t, EXPECTED[t].from[0], "supplier")).toEqual({ ok: false, reason });
  });

  it("the role is checked before the status (a wrong role in a wrong status hears about the role)", () => {
    expect(checkTransition("approve", "draft", "supplier")).toEqual({
      ok: false,
      reason: "Only assessors can approve a submission.",
    });
  });
});

describe("available transitions", () => {
  // status -> role -> transitions offered, in TRANSITIONS order
  const table: Record<SubmissionStatus, Partial<Record<Role, Transition[]>>> = {
    draft: { supplier: ["submit", "withdraw"] },
    submitted: { supplier: ["withdraw"], assessor: ["start_review"] },
    in_review: { assessor: ["release", "request_changes", "approve", "reject"] },
    changes_requested: { supplier: ["resubmit", "withdraw"] },
    approved: {},
    rejected: {},
    withdrawn: {},
  };
  const rows = SUBMISSION_STATUSES.flatMap((s) => ROLES.map((r) => [s, r, table[s][r] ?? []] as const));
  it.each(rows)("%s, %s: %j", (status, role, expected) => {
    expect(availableTransitions(status, role)).toEqual(expected);
  });

  it("retailers and admins never get a transition", () => {
    for (const s of SUBMISSION_STATUSES) {
      expect(availableTransitions(s, "retailer")).toEqual([]);
      expect(availableTransitions(s, "admin")).toEqual([]);
    }
  });
});

describe("deleting, editing and openness", () => {
  const table: [SubmissionStatus, boolean, "all" | "reopened" | "none", boolean][] = [
    // status, canDelete, editableScope, isOpen
    ["draft", true, "all", true],
    ["submitted", false, "none", true],
    ["in_review", false, "none", true],
    ["changes_requested", false, "reopened", true],
    ["approved", false, "none", false],
    ["rejected", false, "none", false],
    ["withdrawn", false, "none", false],
  ];

  it("the table covers every status", () => {
    expect(table.map((r) => r[0])).toEqual([...SUBMISSION_STATUSES]);
  });

  it.each(table)("%s: canDelete %s, editable %s, open %s", (status, del, scope, open) => {
    expect(canDelete(status)).toBe(del);
    expect(editableScope(status)).toBe(scope);
    expect(isOpen(status)).toBe(open);
  });

  it("a closed submission offers no transition to anyone", () => {
    for (const s of SUBMISSION_STATUSES.filter((s) => !isOpen(s))) {
      for (const r of ROLES) expect(availableTransitions(s, r)).toEqual([]);
    }
  });
});

describe("readOnlyReason", () => {
  it("after a request for changes, says the requirement was not sent back (not that the submission is frozen)", () => {
    expect(readOnlyReason("changes_requested")).toBe(
      "Read-only: the assessor did not send this requirement back; only the sent-back requirements can be changed.",
    );
  });

  it.each([
    ["submitted", "Read-only: the submission is submitted."],
    ["in_review", "Read-only: the submission is in review."],
    ["approved", "Read-only: the submission is approved."],
    ["withdrawn", "Read-only: the submission is withdrawn."],
  ] as const)("%s: %s", (status, text) => {
    expect(readOnlyReason(status)).toBe(text);
  });
});

describe("submitUnavailableReason", () => {
  it("says a decided submission is finished, not that it is still with the assessors", () => {
    expect(submitUnavailableReason("approved")).toMatch(/^Approved: the assessment is finished/);
    expect(submitUnavailableReason("rejected")).toMatch(/^Rejected: the assessment is finished/);
    expect(submitUnavailableReason("withdrawn")).toMatch(/^Withdrawn: it will not be assessed/);
    for (const s of ["approved", "rejected", "withdrawn"] as const)
      expect(submitUnavailableReason(s)).not.toContain("with the assessors");
  });

  it("says where an open one is: waiting for an assessor, or being reviewed", () => {
    expect(submitUnavailableReason("submitted")).toContain("with the assessors");
    expect(submitUnavailableReason("in_review")).toContain("an assessor is reviewing");
  });

  it("has a sentence for every status", () => {
    for (const s of SUBMISSION_STATUSES) expect(submitUnavailableReason(s)).toMatch(/\.$/);
  });
});
