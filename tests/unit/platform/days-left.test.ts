// One rule for "days left" (wholeDaysLeft): a report's disclosure clock and a recurring requirement's
// "Due in N days" on the supplier's dashboard count alike. On 6 Dec a report due "16 Dec 2026, 00:00 UTC"
// said "9 days left" while recurring evidence due on 16 Dec said "Due in 10 days".
import { describe, expect, it } from "vitest";
import { inDaysWords, wholeDaysLeft } from "../../../app/platform/calendar";
import { clockOf } from "../../../app/features/findings/domain/findings";
import { recurringStanding } from "../../../app/features/monitoring/domain/recurring";

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

describe("wholeDaysLeft", () => {
  const deadline = at("2026-12-16T00:00:00Z");
  it.each([
    ["9 days and 23 hours", deadline.getTime() - 9 * DAY - 23 * 3600_000, 9],
    ["exactly 10 days", deadline.getTime() - 10 * DAY, 10],
    ["exactly 1 day", deadline.getTime() - DAY, 1],
    ["1 ms", deadline.getTime() - 1, 0],
    ["none (at the deadline)", deadline.getTime(), 0],
    ["1 ms past", deadline.getTime() + 1, -1],
    ["exactly 1 day past", deadline.getTime() + DAY, -1],
    ["1 day and 1 ms past", deadline.getTime() + DAY + 1, -2],
  ])("%s left is %i", (_label, now, days) => {
    expect(wholeDaysLeft(deadline, new Date(now))).toBe(days);
  });

  it("says it in words for a mail", () => {
    expect(inDaysWords(deadline, at("2026-12-06T10:00:00Z"))).toBe("in 9 days");
    expect(inDaysWords(deadline, at("2026-12-14T10:00:00Z"))).toBe("in 1 day");
    expect(inDaysWords(deadline, at("2026-12-15T10:00:00Z"))).toBe("within a day");
  });
});

describe("a report's clock and recurring evidence count days alike", () => {
  it("on 6 Dec, both due on 16 Dec have 9 whole days left", () => {
    const now = at("2026-12-06T10:00:00Z");
    expect(clockOf(at("2026-12-16T00:00:00Z"), now)).toMatchObject({ daysLeft: 9, label: "9 days left" });
    // Accepted 90 days before 16 Dec, 08:00 UTC: due then ("16 Dec 2026" on the dashboard).
    const due = recurringStanding(
      {
        ref: "5.2-3",
        title: "Scan",
        everyDays: 90,
        lastAcceptedAt: new Date(at("2026-12-16T08:00:00Z").getTime() - 90 * DAY),
      },
      14,
      now,
    );
    expect(due.dueAt).toEqual(at("2026-12-16T08:00:00Z"));
    expect(due.daysUntilDue).toBe(9);
  });
});
