import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import {
  BY_HAND_UNTIL_ACCEPTED,
  consequenceWords,
  DEFAULT_RECURRING_GRACE_DAYS,
  expiresFirst,
  recurringClockStart,
  DUE_SOON_DAYS,
  lastAcceptedAt,
  overdueRecurring,
  recurringDueAt,
  recurringStanding,
  recurringStandingWithPending,
  recurringSuspensionReason,
  type RecurringRequirement,
} from "../../../app/features/monitoring/domain/recurring";

const at = (iso: string) => new Date(iso);
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

const ISSUED = at("2027-01-10T09:30:00Z");
const SCAN: RecurringRequirement = {
  ref: "5.2-1",
  title: "Vulnerability disclosure policy operated",
  everyDays: 90,
  lastAcceptedAt: ISSUED,
};
const DUE = at("2027-04-10T09:30:00Z"); // 90 × 24 h after ISSUED
const GRACE_END = at("2027-04-24T09:30:00Z"); // + 14 × 24 h

describe("constants", () => {
  it("default to a 14-day grace and a 30-day due-soon window", () => {
    expect(DEFAULT_RECURRING_GRACE_DAYS).toBe(14);
    expect(DUE_SOON_DAYS).toBe(30);
  });
});

describe("recurringDueAt", () => {
  it("adds exact 24-hour days in UTC", () => {
    expect(recurringDueAt(ISSUED, 90)).toEqual(DUE);
    expect(recurringDueAt(ISSUED, 1)).toEqual(at("2027-01-11T09:30:00Z"));
    // across the EU/US daylight-saving change: still exact 24 h days
    expect(recurringDueAt(at("2027-03-01T00:00:00Z"), 60).getTime() - at("2027-03-01T00:00:00Z").getTime()).toBe(
      60 * DAY_MS,
    );
    expect(recurringDueAt(at("2028-02-28T12:00:00Z"), 2)).toEqual(at("2028-03-01T12:00:00Z")); // leap year
  });

  it("rejects a period that is not a positive whole number of days", () => {
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => recurringDueAt(ISSUED, n), String(n)).toThrow(RangeError);
    }
  });

  it("rejects an invalid date", () => {
    expect(() => recurringDueAt(new Date("nope"), 90)).toThrow(RangeError);
  });

  it("does not alter its input", () => {
    const d = at("2027-01-10T09:30:00Z");
    recurringDueAt(d, 90);
    expect(d).toEqual(ISSUED);
  });
});

describe("recurringStanding", () => {
  const g = DEFAULT_RECURRING_GRACE_DAYS;
  const standingAt = (now: Date, grace = g) => recurringStanding(SCAN, grace, now);

  it("reports the requirement, due date and grace end", () => {
    expect(standingAt(at("2027-02-01T00:00:00Z"))).toEqual({
      ref: "5.2-1",
      title: "Vulnerability disclosure policy operated",
      dueAt: DUE,
      graceEndsAt: GRACE_END,
      standing: "fresh",
      daysUntilDue: 68, // 68 days 9.5 h left: whole days, rounded down (wholeDaysLeft)
    });
  });

  it.each([
    ["just after issue", ISSUED, "fresh"],
    ["1 ms before the due-soon window", plus(DUE, -DUE_SOON_DAYS * DAY_MS - 1), "fresh"],
    ["exactly dueAt - 30 days", plus(DUE, -DUE_SOON_DAYS * DAY_MS), "due_soon"],
    ["1 ms before dueAt", plus(DUE, -1), "due_soon"],
    ["exactly at dueAt", DUE, "due_soon"],
    ["dueAt + 1 ms", plus(DUE, 1), "in_grace"],
    ["exactly at graceEndsAt", GRACE_END, "in_grace"],
    ["graceEndsAt + 1 ms", plus(GRACE_END, 1), "overdue"],
    ["a year later", at("2028-01-10T09:30:00Z"), "overdue"],
  ] as const)("%s: %s", (_label, now, standing) => {
    expect(standingAt(now).standing).toBe(standing);
  });

  it("counts whole days until due, rounded down as a report's clock, negative once past", () => {
    expect(standingAt(plus(DUE, -DUE_SOON_DAYS * DAY_MS)).daysUntilDue).toBe(30);
    expect(standingAt(plus(DUE, -DAY_MS - 1)).daysUntilDue).toBe(1);
    expect(standingAt(plus(DUE, -DAY_MS)).daysUntilDue).toBe(1);
    expect(standingAt(plus(DUE, -1)).daysUntilDue).toBe(0);
    expect(Object.is(standingAt(DUE).daysUntilDue, 0)).toBe(true);
    expect(standingAt(plus(DUE, 1)).daysUntilDue).toBe(-1);
    expect(standingAt(plus(DUE, DAY_MS)).daysUntilDue).toBe(-1);
    expect(standingAt(plus(DUE, DAY_MS + 1)).daysUntilDue).toBe(-2);
    expect(standingAt(GRACE_END).daysUntilDue).toBe(-14);
  });

  it("with no grace, is overdue 1 ms after the due date (never in grace)", () => {
    const s = standingAt(DUE, 0);
    expect(s.graceEndsAt).toEqual(DUE);
    expect(s.standing).toBe("due_soon");
    expect(standingAt(plus(DUE, 1), 0).standing).toBe("overdue");
  });

  it("uses a custom grace period", () => {
    const s = standingAt(plus(DUE, 20 * DAY_MS), 30);
    expect(s.graceEndsAt).toEqual(plus(DUE, 30 * DAY_MS));
    expect(s.standing).toBe("in_grace");
    expect(standingAt(plus(DUE, 30 * DAY_MS), 30).standing).toBe("in_grace");
    expect(standingAt(plus(DUE, 30 * DAY_MS + 1), 30).standing).toBe("overdue");
    expect(standingAt(plus(DUE, 20 * DAY_MS), 7).standing).toBe("overdue");
  });

  it("is due soon from the start when the period is shorter than the due-soon window", () => {
    const weekly = { ...SCAN, everyDays: 7 };
    expect(recurringStanding(weekly, g, ISSUED).standing).toBe("due_soon");
  });

  it("rejects a bad grace, period or time", () => {
    for (const grace of [-1, 1.5, Number.NaN]) expect(() => standingAt(DUE, grace)).toThrow(RangeError);
    expect(() => recurringStanding({ ...SCAN, everyDays: 0 }, g, DUE)).toThrow(RangeError);
    expect(() => standingAt(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("overdueRecurring", () => {
  const reqs: RecurringRequirement[] = [
    {
      ref: "5.3-2",
      title: "Quarterly external vulnerability scan of the cloud back end",
      everyDays: 90,
      lastAcceptedAt: ISSUED,
    },
    { ref: "5.2-1", title: "Vulnerability disclosure policy operated", everyDays: 30, lastAcceptedAt: ISSUED },
    { ref: "5.6-1", title: "Annual penetration test", everyDays: 365, lastAcceptedAt: ISSUED },
  ];

  it("returns the overdue ones, in the order given", () => {
    // 2027-03-01: the 30-day one was due 2027-02-09, grace ended 2027-02-23
    expect(overdueRecurring(reqs, 14, at("2027-03-01T00:00:00Z")).map((r) => r.ref)).toEqual(["5.2-1"]);
    expect(overdueRecurring(reqs, 14, plus(GRACE_END, 1)).map((r) => r.ref)).toEqual(["5.3-2", "5.2-1"]);
    expect(overdueRecurring(reqs, 14, ISSUED)).toEqual([]);
    expect(overdueRecurring([], 14, ISSUED)).toEqual([]);
  });

  it("clears once fresh evidence moves the clock", () => {
    const now = plus(GRACE_END, DAY_MS);
    const renewed = reqs.map((r) => ({
      ...r,
      lastAcceptedAt: lastAcceptedAt(ISSUED, [{ submittedAt: plus(now, -DAY_MS) }]),
    }));
    expect(overdueRecurring(renewed, 14, now)).toEqual([]);
  });
});

describe("recurringSuspensionReason", () => {
  it("names one overdue requirement exactly", () => {
    expect(recurringSuspensionReason([{ ref: "5.2-1", title: "Vulnerability disclosure policy operated" }])).toBe(
      "Recurring evidence overdue: 5.2-1 Vulnerability disclosure policy operated.",
    );
  });

  it("joins several with '; '", () => {
    expect(
      recurringSuspensionReason([
        { ref: "5.2-1", title: "Vulnerability disclosure policy operated" },
        { ref: "5.3-2", title: "Quarterly external vulnerability scan of the cloud back end" },
      ]),
    ).toBe(
      "Recurring evidence overdue: 5.2-1 Vulnerability disclosure policy operated; Recurring evidence overdue: 5.3-2 Quarterly external vulnerability scan of the cloud back end.",
    );
  });

  it("accepts full requirements (from overdueRecurring)", () => {
    expect(recurringSuspensionReason([SCAN])).toBe(
      "Recurring evidence overdue: 5.2-1 Vulnerability disclosure policy operated.",
    );
  });

  it("has no reason for nothing overdue", () => {
    expect(() => recurringSuspensionReason([])).toThrow(RangeError);
  });
});

describe("lastAcceptedAt", () => {
  it("is the issue time when no later evidence was accepted", () => {
    expect(lastAcceptedAt(ISSUED, [])).toEqual(ISSUED);
  });

  it("ignores evidence submitted before the seal was issued", () => {
    expect(
      lastAcceptedAt(ISSUED, [{ submittedAt: at("2026-12-01T00:00:00Z") }, { submittedAt: plus(ISSUED, -1) }]),
    ).toEqual(ISSUED);
  });

  it("is the latest submission time of accepted evidence, in any order", () => {
    const accepted = [
      { submittedAt: at("2027-04-01T10:00:00Z") },
      { submittedAt: at("2027-07-02T08:00:00Z") },
      { submittedAt: at("2026-11-01T00:00:00Z") },
      { submittedAt: at("2027-05-15T00:00:00Z") },
    ];
    expect(lastAcceptedAt(ISSUED, accepted)).toEqual(at("2027-07-02T08:00:00Z"));
  });

  it("counts from submission, so the next due date follows the submission", () => {
    const submittedAt = at("2027-04-20T00:00:00Z"); // accepted by the assessor days later; that does not matter
    const last = lastAcceptedAt(ISSUED, [{ submittedAt }]);
    expect(recurringDueAt(last, 90)).toEqual(at("2027-07-19T00:00:00Z"));
  });

  it("returns a new Date and rejects invalid dates", () => {
    const last = lastAcceptedAt(ISSUED, []);
    expect(last).not.toBe(ISSUED);
    expect(() => lastAcceptedAt(new Date(Number.NaN), [])).toThrow(RangeError);
    expect(() => lastAcceptedAt(ISSUED, [{ submittedAt: new Date(Number.NaN) }])).toThrow(RangeError);
  });
});

describe("recurringStandingWithPending", () => {
  const graceEndsAt = new Date("2027-03-29T00:00:00Z");
  const at = (iso: string) => new Date(iso);

  it("evidence sent before the grace period ended is with an assessor, not overdue, however long it waits", () => {
    for (const standing of ["in_grace", "overdue"] as const)
      expect(recurringStandingWithPending({ standing, graceEndsAt }, at("2027-03-20T10:00:00Z"))).toBe(
        "awaiting_decision",
      );
    expect(recurringStandingWithPending({ standing: "overdue", graceEndsAt }, graceEndsAt)).toBe("awaiting_decision");
  });

  it("evidence sent after the grace period ended changes nothing: still overdue", () => {
    expect(recurringStandingWithPending({ standing: "overdue", graceEndsAt }, at("2027-03-29T00:00:01Z"))).toBe(
      "overdue",
    );
  });

  it("before the due date, or with nothing waiting, the standing is unchanged", () => {
    for (const standing of ["fresh", "due_soon"] as const)
      expect(recurringStandingWithPending({ standing, graceEndsAt }, at("2027-01-01T00:00:00Z"))).toBe(standing);
    expect(recurringStandingWithPending({ standing: "in_grace", graceEndsAt }, null)).toBe("in_grace");
  });
});

describe("recurringClockStart: a re-certification does not restart a clock by itself", () => {
  const REPLACED_LAST = at("2026-09-01T08:00:00Z"); // the replaced seal's last accepted evidence (or issue)

  it("a verdict carried over unreviewed continues the replaced seal's clock, overdue and all", () => {
    expect(recurringClockStart(ISSUED, true, REPLACED_LAST)).toEqual({ start: REPLACED_LAST, continued: true });
    // 90 days + 14 of grace from 2026-09-01 ended long before the new seal's issue: still overdue at once.
    const s = recurringStanding({ ...SCAN, lastAcceptedAt: REPLACED_LAST }, 14, plus(ISSUED, 60_000));
    expect(s.standing).toBe("overdue");
  });

  it("a requirement reviewed afresh (or a seal that replaced none) starts at the issue", () => {
    expect(recurringClockStart(ISSUED, false, REPLACED_LAST)).toEqual({ start: ISSUED, continued: false });
    expect(recurringClockStart(ISSUED, true, null)).toEqual({ start: ISSUED, continued: false });
    expect(recurringStanding(SCAN, 14, plus(ISSUED, 60_000)).standing).toBe("fresh");
  });

  it("rejects invalid dates", () => {
    expect(() => recurringClockStart(new Date(Number.NaN), false, null)).toThrow(RangeError);
    expect(() => recurringClockStart(ISSUED, true, new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("expiresFirst: a grace period that outlasts the seal can never suspend it", () => {
  it("true when the grace period ends at or after the seal's expiry", () => {
    expect(expiresFirst({ graceEndsAt: GRACE_END }, GRACE_END)).toBe(true);
    expect(expiresFirst({ graceEndsAt: GRACE_END }, plus(GRACE_END, -1))).toBe(true);
    expect(expiresFirst({ graceEndsAt: GRACE_END }, plus(GRACE_END, 1))).toBe(false);
    expect(() => expiresFirst({ graceEndsAt: GRACE_END }, new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("consequenceWords: what a standing (nothing waiting) means for the seal", () => {
  const VALID_UNTIL = at("2028-01-10T09:30:00Z");
  const s = (standing: "fresh" | "due_soon" | "in_grace" | "overdue") => ({
    standing,
    dueAt: DUE,
    graceEndsAt: GRACE_END,
  });

  it("overdue: the seal will be suspended, or is", () => {
    expect(consequenceWords(s("overdue"), { suspended: false, validUntil: VALID_UNTIL })).toBe(
      "Its grace period ended on 24 Apr 2027: the seal will be suspended until accepted evidence arrives.",
    );
    expect(consequenceWords(s("overdue"), { suspended: true, suspendedBy: "automatic", validUntil: VALID_UNTIL })).toBe(
      "Its grace period ended on 24 Apr 2027: the seal is suspended while this evidence is overdue.",
    );
  });

  it("a seal suspended by hand: accepted evidence alone does not reinstate it", () => {
    expect(consequenceWords(s("overdue"), { suspended: true, suspendedBy: "manual", validUntil: VALID_UNTIL })).toBe(
      `Its grace period ended on 24 Apr 2027: ${BY_HAND_UNTIL_ACCEPTED}`,
    );
    expect(BY_HAND_UNTIL_ACCEPTED).toBe(
      "the seal, suspended by an assessor, cannot be reinstated while this evidence is overdue; once accepted evidence arrives (and nothing else holds it), an assessor can reinstate it.",
    );
    expect(consequenceWords(s("in_grace"), { suspended: true, suspendedBy: "manual", validUntil: VALID_UNTIL })).toBe(
      "It was due on 10 Apr 2027. New evidence must be sent before the grace period ends on 24 Apr 2027, or the seal, suspended by an assessor, cannot be reinstated until accepted evidence arrives.",
    );
  });

  it("suspended, by whom not said: words that hold for either", () => {
    const words = consequenceWords(s("overdue"), { suspended: true, validUntil: VALID_UNTIL });
    expect(words).toBe(
      "Its grace period ended on 24 Apr 2027: the seal is suspended, and stays suspended at least until accepted evidence arrives.",
    );
    expect(words).not.toContain("while this evidence is overdue");
  });

  it("in grace: names the grace period's end; not yet due: the due date", () => {
    expect(consequenceWords(s("in_grace"), { suspended: false, validUntil: VALID_UNTIL })).toBe(
      "It was due on 10 Apr 2027. New evidence must be sent before the grace period ends on 24 Apr 2027, or the seal will be suspended for it.",
    );
    expect(consequenceWords(s("due_soon"), { suspended: false, validUntil: VALID_UNTIL })).toMatch(
      /^It is due on 10 Apr 2027\. New evidence must be sent before the grace period ends on 24 Apr 2027/,
    );
  });

  it("never says the seal will be suspended when it expires first", () => {
    const grace = consequenceWords(s("in_grace"), { suspended: false, validUntil: plus(GRACE_END, -DAY_MS) });
    expect(grace).toBe(
      "It was due on 10 Apr 2027; the seal expires on 23 Apr 2027, before the grace period ends, so it will not be suspended for this.",
    );
    const later = consequenceWords(s("due_soon"), { suspended: false, validUntil: plus(DUE, -DAY_MS) });
    expect(later).toBe(
      "It is due on 10 Apr 2027, after the seal expires on 9 Apr 2027: this seal will not be suspended for it.",
    );
  });
});
