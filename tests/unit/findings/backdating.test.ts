import { describe, expect, it } from "vitest";
import {
  backdatingWarnings,
  isOverAYearAgo,
  unconfirmedWarnings,
} from "../../../app/features/findings/domain/backdating";
import { DAY_MS, disclosureDeadline } from "../../../app/features/findings/domain/findings";

const at = (iso: string) => new Date(iso);
const NOW = at("2026-12-03T10:00:00Z");
const DAYS = { critical: 30, high: 90, medium: 90, low: 180 };
const report = (reportedOn: string, severity: "critical" | "high" | "medium" | "low" = "high") => {
  const reportedAt = at(`${reportedOn}T00:00:00Z`);
  return { reportedAt, deadline: disclosureDeadline(reportedAt, severity, DAYS), severity, now: NOW };
};

describe("backdatingWarnings", () => {
  it("says nothing for a report recorded the day it came in, or whose deadline is more than a day away", () => {
    expect(backdatingWarnings(report("2026-12-03"))).toEqual([]);
    expect(backdatingWarnings(report("2026-09-06"))).toEqual([]); // deadline 2026-12-05T00:00Z: 38 h away
  });

  it("warns that a report whose deadline has passed will be public at once, naming the deadline", () => {
    const w = backdatingWarnings(report("2026-08-01"));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ field: "confirmPublic", kind: "deadline_passed" });
    expect(w[0].message).toContain("This report will be public at once: its disclosure deadline 2026-10-30 has passed");
    expect(w[0].message).toContain("the seals of the affected versions are suspended");
    // Medium and low reports do not suspend seals: the warning does not say they do.
    expect(backdatingWarnings(report("2026-08-01", "medium"))[0].message).not.toContain("suspended");
  });

  it("warns when the deadline is due within a day (at most 24 h), and not a moment earlier", () => {
    const base = report("2026-09-04"); // deadline 2026-12-03T00:00Z: 10 h ago
    expect(backdatingWarnings(base)[0].kind).toBe("deadline_passed");
    const inADay = { ...base, deadline: new Date(NOW.getTime() + DAY_MS) };
    expect(backdatingWarnings(inADay)).toMatchObject([{ field: "confirmPublic", kind: "deadline_within_a_day" }]);
    expect(backdatingWarnings(inADay)[0].message).toContain(
      "public within a day: its disclosure deadline is 2026-12-04 10:00 UTC",
    );
    expect(backdatingWarnings({ ...base, deadline: new Date(NOW.getTime() + DAY_MS + 1) })).toEqual([]);
    // At the deadline instant it is not yet public (strictly later counts), but due within a day.
    expect(backdatingWarnings({ ...base, deadline: NOW })[0].kind).toBe("deadline_within_a_day");
  });

  it("refuses a date more than a year ago as a likely typo unless confirmed, besides the publication", () => {
    const w = backdatingWarnings(report("2025-12-02"));
    expect(w.map((x) => x.field)).toEqual(["confirmPublic", "confirmReportedOn"]);
    expect(w[1].message).toBe(
      "The date reported, 2025-12-02, is more than a year ago: check that it is not a typo (the wrong year?).",
    );
    // Exactly a year ago is not "more than a year".
    expect(backdatingWarnings(report("2025-12-03")).map((x) => x.kind)).toEqual(["deadline_passed"]);
  });

  it("asks for the date even when the checklist's long disclosure period keeps the report embargoed", () => {
    const reportedAt = at("2025-06-01T00:00:00Z");
    const deadline = disclosureDeadline(reportedAt, "low", { ...DAYS, low: 600 });
    expect(backdatingWarnings({ reportedAt, deadline, severity: "low", now: NOW }).map((x) => x.kind)).toEqual([
      "date_over_a_year_ago",
    ]);
  });
});

describe("isOverAYearAgo", () => {
  it("compares UTC days, a calendar year back", () => {
    expect(isOverAYearAgo(at("2025-12-02T00:00:00Z"), NOW)).toBe(true);
    expect(isOverAYearAgo(at("2025-12-03T00:00:00Z"), NOW)).toBe(false);
    expect(isOverAYearAgo(at("2025-12-03T23:59:00Z"), at("2026-12-03T00:00:00Z"))).toBe(false);
    // 29 February counts back to 1 March of the year before.
    expect(isOverAYearAgo(at("2027-02-28T00:00:00Z"), at("2028-02-29T12:00:00Z"))).toBe(true);
    expect(isOverAYearAgo(at("2027-03-01T00:00:00Z"), at("2028-02-29T12:00:00Z"))).toBe(false);
  });
});

describe("unconfirmedWarnings", () => {
  it("leaves only the warnings whose confirmation was not given", () => {
    const w = backdatingWarnings(report("2024-01-15"));
    expect(unconfirmedWarnings(w, {}).map((x) => x.field)).toEqual(["confirmPublic", "confirmReportedOn"]);
    expect(unconfirmedWarnings(w, { confirmPublic: true }).map((x) => x.field)).toEqual(["confirmReportedOn"]);
    expect(unconfirmedWarnings(w, { confirmPublic: true, confirmReportedOn: true })).toEqual([]);
  });
});
