// The reminder thresholds (pure): which one is due at a time, the most urgent only, at the exact
// edges (a threshold is reached when at most that many 24-hour days are left), and bad input refused.
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import {
  deadlineThreshold,
  keyRotationDue,
  MAIL_FAILING_AFTER_MS,
  mailFailing,
  recurringThreshold,
  REPORT_ASSESSOR_DAYS,
  REPORT_SUPPLIER_DAYS,
  sealExpiryThreshold,
  thresholdWords,
} from "../../../app/features/notifications/domain/reminders";

const deadline = new Date("2026-12-13T00:00:00Z");
const before = (ms: number) => new Date(deadline.getTime() - ms);

describe("deadlineThreshold: a report's disclosure deadline", () => {
  it("is null until 14 days are left, then the most urgent threshold reached", () => {
    expect(deadlineThreshold(deadline, before(14 * DAY_MS + 1), REPORT_SUPPLIER_DAYS)).toBeNull();
    expect(deadlineThreshold(deadline, before(14 * DAY_MS), REPORT_SUPPLIER_DAYS)).toBe("14d");
    expect(deadlineThreshold(deadline, before(10 * DAY_MS), REPORT_SUPPLIER_DAYS)).toBe("14d");
    expect(deadlineThreshold(deadline, before(7 * DAY_MS + 1), REPORT_SUPPLIER_DAYS)).toBe("14d");
    expect(deadlineThreshold(deadline, before(7 * DAY_MS), REPORT_SUPPLIER_DAYS)).toBe("7d");
    expect(deadlineThreshold(deadline, before(5 * DAY_MS), REPORT_SUPPLIER_DAYS)).toBe("7d"); // not 14d as well
    expect(deadlineThreshold(deadline, before(DAY_MS), REPORT_SUPPLIER_DAYS)).toBe("1d");
    expect(deadlineThreshold(deadline, before(1), REPORT_SUPPLIER_DAYS)).toBe("1d");
  });

  it("says 'passed' at and after the deadline only when asked (the supplier), nothing otherwise (the assessors)", () => {
    expect(deadlineThreshold(deadline, deadline, REPORT_SUPPLIER_DAYS, { passed: true })).toBe("passed");
    expect(deadlineThreshold(deadline, before(-40 * DAY_MS), REPORT_SUPPLIER_DAYS, { passed: true })).toBe("passed");
    expect(deadlineThreshold(deadline, deadline, REPORT_ASSESSOR_DAYS)).toBeNull();
    expect(deadlineThreshold(deadline, before(8 * DAY_MS), REPORT_ASSESSOR_DAYS)).toBeNull();
    expect(deadlineThreshold(deadline, before(7 * DAY_MS), REPORT_ASSESSOR_DAYS)).toBe("7d");
    expect(deadlineThreshold(deadline, before(1), REPORT_ASSESSOR_DAYS)).toBe("7d");
  });

  it("refuses invalid dates", () => {
    expect(() => deadlineThreshold(new Date(Number.NaN), deadline, [7])).toThrow(RangeError);
  });
});

describe("recurringThreshold: recurring evidence", () => {
  const due = deadline;
  const graceEnds = new Date(due.getTime() + 14 * DAY_MS);
  it("30 and 7 days before due, in grace after it, overdue after the grace period", () => {
    expect(recurringThreshold(due, graceEnds, before(31 * DAY_MS))).toBeNull();
    expect(recurringThreshold(due, graceEnds, before(30 * DAY_MS))).toBe("30d");
    expect(recurringThreshold(due, graceEnds, before(10 * DAY_MS))).toBe("30d");
    expect(recurringThreshold(due, graceEnds, before(7 * DAY_MS))).toBe("7d");
    expect(recurringThreshold(due, graceEnds, due)).toBe("7d"); // exactly at due: not yet in grace
    expect(recurringThreshold(due, graceEnds, new Date(due.getTime() + 1))).toBe("grace");
    expect(recurringThreshold(due, graceEnds, graceEnds)).toBe("grace");
    expect(recurringThreshold(due, graceEnds, new Date(graceEnds.getTime() + 1))).toBe("overdue");
  });
  it("goes straight from due to overdue with a grace of 0 days", () => {
    expect(recurringThreshold(due, due, new Date(due.getTime() + 1))).toBe("overdue");
  });
});

describe("sealExpiryThreshold", () => {
  it("60 and 30 days before the seal's validity ends; nothing once expired", () => {
    expect(sealExpiryThreshold(deadline, before(61 * DAY_MS))).toBeNull();
    expect(sealExpiryThreshold(deadline, before(60 * DAY_MS))).toBe("60d");
    expect(sealExpiryThreshold(deadline, before(31 * DAY_MS))).toBe("60d");
    expect(sealExpiryThreshold(deadline, before(30 * DAY_MS))).toBe("30d");
    expect(sealExpiryThreshold(deadline, deadline)).toBeNull();
  });
});

describe("keyRotationDue and mailFailing", () => {
  const created = new Date("2025-01-01T00:00:00Z");
  it("a key is due once strictly older than its rotation period", () => {
    expect(keyRotationDue(created, 365, new Date(created.getTime() + 365 * DAY_MS))).toBe(false);
    expect(keyRotationDue(created, 365, new Date(created.getTime() + 365 * DAY_MS + 1))).toBe(true);
    expect(() => keyRotationDue(created, 0, created)).toThrow(RangeError);
    expect(() => keyRotationDue(created, 1.5, created)).toThrow(RangeError);
  });
  it("mail is failing once its oldest undelivered, tried mail is an hour old", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    expect(mailFailing(null, now)).toBe(false);
    expect(mailFailing(new Date(now.getTime() - MAIL_FAILING_AFTER_MS + 1), now)).toBe(false);
    expect(mailFailing(new Date(now.getTime() - MAIL_FAILING_AFTER_MS), now)).toBe(true);
  });
});

describe("words", () => {
  it("names thresholds", () => {
    expect(thresholdWords("1d")).toBe("1 day");
    expect(thresholdWords("14d")).toBe("14 days");
  });
});
