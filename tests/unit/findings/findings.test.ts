import { describe, expect, it } from "vitest";
import {
  availableFindingActions,
  blocksSeal,
  checkFixedInVersion,
  clockOf,
  DAY_MS,
  deadlineEffects,
  disclosureDeadline,
  extendDeadline,
  FINDING_ACTIONS,
  FINDING_STATUS_LABELS,
  FINDING_STATUSES,
  isOpen,
  MAX_EXTENSION_DAYS,
  nextFindingStatus,
  SEVERITIES,
  SEVERITY_LABELS,
  severityOfCvssScore,
  type DisclosureDays,
  type FindingAction,
  type FindingStatus,
} from "../../../app/features/findings/domain/findings";
import { ROLES, type Role } from "../../../app/platform/roles";

const ETSI: DisclosureDays = { critical: 30, high: 90, medium: 90, low: 180 };
const at = (iso: string) => new Date(iso);
const HOUR = 60 * 60 * 1000;

describe("severities", () => {
  it("lists the four severities, most severe first, each labelled", () => {
    expect(SEVERITIES).toEqual(["critical", "high", "medium", "low"]);
    expect(Object.keys(SEVERITY_LABELS).sort()).toEqual([...SEVERITIES].sort());
    expect(SEVERITY_LABELS.critical).toBe("Critical");
  });

  it.each([
    [0, null],
    [0.1, "low"],
    [3.9, "low"],
    [4.0, "medium"],
    [6.9, "medium"],
    [7.0, "high"],
    [8.9, "high"],
    [9.0, "critical"],
    [10, "critical"],
  ] as const)("CVSS %s → %s", (score, severity) => {
    expect(severityOfCvssScore(score)).toBe(severity);
  });

  it("refuses impossible CVSS scores", () => {
    expect(() => severityOfCvssScore(11)).toThrow(RangeError);
    expect(() => severityOfCvssScore(-1)).toThrow(RangeError);
  });
});

describe("disclosureDeadline", () => {
  it.each([
    ["critical", "2027-03-31T14:03:00.000Z"],
    ["high", "2027-05-30T14:03:00.000Z"],
    ["medium", "2027-05-30T14:03:00.000Z"],
    ["low", "2027-08-28T14:03:00.000Z"],
  ] as const)("ETSI %s reported 2027-03-01T14:03Z → %s", (severity, deadline) => {
    expect(disclosureDeadline(at("2027-03-01T14:03:00Z"), severity, ETSI).toISOString()).toBe(deadline);
  });

  it("counts exact 24-hour days, unaffected by daylight saving or leap days", () => {
    // Across the EU/US spring clock change and 29 February 2028.
    expect(disclosureDeadline(at("2028-02-20T23:30:00Z"), "critical", ETSI).toISOString()).toBe(
      "2028-03-21T23:30:00.000Z",
    );
    const reported = at("2026-10-20T08:00:00Z");
    expect(disclosureDeadline(reported, "high", ETSI).getTime() - reported.getTime()).toBe(90 * DAY_MS);
  });

  it("uses the checklist's days, not fixed ones", () => {
    const custom: DisclosureDays = { critical: 7, high: 14, medium: 60, low: 365 };
    expect(disclosureDeadline(at("2027-01-01T00:00:00Z"), "critical", custom).toISOString()).toBe(
      "2027-01-08T00:00:00.000Z",
    );
    expect(disclosureDeadline(at("2027-01-01T00:00:00Z"), "low", custom).toISOString()).toBe(
      "2028-01-01T00:00:00.000Z",
    );
  });

  it("refuses an invalid date or a nonsensical number of days", () => {
    expect(() => disclosureDeadline(new Date("nope"), "high", ETSI)).toThrow(RangeError);
    expect(() => disclosureDeadline(at("2027-01-01T00:00:00Z"), "high", { ...ETSI, high: 0 })).toThrow(
      /disclosure_days\.high/,
    );
    expect(() => disclosureDeadline(at("2027-01-01T00:00:00Z"), "high", { ...ETSI, high: 1.5 })).toThrow(RangeError);
  });

  it("does not change its input", () => {
    const reported = at("2027-03-01T14:03:00Z");
    disclosureDeadline(reported, "critical", ETSI);
    expect(reported.toISOString()).toBe("2027-03-01T14:03:00.000Z");
  });
});

describe("extendDeadline", () => {
  const current = at("2027-05-30T14:03:00Z");
  const reason = "Fix needs a new bootloader; vendor shipping in June.";

  it("moves the deadline later, returning the trimmed reason", () => {
    const r = extendDeadline(current, at("2027-06-30T14:03:00Z"), `  ${reason}  `);
    expect(r).toEqual({ ok: true, deadline: at("2027-06-30T14:03:00Z"), reason });
  });

  it("allows exactly 90 days, not a millisecond more", () => {
    const max = new Date(current.getTime() + MAX_EXTENSION_DAYS * DAY_MS);
    expect(MAX_EXTENSION_DAYS).toBe(90);
    expect(extendDeadline(current, max, reason)).toMatchObject({ ok: true, deadline: max });
    const r = extendDeadline(current, new Date(max.getTime() + 1), reason);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe("One extension adds at most 90 days: the latest new deadline is 2027-08-28.");
  });

  it("allows a one-millisecond extension", () => {
    expect(extendDeadline(current, new Date(current.getTime() + 1), reason).ok).toBe(true);
  });

  it.each([
    ["the same deadline", current, reason, /must be later than the current one \(2027-05-30\)/],
    ["an earlier deadline", at("2027-05-01T00:00:00Z"), reason, /must be later than the current one/],
    ["an invalid date", new Date("invalid"), reason, /valid new deadline/],
    ["no reason", at("2027-06-30T00:00:00Z"), "", /at least 10 characters/],
    ["a short reason", at("2027-06-30T00:00:00Z"), "vendor    ", /at least 10 characters/],
    ["a reason of spaces", at("2027-06-30T00:00:00Z"), " ".repeat(40), /at least 10 characters/],
    ["an overlong reason", at("2027-06-30T00:00:00Z"), "x".repeat(1001), /1000 characters or fewer/],
  ] as const)("refuses %s", (_name, newDeadline, why, message) => {
    const r = extendDeadline(current, newDeadline, why);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("accepts a reason of exactly 10 characters (after trimming)", () => {
    expect(extendDeadline(current, at("2027-06-01T00:00:00Z"), " 0123456789 ").ok).toBe(true);
    expect(extendDeadline(current, at("2027-06-01T00:00:00Z"), "012345678").ok).toBe(false);
  });

  it("refuses when the current deadline is not a date", () => {
    expect(extendDeadline(new Date(NaN), at("2027-06-01T00:00:00Z"), reason)).toMatchObject({ ok: false });
  });

  it("lets repeated extensions each add up to 90 days", () => {
    const first = extendDeadline(current, new Date(current.getTime() + 90 * DAY_MS), reason);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const second = extendDeadline(first.deadline, new Date(first.deadline.getTime() + 90 * DAY_MS), reason);
    expect(second.ok).toBe(true);
  });

  it("returns a copy, not the caller's Date", () => {
    const wanted = at("2027-06-30T14:03:00Z");
    const r = extendDeadline(current, wanted, reason);
    expect(r.ok && r.deadline).not.toBe(wanted);
  });
});

/**
 * The whole lifecycle: for every status and every action, the next status (and the one role
 * that may take it), or null when no role may.
 */
const TRANSITIONS: Record<FindingStatus, Record<FindingAction, [FindingStatus, Role] | null>> = {
  open: {
    acknowledge: ["acknowledged", "supplier"],
    start_fix: ["fix_in_progress", "supplier"],
    mark_fixed: ["fixed", "supplier"],
    verify_fix: null,
    reject_fix: null,
    withdraw: ["withdrawn", "assessor"],
  },
  acknowledged: {
    acknowledge: null,
    start_fix: ["fix_in_progress", "supplier"],
    mark_fixed: ["fixed", "supplier"],
    verify_fix: null,
    reject_fix: null,
    withdraw: ["withdrawn", "assessor"],
  },
  fix_in_progress: {
    acknowledge: null,
    start_fix: null,
    mark_fixed: ["fixed", "supplier"],
    verify_fix: null,
    reject_fix: null,
    withdraw: ["withdrawn", "assessor"],
  },
  fixed: {
    acknowledge: null,
    start_fix: null,
    mark_fixed: null,
    verify_fix: ["verified_fixed", "assessor"],
    reject_fix: ["fix_in_progress", "assessor"],
    withdraw: ["withdrawn", "assessor"],
  },
  verified_fixed: {
    acknowledge: null,
    start_fix: null,
    mark_fixed: null,
    verify_fix: null,
    reject_fix: null,
    withdraw: null,
  },
  withdrawn: {
    acknowledge: null,
    start_fix: null,
    mark_fixed: null,
    verify_fix: null,
    reject_fix: null,
    withdraw: null,
  },
};

const cases = FINDING_STATUSES.flatMap((status) =>
  FINDING_ACTIONS.flatMap((action) =>
    ROLES.map((role) => [status, action, role, TRANSITIONS[status][action]] as const),
  ),
);

describe("nextFindingStatus", () => {
  it("the table covers every status, action and role", () => {
    expect(FINDING_STATUSES).toEqual([
      "open",
      "acknowledged",
      "fix_in_progress",
      "fixed",
      "verified_fixed",
      "withdrawn",
    ]);
    expect(FINDING_ACTIONS).toEqual(["acknowledge", "start_fix", "mark_fixed", "verify_fix", "reject_fix", "withdraw"]);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...FINDING_STATUSES].sort());
    expect(cases).toHaveLength(6 * 6 * 4);
    expect(Object.keys(FINDING_STATUS_LABELS).sort()).toEqual([...FINDING_STATUSES].sort());
  });

  it.each(cases)("%s + %s by %s → %j", (status, action, role, expected) => {
    const r = nextFindingStatus(status, action, role);
    if (expected !== null && expected[1] === role) {
      expect(r).toEqual({ ok: true, status: expected[0] });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
    }
  });

  it("explains a wrong role (a refusal of role), a wrong status and a closed finding (refusals of state)", () => {
    expect(nextFindingStatus("fixed", "verify_fix", "supplier")).toEqual({
      ok: false,
      refusal: "role",
      message: "Only assessors can verify a fix.",
    });
    expect(nextFindingStatus("open", "acknowledge", "assessor")).toEqual({
      ok: false,
      refusal: "role",
      message: "Only suppliers can acknowledge a finding.",
    });
    expect(nextFindingStatus("open", "verify_fix", "assessor")).toEqual({
      ok: false,
      refusal: "state",
      message: "A finding that is open cannot be verified fixed.",
    });
    expect(nextFindingStatus("fix_in_progress", "acknowledge", "supplier")).toEqual({
      ok: false,
      refusal: "state",
      message: "A finding that is fix in progress cannot be acknowledged.",
    });
    expect(nextFindingStatus("withdrawn", "mark_fixed", "supplier")).toEqual({
      ok: false,
      refusal: "state",
      message: "This finding is withdrawn; it is closed.",
    });
    expect(nextFindingStatus("verified_fixed", "withdraw", "assessor")).toEqual({
      ok: false,
      refusal: "state",
      message: "This finding is verified fixed; it is closed.",
    });
    expect(nextFindingStatus("open", "withdraw", "retailer")).toEqual({
      ok: false,
      refusal: "role",
      message: "Only assessors can withdraw a finding.",
    });
  });

  it("walks the happy path and a rejected fix", () => {
    const path: [FindingAction, Role][] = [
      ["acknowledge", "supplier"],
      ["start_fix", "supplier"],
      ["mark_fixed", "supplier"],
      ["reject_fix", "assessor"],
      ["mark_fixed", "supplier"],
      ["verify_fix", "assessor"],
    ];
    let status: FindingStatus = "open";
    const seen: FindingStatus[] = [status];
    for (const [action, role] of path) {
      const r = nextFindingStatus(status, action, role);
      if (!r.ok) throw new Error(r.message);
      status = r.status;
      seen.push(status);
    }
    expect(seen).toEqual([
      "open",
      "acknowledged",
      "fix_in_progress",
      "fixed",
      "fix_in_progress",
      "fixed",
      "verified_fixed",
    ]);
  });
});

describe("availableFindingActions", () => {
  it.each([
    ["open", "supplier", ["acknowledge", "start_fix", "mark_fixed"]],
    ["open", "assessor", ["withdraw"]],
    ["acknowledged", "supplier", ["start_fix", "mark_fixed"]],
    ["fix_in_progress", "supplier", ["mark_fixed"]],
    ["fixed", "supplier", []],
    ["fixed", "assessor", ["verify_fix", "reject_fix", "withdraw"]],
    ["verified_fixed", "assessor", []],
    ["withdrawn", "supplier", []],
    ["open", "retailer", []],
    ["fixed", "admin", []],
  ] as const)("%s for a %s: %j", (status, role, actions) => {
    expect(availableFindingActions(status, role)).toEqual(actions);
  });
});

describe("isOpen", () => {
  it.each([
    ["open", true],
    ["acknowledged", true],
    ["fix_in_progress", true],
    ["fixed", true],
    ["verified_fixed", false],
    ["withdrawn", false],
  ] as const)("%s → %s", (status, open) => {
    expect(isOpen(status)).toBe(open);
  });

  it("closed statuses admit no action at all", () => {
    for (const status of FINDING_STATUSES.filter((s) => !isOpen(s))) {
      for (const role of ROLES) expect(availableFindingActions(status, role)).toEqual([]);
    }
  });
});

describe("checkFixedInVersion", () => {
  it("trims and accepts a version", () => {
    expect(checkFixedInVersion(" 3.2.1 ")).toEqual({ ok: true, version: "3.2.1" });
  });
  it("refuses empty and overlong versions", () => {
    expect(checkFixedInVersion("   ")).toMatchObject({ ok: false, message: expect.stringMatching(/firmware version/) });
    expect(checkFixedInVersion("1".repeat(101))).toMatchObject({ ok: false });
    expect(checkFixedInVersion("1".repeat(100)).ok).toBe(true);
  });
});

describe("blocksSeal", () => {
  const deadline = at("2027-05-30T14:03:00Z");
  const before = new Date(deadline.getTime() - 1);
  const after = new Date(deadline.getTime() + 1);

  const table = SEVERITIES.flatMap((severity) =>
    FINDING_STATUSES.flatMap((status) =>
      (
        [
          ["before", before],
          ["at", deadline],
          ["after", after],
        ] as const
      ).map(
        ([when, now]) =>
          [
            severity,
            status,
            when,
            now,
            (severity === "critical" || severity === "high") && isOpen(status) && when === "after",
          ] as const,
      ),
    ),
  );

  it("the table covers 4 severities × 6 statuses × 3 moments", () => {
    expect(table).toHaveLength(72);
    expect(table.filter((r) => r[4])).toHaveLength(2 * 4);
  });

  it.each(table)("%s, %s, %s the deadline → %s", (severity, status, _when, now, blocks) => {
    expect(blocksSeal({ severity, status, deadline }, now)).toBe(blocks);
  });

  it("a fix awaiting verification still blocks once overdue; a verified one does not", () => {
    const now = new Date(deadline.getTime() + 5 * DAY_MS);
    expect(blocksSeal({ severity: "critical", status: "fixed", deadline }, now)).toBe(true);
    expect(blocksSeal({ severity: "critical", status: "verified_fixed", deadline }, now)).toBe(false);
  });

  it("an extension lifts the block", () => {
    const now = new Date(deadline.getTime() + 2 * DAY_MS);
    const ext = extendDeadline(
      deadline,
      new Date(deadline.getTime() + 30 * DAY_MS),
      "Awaiting the chipset vendor's patched SDK.",
    );
    expect(blocksSeal({ severity: "high", status: "fix_in_progress", deadline }, now)).toBe(true);
    expect(ext.ok && blocksSeal({ severity: "high", status: "fix_in_progress", deadline: ext.deadline }, now)).toBe(
      false,
    );
  });
});

describe("clockOf", () => {
  const deadline = at("2027-05-30T14:03:00Z");
  const now = (offsetMs: number) => new Date(deadline.getTime() - offsetMs);

  it.each([
    ["90 days before", 90 * DAY_MS, 90, false, "90 days left"],
    ["12 days and 3 hours before", 12 * DAY_MS + 3 * HOUR, 12, false, "12 days left"],
    ["just under 12 days before", 12 * DAY_MS - 1, 11, false, "11 days left"],
    ["2 days before", 2 * DAY_MS, 2, false, "2 days left"],
    ["exactly 1 day before", DAY_MS, 1, false, "1 day left"],
    ["23 hours before", 23 * HOUR, 0, false, "less than a day left"],
    ["1 ms before", 1, 0, false, "less than a day left"],
    ["at the deadline", 0, 0, false, "due now"],
    ["1 ms after", -1, -1, true, "1 day overdue"],
    ["23 hours after", -23 * HOUR, -1, true, "1 day overdue"],
    ["exactly 1 day after", -DAY_MS, -1, true, "1 day overdue"],
    ["1 day and 1 ms after", -DAY_MS - 1, -2, true, "2 days overdue"],
    ["2 days and 22 hours after", -3 * DAY_MS + 2 * HOUR, -3, true, "3 days overdue"],
    ["39 days and 23 hours after", -40 * DAY_MS + HOUR, -40, true, "40 days overdue"],
  ])("%s: %s days left, overdue %s, “%s”", (_name, offset, daysLeft, overdue, label) => {
    expect(clockOf(deadline, now(offset))).toEqual({ daysLeft, overdue, label });
  });

  it("is overdue exactly when blocksSeal would block a critical open finding, and daysLeft < 0 exactly then", () => {
    for (let offset = -3 * DAY_MS; offset <= 3 * DAY_MS; offset += HOUR / 2) {
      const n = now(offset);
      const c = clockOf(deadline, n);
      expect(c.overdue).toBe(blocksSeal({ severity: "critical", status: "open", deadline }, n));
      expect(c.daysLeft < 0).toBe(c.overdue);
    }
  });

  it("reads the ETSI critical clock from report to deadline", () => {
    const reported = at("2027-03-01T14:03:00Z");
    const due = disclosureDeadline(reported, "critical", ETSI);
    expect(clockOf(due, reported).label).toBe("30 days left");
    expect(clockOf(due, new Date(reported.getTime() + HOUR)).label).toBe("29 days left");
    expect(clockOf(due, new Date(due.getTime() + 3 * DAY_MS)).label).toBe("3 days overdue");
  });
});

describe("deadlineEffects: what the deadline still does (the reminders follow it)", () => {
  const deadline = at("2027-05-30T14:03:00Z");

  it("suspends exactly when blocksSeal would just after the deadline: a claimed fix or an early publication does not stop it", () => {
    for (const severity of SEVERITIES)
      for (const status of FINDING_STATUSES)
        for (const publishedAt of [null, at("2027-05-01T00:00:00Z")])
          expect(deadlineEffects({ severity, status, deadline, publishedAt }).suspends).toBe(
            blocksSeal({ severity, status, deadline }, new Date(deadline.getTime() + 1)),
          );
    expect(deadlineEffects({ severity: "critical", status: "fixed", deadline, publishedAt: null })).toEqual({
      suspends: true,
      publishes: true,
    });
  });

  it("publishes while open and not published early; nothing at all for a closed report or a low one published early", () => {
    const published = at("2027-05-01T00:00:00Z");
    expect(deadlineEffects({ severity: "high", status: "open", deadline, publishedAt: published })).toEqual({
      suspends: true,
      publishes: false,
    });
    expect(deadlineEffects({ severity: "low", status: "fixed", deadline, publishedAt: null })).toEqual({
      suspends: false,
      publishes: true,
    });
    expect(deadlineEffects({ severity: "low", status: "open", deadline, publishedAt: published })).toEqual({
      suspends: false,
      publishes: false,
    });
    for (const status of ["verified_fixed", "withdrawn"] as const)
      expect(deadlineEffects({ severity: "critical", status, deadline, publishedAt: null })).toEqual({
        suspends: false,
        publishes: false,
      });
  });
});
